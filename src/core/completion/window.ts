// The prompt window: what of the document the model sees. Runs on every keystroke, so it only
// touches the lines it keeps (never the whole document) and estimates tokens from characters.

/** Read access to a document by line; VS Code's TextDocument.lineAt is O(1). */
export interface LineSource {
  readonly lineCount: number;
  lineText(line: number): string;
}

export interface WindowOptions {
  /** Token budget of the prefix + suffix. */
  maxTokens: number;
  /** Share of the budget for text after the cursor (small: every keystroke re-evaluates it). */
  suffixShare: number;
}

export interface PromptWindow {
  /** Text before the cursor, from a line boundary. */
  prefix: string;
  /** Text after the cursor, up to a line boundary. */
  suffix: string;
  /** The cursor line's text before / after the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** Line of the cursor and first line of the prefix. */
  line: number;
  startLine: number;
  /** Whether a multi-line suggestion fits here (start of a new line or after an opened block). */
  multiline: boolean;
  /** At the end of a finished statement: the suggestion is the next lines, starting with a newline. */
  nextLine?: boolean;
}

/** Characters per token for code: a deliberate under-estimate, so the real count stays within budget. */
export const CHARS_PER_TOKEN = 3.2;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * The prefix starts on a line that only moves in steps of ANCHOR_LINES, so consecutive keystrokes
 * send the same leading text and the server's prompt (KV) cache is reused instead of re-evaluated.
 */
export const ANCHOR_LINES = 16;

export function buildWindow(doc: LineSource, line: number, character: number, opts: WindowOptions): PromptWindow {
  const maxChars = Math.max(64, Math.floor(opts.maxTokens * CHARS_PER_TOKEN));
  const suffixChars = Math.floor(maxChars * opts.suffixShare);
  const cursorText = doc.lineText(line);
  const linePrefix = cursorText.slice(0, character);
  const lineSuffix = cursorText.slice(character);

  // Walk up until the budget is spent, then move the start DOWN to the next anchor line so
  // the start is stable while the cursor stays in the same region and the budget still holds.
  let budget = maxChars - suffixChars - linePrefix.length;
  let first = line;
  while (first > 0) {
    const len = doc.lineText(first - 1).length + 1;
    if (len > budget) break;
    budget -= len;
    first--;
  }
  let startLine = first;
  if (first > 0) {
    startLine = Math.min(line, Math.ceil(first / ANCHOR_LINES) * ANCHOR_LINES);
  }
  const parts: string[] = [];
  for (let i = startLine; i < line; i++) parts.push(doc.lineText(i));
  parts.push(linePrefix);
  let prefix = parts.join('\n');
  if (prefix.length > maxChars - suffixChars) {
    // A single huge line (minified code): keep its tail.
    prefix = prefix.slice(prefix.length - (maxChars - suffixChars));
  }

  let suffix = lineSuffix.length > suffixChars ? lineSuffix.slice(0, suffixChars) : lineSuffix;
  let left = suffixChars - suffix.length;
  for (let i = line + 1; i < doc.lineCount && left > 0; i++) {
    const t = doc.lineText(i);
    if (t.length + 1 > left) break;
    suffix += `\n${t}`;
    left -= t.length + 1;
  }

  return { prefix, suffix, linePrefix, lineSuffix, line, startLine, multiline: isMultilinePosition(linePrefix, lineSuffix) };
}

const BLOCK_OPENER = /[{([:]\s*$|=>\s*$|\b(do|then|else)\s*$/;

/**
 * A multi-line suggestion fits when nothing but closing brackets follows the cursor and the cursor
 * starts a line (after indentation) or ends a line that opens a block; mid-line gets one line.
 */
export function isMultilinePosition(linePrefix: string, lineSuffix: string): boolean {
  if (!/^[\s)\]}>;,]*$/.test(lineSuffix)) return false;
  if (linePrefix.trim() === '') {
    // An empty line directly after a block opener, or any blank line inside code.
    return true;
  }
  return BLOCK_OPENER.test(linePrefix);
}

/** A LineSource over a plain string (tests, the benchmark, untitled buffers). */
export function linesOf(text: string): LineSource {
  const lines = text.split('\n');
  return { lineCount: lines.length, lineText: (i) => lines[i] ?? '' };
}
