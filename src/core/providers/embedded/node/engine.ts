// The extension's side of the embedded engine: starts the child process, sends typed requests,
// streams their chunks back, and restarts the child (with backoff) when it dies. A dead child
// rejects every pending request with a clear ProviderError; it is never fatal to the editor.
import { fork, type ChildProcess } from 'node:child_process';
import { Emitter } from '../../../events';
import { ProviderError } from '../../types';
import {
  parseEngineMessage, type EngineErrorCode, type EngineMessage, type EngineStats, type GenerationResult, type HostMessage,
  type LoadOptions, type ModelSummary, sameLoadOptions,
} from '../protocol';
import { isRejected } from '../../../protocol';

export type EngineState =
  | { kind: 'stopped' }
  | { kind: 'starting' }
  | { kind: 'ready'; pid: number; model?: ModelSummary }
  | { kind: 'crashed'; detail: string; restartInMs: number };

export interface EngineClientOptions {
  /** Path of the bundled worker (dist/engine/worker.js). */
  workerPath: string;
  /** Working directory of the child: the extension's root, so `node_modules` resolves from it. */
  cwd?: string;
  /** Backoff between restarts after crashes: first delay and cap, ms. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A process that lived this long before dying restarts after the first delay again. */
  stableAfterMs?: number;
  /** Injected for tests; defaults to child_process.fork. */
  fork?: typeof fork;
}

interface Pending {
  resolve: (m: EngineMessage) => void;
  reject: (e: Error) => void;
  onChunk?: (text: string) => void;
}

type Request = HostMessage extends infer M ? M extends { id: string } ? Omit<M, 'id'> : never : never;

/** Plain words for each engine error, mapped onto the provider error codes. */
export function toProviderError(code: EngineErrorCode, message: string): ProviderError {
  const opts = { endpointClass: 'machine' as const };
  switch (code) {
    case 'engine-missing':
      return new ProviderError('unreachable', `The embedded engine is not installed in this build: ${message}. Install the Switchyard build for your platform (it carries the engine), or run \`npm install\` in a development checkout.`, opts);
    case 'model-missing': return new ProviderError('model-missing', `Embedded engine: ${message}. Choose a model with "Switchyard: Select Embedded Model".`, opts);
    case 'model-invalid': return new ProviderError('model-missing', `Embedded engine: ${message}`, opts);
    case 'no-model': return new ProviderError('model-missing', 'Embedded engine: no model is loaded. Set switchyard.embedded.modelPath or run "Switchyard: Select Embedded Model".', opts);
    case 'bad-request': return new ProviderError('bad-request', `Embedded engine refused the request: ${message}`, opts);
    default: return new ProviderError('server', `Embedded engine failed: ${message}`, opts);
  }
}

export class EngineClient {
  private child: ChildProcess | undefined;
  private ready: Promise<number> | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelay: number;
  private startedAt = 0;
  private lastLoad: LoadOptions | undefined;
  private loading: Promise<ModelSummary> | undefined;
  private model: ModelSummary | undefined;
  private disposed = false;
  private _state: EngineState = { kind: 'stopped' };
  /** Restarts after crashes since the process was created. */
  crashes = 0;
  readonly onState = new Emitter<EngineState>();
  readonly onLog = new Emitter<string>();

  constructor(private readonly opts: EngineClientOptions) {
    this.restartDelay = opts.restartDelayMs ?? 1000;
  }

  get state(): EngineState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private setState(s: EngineState): void {
    this._state = s;
    this.onState.emit(s);
  }

