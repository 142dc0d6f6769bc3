// Shared machinery of the fake model servers: an HTTP server on 127.0.0.1 that records every request,
// counts connections, takes per-test scripts (replies, latency, model speed, faults) and runs a
// token-by-token generation that a provider-specific "framing" turns into its wire format.
// Only node:http / node:net: this file is bundled into tests that run inside the VS Code extension host.

import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tokenize } from './tokens';

/** Ways a reply can go wrong on purpose. */
export type Fault =
  /** Never answer (or, with `afterTokens`, stop mid-stream and keep the connection open). */
  | 'hang'
  /** Destroy the socket (before any byte, or after `afterTokens` tokens). */
  | 'drop'
  /** End the response cleanly but early: no final done / [DONE] / message_stop (or half a JSON body). */
  | 'truncate'
  /** Insert one unparseable line/event after `afterTokens` tokens, then carry on. */
  | 'malformed'
  /** Answer 200 with a body that is not the protocol at all (an HTML error page, broken JSON). */
  | 'garbage'
  /** Send the provider's in-stream error (Ollama `{"error"}` line, OpenAI error chunk, Anthropic `event: error`). */
  | 'stream-error';

/** A realistic model speed: generation starts after the prefill and then takes `perTokenMs` per token. */
export interface SpeedModel {
  /** Fixed prompt-processing time before the first token, ms. */
  prefillMs?: number;
  /** Extra prompt-processing time per prompt token, ms (long prompts start later). */
  prefillMsPerToken?: number;
  /** Time to generate each token, ms. */
  perTokenMs: number;
  /** Time to load a model that is not loaded yet (Ollama; reported as `load_duration`), ms. */
  loadMs?: number;
  /** Requests generating at once; later ones wait in a queue (default 1, like a CPU-bound local server). */
  parallel?: number;
}

/** Usage figures to report instead of the computed ones. */
export interface UsageOverride {
  promptTokens?: number;
  completionTokens?: number;
  /** OpenAI `prompt_tokens_details.cached_tokens` / Anthropic `cache_read_input_tokens`. */
  cacheReadTokens?: number;
  /** Anthropic `cache_creation_input_tokens`. */
  cacheWriteTokens?: number;
}

/**
 * How the fake answers one request. Every field is optional; a queued script is merged over the reply
 * function's result, which is merged over the defaults.
 */
export interface Script {
  /** Reply text, split into tokens with `tokenize()`. */
  text?: string;
  /** Reply as exact token chunks (overrides `text`). */
  tokens?: string[];
  /** Answer with this HTTP status and the provider's error body. */
  status?: number;
  /** Error message for `status` / `stream-error`. */
  message?: string;
  /** Provider error type (OpenAI `error.type`, Anthropic `error.type`). */
  errorType?: string;
  /** OpenAI `error.code`. */
  errorCode?: string;
  /** Seconds, sent as `retry-after` with an error status. */
  retryAfter?: number;
  /** Extra response headers. */
  headers?: Record<string, string>;
  fault?: Fault;
  /** Tokens sent before a mid-stream fault (default: before any response for hang/drop, 1 otherwise). */
  afterTokens?: number;
  /** Delay before anything happens, ms. */
  firstByteMs?: number;
  /** Delay between streamed tokens, ms (ignored when `speed` is set). */
  chunkMs?: number;
  /** Realistic model speed (see SpeedModel). */
  speed?: SpeedModel;
  /** Log-probabilities of the reply tokens, by index or computed per token (when the client asks for them). */
  logprobs?: number[] | ((token: string, index: number) => number);
  /** Report this finish reason ('length' = hit the token limit). */
  finishReason?: 'stop' | 'length';
  usage?: UsageOverride;
}

/** Which requests a queued script applies to: a path, a path pattern or a predicate. */
export type RequestMatch = string | RegExp | ((request: RecordedRequest) => boolean);

