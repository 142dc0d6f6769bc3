// Token estimates for routing and budgets. gpt-tokenizer's rank table is large (~200-300 ms to load),
// so it is imported on first use, never at activation, and counts are cached by content.
// Counts for non-OpenAI models are estimates; the provider's reported usage is what is billed.
import { createHash } from 'node:crypto';

type CountFn = (text: string) => number;

let counter: Promise<CountFn> | undefined;
const cache = new Map<string, number>();
const CACHE_LIMIT = 256;

/** A quick estimate that needs no tokenizer: ~4 characters per token for code and English. */
export function roughTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function loadCounter(): Promise<CountFn> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base')
    .then((m) => m.countTokens as CountFn)
    .catch(() => {
      counter = undefined; // let a later call try again
      return roughTokens;
    });
  return counter;
}

/** Tokens in `text` (o200k_base). Cached; falls back to a rough estimate if the tokenizer cannot load. */
export async function countTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const key = createHash('sha1').update(text).digest('base64');
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key); // refresh its place: least recently used goes first
    cache.set(key, hit);
    return hit;
  }
  const count = (await loadCounter())(text);
  cache.set(key, count);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return count;
}

/** Starts loading the tokenizer in the background (e.g. when a command is first used). */
export function warmTokenizer(): void {
  void loadCounter();
}
