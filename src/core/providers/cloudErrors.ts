// Turns what the cloud SDKs throw into a ProviderError in plain words. Duck-typed on the SDKs' shared
// error shape (status, headers, name) so this module never loads an SDK. Messages never carry keys.
import { CLOUD_PROVIDER_NAMES, type CloudProviderId } from '../types';
import { redactSecrets } from '../privacy/knownKeys';
import { findProviderError, ProviderError } from './types';

const SET_KEY = 'set it with Switchyard: Set Cloud API Key';

interface SdkErrorLike {
  name?: string;
  status?: number;
  headers?: Headers | Record<string, string>;
  message?: string;
}

/**
 * Removes anything that looks like an API key from a provider's message, and shortens it: short
 * `sk-` keys and any bearer token here, then the configured key values themselves and every key
 * shape the privacy redactor knows.
 */
export function scrubKey(text: string): string {
  const scrubbed = text
    .replace(/\b(?:sk|pk|rk)-[A-Za-z0-9_-]{6,}/g, '[key]')
    .replace(/\bBearer\s+\S+/gi, 'Bearer [key]');
  return redactSecrets(scrubbed).slice(0, 200);
}

function header(h: SdkErrorLike['headers'], name: string): string | null {
  if (!h) return null;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name);
  const rec = h as Record<string, string>;
  return rec[name] ?? rec[name.toLowerCase()] ?? null;
}

/** Milliseconds to wait, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(h: SdkErrorLike['headers'], now = Date.now()): number | undefined {
  const ms = Number(header(h, 'retry-after-ms'));
  if (header(h, 'retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const raw = header(h, 'retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

function bodyMessage(err: SdkErrorLike): string {
  const m = (err as { error?: { error?: { message?: unknown }; message?: unknown } }).error;
  const text = typeof m?.error?.message === 'string' ? m.error.message : typeof m?.message === 'string' ? m.message : '';
  return text ? `: ${scrubKey(text)}` : '';
}

/** The SDK's own error classes, when it is loaded: class names do not survive minification. */
export interface SdkErrorClasses {
  APIConnectionError?: abstract new (...args: never[]) => Error;
  APIConnectionTimeoutError?: abstract new (...args: never[]) => Error;
}

/** No answer, or a stalled stream, for `timeoutMs`. */
export function cloudTimeout(provider: CloudProviderId, timeoutMs: number): ProviderError {
  return new ProviderError('timeout', `${CLOUD_PROVIDER_NAMES[provider]} did not answer within ${Math.round(timeoutMs / 1000)} s`, { endpointClass: 'cloud' });
}

/** The stream ended without its final event. */
export function cloudCut(provider: CloudProviderId): ProviderError {
  return new ProviderError('cut', `the ${CLOUD_PROVIDER_NAMES[provider]} answer stopped before it was complete (the stream was cut)`);
}

export function mapCloudError(err: unknown, provider: CloudProviderId, ctx: { host: string; model: string; timeoutMs: number }, sdk: SdkErrorClasses = {}): ProviderError {
  const name = CLOUD_PROVIDER_NAMES[provider];
  const inner = findProviderError(err);
  if (inner) return inner; // the gate's refusal (or our own timeout) keeps its words
  const e = (err ?? {}) as SdkErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const is = (cls: SdkErrorClasses[keyof SdkErrorClasses], name: string) => (cls !== undefined && err instanceof cls) || e.name === name;
  if (is(sdk.APIConnectionTimeoutError, 'APIConnectionTimeoutError') || e.name === 'TimeoutError') {
    return cloudTimeout(provider, ctx.timeoutMs);
  }
  if (status === undefined) {
    if (is(sdk.APIConnectionError, 'APIConnectionError') || e.name === 'TypeError' || e.name === 'FetchError') {
      return new ProviderError('unreachable', `cannot reach ${name} at ${ctx.host} (offline, or the address is wrong)`);
    }
    return new ProviderError('malformed', `${name} sent something unexpected: ${scrubKey(e.message ?? String(err))}`);
  }
  if (status === 401) return new ProviderError('auth', `the ${name} key was rejected (401) — ${SET_KEY}`, { status });
  if (status === 403) return new ProviderError('auth', `the ${name} key is not allowed to do this (403) — check its permissions, or ${SET_KEY}`, { status });
  if (status === 429) {
    const wait = retryAfterMs(e.headers);
    const when = wait === undefined ? 'try again shortly' : `try again in ${Math.max(1, Math.ceil(wait / 1000))} s`;
    return new ProviderError('rate-limit', `${name} is rate limiting requests (429); ${when}`, { status, retryAfterMs: wait });
  }
  if (status === 404) {
    return new ProviderError('model-missing', `${name} does not know the model "${ctx.model}" (404) — check switchyard.cloud.${provider}.model${bodyMessage(e)}`, { status });
  }
  if (status >= 500) return new ProviderError('server', `${name} had a server error (${status}); try again shortly`, { status });
  return new ProviderError('bad-request', `${name} rejected the request (${status})${bodyMessage(e)}`, { status });
}

/**
 * Aborts a cloud call when nothing arrives for `timeoutMs` (no response, or a stalled stream), and when
 * the caller's signal aborts. `touch()` on every streamed piece.
 */
export class IdleAbort {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = () => this.controller.abort();

  constructor(private readonly timeoutMs: number, private readonly outer: AbortSignal) {
    if (outer.aborted) this.controller.abort();
    else outer.addEventListener('abort', this.onAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.timeoutMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.outer.removeEventListener('abort', this.onAbort);
  }
}
