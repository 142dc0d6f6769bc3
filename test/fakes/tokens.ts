// A small deterministic tokenizer shared by every fake server. It is not any real model's vocabulary; it
// only has to be stable, so a test can compute exactly the token counts (and therefore the cost) a fake
// will report for what was sent and what it generated.
//
// Rules: a run of letters/digits/underscores (at most 8 characters) with the whitespace before it is one
// token; any other character with the whitespace before it is one token; trailing whitespace is one token.
// Joining the tokens gives back the text exactly.

const TOKEN = /\s*[\p{L}\p{N}_]{1,8}|\s*[^\s\p{L}\p{N}_]|\s+$/gu;

/** Splits text into tokens; `tokenize(t).join('') === t`. */
export function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** Number of tokens in `text` (0 for empty or missing text). */
export function countTokens(text: string | undefined | null): number {
  return text ? tokenize(text).length : 0;
}

/** A stable small integer id for a token (used for Ollama's `context` array). */
export function tokenId(token: string): number {
  let h = 2166136261;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % 151_000;
}
