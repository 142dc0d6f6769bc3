// What the model wrote -> what the editor shows. Each rule is a small pure function (see the
// before/after fixtures in test/unit/completion/postprocess.test.ts); `postProcess` chains them.
import { cutAtSpecialToken } from './templates';

export interface PostContext {
  /** The cursor line's text before / after the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** Text before the cursor (the prompt window's prefix) and after it. */
  prefix: string;
  suffix: string;
  multiline: boolean;
  /** How generation ended: 'length' means the last line may be cut mid-way. */
  finishReason?: 'stop' | 'length' | 'cancelled';
}

const FENCE = /^\s*(```|~~~)/;
const PROSE = /^(here('s| is| are)|sure\b|certainly|of course|below\b|the (following|code|completed?)|this (code|function|completes)|i('ve| have| will)|let's|to complete)\b[^\n]*$/i;

/** Instruct models wrap code in markdown fences and announce it in prose: keep only the code. */
export function stripMarkdown(text: string): string {
  let lines = text.split('\n');
  // Leading prose ("Here is the completed code:") and blank lines around it.
  if (lines.length > 1 && PROSE.test(lines[0].trim()) && /[:.!]\s*$/.test(lines[0])) {
    lines = lines.slice(1);
    while (lines.length > 1 && lines[0].trim() === '') lines = lines.slice(1);
  }
  if (lines.length && FENCE.test(lines[0])) lines = lines.slice(1);
  const close = lines.findIndex((l) => FENCE.test(l));
  if (close >= 0) lines = lines.slice(0, close);
  return lines.join('\n');
}

/** A fence that closes code (after an opening fence or after code), not the one that opens it. */
function hasClosingFence(text: string): boolean {
  const lines = text.split('\n');
  let start = 0;
  if (lines.length > 1 && PROSE.test(lines[0].trim())) start = 1;
  while (start < lines.length && lines[start].trim() === '') start++;
  if (start < lines.length && FENCE.test(lines[start])) start++;
  for (let i = start; i < lines.length; i++) if (FENCE.test(lines[i])) return true;
  return false;
}

/** On an indented blank line, a suggestion that starts with that same indentation would double it. */
export function dropDoubledIndent(text: string, linePrefix: string): string {
  if (!linePrefix || linePrefix.trim() !== '' || !text.startsWith(linePrefix)) return text;
  return text.slice(linePrefix.length);
}

/** Mid-line the suggestion ends with the line; a leading newline there means "nothing to add". */
export function singleLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

export function indentWidth(line: string): number {
  let w = 0;
  for (const ch of line) {
    if (ch === ' ') w++;
    else if (ch === '\t') w += 4;
    else break;
  }
  return w;
}

const CLOSER_LINE = /^\s*([)\]}]|end\b|fi\b|done\b|esac\b|<\/)/;

/**
 * Stops at the end of the current block: before a line indented less than the cursor's line,
 * after a closing line at the cursor's own level, and at top level before the next item
 * (a blank line then an unindented line). Only lines with visible text decide.
 */
export function stopAtBlockEnd(text: string, linePrefix: string): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  const base = indentWidth(linePrefix);
  const opensBlock = /[{([:]\s*$|=>\s*$/.test(linePrefix);
  let sawBlank = false;
  let sawContent = lines[0].trim() !== '';
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') {
      sawBlank = true;
      continue;
    }
    const w = indentWidth(l);
    if (w < base) return lines.slice(0, i).join('\n');
    if (w === base) {
      // After `{` at the end of the line the closer at our level ends the block we opened;
      // on an empty line inside a block, a closer at our level belongs to the enclosing code.
      if (CLOSER_LINE.test(l)) return opensBlock ? lines.slice(0, i + 1).join('\n') : lines.slice(0, i).join('\n');
      // Back at the opener's level (Python's next `def`): the block we opened is over.
      if (opensBlock && sawContent) return lines.slice(0, i).join('\n');
      // At top level a blank line then a new unindented item starts the next declaration.
      if (base === 0 && sawBlank && sawContent) return lines.slice(0, i).join('\n');
    }
    sawContent = true;
  }
  return text;
}

const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const OPENERS = new Set(['(', '[', '{']);

/**
 * Visits each bracket of `text` outside string literals (skipped roughly: quotes, escapes, a newline
 * ends a non-template string). Stops early, returning the index, when `visit` returns true.
 */
function walkBrackets(text: string, visit: (ch: string, i: number) => boolean | void): number | undefined {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote || (ch === '\n' && quote !== '`')) quote = '';
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if ((OPENERS.has(ch) || ch in PAIRS) && visit(ch, i)) return i;
  }
  return undefined;
}

