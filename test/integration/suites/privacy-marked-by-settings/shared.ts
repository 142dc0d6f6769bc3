// Helpers for the privacy suites (bundled into each suite's test file).
export { activate, until } from '../tasks/helpers';

/**
 * A model server "on another host". `.invalid` names never resolve (RFC 6761), so nothing can be
 * reached there even by mistake; the classifier must still refuse it before any connection.
 */
export const REMOTE_HOST_URL = 'http://team-gpu.invalid:11434';

/** The ProviderError('blocked') somewhere in an SDK error's cause chain. */
export function blockedCause(err: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = err, i = 0; e && i < 6; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: string }).code === 'blocked') return e as { code: string; message: string };
  }
  return undefined;
}

