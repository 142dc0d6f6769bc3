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
  /** After a finished statement: only a suggestion that starts on the next line fits. */
  nextLine?: boolean;
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
 * (a blank line then an unindented line). Only lines with visible text decide. A closing line that
 * closes a bracket the suggestion itself opened (`void f() {` ... `}`) belongs to the suggestion.
 */
export function stopAtBlockEnd(text: string, linePrefix: string, suffix?: string): string {
  const lines = text.split('\n');
  if (lines.length < 2) return text;
  // A comment line ` * text` or ` */` sits one column right of the code it documents.
  const base = Math.max(0, indentWidth(linePrefix) - (/^\s+\*/.test(linePrefix) ? 1 : 0));
  const opensBlock = /[{([:]\s*$|=>\s*$/.test(linePrefix);
  let sawBlank = false;
  let sawContent = lines[0].trim() !== '';
  // Brackets the suggestion opened and has not closed yet, at the start of each line.
  const own: string[] = [];
  const state: ScanState = { mode: '', regexClass: false, prev: '' };
  const track = (line: string) => walkBrackets(`${line}\n`, (ch) => {
    if (OPENERS.has(ch)) own.push(ch);
    else if (own[own.length - 1] === PAIRS[ch]) own.pop();
  }, state);
  track(lines[0]);
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') {
      sawBlank = true;
      track(l);
      continue;
    }
    const w = indentWidth(l);
    // A closer of the enclosing block is the user's next line when the file does not close it yet.
    if (w < base) return lines.slice(0, i + (CLOSER_LINE.test(l) && suffix !== undefined && leftOpen(suffix, l) ? 1 : 0)).join('\n');
    if (w === base) {
      if (CLOSER_LINE.test(l)) {
        // The suggestion's own block ends here: keep the closer and go on.
        if (own.length && own[own.length - 1] === PAIRS[l.trim()[0]]) {
          track(l);
          sawContent = true;
          continue;
        }
        // After `{` at the end of the line the closer at our level ends the block we opened;
        // on an empty line inside a block, a closer at our level belongs to the enclosing code.
        return opensBlock ? lines.slice(0, i + 1).join('\n') : lines.slice(0, i).join('\n');
      }
      // Back at the opener's level (Python's next `def`): the block we opened is over.
      if (opensBlock && sawContent) return lines.slice(0, i).join('\n');
      // At top level a blank line then a new unindented item starts the next declaration.
      if (base === 0 && sawBlank && sawContent) return lines.slice(0, i).join('\n');
    }
    sawContent = true;
    track(l);
  }
  return text;
}

/**
 * The file leaves open the block that the closing line `closer` ends: after the cursor's line the
 * next code is not indented deeper than the closer (the block's body does not go on) and is not that
 * same closer (typed already, or auto-closed by the editor). The end of the file leaves it open too.
 */
function leftOpen(suffix: string, closer: string): boolean {
  const next = nextLines(suffix, 1)[0];
  if (next === undefined) return true;
  const w = indentWidth(next);
  const c = indentWidth(closer);
  return w < c || (w === c && next.trim()[0] !== closer.trim()[0]);
}

const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const OPENERS = new Set(['(', '[', '{']);

/**
 * Where a scan of code stands: in code (''), a string (its quote), a line comment ('//'), a block
 * comment ('/*') or a regex literal ('/'). Rough, C-family rules; good enough to skip brackets that
 * are text.
 */
interface ScanState {
  mode: string;
  /** Inside a regex literal's character class, where `/` does not end it. */
  regexClass: boolean;
  /** The last non-blank code character: a `/` after one of REGEX_AFTER starts a regex, else it divides. */
  prev: string;
}

const REGEX_AFTER = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);

/**
 * Visits each bracket of `text` that is code, from `state` (which it updates): brackets in strings,
 * comments and regex literals are skipped. Stops early, returning the index, when `visit` returns true.
 */
function walkBrackets(text: string, visit: (ch: string, i: number) => boolean | void, state: ScanState = { mode: '', regexClass: false, prev: '' }): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    switch (state.mode) {
      case '//':
        if (ch === '\n') state.mode = '';
        continue;
      case '/*':
        if (ch === '*' && text[i + 1] === '/') {
          state.mode = '';
          i++;
        }
        continue;
      case '/':
        if (ch === '\\') i++;
        else if (ch === '\n') state.mode = '';
        else if (state.regexClass) state.regexClass = ch !== ']';
        else if (ch === '[') state.regexClass = true;
        else if (ch === '/') {
          state.mode = '';
          state.prev = ch;
        }
        continue;
      case '"': case "'": case '`':
        if (ch === '\\') i++;
        else if (ch === state.mode || (ch === '\n' && state.mode !== '`')) {
          state.mode = '';
          state.prev = ch;
        }
        continue;
    }
    switch (ch) {
      case '"': case "'": case '`':
        state.mode = ch;
        continue;
      case '/': {
        const next = text[i + 1];
        if (next === '/' || next === '*') {
          state.mode = next === '/' ? '//' : '/*';
          i++;
          continue;
        }
        if (REGEX_AFTER.has(state.prev)) {
          state.mode = '/';
          continue;
        }
        break;
      }
      case '(': case '[': case '{': case ')': case ']': case '}':
        if (visit(ch, i)) return i;
        break;
      case ' ': case '\t': case '\n': case '\r':
        continue;
    }
    state.prev = ch;
  }
  return undefined;
}

