// A few short pieces of other open files as extra context. Chosen by shared identifiers with the
// code around the cursor, and recomputed rarely by the caller, so the prompt start stays stable.
// Each file is indexed once per version (its windows and, per identifier, the windows holding it);
// choosing then only touches the windows that share an identifier, not every line of every file.
import type { Snippet } from './templates';

export interface SnippetOptions {
  maxSnippets: number;
  /** Characters per snippet. */
  maxChars: number;
  /** Lines per candidate window. */
  windowLines: number;
}

export const DEFAULT_SNIPPETS: SnippetOptions = { maxSnippets: 3, maxChars: 600, windowLines: 12 };

/** Lines of a file that are indexed (the rest of a huge file is not context). */
export const MAX_INDEXED_LINES = 4000;

const WORD = /[A-Za-z_$][\w$]{2,}/g;

function words(text: string): Set<string> {
  return new Set(text.match(WORD) ?? []);
}

interface FileIndex {
  version: number;
  lines: string[];
  /** First line and distinct identifiers of each window. */
  starts: number[];
  sizes: number[];
  /** Identifier -> the windows that hold it. */
  postings: Map<string, number[]>;
}

export class SnippetIndex {
  private readonly files = new Map<string, FileIndex>();

  constructor(private readonly opts: SnippetOptions = DEFAULT_SNIPPETS) {}

  /** Whether `path` is indexed at `version`. */
  has(path: string, version: number): boolean {
    return this.files.get(path)?.version === version;
  }

  /** Indexes a file's text (its first MAX_INDEXED_LINES lines). */
  update(path: string, version: number, text: string): void {
    const lines = text.split('\n', MAX_INDEXED_LINES);
    const step = Math.max(1, this.opts.windowLines >> 1);
    const index: FileIndex = { version, lines, starts: [], sizes: [], postings: new Map() };
    for (let start = 0; start < lines.length; start += step) {
      const w = words(lines.slice(start, start + this.opts.windowLines).join('\n'));
      const at = index.starts.length;
      index.starts.push(start);
      index.sizes.push(w.size);
      for (const word of w) {
        const list = index.postings.get(word);
        if (list) list.push(at);
        else index.postings.set(word, [at]);
      }
    }
    this.files.set(path, index);
  }

  /** Forgets files not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const path of this.files.keys()) if (!keep.has(path)) this.files.delete(path);
  }

  /** The best window of each indexed file in `paths` by Jaccard similarity with `context`; at most one per file. */
  select(context: string, paths: readonly string[]): Snippet[] {
    const target = words(context);
    if (!target.size) return [];
    const scored: Array<{ score: number; snippet: Snippet }> = [];
    for (const path of paths) {
      const f = this.files.get(path);
      if (!f) continue;
      const shared = new Uint16Array(f.starts.length);
      for (const word of target) for (const at of f.postings.get(word) ?? []) shared[at]++;
      let best: { score: number; at: number } | undefined;
      for (let at = 0; at < shared.length; at++) {
        const score = shared[at] / (f.sizes[at] + target.size - shared[at] || 1);
        if (!best || score > best.score) best = { score, at };
      }
      if (best && best.score > 0.05) {
        const start = f.starts[best.at];
        const text = f.lines.slice(start, start + this.opts.windowLines).join('\n').slice(0, this.opts.maxChars);
        scored.push({ score: best.score, snippet: { path, text } });
      }
    }
    return scored.sort((a, b) => b.score - a.score).slice(0, this.opts.maxSnippets).map((s) => s.snippet);
  }
}

/** One-off selection over plain texts (indexes them first). */
export function selectSnippets(context: string, candidates: ReadonlyArray<{ path: string; text: string }>, opts = DEFAULT_SNIPPETS): Snippet[] {
  const index = new SnippetIndex(opts);
  for (const c of candidates) index.update(c.path, 0, c.text);
  return index.select(context, candidates.map((c) => c.path));
}
