// A catch-all HTTP server that records any request to any path: a stand-in for an arbitrary endpoint that
// must never be reached (a non-machine host in privacy tests, a cloud URL that should stay unused).

import { FakeServer, type Exchange, type FakeServerOptions, type Script } from './core';

export interface RecorderOptions extends FakeServerOptions {
  /** Status of every answer (default 200; scripted `headers` go with it, e.g. a redirect's `location`). */
  status?: number;
  /** JSON body of every answer (default `{}`). */
  body?: unknown;
}

export class Recorder extends FakeServer {
  private readonly status: number;
  private readonly body: unknown;

  constructor(options: RecorderOptions = {}) {
    super(options);
    this.status = options.status ?? 200;
    this.body = options.body ?? {};
  }

  get baseURL(): string {
    return this.url;
  }

  protected isGeneration(): boolean {
    return false;
  }

  protected sendError(ex: Exchange, status: number, script: Script): void {
    ex.json(status, { error: script.message ?? `status ${status}` });
  }

  protected async route(ex: Exchange, script: Script): Promise<void> {
    ex.json(this.status, this.body, script.headers);
  }
}

/** Starts a recorder on 127.0.0.1 (random port unless `port` is given). */
export function startRecorder(options: RecorderOptions = {}): Promise<Recorder> {
  return new Recorder(options).listen();
}