/** Unclosed openers of `text`, innermost last. */
export function openBrackets(text: string): string[] {
  return scan(text).open;
}

/** The unclosed openers of `text` and where its scan ends (in code, a string, a comment...). */
function scan(text: string): { open: string[]; state: ScanState } {
  const open: string[] = [];
  const state: ScanState = { mode: '', regexClass: false, prev: '' };
  walkBrackets(text, (ch) => {
    if (OPENERS.has(ch)) open.push(ch);
    else if (open[open.length - 1] === PAIRS[ch]) open.pop(); // a stray closer is ignored
  }, state);
  return { open, state };
}

// The line ends a finished statement (`foo();`, a closed `*/` comment) with nothing after it: the
// next thing is a new line, so a single-line suggestion has nothing to add - a model either stops at
// once or appends a second statement to the line.
export function endsStatement(linePrefix: string, lineSuffix: string): boolean {
  if (lineSuffix.trim() !== '') return false;
  const code = linePrefix.trimEnd();
  if (!code.endsWith(';') && !code.endsWith('*/')) return false;
  if (/^\s*\*+\/$/.test(code)) return true; // the last line of a block comment
  const { open, state } = scan(code);
  return open.length === 0 && state.mode === ''; // `for (i = 0;` goes on
}

/**
 * The line is complete (a finished statement, a closed block or item `}` `]` `,`, a doc comment's
 * start or end) with nothing after it: what comes next is on the next line.
 */
export function endsLine(linePrefix: string, lineSuffix: string): boolean {
  if (lineSuffix.trim() !== '') return false;
  if (endsStatement(linePrefix, lineSuffix)) return true;
  const code = linePrefix.trimEnd();
  if (!/([}\],]|\/\*\*)$/.test(code)) return false;
  const { open, state } = scan(code);
  if (code.endsWith('/**')) return state.mode === '/*';
  return state.mode === '' && open.length === 0; // `foo(a,` goes on on the same line
}

/**
 * Balanced brackets: cut before a closer that matches nothing the suggestion or the code before the
 * cursor opened, or that mismatches the innermost open bracket.
 */
export function balanceBrackets(text: string, prefix: string): string {
  // The suggestion continues the code before the cursor: its open brackets, and its string or
  // comment if the cursor is inside one. Scanned from a line boundary within the last 4,000 chars.
  const tail = prefix.length > 4000 ? prefix.slice(prefix.indexOf('\n', prefix.length - 4000) + 1) : prefix;
  const { open: outer, state } = scan(tail);
  const stack: string[] = [];
  const cut = walkBrackets(text, (ch) => {
    if (OPENERS.has(ch)) {
      stack.push(ch);
      return false;
    }
    const open = stack.length ? stack : outer;
    if (open[open.length - 1] !== PAIRS[ch]) return true; // matches nothing, or the wrong opener
    open.pop();
    return false;
  }, state);
  return cut === undefined ? text : text.slice(0, cut).trimEnd();
}

/**
 * Where `text` ends with `rest` when whitespace is ignored on both sides: the index the repeat starts
 * at, or -1. (`a && b){` repeats `) {`.)
 */
function repeatStart(text: string, rest: string): number {
  let i = text.length - 1;
  for (let j = rest.length - 1; j >= 0; j--) {
    if (/\s/.test(rest[j])) continue;
    while (i >= 0 && /\s/.test(text[i])) i--;
    if (i < 0 || text[i] !== rest[j]) return -1;
    i--;
  }
  return i + 1;
}

/** A line compared with the file's lines: trimmed, blanks collapsed, no trailing `;` or `,`. */
function lineKey(line: string): string {
  const key = line.trim().replace(/\s+/g, ' ').replace(/[;,]+$/, '');
  // A lone closer is only the same line at the same indentation: `  }` of a method is not the class's `}`.
  return /^[)\]}]+$/.test(key) ? `${indentWidth(line)}${key}` : key;
}

