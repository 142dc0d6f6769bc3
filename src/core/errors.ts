import type { EndpointClass } from './types';

export type ProviderErrorCode =
  | 'unreachable' // connection refused, DNS failure, offline
  | 'timeout'
  | 'auth' // 401/403
  | 'rate-limit' // 429
  | 'server' // 5xx
  | 'bad-request' // 4xx other than the above
  | 'model-missing'
  | 'malformed' // unparsable body or stream
  | 'cut' // stream ended without its final message
  | 'blocked' // the egress gate refused the request
  | 'no-key';

/** A provider failure in plain words. `message` never contains keys, prompts or completions. */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; endpointClass?: EndpointClass } = {},
  ) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** The ProviderError along `err`'s cause chain (e.g. the gate's refusal wrapped by an SDK), if any. */
export function findProviderError(err: unknown): ProviderError | undefined {
  for (let e = err, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProviderError) return e;
  }
  return undefined;
}

/** The message of anything thrown: an Error's (or an error-like object's) message, else the value as text. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' ? message : String(err);
}