export interface ScriptOptions {
  /** Default: the fake's generation endpoints. */
  match?: RequestMatch;
  /** How many matching requests it applies to (default 1). */
  times?: number;
}

/** One request as the fake received it, updated while the response goes out. */
export interface RecordedRequest {
  readonly id: number;
  readonly method: string;
  /** Path without the query string, e.g. `/api/generate`. */
  readonly path: string;
  readonly query: Record<string, string>;
  /** Lower-cased header names, as Node gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** Parsed JSON body (undefined when empty or not JSON). Read ad hoc by tests, hence untyped. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  /** Date.now() when the request arrived. */
  readonly receivedAt: number;
  /** Status sent, once the head went out. */
  status?: number;
  /** The scripted fault applied, if any. */
  fault?: Fault;
  /** Date.now() when the response head went out. */
  firstByteAt?: number;
  /** Date.now() when the response finished or the connection closed. */
  endedAt?: number;
  /** The response was completely written. */
  completed: boolean;
  /** The client closed the connection before the response was complete (e.g. it aborted). */
  aborted: boolean;
  /** The fake cut the connection on purpose (fault 'drop'). */
  dropped: boolean;
  /** Model the request named (generation and model endpoints). */
  model?: string;
  /** The full reply the fake planned to generate. */
  reply?: string;
  /** Prompt tokens counted from what was sent. */
  promptTokens: number;
  /** Tokens the fake generated; generation stops when the client disconnects. */
  tokensGenerated: number;
  /** Tokens actually written to the client. */
  tokensSent: number;
  /** Time spent waiting for a free generation slot (speed mode), ms. */
  queuedMs: number;
  /** Time the "model" was busy with this request (load + prefill + generation), ms. */
  modelMs: number;
}

/** What a reply function sees of a generation request, normalized across providers. */
export interface GenerationInput {
  /** Request path, e.g. `/api/generate`, `/v1/chat/completions`, `/v1/messages`. */
  endpoint: string;
  model: string;
  /** The prompt, or the text of the last user message. */
  prompt: string;
  /** FIM suffix, when sent. */
  suffix?: string;
  system?: string;
  /** Chat messages with their text content (empty for prompt endpoints). */
  messages: Array<{ role: string; content: string }>;
  stream: boolean;
  request: RecordedRequest;
}

/** Computes the reply for a request: its text, or a full Script. Return undefined for the default. */
export type ReplyFn = (input: GenerationInput) => string | Script | undefined;

export interface FakeServerOptions {
  /** Port to listen on (default 0: a free random port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Reply text for every generation request, or a function computing it. */
  reply?: string | ReplyFn;
  /** Script applied to every request (latency, speed, faults...). */
  defaults?: Script;
  /** Serve https with this key and certificate (see `makeTestCa()` in tls.ts). */
  tls?: { key: string; cert: string };
}

export const DEFAULT_REPLY = 'This is a reply from the fake model.';

/** A body that is not the protocol: what a misconfigured proxy or a crashed server might send. */
export const GARBAGE = '<html><body><h1>502 Bad Gateway</h1></body></html>\n{"model": "oops", "respo\n';

/** Log-probability of one token, with the most likely alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: Array<{ token: string; logprob: number }>;
}

/** A generation about to be served. */
export interface Plan {
  model: string;
  stream: boolean;
  tokens: string[];
  finishReason: 'stop' | 'length';
  /** The stop sequence that ended the reply, if any. */
  stopSequence?: string;
  promptTokens: number;
  script: Script;
  /** Number of alternatives wanted with each token's log-probability; undefined = not asked for. */
  topLogprobs?: number;
  /** Load time to simulate (speed mode, Ollama cold model), ms. */
  loadMs?: number;
  /** First-byte delay asked by the reply function (the request's own delay has already passed), ms. */
  extraDelayMs: number;
  /** The request being answered. */
  request: RecordedRequest;
}