/** Unclosed openers of `text`, innermost last. */
export function openBrackets(text: string): string[] {
  const stack: string[] = [];
  walkBrackets(text, (ch) => {
    if (OPENERS.has(ch)) stack.push(ch);
    else if (stack[stack.length - 1] === PAIRS[ch]) stack.pop();
  });
  return stack;
}

/**
 * Balanced brackets: cut before a closer that matches nothing the suggestion or the code before the
 * cursor opened, or that mismatches the innermost open bracket.
 */
export function balanceBrackets(text: string, prefix: string): string {
  const stack: string[] = [];
  let outer: string[] | undefined; // the prefix's open brackets, computed only when needed
  const cut = walkBrackets(text, (ch) => {
    if (OPENERS.has(ch)) {
      stack.push(ch);
      return false;
    }
    const open = stack.length ? stack : (outer ??= openBrackets(prefix.slice(-4000)));
    if (open[open.length - 1] !== PAIRS[ch]) return true; // matches nothing, or the wrong opener
    open.pop();
    return false;
  });
  return cut === undefined ? text : text.slice(0, cut).trimEnd();
}

/** Drops the end of the suggestion where it repeats what already follows the cursor. */
export function dropSuffixRepeat(text: string, lineSuffix: string, suffix: string): string {
  let out = text;
  // Same line: `foo(a, b)` typed before an auto-closed `)` must not produce `))`.
  const rest = lineSuffix.trim();
  if (rest) {
    if (out.endsWith(rest)) out = out.slice(0, out.length - rest.length);
    else {
      const closers = /^[)\]}'"`;,>]+/.exec(rest)?.[0] ?? '';
      for (let k = closers.length; k > 0; k--) {
        if (out.endsWith(closers.slice(0, k))) {
          out = out.slice(0, out.length - k);
          break;
        }
      }
    }
  }
  // Following lines: cut where the suggestion reaches the first line that already follows.
  const next = suffix.split('\n').slice(1).find((l) => l.trim() !== '')?.trim();
  if (next) {
    const lines = out.split('\n');
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() === next) {
        out = lines.slice(0, i).join('\n');
        break;
      }
    }
  }
  return out;
}

/** Nothing worth showing: only whitespace, or a copy of the line above or below. */
export function isUseless(text: string, ctx: Pick<PostContext, 'linePrefix' | 'prefix' | 'suffix'>): boolean {
  if (text.trim() === '') return true;
  if (text.includes('\n')) return false;
  const line = (ctx.linePrefix + text).trim();
  if (line.length < 4) return false;
  const before = ctx.prefix.slice(0, ctx.prefix.length - ctx.linePrefix.length).replace(/\n+$/, '');
  const above = before.slice(before.lastIndexOf('\n') + 1).trim();
  const below = ctx.suffix.split('\n').slice(1).find((l) => l.trim() !== '')?.trim();
  return line === above || line === below;
}

/** A suggestion cut by the token limit ends mid-line in multi-line mode: drop the broken last line. */
export function dropCutLastLine(text: string, finishReason: PostContext['finishReason']): string {
  if (finishReason !== 'length') return text;
  const i = text.lastIndexOf('\n');
  return i > 0 ? text.slice(0, i) : text;
}

/** The full chain, in order. Returns '' when nothing should be shown. */
export function postProcess(raw: string, ctx: PostContext): string {
  let text = cutAtSpecialToken(raw);
  text = stripMarkdown(text);
  text = dropDoubledIndent(text, ctx.linePrefix);
  if (!ctx.multiline) text = singleLine(text);
  else {
    text = dropCutLastLine(text, ctx.finishReason);
    text = stopAtBlockEnd(text, ctx.linePrefix);
  }
  text = balanceBrackets(text, ctx.prefix);
  text = dropSuffixRepeat(text, ctx.lineSuffix, ctx.suffix);
  text = text.replace(/\s+$/, '');
  // Mid-line, a suggestion that starts with whitespace the line already has looks doubled.
  return isUseless(text, ctx) ? '' : text;
}

/**
 * True once the streamed text cannot grow into a longer suggestion (the rest would be cut anyway),
 * so the request can stop early and the server spends no more time on it.
 */
export function isStreamDone(raw: string, ctx: PostContext): boolean {
  if (cutAtSpecialToken(raw).length < raw.length) return true;
  if (!ctx.multiline) return raw.includes('\n');
  const nl = raw.lastIndexOf('\n');
  if (nl < 0) return false;
  // Decide on complete lines plus the current line once its indentation is known.
  const decided = /\S/.test(raw.slice(nl + 1)) ? raw : raw.slice(0, nl);
  if (stopAtBlockEnd(decided, ctx.linePrefix).length < decided.length) return true;
  if (hasClosingFence(decided)) return true;
  return dropSuffixRepeat(decided, '', ctx.suffix).length < decided.length;
}