/** The first `n` lines with visible text of the file after the cursor's line. */
function nextLines(suffix: string, n: number): string[] {
  const out: string[] = [];
  const lines = suffix.split('\n');
  for (let i = 1; i < lines.length && out.length < n; i++) if (lines[i].trim() !== '') out.push(lines[i]);
  return out;
}

/** Drops the end of the suggestion where it repeats what already follows the cursor. */
export function dropSuffixRepeat(text: string, lineSuffix: string, suffix: string): string {
  let out = text;
  // Same line: `foo(a, b)` typed before an auto-closed `)` must not produce `))`.
  const rest = lineSuffix.trim();
  if (rest) {
    const at = out.includes('\n') ? -1 : repeatStart(out, rest);
    if (at >= 0) out = out.slice(0, at);
    else {
      const closers = /^[)\]}'"`;,>]+/.exec(rest)?.[0] ?? '';
      for (let k = closers.length; k > 0; k--) {
        if (out.trimEnd().endsWith(closers.slice(0, k))) {
          out = out.trimEnd().slice(0, out.trimEnd().length - k);
          break;
        }
      }
    }
  }
  // Following lines: cut where the suggestion reaches the first line that already follows.
  const next = nextLines(suffix, 1)[0];
  if (next !== undefined) {
    const key = lineKey(next);
    const lines = out.split('\n');
    for (let i = 1; i < lines.length; i++) {
      if (lines[i].trim() !== '' && lineKey(lines[i]) === key) {
        out = lines.slice(0, i).join('\n');
        break;
      }
    }
  }
  return out;
}

/**
 * The suggestion starts with a copy of the file's next lines (in any order, with or without `;`):
 * the user would accept what is already there.
 */
export function repeatsNextLines(text: string, linePrefix: string, suffix: string): boolean {
  const lines = (linePrefix + text).split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2 && linePrefix.trim() !== '') return false; // one line mid-line: isUseless decides
  const next = new Set(nextLines(suffix, lines.length + 1).map(lineKey));
  let copied = 0;
  while (copied < lines.length && next.has(lineKey(lines[copied]))) copied++;
  // Enough of it to matter: two lines, or all of it, or one line with real content.
  return copied >= 2 || (copied > 0 && (copied === lines.length || lineKey(lines[0]).length >= 4));
}

/** The cursor is inside a word: nothing can be inserted there. After a space a value fits (`radius: |px`). */
export function isMidWord(linePrefix: string, lineSuffix: string): boolean {
  return /\w$/.test(linePrefix) && /^\w/.test(lineSuffix);
}

/**
 * How many characters after the cursor on its line the suggestion supplies itself: the auto-closed
 * quote of the string it ends and the brackets it closes, in order. The editor's inline completion
 * range replaces them, so `Math.max(Math.min(|))` + `value, max), min);` gives one `))`, not two.
 */
export function suppliedClosers(text: string, prefix: string, lineSuffix: string): number {
  const run = /^[\s)\]}'"`;,]*/.exec(lineSuffix)?.[0] ?? '';
  if (!run.trim()) return 0;
  const tail = prefix.length > 4000 ? prefix.slice(prefix.indexOf('\n', prefix.length - 4000) + 1) : prefix;
  const { open: outer, state } = scan(tail);
  // What the suggestion closes of the code before the cursor, in the order it closes it.
  const closes: Array<{ at: number; ch: string }> = [];
  const quote = state.mode === '"' || state.mode === "'" || state.mode === '`' ? state.mode : '';
  if (quote) {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\\') i++;
      else if (text[i] === quote) {
        closes.push({ at: i, ch: quote });
        break;
      } else if (text[i] === '\n' && quote !== '`') break;
    }
  }
  const stack: string[] = [];
  const outerLeft = [...outer];
  walkBrackets(text, (ch, i) => {
    if (OPENERS.has(ch)) stack.push(ch);
    else if (stack.length) {
      if (stack[stack.length - 1] !== PAIRS[ch]) return true;
      stack.pop();
    } else {
      if (outerLeft[outerLeft.length - 1] !== PAIRS[ch]) return true;
      outerLeft.pop();
      closes.push({ at: i, ch });
    }
    return false;
  }, { ...state });
  closes.sort((a, b) => a.at - b.at);
  // Match them against the run after the cursor; only blanks, `;` and `,` may sit between.
  let end = 0;
  let pos = 0;
  for (const c of closes) {
    let j = pos;
    while (j < run.length && run[j] !== c.ch && /[\s;,]/.test(run[j])) j++;
    if (run[j] !== c.ch) break;
    pos = j + 1;
    end = pos;
  }
  // The editor shows the replacement as ghost text only when what it replaces is kept, in order.
  while (end > 0 && !isSubsequence(lineSuffix.slice(0, end), text)) end--;
  return end;
}