/** Timings of a served generation, in nanoseconds like Ollama reports them. */
export interface GenerationStats {
  generated: number;
  /** Time waiting for a free slot (speed mode's `parallel`), ms. */
  queueMs?: number;
  loadNs: number;
  prefillNs: number;
  evalNs: number;
  totalNs: number;
}

/** Turns a generation into one provider's wire format. */
export interface Framing {
  /** Extra headers of every reply (e.g. request ids). */
  headers?: Record<string, string>;
  /** Headers of a whole (not streamed) reply that depend on how it went (TGI's timing headers). */
  bodyHeaders?(stats: GenerationStats): Record<string, string>;
  /** Content type of a streamed reply. */
  streamContentType: string;
  /** Ollama sends its head with the first token (after the prefill); cloud APIs send it at once. */
  headAtFirstToken: boolean;
  /** Text sent right after the head of a stream (e.g. Anthropic message_start). */
  start(): string;
  /** One streamed token. */
  token(text: string, index: number): string;
  /** The end of a complete stream (final stats, usage, terminator). */
  finish(stats: GenerationStats): string;
  /** One unparseable frame. */
  malformed(): string;
  /** The provider's in-stream error. */
  streamError(message: string): string;
  /** The whole reply of a non-streamed request. */
  body(stats: GenerationStats): unknown;
}

interface QueuedScript {
  script: Script;
  match: RequestMatch | undefined;
  times: number;
}

/** The response side of one request, with helpers that know whether the client is still there. */
export class Exchange {
  readonly ended: Promise<void>;
  private readonly controller = new AbortController();

  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly record: RecordedRequest,
    shuttingDown: () => boolean,
  ) {
    this.ended = new Promise((resolve) => {
      res.on('finish', () => {
        record.completed = true;
      });
      res.on('close', () => {
        if (!res.writableFinished && !record.dropped && !shuttingDown()) record.aborted = true;
        record.endedAt = Date.now();
        this.controller.abort();
        resolve();
      });
    });
  }

  /** Aborted when the connection closes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Waits `ms`; resolves false at once if the connection closes meanwhile. */
  sleep(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.signal.removeEventListener('abort', done);
        resolve(true);
      }, ms);
      this.signal.addEventListener('abort', done, { once: true });
    });
  }

  head(status: number, headers: Record<string, string>): void {
    if (this.res.headersSent || this.closed) return;
    this.res.writeHead(status, headers);
    this.res.flushHeaders();
    this.record.status = status;
    this.record.firstByteAt = Date.now();
  }

  /** Writes a chunk; false when the client is gone. */
  write(chunk: string): boolean {
    if (this.closed || this.res.writableEnded) return false;
    if (chunk) this.res.write(chunk);
    return true;
  }

  end(chunk?: string): void {
    if (this.closed || this.res.writableEnded) return;
    this.res.end(chunk);
  }

  send(status: number, contentType: string, text: string, headers: Record<string, string> = {}): boolean {
    if (this.closed) return false;
    this.head(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), ...headers });
    this.end(text);
    return true;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): boolean {
    return this.send(status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
  }

  /** Cuts the connection without a proper end. */
  drop(): void {
    this.record.dropped = true;
    this.req.socket.destroy();
  }

  /** Answers nothing more; the connection stays open until the client gives up or the fake closes. */
  hang(): void {
    // Intentionally empty: the recorded request stays open until its connection closes.
  }
}

/** Base of the fake servers: listening, recording, scripting and the generation loop. */
export abstract class FakeServer {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** The port listened on. */
  port = 0;

  private readonly server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private connectionCount = 0;
  private queue: QueuedScript[] = [];
  private defaults: Script;
  private replyFn: ReplyFn | undefined;
  private readonly ends = new WeakMap<RecordedRequest, Promise<void>>();
  private readonly waiters = new Set<() => void>();
  private busy = 0;
  private readonly slotQueue: Array<() => void> = [];
  private shuttingDown = false;
  private nextId = 1;

