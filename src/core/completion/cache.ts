// Completions already computed, keyed on the prompt window. Bounded in entries AND bytes so a long
// session on huge files cannot grow the extension host's heap.

export interface CachedCompletion {
  /** The prompt window's prefix and suffix the completion was made for. */
  prefix: string;
  suffix: string;
  /** The post-processed suggestion (may be '' - "nothing to suggest here" is worth remembering too). */
  text: string;
}

export interface CacheOptions {
  maxEntries: number;
  maxBytes: number;
}

/** Bytes a JavaScript string holds (UTF-16), plus a small fixed overhead per entry. */
function sizeOf(key: string, v: CachedCompletion): number {
  return 2 * (key.length + v.prefix.length + v.suffix.length + v.text.length) + 64;
}

const RECENT = 16;

export class CompletionCache {
  // A Map iterates in insertion order: re-inserting on access makes its first key the least recently used.
  private readonly map = new Map<string, { value: CachedCompletion; bytes: number }>();
  private bytes = 0;
  /** The last few stored completions, newest last, for typing-through lookups. */
  private recent: CachedCompletion[] = [];

  constructor(private readonly opts: CacheOptions) {}

  get size(): number {
    return this.map.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): CachedCompletion | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  set(key: string, value: CachedCompletion): void {
    const bytes = sizeOf(key, value);
    if (bytes > this.opts.maxBytes) return; // larger than the whole cache: not worth keeping
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.map.delete(key);
    }
    this.map.set(key, { value, bytes });
    this.bytes += bytes;
    if (value.text) {
      this.recent.push(value);
      if (this.recent.length > RECENT) this.recent.shift();
    }
    while (this.map.size > this.opts.maxEntries || this.bytes > this.opts.maxBytes) {
      const oldest = this.map.keys().next().value as string;
      this.bytes -= this.map.get(oldest)!.bytes;
      this.map.delete(oldest);
    }
  }

  /**
   * A completion made for an earlier point of what the user is typing now: its prefix is a prefix
   * of `prefix`, the suffix is the same, and the text typed since is the start of the completion.
   * Returns the part still to show. Looks only at the most recent entries (cheap on every keystroke).
   */
  findTypedThrough(prefix: string, suffix: string): string | undefined {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const rest = typedThrough(this.recent[i], prefix, suffix);
      if (rest) return rest;
    }
    return undefined;
  }

  clear(): void {
    this.map.clear();
    this.recent = [];
    this.bytes = 0;
  }
}

/** The remainder of `shown` after the user typed its start, or undefined when they diverged. */
export function typedThrough(shown: CachedCompletion, prefix: string, suffix: string): string | undefined {
  if (!shown.text || prefix.length <= shown.prefix.length) return undefined;
  const typed = prefix.length - shown.prefix.length;
  if (typed >= shown.text.length) return undefined;
  if (suffix !== shown.suffix) return undefined;
  // Compare the typed part first: it is short, and usually where a mismatch is.
  if (!shown.text.startsWith(prefix.slice(shown.prefix.length))) return undefined;
  if (!prefix.startsWith(shown.prefix)) return undefined;
  return shown.text.slice(typed);
}
