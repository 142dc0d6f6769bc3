// A few short pieces of other open files as extra context. Chosen by shared identifiers with the
// code around the cursor, and recomputed rarely by the caller, so the prompt start stays stable.
import type { Snippet } from './templates';

export interface SnippetOptions {
  maxSnippets: number;
  /** Characters per snippet. */
  maxChars: number;
  /** Lines per candidate window. */
  windowLines: number;
}

export const DEFAULT_SNIPPETS: SnippetOptions = { maxSnippets: 3, maxChars: 600, windowLines: 12 };

const WORD = /[A-Za-z_$][\w$]{2,}/g;

function words(text: string): Set<string> {
  return new Set(text.match(WORD) ?? []);
}

/** The best window of each candidate file by Jaccard similarity with `context`; at most one per file. */
export function selectSnippets(context: string, candidates: ReadonlyArray<{ path: string; text: string }>, opts = DEFAULT_SNIPPETS): Snippet[] {
  const target = words(context);
  if (!target.size) return [];
  const scored: Array<{ score: number; snippet: Snippet }> = [];
  for (const c of candidates) {
    const lines = c.text.split('\n', 4000);
    let best: { score: number; start: number } | undefined;
    for (let start = 0; start < lines.length; start += Math.max(1, opts.windowLines >> 1)) {
      const w = words(lines.slice(start, start + opts.windowLines).join('\n'));
      let shared = 0;
      for (const x of w) if (target.has(x)) shared++;
      const score = shared / (w.size + target.size - shared || 1);
      if (!best || score > best.score) best = { score, start };
    }
    if (best && best.score > 0.05) {
      const text = lines.slice(best.start, best.start + opts.windowLines).join('\n').slice(0, opts.maxChars);
      scored.push({ score: best.score, snippet: { path: c.path, text } });
    }
  }
  return scored.sort((a, b) => b.score - a.score).slice(0, opts.maxSnippets).map((s) => s.snippet);
}