  protected constructor(private readonly options: FakeServerOptions) {
    this.defaults = { ...options.defaults };
    this.setReply(options.reply);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
    this.server.on('connection', (socket: Socket) => {
      this.connectionCount++;
      socket.setNoDelay(true);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.notify();
    });
  }

  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  /** The value to give this provider's client as its host / baseURL. */
  abstract get baseURL(): string;

  /** TCP connections accepted since start (or the last reset). */
  get connections(): number {
    return this.connectionCount;
  }

  /** Starts listening; resolves once the port is known. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Queues one-shot scripts, used in order by the next matching requests. */
  script(scripts: Script | Script[], options: ScriptOptions = {}): this {
    for (const script of Array.isArray(scripts) ? scripts : [scripts]) {
      this.queue.push({ script, match: options.match, times: options.times ?? 1 });
    }
    return this;
  }

  /** Replaces the script applied to every request (merged under queued scripts). */
  setDefaults(script: Script): this {
    this.defaults = { ...script };
    return this;
  }

  /** Sets the reply text or reply function for generation requests (undefined: the default reply). */
  setReply(reply: string | ReplyFn | undefined): this {
    this.replyFn = typeof reply === 'string' ? () => reply : reply;
    return this;
  }

  /** Queued scripts not used yet. */
  get pendingScripts(): number {
    return this.queue.reduce((n, q) => n + q.times, 0);
  }

  /** Forgets recorded requests, the connection count and queued scripts (models and defaults stay). */
  reset(): this {
    this.requests.length = 0;
    this.connectionCount = 0;
    this.queue = [];
    return this;
  }

  /** Requests to this fake's generation endpoints. */
  get generations(): RecordedRequest[] {
    return this.requests.filter((r) => this.isGeneration(r.path));
  }

  /** Resolves when the response to `request` has finished or its connection closed. */
  async ended(request: RecordedRequest, timeoutMs = 5000): Promise<RecordedRequest> {
    const end = this.ends.get(request);
    if (!end) throw new Error(`request #${request.id} is not from this fake`);
    await withTimeout(end, timeoutMs, `request #${request.id} ${request.path} still open after ${timeoutMs} ms`);
    return request;
  }

  /** Resolves when every request received so far has ended. */
  async settled(timeoutMs = 5000): Promise<void> {
    await Promise.all(this.requests.map((r) => this.ended(r, timeoutMs)));
  }

