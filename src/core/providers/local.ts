// What the local providers (Ollama, OpenAI-compatible) share: the fetch they hand their SDK client
// (gate + per-call abort + stream validation), and failures turned into plain words.
import type { EgressPurpose } from '../privacy/egress';
import { redactSecrets } from '../privacy/knownKeys';
import { findProviderError, ProviderError, type HealthResult, type OnText, type StreamResult } from './types';

/** The gate's fetch for one purpose (e.g. `(p) => gate.fetchFor({ purpose: p, provider: 'ollama' })`). */
export type FetchFor = (purpose: EgressPurpose) => typeof fetch;

/** Progress of a model download. */
export interface PullProgress {
  status: string;
  completed?: number;
  total?: number;
}

/** A catalog that can download models (Ollama). */
export interface ModelPuller {
  pull(model: string, onProgress: (p: PullProgress) => void, signal: AbortSignal): Promise<void>;
}

/**
 * Wraps a fetch so every request also ends when `signal` aborts (the HTTP connection closes and the
 * server stops generating), and so a newline-delimited JSON body that is not valid JSON fails
 * loudly instead of being skipped line by line.
 */
export function callFetch(base: typeof fetch, signal: AbortSignal | undefined, what: string): typeof fetch {
  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signals = [init?.signal, signal].filter((s): s is AbortSignal => !!s);
    const merged = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const res = await base(input, { ...init, signal: merged });
    const type = res.headers.get('content-type') ?? '';
    // A web server (a dashboard, a proxy's login page) on the model port answers 200 with a page.
    if (/text\/html/i.test(type)) {
      void res.body?.cancel().catch(() => undefined);
      throw new ProviderError('malformed', `${what} at ${originOf(input)} answered with a web page: this is not a model server (check the port in the settings)`);
    }
    return type.includes('ndjson') ? validateNdjson(res, what) : res;
  };
  return wrapped as typeof fetch;
}

function originOf(input: string | URL | Request): string {
  try {
    return new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).origin;
  } catch {
    return 'that address';
  }
}

function validateNdjson(res: Response, what: string): Response {
  if (!res.ok || !res.body) return res;
  const decoder = new TextDecoder();
  let buffered = '';
  const check = (line: string) => {
    if (line.trim() === '') return;
    try {
      JSON.parse(line);
    } catch {
      throw new ProviderError('malformed', `${what} sent a reply that is not valid JSON lines (is something else listening on that port?)`);
    }
  };
  const body = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      buffered += decoder.decode(chunk, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) check(line);
      controller.enqueue(chunk);
    },
    flush() {
      check(buffered + decoder.decode());
    },
  }));
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  status?: number;
  status_code?: number;
  cause?: unknown;
  error?: unknown;
}

/** Error codes of the network stack, found anywhere along the cause chain. */
function causeCodes(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err, depth = 0; e && depth < 6; e = (e as ErrorLike).cause, depth++) {
    const x = e as ErrorLike;
    if (x.code) out.push(x.code);
    if (x.name) out.push(x.name);
    if (x.message) out.push(x.message);
  }
  return out;
}

export interface ErrorContext {
  /** "Ollama" or "The local server". */
  server: string;
  baseUrl: string;
  model?: string;
  /** How to fix "nothing listens there", e.g. "start it with `ollama serve`". */
  startHint: string;
}

