// Back-off shared by every editor that talks to one server. When the server answers 429 or 503 with
// `Retry-After`, no request goes to it from this machine until that time has passed - not from this
// editor, not from another window (the state lives in a small file every window reads), so a busy
// team server is not hammered by each editor learning the same lesson on its own.

/** Where the wait-until times live: server key -> epoch ms. */
export interface BackoffStore {
  read(): Record<string, number>;
  write(entries: Record<string, number>): void;
}

/** Retry-After when the server sent none, ms. */
export const DEFAULT_RETRY_MS = 2000;
/** Never wait longer than this on a server's word, ms. */
export const MAX_RETRY_MS = 5 * 60_000;
/**
 * Each editor resumes up to this long after the shared wait ends (its own fixed share of it), so the
 * editors that waited together do not all ask again in the same instant and earn the next 429.
 */
export const RESUME_SPREAD_MS = 1000;

/** What the providers need of a back-off. */
export interface Backoff {
  waitMs(server: string): number;
  note(server: string, retryMs: number | undefined): number;
}

/** `Retry-After` as seconds or an HTTP date -> ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class SharedBackoff implements Backoff {
  /** This editor's place in the resume spread, ms. */
  private readonly resumeAfterMs: number;

  constructor(private readonly store: BackoffStore, private readonly now: () => number = Date.now, random: () => number = Math.random) {
    this.resumeAfterMs = Math.floor(random() * RESUME_SPREAD_MS);
  }

  /** How long to wait before the next request to `server`, ms (0: go ahead). */
  waitMs(server: string): number {
    const until = this.safeRead()[server];
    return until === undefined ? 0 : Math.max(0, until + this.resumeAfterMs - this.now());
  }

  /** The server said "busy": nobody on this machine asks it again for `retryMs`. */
  note(server: string, retryMs: number | undefined): number {
    const wait = Math.min(MAX_RETRY_MS, Math.max(0, retryMs ?? DEFAULT_RETRY_MS));
    const now = this.now();
    const entries = this.safeRead();
    // Drop expired entries; keep the later time if another window already wrote one.
    for (const [k, until] of Object.entries(entries)) if (until + RESUME_SPREAD_MS <= now) delete entries[k];
    entries[server] = Math.max(entries[server] ?? 0, now + wait);
    try {
      this.store.write(entries);
    } catch {
      // a store that cannot be written still leaves this window's own wait in effect below
    }
    this.local.set(server, entries[server]!);
    return wait;
  }

  private readonly local = new Map<string, number>();

  private safeRead(): Record<string, number> {
    let entries: Record<string, number>;
    try {
      entries = this.store.read();
    } catch {
      entries = {};
    }
    for (const [k, until] of this.local) entries[k] = Math.max(entries[k] ?? 0, until);
    return entries;
  }
}

export function memoryBackoffStore(): BackoffStore {
  let entries: Record<string, number> = {};
  return { read: () => ({ ...entries }), write: (e) => { entries = { ...e }; } };
}