function isSubsequence(small: string, big: string): boolean {
  let i = 0;
  for (let j = 0; j < big.length && i < small.length; j++) if (big[j] === small[i]) i++;
  return i === small.length;
}

/** Characters of an unfinished line that already identify it as the file's next line. */
const NEXT_LINE_MATCH = 12;

/**
 * The line being streamed is becoming the file's next line (its first NEXT_LINE_MATCH characters
 * or more match): the block ends before it, with no need to generate the rest of that line.
 */
export function reachesNextLine(raw: string, ctx: Pick<PostContext, 'multiline' | 'suffix'>): boolean {
  if (!ctx.multiline) return false;
  const nl = raw.lastIndexOf('\n');
  if (nl < 0) return false;
  const current = raw.slice(nl + 1).trim().replace(/\s+/g, ' ');
  if (current.length < NEXT_LINE_MATCH) return false;
  const next = nextLines(ctx.suffix, 1)[0];
  return next !== undefined && lineKey(next).startsWith(current.replace(/[;,]+$/, ''));
}

/** What the model wrote after the shown text starts with the file's next line (complete or not). */
export function continuesWithNextLine(rest: string, suffix: string): boolean {
  const line = rest.split('\n').find((l) => l.trim() !== '');
  const next = nextLines(suffix, 1)[0];
  if (line === undefined || next === undefined) return false;
  const key = lineKey(line);
  return key === lineKey(next) || (key.length >= 4 && lineKey(next).startsWith(key));
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

/**
 * After a finished line the suggestion is the next lines. A model sometimes starts the next
 * statement without its newline (`a();` + `b();`): that text goes on the next line, at the finished
 * line's indentation. Anything else on the finished line (a trailing comment, `.then(`) is not
 * offered: ''. Text still empty or blank is returned as it is (the stream may not have begun).
 */
export function onNextLine(raw: string, linePrefix: string): string {
  if (!/^[ \t]*\S/.test(raw)) return raw;
  if (!/^[ \t]*[A-Za-z_$@]/.test(raw) || linePrefix.trimEnd().endsWith('/**')) return '';
  return '\n' + /^[ \t]*/.exec(linePrefix)![0] + raw.trimStart();
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
  if (ctx.nextLine) {
    text = onNextLine(text, ctx.linePrefix);
    if (!text) return '';
    text = text.replace(/^[ \t]+/, '');
  }
  text = dropDoubledIndent(text, ctx.linePrefix);
  if (!ctx.multiline) text = singleLine(text);
  else {
    text = dropCutLastLine(text, ctx.finishReason);
    text = stopAtBlockEnd(text, ctx.linePrefix, ctx.suffix);
  }
  // Mid-line after a blank (`return |`), a suggestion that starts with one would double it.
  if (/\S[ \t]$/.test(ctx.linePrefix)) text = text.replace(/^[ \t]+/, '');
  text = balanceBrackets(text, ctx.prefix);
  text = dropSuffixRepeat(text, ctx.lineSuffix, ctx.suffix);
  // A blank between the suggestion and the word after the cursor (`a + |total`) is part of it.
  const spaced = /^\w/.test(ctx.lineSuffix) && /\S[ \t]+$/.test(text) && !text.includes('\n');
  text = text.replace(/\s+$/, '');
  if (spaced) text += ' ';
  return isUseless(text, ctx) || repeatsNextLines(text, ctx.linePrefix, ctx.suffix) ? '' : text;
}

/**
 * True once the streamed text cannot grow into a longer suggestion (the rest would be cut anyway),
 * so the request can stop early and the server spends no more time on it.
 */
export function isStreamDone(raw: string, ctx: PostContext): boolean {
  if (cutAtSpecialToken(raw).length < raw.length) return true;
  if (ctx.nextLine) {
    const moved = onNextLine(raw, ctx.linePrefix);
    if (raw && !moved) return true; // it goes on on the finished line
    raw = moved;
  }
  // One line: done at its end, or once it finishes a statement (no need to wait for the newline token).
  if (!ctx.multiline) return raw.includes('\n') || endsStatement(ctx.linePrefix + raw, ctx.lineSuffix);
  const nl = raw.lastIndexOf('\n');
  if (nl < 0) return false;
  // Decide on complete lines plus the current line once its indentation is known.
  const decided = /\S/.test(raw.slice(nl + 1)) ? raw : raw.slice(0, nl);
  if (stopAtBlockEnd(decided, ctx.linePrefix, ctx.suffix).length < decided.length) return true;
  if (hasClosingFence(decided)) return true;
  return dropSuffixRepeat(decided, '', ctx.suffix).length < decided.length;
}