  /** Starts the child if it is not running. Resolves with its pid once it said it is ready. */
  start(): Promise<number> {
    if (this.disposed) return Promise.reject(new ProviderError('unreachable', 'The embedded engine was shut down.', { endpointClass: 'machine' }));
    if (this.ready) return this.ready;
    clearTimeout(this.restartTimer);
    this.setState({ kind: 'starting' });
    this.startedAt = performance.now();
    const child = (this.opts.fork ?? fork)(this.opts.workerPath, [], {
      cwd: this.opts.cwd,
      // Inspector or loader flags of the editor's own process must not leak into the engine.
      execArgv: [],
      // Inside Electron, fork runs the editor binary; this makes it behave as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.onLog.emit(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => this.onLog.emit(d.toString().trimEnd()));
    this.ready = new Promise<number>((resolve, reject) => {
      const onReady = (raw: unknown): void => {
        const m = parseEngineMessage(raw);
        if (!isRejected(m) && m.type === 'ready') {
          child.off('message', onReady);
          this.setState({ kind: 'ready', pid: m.pid });
          resolve(m.pid);
        }
      };
      child.on('message', onReady);
      child.once('exit', (code, signal) => reject(new ProviderError('unreachable', `The embedded engine exited before it started (${signal ?? `exit code ${code}`}).`, { endpointClass: 'machine' })));
      child.once('error', (err) => reject(new ProviderError('unreachable', `The embedded engine could not be started: ${err.message}`, { endpointClass: 'machine' })));
    });
    this.ready.catch(() => undefined);
    child.on('message', (raw) => this.onMessage(raw));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', (err) => this.onLog.emit(`embedded engine process error: ${err.message}`));
    return this.ready;
  }

  private onMessage(raw: unknown): void {
    const m = parseEngineMessage(raw);
    if (isRejected(m)) {
      this.onLog.emit(`embedded engine sent a bad message: ${m.error}`);
      return;
    }
    if (m.type === 'ready') return;
    if (m.type === 'log') { this.onLog.emit(m.message); return; }
    const p = this.pending.get(m.id);
    if (!p) return; // an answer to a request nobody waits for any more
    if (m.type === 'chunk') { p.onChunk?.(m.text); return; }
    this.pending.delete(m.id);
    if (m.type === 'error') p.reject(toProviderError(m.code, m.message));
    else p.resolve(m);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = undefined;
    this.loading = undefined;
    this.model = undefined;
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    const err = new ProviderError('server', `The embedded engine stopped unexpectedly (${how}); it is being restarted.`, { endpointClass: 'machine' });
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (this.disposed) { this.setState({ kind: 'stopped' }); return; }
    this.crashes++;
    // A process that ran for a while before dying starts the backoff afresh; one that dies at once doubles it.
    if (performance.now() - this.startedAt > (this.opts.stableAfterMs ?? 30_000)) this.restartDelay = this.opts.restartDelayMs ?? 1000;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, this.opts.maxRestartDelayMs ?? 30_000);
    this.onLog.emit(`embedded engine stopped (${how}); restarting in ${delay} ms`);
    this.setState({ kind: 'crashed', detail: how, restartInMs: delay });
    this.restartTimer = setTimeout(() => {
      void this.start().then(() => (this.lastLoad ? this.load(this.lastLoad) : undefined))
        .catch((e: Error) => this.onLog.emit(`embedded engine restart failed: ${e.message}`));
    }, delay);
    this.restartTimer.unref?.();
  }

  /**
   * Sends a request and resolves with its final answer, which must be of type `answer` (`what` names
   * the request in the error otherwise). Chunks go to `onChunk`; `signal` cancels it.
   */
  private async request<T extends EngineMessage['type']>(
    msg: Request, answer: T, what: string, onChunk?: (text: string) => void, signal?: AbortSignal,
  ): Promise<Extract<EngineMessage, { type: T }>> {
    await this.start();
    const child = this.child;
    if (!child?.connected) throw new ProviderError('unreachable', 'The embedded engine is not running.', { endpointClass: 'machine' });
    const id = `r${this.nextId++}`;
    const m = await new Promise<EngineMessage>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.pending.has(id) && child.connected) child.send({ type: 'cancel', id: `c${this.nextId++}`, target: id } satisfies HostMessage);
      };
      this.pending.set(id, {
        resolve: (m) => { signal?.removeEventListener('abort', onAbort); resolve(m); },
        reject: (e) => { signal?.removeEventListener('abort', onAbort); reject(e); },
        onChunk,
      });
      child.send({ ...msg, id } as HostMessage);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (m.type !== answer) throw new ProviderError('malformed', `The embedded engine answered ${what} with something else.`, { endpointClass: 'machine' });
    return m as Extract<EngineMessage, { type: T }>;
  }

  /** Loads a model (once per distinct options; the engine remembers it across requests). */
  async load(options: LoadOptions): Promise<ModelSummary> {
    if (this.lastLoad && sameLoadOptions(this.lastLoad, options)) {
      if (this.model) return this.model;
      if (this.loading) return this.loading;
    }
    // llama.cpp picks its backend (CPU or GPU) once per process: switching needs a fresh one.
    if (this.lastLoad && this.lastLoad.gpu !== options.gpu) this.stop();
    this.lastLoad = options;
    this.model = undefined;
    const loading = this.request({ type: 'load', options }, 'loaded', 'a load').then((m) => {
      if (this.lastLoad === options) this.model = m.model;
      if (this._state.kind === 'ready') this.setState({ kind: 'ready', pid: this._state.pid, model: m.model });
      return m.model;
    });
    this.loading = loading;
    loading.catch(() => { if (this.loading === loading) this.loading = undefined; });
    return loading;
  }

  async generate(msg: Extract<Request, { type: 'fim' | 'chat' }>, onChunk: (t: string) => void, signal: AbortSignal): Promise<GenerationResult> {
    return (await this.request(msg, 'result', 'a generation', onChunk, signal)).result;
  }

  async stats(): Promise<EngineStats> {
    return (await this.request({ type: 'stats' }, 'stats', 'a stats request')).stats;
  }

  /** Stops the child (freeing the model's memory); the next request starts a new one. Pending requests reject. */
  stop(): void {
    clearTimeout(this.restartTimer);
    const child = this.child;
    // Cleared first, so that its exit is not taken for a crash.
    this.child = undefined;
    this.ready = undefined;
    this.model = undefined;
    this.loading = undefined;
    for (const p of this.pending.values()) p.reject(new ProviderError('unreachable', 'The embedded engine was shut down.', { endpointClass: 'machine' }));
    this.pending.clear();
    if (child && child.exitCode === null) {
      child.disconnect?.();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      t.unref?.();
    }
    if (this._state.kind !== 'stopped') this.setState({ kind: 'stopped' });
  }

  /** Stops the child for good. */
  dispose(): void {
    this.disposed = true;
    this.stop();
    this.onState.clear();
    this.onLog.clear();
  }
}