  /** Resolves once `count` requests (matching `match`, if given) have arrived; returns them. */
  async waitForRequests(count = 1, options: { match?: RequestMatch; timeoutMs?: number } = {}): Promise<RecordedRequest[]> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const matching = () => this.requests.filter((r) => options.match === undefined || matches(options.match, r));
    if (matching().length >= count) return matching();
    await withTimeout(
      new Promise<void>((resolve) => {
        const check = () => {
          if (matching().length >= count) {
            this.waiters.delete(check);
            resolve();
          }
        };
        this.waiters.add(check);
      }),
      timeoutMs,
      `expected ${count} request(s) at ${this.url}, got ${matching().length} after ${timeoutMs} ms`,
    );
    return matching();
  }

  /** Stops the server, cutting any open connection. */
  async close(): Promise<void> {
    this.shuttingDown = true;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- for the provider fakes ----

  /** Paths whose replies are generated (scripts apply to these unless told otherwise). */
  protected abstract isGeneration(path: string): boolean;
  /** Serves a request that passed the scripted pre-response faults. */
  protected abstract route(ex: Exchange, script: Script): Promise<void>;
  /** Sends the provider's error response. */
  protected abstract sendError(ex: Exchange, status: number, script: Script): void;

  /** Reply for a generation: the reply function's answer merged under the request's script. */
  protected resolveReply(input: GenerationInput): { script: Script; text: string } {
    const fromFn = this.replyFn?.(input);
    const fnScript: Script = typeof fromFn === 'string' ? { text: fromFn } : (fromFn ?? {});
    const merged: Script = { ...this.defaults, ...fnScript, ...this.queuedPart(input.request) };
    const text = merged.tokens?.join('') ?? merged.text ?? DEFAULT_REPLY;
    return { script: merged, text };
  }

  /** Builds the plan of a generation: stop sequences and token limits applied to the reply. */
  protected plan(
    input: GenerationInput,
    script: Script,
    args: { promptTokens: number; maxTokens?: number; stop?: string[]; topLogprobs?: number; loadMs?: number },
  ): Plan {
    const { script: merged, text: reply } = this.resolveReply(input);
    let finishReason: 'stop' | 'length' = 'stop';
    let stopSequence: string | undefined;
    let cut = -1;
    for (const stop of args.stop ?? []) {
      const at = stop ? reply.indexOf(stop) : -1;
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
        stopSequence = stop;
      }
    }
    let tokens = merged.tokens && cut < 0 ? [...merged.tokens] : tokenize(cut >= 0 ? reply.slice(0, cut) : reply);
    if (args.maxTokens !== undefined && args.maxTokens >= 0 && tokens.length > args.maxTokens) {
      tokens = tokens.slice(0, args.maxTokens);
      finishReason = 'length';
      stopSequence = undefined;
    }
    return {
      model: input.model,
      stream: input.stream,
      tokens,
      finishReason: merged.finishReason ?? finishReason,
      stopSequence,
      promptTokens: merged.usage?.promptTokens ?? args.promptTokens,
      script: merged,
      topLogprobs: args.topLogprobs,
      loadMs: args.loadMs,
      extraDelayMs: script.firstByteMs === undefined ? (merged.firstByteMs ?? 0) : 0,
      request: input.request,
    };
  }

  /** Streams (or sends whole) a planned generation, honouring speed, latency and faults. */
  protected async generate(ex: Exchange, plan: Plan, framing: Framing): Promise<void> {
    const { record } = ex;
    const { script } = plan;
    record.reply = plan.tokens.join('');
    record.promptTokens = plan.promptTokens;
    record.model = plan.model;
    record.fault = script.fault;

    const streamHead = { 'content-type': framing.streamContentType, 'cache-control': 'no-cache', ...framing.headers, ...script.headers };
    const open = () => {
      if (ex.res.headersSent) return;
      ex.head(200, streamHead);
      ex.write(framing.start());
    };
    if (plan.extraDelayMs && !(await ex.sleep(plan.extraDelayMs))) return;
    // A reply function may ask for a status or an early hang/drop too.
    if (await this.preResponseFault(ex, script)) return;
    if (plan.stream && !framing.headAtFirstToken) open();

    const speed = script.speed;
    let release = () => {};
    if (speed) {
      const queuedAt = Date.now();
      const slot = await this.acquire(speed.parallel ?? 1, ex.signal);
      if (!slot) return;
      release = slot;
      record.queuedMs = Date.now() - queuedAt;
    }
    const modelStart = Date.now();
    const t0 = process.hrtime.bigint();
    const since = (t: bigint) => Number(process.hrtime.bigint() - t);
    try {
      let loadNs = 0;
      let prefillNs = 0;
      if (speed) {
        const tLoad = process.hrtime.bigint();
        if (plan.loadMs && !(await ex.sleep(plan.loadMs))) return;
        loadNs = since(tLoad);
        const tPrefill = process.hrtime.bigint();
        const prefill = (speed.prefillMs ?? 0) + (speed.prefillMsPerToken ?? 0) * plan.promptTokens;
        if (!(await ex.sleep(prefill))) return;
        prefillNs = since(tPrefill);
      }
      const tEval = process.hrtime.bigint();
      const gap = speed ? speed.perTokenMs : (script.chunkMs ?? 0);
      const fault = script.fault;
      const faultAt = fault === 'garbage' ? (script.afterTokens ?? 0) : (script.afterTokens ?? 1);
      const body: string[] = [];
      for (let i = 0; i <= plan.tokens.length; i++) {
        if (fault && i === Math.min(faultAt, plan.tokens.length)) {
          const stop = this.applyFault(ex, plan, framing, fault, open);
          if (stop) return;
        }
        if (i === plan.tokens.length) break;
        if ((speed || i > 0) && !(await ex.sleep(gap))) return;
        record.tokensGenerated++;
        if (plan.stream) {
          open();
          if (ex.write(framing.token(plan.tokens[i], i))) record.tokensSent++;
        } else {
          body.push(plan.tokens[i]);
        }
      }
      const stats: GenerationStats = {
        generated: record.tokensGenerated,
        queueMs: record.queuedMs,
        loadNs: Math.max(loadNs, 1),
        prefillNs: Math.max(prefillNs, 1),
        evalNs: Math.max(since(tEval), 1),
        totalNs: Math.max(since(t0), 1),
      };
      if (plan.stream) {
        open();
        ex.end(framing.finish(stats));
      } else if (ex.json(200, framing.body(stats), { ...framing.headers, ...framing.bodyHeaders?.(stats), ...script.headers })) {
        record.tokensSent = record.tokensGenerated;
      }
    } finally {
      record.modelMs = Date.now() - modelStart;
      release();
    }
  }

  /** Applies a mid-generation fault; true when the response is over. */
  private applyFault(ex: Exchange, plan: Plan, framing: Framing, fault: Fault, open: () => void): boolean {
    const ctype = plan.stream ? framing.streamContentType : 'application/json; charset=utf-8';
    switch (fault) {
      case 'hang':
        return true;
      case 'drop':
        if (plan.stream) open();
        ex.drop();
        return true;
      case 'garbage':
        if (plan.stream && ex.res.headersSent) ex.end(GARBAGE);
        else ex.send(200, ctype, GARBAGE);
        return true;
      case 'truncate':
        if (plan.stream) {
          open();
          ex.end();
        } else {
          const whole = JSON.stringify(framing.body({ generated: ex.record.tokensGenerated, loadNs: 1, prefillNs: 1, evalNs: 1, totalNs: 1 }));
          ex.head(200, { 'content-type': ctype });
          ex.end(whole.slice(0, Math.floor(whole.length / 2)));
        }
        return true;
      case 'malformed':
        if (plan.stream) {
          open();
          ex.write(framing.malformed());
          return false;
        }
        ex.send(200, ctype, framing.malformed());
        return true;
      case 'stream-error': {
        const message = plan.script.message ?? 'an error was encountered while running the model';
        if (plan.stream) {
          open();
          ex.end(framing.streamError(message));
        } else {
          this.sendError(ex, 500, { ...plan.script, message });
        }
        return true;
      }
    }
  }

  /** Log-probability of token `index` (scripted, else a deterministic confident value) with alternatives. */
  protected logprob(plan: Plan, index: number): TokenLogprob {
    const token = plan.tokens[index];
    const scripted = plan.script.logprobs;
    const value = typeof scripted === 'function' ? scripted(token, index) : scripted?.[index];
    const logprob = value ?? -((hash(token) % 90) + 1) / 1000;
    const rest = Math.max(1e-6, 1 - Math.exp(logprob));
    const top = [{ token, logprob }];
    for (let j = 1; j < (plan.topLogprobs ?? 0); j++) {
      top.push({ token: `${token.trim() || token}~${j}`, logprob: Math.log(rest / 2 ** j) });
    }
    top.sort((a, b) => b.logprob - a.logprob);
    return { token, logprob, top: top.slice(0, plan.topLogprobs ?? 0) };
  }

  // ---- internals ----

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const receivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake');
    const rawBody = await readBody(req);
    let body: unknown;
    let badJson = false;
    if (rawBody.trim()) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        badJson = true;
      }
    }
    const record: RecordedRequest = {
      id: this.nextId++,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      rawBody,
      body,
      receivedAt,
      completed: false,
      aborted: false,
      dropped: false,
      promptTokens: 0,
      tokensGenerated: 0,
      tokensSent: 0,
      queuedMs: 0,
      modelMs: 0,
    };
    this.requests.push(record);
    const ex = new Exchange(req, res, record, () => this.shuttingDown);
    this.ends.set(record, ex.ended);
    void ex.ended.then(() => this.notify());
    this.takeScript(record);
    this.notify();
    try {
      const script: Script = { ...this.defaults, ...this.queuedPart(record) };
      record.fault = script.fault;
      if (script.firstByteMs && !(await ex.sleep(script.firstByteMs))) return;
      if (await this.preResponseFault(ex, script)) return;
      if (script.fault === 'garbage' && !this.isGeneration(record.path)) {
        ex.send(200, 'application/json; charset=utf-8', GARBAGE);
        return;
      }
      if (badJson) return this.sendError(ex, 400, { message: 'invalid JSON in request body' });
      await this.route(ex, script);
    } catch (err) {
      if (!res.headersSent) ex.json(500, { error: `fake server error: ${(err as Error).message}` });
      else ex.drop();
    }
  }

  /** Status errors, and hang/drop before any byte; true when the request is dealt with. */
  private async preResponseFault(ex: Exchange, script: Script): Promise<boolean> {
    if (script.status !== undefined && script.status >= 400) {
      this.sendError(ex, script.status, script);
      return true;
    }
    if (script.afterTokens === undefined && script.fault === 'hang') {
      ex.hang();
      return true;
    }
    if (script.afterTokens === undefined && script.fault === 'drop') {
      ex.drop();
      return true;
    }
    return false;
  }

  private readonly taken = new WeakMap<RecordedRequest, Script>();

  /** Takes the first queued script matching the request (once per request). */
  private takeScript(record: RecordedRequest): void {
    const i = this.queue.findIndex((q) => (q.match === undefined ? this.isGeneration(record.path) : matches(q.match, record)));
    if (i < 0) return;
    const entry = this.queue[i];
    this.taken.set(record, entry.script);
    if (--entry.times <= 0) this.queue.splice(i, 1);
  }

  private queuedPart(record: RecordedRequest): Script {
    return this.taken.get(record) ?? {};
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Waits for a generation slot; resolves to its release function, or undefined if the client left. */
  private acquire(parallel: number, signal: AbortSignal): Promise<(() => void) | undefined> {
    const grant = (): (() => void) => {
      this.busy++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.busy--;
        this.slotQueue.shift()?.();
      };
    };
    if (this.busy < parallel) return Promise.resolve(grant());
    return new Promise((resolve) => {
      const onTurn = () => {
        signal.removeEventListener('abort', onAbort);
        resolve(grant());
      };
      const onAbort = () => {
        const i = this.slotQueue.indexOf(onTurn);
        if (i >= 0) this.slotQueue.splice(i, 1);
        resolve(undefined);
      };
      this.slotQueue.push(onTurn);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function matches(match: RequestMatch, record: RecordedRequest): boolean {
  if (typeof match === 'string') return record.path === match;
  if (match instanceof RegExp) return match.test(record.path);
  return match(record);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function hash(text: string): number {
  let h = 5381;
  for (let i = 0; i < text.length; i++) h = ((h << 5) + h + text.charCodeAt(i)) >>> 0;
  return h;
}

/** Text of a chat message content: a string, or an array of parts/blocks with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && 'text' in part && typeof part.text === 'string' ? part.text : ''))
      .join('');
  }
  return '';
}

/** A short unique id with a prefix, stable within a run (e.g. `chatcmpl-fake0001`). */
let idCounter = 0;
export function fakeId(prefix: string): string {
  idCounter++;
  return `${prefix}${idCounter.toString(36).padStart(6, '0')}`;
}