/** Any failure of a local call -> ProviderError with a message a user can act on. Never includes prompt text. */
export function mapLocalError(err: unknown, ctx: ErrorContext): ProviderError {
  const inner = findProviderError(err);
  if (inner) return inner;
  const e = (err ?? {}) as ErrorLike;
  const status = e.status ?? e.status_code;
  const message = redactSecrets(String(e.message ?? err)).slice(0, 200);
  const where = ctx.baseUrl;
  if (typeof status === 'number') {
    if (status === 404 && /model|not found/i.test(message)) {
      return new ProviderError('model-missing', `${ctx.server} does not have the model "${ctx.model ?? '?'}" — pull it or pick another with Switchyard: Select Completion Model`, { status });
    }
    if (status === 401 || status === 403) return new ProviderError('auth', `${ctx.server} at ${where} refused the request (${status})`, { status });
    if (status === 429) return new ProviderError('rate-limit', `${ctx.server} is busy (429); try again shortly`, { status });
    if (status >= 500) return new ProviderError('server', `${ctx.server} failed (${status}): ${message}`, { status });
    return new ProviderError('bad-request', `${ctx.server} rejected the request (${status}): ${message}`, { status });
  }
  const codes = causeCodes(err).join(' ');
  if (/TimeoutError|ETIMEDOUT|UND_ERR_HEADERS_TIMEOUT|APIConnectionTimeoutError/.test(codes)) {
    return new ProviderError('timeout', `${ctx.server} at ${where} did not answer in time`);
  }
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ECONNRESET.*connect|UND_ERR_CONNECT/.test(codes)) {
    return new ProviderError('unreachable', `nothing answers at ${where} — ${ctx.startHint}`);
  }
  if (/Did not receive done|terminated|ECONNRESET|UND_ERR_SOCKET|other side closed|premature close/i.test(codes)) {
    return new ProviderError('cut', `${ctx.server} closed the connection in the middle of a reply`);
  }
  if (/SyntaxError|JSON|parse/i.test(codes)) {
    return new ProviderError('malformed', `${ctx.server} sent a reply that could not be read: ${message}`);
  }
  if (/fetch failed|APIConnectionError|TypeError/.test(codes)) {
    return new ProviderError('unreachable', `cannot reach ${where} — ${ctx.startHint}`);
  }
  return new ProviderError('server', `${ctx.server} failed: ${message}`);
}

export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted) return true;
  const name = (err as ErrorLike | undefined)?.name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

/**
 * A failed health check in plain words, for the status bar tooltip. When the check's own time ran
 * out (whatever the client made of the abort), the server is slow or hung, not missing.
 */
export function unhealthy(err: unknown, ctx: ErrorContext, signal?: AbortSignal): HealthResult {
  if (signal?.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError') {
    return { ok: false, detail: `${ctx.server} at ${ctx.baseUrl} did not answer in time` };
  }
  return { ok: false, detail: mapLocalError(err, ctx).message };
}

/**
 * Fails after `ms` with a TimeoutError (health checks must be cheap and never hang). A timer of our
 * own, not `AbortSignal.timeout`: on Node 20 a timeout signal held only through `AbortSignal.any`
 * (as the SDKs hold it) can be garbage-collected before it fires, and the request then never ends.
 */
export function timeoutSignal(ms: number, outer?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  controller.signal.addEventListener('abort', () => {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }, { once: true });
  return controller.signal;
}

/**
 * Settles with `cancelled()` as soon as `signal` aborts, even if the HTTP client's own promise never
 * settles (some fetch implementations leave a pending request hanging after an abort).
 */
export function orCancelled<T>(signal: AbortSignal, work: Promise<T>, cancelled: () => T): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => resolve(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** One streamed call as it happens: the text so far and the time to its first piece. */
export class StreamRecorder {
  private readonly t0 = performance.now();
  text = '';
  ttftMs: number | undefined;
  /** The model the server says answered (Ollama and OpenAI-compatible servers name it in every chunk). */
  model: string | undefined;

  constructor(private readonly signal: AbortSignal, private readonly onText: OnText) {}

  /** Passes a piece on; pieces arriving after the abort are dropped. */
  push(delta: string | undefined): void {
    if (!delta || this.signal.aborted) return;
    this.ttftMs ??= performance.now() - this.t0;
    this.text += delta;
    this.onText(delta);
  }

  /** Notes the model a chunk names; the first one named wins. */
  reported(model: unknown): void {
    if (this.model === undefined && typeof model === 'string' && model.trim()) this.model = model.trim();
  }

  result(finishReason: StreamResult['finishReason'], extra: Partial<StreamResult> = {}): StreamResult {
    return {
      text: this.text, finishReason, ttftMs: this.ttftMs, totalMs: performance.now() - this.t0,
      ...(this.model ? { model: this.model } : {}), ...extra,
    };
  }
}

/**
 * Runs a streamed call. It settles as 'cancelled', with the text so far, the moment `signal` aborts -
 * whatever the HTTP client does - and any other failure becomes `mapError(err)`.
 */
export function runStream(
  signal: AbortSignal,
  onText: OnText,
  mapError: (err: unknown) => Error,
  body: (rec: StreamRecorder) => Promise<StreamResult>,
): Promise<StreamResult> {
  const rec = new StreamRecorder(signal, onText);
  const work = body(rec).catch((err: unknown) => {
    if (isAbort(err, signal)) return rec.result('cancelled');
    throw mapError(err);
  });
  return orCancelled(signal, work, () => rec.result('cancelled'));
}
