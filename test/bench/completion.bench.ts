// Completion pipeline: how many model calls a realistic typing session costs, how much of the
// generated text is never shown, how long a pause waits for ghost text, and how much time our own
// code takes per request on a 10,000-line file.
//
// The session replays human-like typing (a seeded generator: ~130 ms median gaps, hesitations,
// thinking pauses, typos fixed with backspace, typing through shown suggestions) over real source
// files of this repository. The model is the fake Ollama's speed mode (prefill 300 ms + 25 ms per
// token, generation stops when the client disconnects, one request at a time) reproduced on a
// virtual clock: a few thousand keystrokes of human time would take ~20 minutes of wall time, so
// timers, keystrokes and the model all run on the same virtual clock while the pipeline code under
// test is the real one. A short real-time check at the end runs the real pipeline and Ollama
// client against the fake Ollama server in that speed mode.
//
// Same run, same session: a naive baseline (fixed 250 ms debounce, whole file as prompt, no cache,
// no reuse, no early stop) so the figures read as ratios.
//
// Then, at two model speeds (fast: 150 ms + 25 ms/token, slow: 800 ms + 60 ms/token) and three seeded
// sessions each, the typist also accepts ghost text: when a suggestion has been on screen for a
// moment and is exactly what they were about to type, they press Tab and skip typing it. Per speed
// (mean of the seeds): pause-to-ghost over ALL pauses (a pause without ghost text counts as its full
// length), accepted characters per 100 characters of text written, requests per pause, waste, and
// model time against the naive baseline and a fair naive one that stops at the end of the line.
import { existsSync, readFileSync } from 'node:fs';
import { CompletionPipeline, type PipelineSettings } from '../../src/core/completion/pipeline';
import { FAMILIES, cutAtSpecialToken, stopsFor } from '../../src/core/completion/templates';
import { endsStatement } from '../../src/core/completion/postprocess';
import { MAX_INDEXED_LINES, SnippetIndex, selectSnippets } from '../../src/core/completion/snippets';
import type { LineSource } from '../../src/core/completion/window';
import type { Clock } from '../../src/core/completion/clock';
import type { FimProvider, FimRequest, OnText, StreamResult } from '../../src/core/providers/types';
import { tokenize } from '../fakes/tokens';
import { rng } from '../seededRandom';
import { FakeClock } from '../unit/completion/fakeClock';

const PREFILL_MS = 300;
const PER_TOKEN_MS = 25;
interface Speed { prefillMs: number; perTokenMs: number }
const SPEEDS: Record<'fast' | 'slow', Speed> = { fast: { prefillMs: 150, perTokenMs: 25 }, slow: { prefillMs: 800, perTokenMs: 60 } };
const SPEED_SEEDS = [1, 2, 3];
/** A suggestion on screen this long before the next keystroke is read, and accepted if it is right. */
const READ_MS = 250;
const PAUSE_MS = 600; // a gap at least this long is a pause: the user waits for (or reads) a suggestion
const MODEL = 'qwen2.5-coder:1.5b-base';

const SETTINGS: PipelineSettings = {
  debounceMs: 120, adaptiveDebounce: true, maxTokens: 96, temperature: 0.2, contextTokens: 1536,
  template: 'auto', keepAlive: '30m', multiline: 'auto', timeoutMs: 15000, slowMs: 3000,
};

// ---------- deterministic randomness ----------
function hash(text: string): number {
  let h = 2166136261;
  for (let i = Math.max(0, text.length - 400); i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0) / 4294967296;
}

// ---------- the editor: lines + cursor ----------
class Editor implements LineSource {
  constructor(public lines: string[], public line: number, public ch: number) {}
  get lineCount(): number { return this.lines.length; }
  lineText(i: number): string { return this.lines[i] ?? ''; }
  type(s: string): void {
    const l = this.lines[this.line];
    this.lines[this.line] = l.slice(0, this.ch) + s + l.slice(this.ch);
    this.ch += s.length;
  }
  backspace(): void {
    const l = this.lines[this.line];
    this.lines[this.line] = l.slice(0, this.ch - 1) + l.slice(this.ch);
    this.ch--;
  }
  newline(indent: string): void {
    const l = this.lines[this.line];
    this.lines.splice(this.line + 1, 0, indent + l.slice(this.ch));
    this.lines[this.line] = l.slice(0, this.ch);
    this.line++;
    this.ch = indent.length;
  }
  /** Inserts text at the cursor (Tab on a suggestion). */
  insert(s: string): void {
    const parts = s.split('\n');
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) this.newline('');
      this.type(parts[i]);
    }
  }
  text(): string { return this.lines.join('\n'); }
}

/** Offset in the intended text before each op (a typo and its backspace move nothing; Enter adds the indent). */
function opOffsets(ops: Op[]): number[] {
  const out: number[] = [];
  let o = 0;
  for (const op of ops) {
    out.push(o);
    if (op.kind === 'type' && !op.typo) o++;
    else if (op.kind === 'newline') o += 1 + op.indent.length;
  }
  return out;
}

// ---------- the session ----------
type Op = { gap: number } & ({ kind: 'type'; ch: string; typo?: true } | { kind: 'backspace' } | { kind: 'newline'; indent: string });
interface Task { file: string; lines: string[]; start: number; end: number; ops: Op[] }

/** A human typing lines [start, end) of a file back in: gaps, hesitations, pauses, typos. */
function typingOps(region: string[], rand: () => number): Op[] {
  const ops: Op[] = [];
  const gap = () => Math.exp(Math.log(130) + 0.35 * normal(rand));
  for (let li = 0; li < region.length; li++) {
    const content = region[li].trimStart();
    for (let i = 0; i < content.length; i++) {
      const ch = content[i];
      let g = gap();
      if (/[\s.(,=]/.test(content[i - 1] ?? '') && rand() < 0.1) g += 250 + rand() * 300; // hesitation
      if (rand() < 0.012) g += 1000 + rand() * 2000; // stops to think mid-line
      if (/[a-z]/i.test(ch) && rand() < 0.025) {
        ops.push({ gap: g, kind: 'type', ch: 'q', typo: true });
        ops.push({ gap: 180 + rand() * 250, kind: 'backspace' });
        g = gap();
      }
      ops.push({ gap: g, kind: 'type', ch });
    }
    if (li + 1 < region.length) {
      const indent = /^\s*/.exec(region[li + 1])![0];
      let g = gap();
      if (rand() < 0.3) g += 700 + rand() * 1800; // end of line: reads, thinks
      ops.push({ gap: g, kind: 'newline', indent });
    }
  }
  // A pause at the end of the region, then the user moves on.
  if (ops.length) ops[0].gap += 1500;
  return ops;
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());
}

/**
 * Real TypeScript source (snapshots of this repository's files, frozen under test/bench/corpus so the
 * session - and every figure - stays comparable from commit to commit).
 */
const SOURCES = [
  'reader.ts', 'gate.ts', 'postprocess.ts', 'templates.ts', 'window.ts', 'cache.ts', 'local.ts', 'ollama.ts',
].map((name) => `test/bench/corpus/${name}.txt`);

function sourceFiles(): Array<{ path: string; lines: string[] }> {
  return SOURCES.filter((p) => existsSync(p)).map((p) => ({ path: p, lines: readFileSync(p, 'utf8').split('\n') }));
}

/** Regions of 6-14 lines every ~45 lines of each file, until `keystrokes` are planned. */
function planSession(files: Array<{ path: string; lines: string[] }>, keystrokes: number, seed: number): Task[] {
  const rand = rng(seed);
  const tasks: Task[] = [];
  let total = 0;
  for (let round = 0; total < keystrokes; round++) {
    for (const f of files) {
      for (let start = 10 + ((round * 17) % 30); start + 15 < f.lines.length && total < keystrokes; start += 45) {
        const end = start + 6 + Math.floor(rand() * 9);
        const region = f.lines.slice(start, end);
        if (region.join('').trim().length < 40) continue;
        const ops = typingOps(region, rand);
        tasks.push({ file: f.path, lines: f.lines, start, end, ops });
        total += ops.length;
      }
      if (total >= keystrokes) break;
    }
  }
  return tasks;
}

// ---------- the model: the fake Ollama's speed mode on the virtual clock ----------
interface ModelCounters { requests: number; generated: number; busyMs: number; aborted: number }

/**
 * Answers with the text that really follows (what the user is about to type) for ~70 % of prompts,
 * something plausible but wrong otherwise; streams one token per 25 ms after a 300 ms prefill,
 * honours stop strings and num_predict, and stops generating when the request is aborted.
 */
class VirtualOllama implements FimProvider {
  readonly id = 'ollama' as const;
  readonly baseUrl = 'http://127.0.0.1:11434';
  readonly counters: ModelCounters = { requests: 0, generated: 0, busyMs: 0, aborted: 0 };
  readonly log: Array<{ at: number; tokens: number; aborted: boolean; multiline: boolean; right?: boolean; text?: string; end?: number }> = [];
  constructor(private readonly clock: FakeClock, private readonly truth: () => { upcoming: string; elsewhere: string; linePrefix: string }, private readonly speed: Speed = { prefillMs: PREFILL_MS, perTokenMs: PER_TOKEN_MS }) {}

  complete(req: FimRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
    this.counters.requests++;
    const { upcoming, elsewhere, linePrefix } = this.truth();
    const right = hash(req.prefix) < 0.7;
    // A prompt that goes on past the cursor (a newline and indentation) is answered from there.
    const lead = req.prefix.endsWith(linePrefix) ? '' : /\n[ \t]*$/.exec(req.prefix)?.[0] ?? '';
    const answer = tokenize((right ? (upcoming.startsWith(lead) ? upcoming.slice(lead.length) : upcoming) : elsewhere).slice(0, 2000));
    const t0 = this.clock.now();
    return new Promise((resolve) => {
      let text = '';
      let n = 0;
      let timer: unknown;
      const end = (finishReason: StreamResult['finishReason']) => {
        this.clock.clearTimeout(timer);
        this.counters.generated += n;
        this.counters.busyMs += this.clock.now() - t0;
        this.log.push({ at: t0, tokens: n, aborted: finishReason === 'cancelled', multiline: !req.stop.includes('\n'), right, text, end: this.clock.now() });
        resolve({ text, finishReason, usage: finishReason === 'cancelled' ? undefined : { promptTokens: 0, completionTokens: n }, totalMs: this.clock.now() - t0 });
      };
      const onAbort = () => { this.counters.aborted++; end('cancelled'); };
      signal.addEventListener('abort', onAbort, { once: true });
      const step = () => {
        if (signal.aborted) return;
        if (n >= req.maxTokens || n >= answer.length) { signal.removeEventListener('abort', onAbort); return end(n >= req.maxTokens ? 'length' : 'stop'); }
        const next = text + answer[n];
        const cut = req.stop.map((s) => next.indexOf(s)).filter((i) => i >= 0);
        n++;
        if (cut.length) {
          const piece = next.slice(text.length, Math.min(...cut));
          text += piece;
          if (piece) onText(piece);
          signal.removeEventListener('abort', onAbort);
          return end('stop');
        }
        text = next;
        onText(answer[n - 1]);
        timer = this.clock.setTimeout(step, this.speed.perTokenMs);
      };
      timer = this.clock.setTimeout(step, this.speed.prefillMs);
    });
  }
}

// ---------- the naive baseline ----------
/**
 * Fixed 250 ms debounce, the whole file as prompt, no cache, no reuse; shows whatever comes back.
 * The fair variant stops at the end of the line (a newline stop), as a simple single-line client would.
 */
class NaiveBaseline {
  private timer: unknown;
  private inflight?: AbortController;
  constructor(private readonly clock: Clock, private readonly model: FimProvider, private readonly lineOnly = false) {}
  overheadMs: number[] = [];

  provide(ed: Editor, signal: AbortSignal): Promise<string | undefined> {
    this.clock.clearTimeout(this.timer);
    this.inflight?.abort();
    this.inflight = undefined;
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
      this.timer = this.clock.setTimeout(async () => {
        const t0 = performance.now();
        const text = ed.text();
        let offset = 0;
        for (let i = 0; i < ed.line; i++) offset += ed.lines[i].length + 1;
        offset += ed.ch;
        const prefix = text.slice(0, offset);
        const suffix = text.slice(offset);
        const family = FAMILIES.qwen;
        const req: FimRequest = { model: MODEL, prefix, suffix, rawPrompt: family.build({ prefix, suffix, path: 'file.ts', languageId: 'typescript' }), maxTokens: SETTINGS.maxTokens, temperature: 0.2, stop: this.lineOnly ? [...stopsFor(family), '\n'] : stopsFor(family) };
        this.overheadMs.push(performance.now() - t0);
        const c = new AbortController();
        this.inflight = c;
        const r = await this.model.complete(req, () => undefined, c.signal);
        if (this.inflight === c) this.inflight = undefined;
        resolve(r.finishReason === 'cancelled' ? undefined : cutAtSpecialToken(r.text).trimEnd() || undefined);
      }, 250);
    });
  }
}

// ---------- the replay ----------
interface RunResult {
  keystrokes: number;
  pauses: number;
  requests: number;
  cancelled: number;
  cacheHits: number;
  typingThrough: number;
  reuse: number;
  generated: number;
  shown: number;
  modelMs: number;
  pauseToGhost: number[];
  pausesWithGhost: number;
  /** Every pause: the time to ghost text, or the whole pause when none came. */
  pauseToGhostAll: number[];
  pauseGaps: number[];
  keystrokeMs: number[];
  /** Characters accepted with Tab, and characters of the text the user set out to write. */
  accepted: number;
  accepts: number;
  written: number;
}

type Which = 'pipeline' | 'baseline' | 'fair';
interface ReplayOptions { heap?: boolean; speed?: Speed; accept?: boolean }

async function replay(tasks: Task[], which: Which, opts: ReplayOptions = {}): Promise<RunResult & { heapGrowthMB?: number }> {
  const clock = new FakeClock();
  let ed = new Editor([''], 0, 0);
  let task: Task | undefined;
  let typo = false;
  const truth = () => {
    if (!task || typo) return { upcoming: 'foo.bar(baz);\n', elsewhere: 'foo.bar(baz);\n', linePrefix: ed.lines[ed.line].slice(0, ed.ch) };
    const region = task.lines.slice(task.start, task.end);
    // What is left to type on this line and the next ones, in the editor's coordinates.
    const typedLines = ed.line - task.start;
    const cur = region[typedLines] ?? '';
    const upcoming = [cur.slice(ed.ch), ...region.slice(typedLines + 1), ...task.lines.slice(task.end, task.end + 10)].join('\n');
    const elsewhere = task.lines[(task.start + 23) % task.lines.length].trimStart() + '\n' + task.lines.slice(task.start + 24, task.start + 30).join('\n');
    return { upcoming, elsewhere, linePrefix: ed.lines[ed.line].slice(0, ed.ch) };
  };
  const model = new VirtualOllama(clock, truth, opts.speed);
  const pipeline = new CompletionPipeline({
    clock, settings: () => SETTINGS,
    provider: () => ({ id: 'ollama', fim: model, model: MODEL, endpointClass: 'machine' }),
    emit: () => undefined,
    // VS Code's "trigger inline suggestion" once a block streamed behind its first lines is complete.
    onMore: () => queueMicrotask(() => ask(true)),
  });
  const baseline = new NaiveBaseline(clock, model, which === 'fair');

  const res: RunResult = { keystrokes: 0, pauses: 0, requests: 0, cancelled: 0, cacheHits: 0, typingThrough: 0, reuse: 0, generated: 0, shown: 0, modelMs: 0, pauseToGhost: [], pausesWithGhost: 0, pauseToGhostAll: [], pauseGaps: [], keystrokeMs: [], accepted: 0, accepts: 0, written: 0 };
  let current: AbortController | undefined;
  let lastKeyAt = 0;
  let ghostAt: number | undefined; // when a suggestion appeared after the last keystroke
  let ghost: { text: string; at: number } | undefined; // the suggestion on screen
  let baselineShown = 0;
  let heapStart = 0;
  const keyTimes: number[] = [];

  /** The editor asks the provider: after a keystroke, or again when the pipeline has more (`again`). */
  const ask = (again = false) => {
    current?.abort(); // VS Code cancels the previous call when the document changes
    const c = new AbortController();
    current = c;
    if (which === 'pipeline') {
      const t0 = performance.now();
      const p = pipeline.provide({ docKey: task!.file, doc: ed, line: ed.line, character: ed.ch, languageId: 'typescript', path: task!.file, immediate: again || undefined }, c.signal);
      if (!again) res.keystrokeMs.push(performance.now() - t0);
      void p.then((r) => {
        if (r && !c.signal.aborted) {
          ghostAt ??= clock.now();
          ghost = { text: r.text, at: ghost?.at ?? clock.now() };
        }
      });
    } else {
      void baseline.provide(ed, c.signal).then((text) => {
        if (text && !c.signal.aborted) {
          ghostAt ??= clock.now();
          ghost = { text, at: clock.now() };
          baselineShown += tokenize(text).length;
        }
      });
    }
  };
  let statsAtKey = { ...pipeline.stats };
  const keystroke = () => {
    if (process.env.BENCH_SLOW_PAUSES) statsAtKey = { ...pipeline.stats };
    lastKeyAt = clock.now();
    keyTimes.push(lastKeyAt);
    ghostAt = undefined;
    ghost = undefined;
    if (which === 'pipeline') pipeline.edited(task!.file); // VS Code reports the edit, then asks
    ask();
  };

  let n = 0;
  for (const t of tasks) {
    task = t;
    const indent = /^\s*/.exec(t.lines[t.start])![0];
    ed = new Editor([...t.lines.slice(0, t.start), indent, ...t.lines.slice(t.end)], t.start, indent.length);
    pipeline.forget(t.file); // a fresh edit of this file (the previous region's document is gone)
    // The text the user sets out to write (from the first line's indentation on) and, per op, where in it they are.
    const intended = [t.lines[t.start].trimStart(), ...t.lines.slice(t.start + 1, t.end)].join('\n');
    res.written += intended.length;
    const offsets = opOffsets(t.ops);
    for (let i = 0; i < t.ops.length; i++) {
      const op = t.ops[i];
      // The gap before this keystroke passes; a pause is measured from the last keystroke.
      await clock.advance(op.gap);
      if (op.gap >= PAUSE_MS) {
        res.pauses++;
        // (A region's first keystroke follows a move to another place, not typing: not a pause to fill.)
        if (i > 0) {
          res.pauseToGhostAll.push(ghostAt !== undefined ? ghostAt - lastKeyAt : op.gap);
          const waited = ghostAt === undefined ? op.gap : ghostAt - lastKeyAt;
          if (process.env.BENCH_SLOW_PAUSES && which === 'pipeline' && opts.accept && waited > 1100) {
            console.log(describeSlowPause(op.gap, waited, ed, model.log.filter((e) => e.at >= lastKeyAt), lastKeyAt, pipeline.stats, statsAtKey));
          }
          res.pauseGaps.push(op.gap);
        }
        if (ghostAt !== undefined) {
          res.pausesWithGhost++;
          res.pauseToGhost.push(ghostAt - lastKeyAt);
        }
      }
      // A suggestion read in time and exactly what comes next: Tab, and the keystrokes it saves are skipped.
      if (opts.accept && ghost && !typo && clock.now() - ghost.at >= READ_MS && intended.startsWith(ghost.text, offsets[i])) {
        const j = offsets.findIndex((o, k) => k > i && o === offsets[i] + ghost!.text.length && t.ops[k].kind !== 'backspace');
        if (j > i) {
          ed.insert(ghost.text);
          res.accepted += ghost.text.length;
          res.accepts++;
          res.keystrokes++;
          keystroke();
          i = j - 1;
          continue;
        }
      }
      if (op.kind === 'type') {
        ed.type(op.ch);
        if (op.typo) typo = true;
      } else if (op.kind === 'backspace') {
        ed.backspace();
        typo = false;
      } else ed.newline(op.indent);
      res.keystrokes++;
      keystroke();
      if (opts.heap && ++n === 500) {
        global.gc?.();
        heapStart = process.memoryUsage().heapUsed;
      }
    }
  }
  await clock.advance(10_000);
  if (process.env.BENCH_DEBUG && which === 'pipeline') {
    debugBreakdown(model.log, keyTimes);
    console.log(pipeline.stats);
  }
  current?.abort();
  await clock.advance(10_000);
  pipeline.dispose();

  if (opts.accept) console.assert(res.accepted <= res.written, 'accepted more than written');
  res.requests = model.counters.requests;
  res.generated = model.counters.generated;
  res.modelMs = model.counters.busyMs;
  if (which === 'pipeline') {
    res.cancelled = pipeline.stats.cancelled;
    res.cacheHits = pipeline.stats.cacheHits;
    res.typingThrough = pipeline.stats.typingThroughHits;
    res.reuse = pipeline.stats.reuseHits;
    res.shown = pipeline.stats.shownTokens;
  } else {
    res.cancelled = model.counters.aborted;
    res.shown = baselineShown;
  }
  let heapGrowthMB: number | undefined;
  if (opts.heap) {
    global.gc?.();
    heapGrowthMB = (process.memoryUsage().heapUsed - heapStart) / 1e6;
  }
  return { ...res, heapGrowthMB };
}

/** BENCH_SLOW_PAUSES=1: one line per pause whose ghost text came after 1,100 ms or never. */
function describeSlowPause(gap: number, waited: number, ed: Editor, reqs: VirtualOllama['log'], from: number, stats: object, before: object): string {
  const line = ed.lines[ed.line];
  const asked = reqs.map((e) => `@${e.at - from}-${(e.end ?? 0) - from}${e.right ? 'R' : 'W'}${e.multiline ? 'M' : ''}${e.aborted ? 'x' : ''}:${JSON.stringify((e.text ?? '').slice(0, 40))}`);
  const delta = Object.entries(stats).map(([k, v]) => [k, v - ((before as Record<string, number>)[k] ?? 0)]).filter(([, v]) => v);
  return `pause ${Math.round(gap)} ms, ghost ${waited < gap ? Math.round(waited) : '-'}: ${JSON.stringify(line.slice(0, ed.ch).slice(-40))}|${JSON.stringify(line.slice(ed.ch, ed.ch + 20))} requests ${asked.join(' ')} stats ${JSON.stringify(Object.fromEntries(delta))}`;
}

function debugBreakdown(log: VirtualOllama['log'], keys: number[]): void {
  const buckets: Record<string, { n: number; tokens: number; aborted: number; abortedTokens: number }> = {};
  for (const r of log) {
    let i = keys.length - 1;
    while (i > 0 && keys[i] > r.at) i--;
    const gapAfter = (keys[i + 1] ?? Infinity) - keys[i];
    const k = `${r.multiline ? 'multi' : 'single'} ${gapAfter >= 600 ? 'pause' : gapAfter >= 300 ? 'hesitation' : 'typing'}`;
    const b = (buckets[k] ??= { n: 0, tokens: 0, aborted: 0, abortedTokens: 0 });
    b.n++; b.tokens += r.tokens;
    if (r.aborted) { b.aborted++; b.abortedTokens += r.tokens; }
  }
  console.log(buckets);
}

// ---------- overhead per request on a 10,000-line file ----------
/**
 * Our code's time per request with a model that answers instantly: snippets of 8 other open files
 * of 4,000 lines (from their indexes), window, cache, template, post-processing, events.
 */
async function overheadOn10kLines(files: Array<{ lines: string[] }>): Promise<{ perRequest: number[]; perKeystroke: number[]; baseline: number[]; lines: number; indexMs: number; snippetMs: number[]; oneShotMs: number[] }> {
  const lines: string[] = [];
  for (let i = 0; lines.length < 10_000; i++) lines.push(...files[i % files.length].lines);
  lines.length = 10_000;
  // Eight other open files of 4,000 lines, indexed as the editor does it: once per file version.
  const others = Array.from({ length: 8 }, (_, k) => ({ path: `other${k}.ts`, text: lines.slice(k * 700, k * 700 + MAX_INDEXED_LINES).join('\n') }));
  const index = new SnippetIndex();
  const i0 = performance.now();
  for (const o of others) index.update(o.path, 1, o.text);
  const indexMs = performance.now() - i0;
  const paths = others.map((o) => o.path);
  const snippetMs: number[] = [];
  // What choosing snippets cost before the indexes: every file scanned on the extension host at once.
  const oneShotMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    selectSnippets(lines.slice(5000 + i * 40, 5030 + i * 40).join('\n'), others);
    oneShotMs.push(performance.now() - t0);
  }
  // Timers of 0 ms run as microtasks; longer ones (timeouts, status) are cleared before they are due.
  const clock: Clock = {
    now: () => performance.now(),
    setTimeout: (fn, ms) => { const h = { cancelled: false }; if (ms === 0) queueMicrotask(() => { if (!h.cancelled) fn(); }); return h; },
    clearTimeout: (h) => { if (h) (h as { cancelled: boolean }).cancelled = true; },
  };
  let calls = 0;
  const instant: FimProvider = {
    id: 'ollama', baseUrl: 'http://127.0.0.1:11434',
    async complete(req, onText) {
      calls++;
      const pieces = tokenize('const result = compute(value);\n');
      for (const p of pieces) onText(p);
      return { text: pieces.join(''), finishReason: 'stop', usage: { promptTokens: 1000, completionTokens: pieces.length }, totalMs: 0 };
    },
  };
  const pipeline = new CompletionPipeline({ clock, settings: () => SETTINGS, provider: () => ({ id: 'ollama', fim: instant, model: MODEL, endpointClass: 'machine' }), emit: () => undefined });
  const ed = new Editor(lines, 0, 0);
  let perRequest: number[] = [];
  let perKeystroke: number[] = [];
  const rand = rng(7);
  // Three rounds; the round with the lowest p95 is reported (other processes share the CPU cores).
  const rounds: Array<{ perRequest: number[]; perKeystroke: number[] }> = [];
  for (let i = 0; i < 3600; i++) {
    if (i % 1200 === 0) {
      global.gc?.();
      perRequest = [];
      perKeystroke = [];
      rounds.push({ perRequest, perKeystroke });
    }
    // The end of a line that gets a request (not one that finished a statement).
    do ed.line = 100 + Math.floor(rand() * 9800);
    while (endsStatement(ed.lines[ed.line], ''));
    ed.ch = ed.lines[ed.line].length;
    const before = calls;
    const t0 = performance.now();
    // A new region each time: the snippets are chosen again (the editor does it only on a region change).
    const snippets = index.select(lines.slice(Math.max(0, ed.line - 30), ed.line + 1).join('\n'), paths);
    const ts = performance.now();
    const p = pipeline.provide({ docKey: 'big.ts', doc: ed, line: ed.line, character: ed.ch, languageId: 'typescript', path: 'big.ts', snippets, immediate: true }, new AbortController().signal);
    const t1 = performance.now();
    await p;
    const t2 = performance.now();
    const requested = calls > before; // not a cache hit (the corpus repeats in the big file)
    if (requested && i % 1200 >= 200) { perKeystroke.push(t1 - t0); perRequest.push(t2 - t0); snippetMs.push(ts - t0); } // after warm-up
  }
  pipeline.dispose();
  const best = rounds.reduce((a, b) => (pct(b.perRequest, 95) < pct(a.perRequest, 95) ? b : a));
  // The baseline's prompt building on the same file.
  const baseline: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const text = ed.text();
    const cut = Math.floor(text.length / 2);
    FAMILIES.qwen.build({ prefix: text.slice(0, cut), suffix: text.slice(cut), path: 'big.ts', languageId: 'typescript' });
    baseline.push(performance.now() - t0);
  }
  return { perRequest: best.perRequest, perKeystroke: best.perKeystroke, baseline, lines: lines.length, indexMs, snippetMs, oneShotMs };
}

// ---------- a real-time check against the fake Ollama server ----------
async function realServerCheck(): Promise<{ requests: number; ttftMs: number; generated: number; sent: number } | undefined> {
  try {
    const { startFakeOllama } = await import('../fakes');
    const { OllamaProvider } = await import('../../src/core/providers/ollama');
    const { systemClock } = await import('../../src/core/completion/clock');
    const fake = await startFakeOllama({ reply: 'compute(value);\nreturn result;\n}', defaults: { speed: { prefillMs: PREFILL_MS, perTokenMs: PER_TOKEN_MS } } });
    const provider = new OllamaProvider(fake.baseURL, () => fetch);
    let ttft = 0;
    const pipeline = new CompletionPipeline({
      clock: systemClock, settings: () => SETTINGS,
      provider: () => ({ id: 'ollama', fim: provider, model: MODEL, endpointClass: 'machine' }),
      emit: (e) => { if (e.outcome === 'served') ttft = e.ttftMs ?? 0; },
    });
    const ed = new Editor(['function f(value) {', '  const result = ', '}'], 1, 17);
    const r = await pipeline.provide({ docKey: 'real.ts', doc: ed, line: 1, character: 17, languageId: 'typescript', path: 'real.ts' }, new AbortController().signal);
    await fake.settled();
    const gen = fake.requests.filter((q) => q.path === '/api/generate');
    await fake.close();
    if (r?.text !== 'compute(value);') throw new Error(`unexpected suggestion ${JSON.stringify(r?.text)}`);
    return { requests: gen.length, ttftMs: ttft, generated: gen.reduce((a, q) => a + (q.tokensGenerated ?? 0), 0), sent: gen.reduce((a, q) => a + (q.tokensSent ?? 0), 0) };
  } catch (err) {
    console.log(`real-time check skipped: ${(err as Error).message}`);
    return undefined;
  }
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');

async function main(): Promise<void> {
  const started = performance.now();
  const files = sourceFiles();
  const session = planSession(files, 4000, 42);

  const ours = await replay(session, 'pipeline');
  const base = await replay(session, 'baseline');
  const over = await overheadOn10kLines(files);
  const heapSession = planSession(files, 10_000, 99);
  const heap = await replay(heapSession, 'pipeline', { heap: true });
  const real = await realServerCheck();
  // The same replay over other seeded sessions: the figures must not hinge on one session.
  const seeds: Array<{ seed: number; waste: number; perPause: number }> = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 42]) {
    const r = seed === 42 ? ours : await replay(planSession(files, 4000, seed), 'pipeline');
    seeds.push({ seed, waste: r.generated ? (r.generated - Math.min(r.shown, r.generated)) / r.generated : 0, perPause: r.requests / r.pauses });
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  const waste = ours.generated ? (ours.generated - Math.min(ours.shown, ours.generated)) / ours.generated : 0;
  const baseWaste = base.generated ? (base.generated - Math.min(base.shown, base.generated)) / base.generated : 0;
  const row = (label: string, a: string, b: string) => console.log(`${label.padEnd(44)} ${a.padStart(12)} ${b.padStart(12)}`);
  console.log(`session: ${ours.keystrokes} keystrokes over ${new Set(session.map((t) => t.file)).size} files of the frozen corpus, ${ours.pauses} pauses (gaps >= ${PAUSE_MS} ms); model: prefill ${PREFILL_MS} ms + ${PER_TOKEN_MS} ms/token (virtual time)`);
  row('', 'switchyard', 'baseline');
  row('model requests', String(ours.requests), String(base.requests));
  row('requests per 100 keystrokes', f3((100 * ours.requests) / ours.keystrokes), f3((100 * base.requests) / base.keystrokes));
  row('requests per pause', f3(ours.requests / ours.pauses), f3(base.requests / base.pauses));
  row('requests cancelled', String(ours.cancelled), String(base.cancelled));
  row('cache hits / typing-through hits / reused', `${ours.cacheHits}/${ours.typingThrough}/${ours.reuse}`, '0/0/0');
  row('tokens generated / shown', `${ours.generated}/${ours.shown}`, `${base.generated}/${base.shown}`);
  row('waste (generated never shown)', `${f1(100 * waste)} %`, `${f1(100 * baseWaste)} %`);
  row('model busy time (s)', f1(ours.modelMs / 1000), f1(base.modelMs / 1000));
  row('pauses with ghost text', `${ours.pausesWithGhost}/${ours.pauses}`, `${base.pausesWithGhost}/${base.pauses}`);
  row('pause to ghost text p50 / p95 (ms)', `${f1(pct(ours.pauseToGhost, 50))}/${f1(pct(ours.pauseToGhost, 95))}`, `${f1(pct(base.pauseToGhost, 50))}/${f1(pct(base.pauseToGhost, 95))}`);
  console.log(`overhead per request on a ${over.lines}-line file (best of 3 rounds): p50 ${f3(pct(over.perRequest, 50))} ms, p95 ${f3(pct(over.perRequest, 95))} ms (per keystroke, sync: p50 ${f3(pct(over.perKeystroke, 50))} ms, p95 ${f3(pct(over.perKeystroke, 95))} ms); baseline prompt building p50 ${f3(pct(over.baseline, 50))} ms`);
  console.log(`snippets of 8 open files x ${MAX_INDEXED_LINES} lines (included above): choosing from the indexes p50 ${f3(pct(over.snippetMs, 50))} ms, p95 ${f3(pct(over.snippetMs, 95))} ms; indexing all 8 (once per file version) ${f1(over.indexMs)} ms; scanning them at once as before p50 ${f1(pct(over.oneShotMs, 50))} ms`);
  console.log(`heap growth over a ${heap.keystrokes}-keystroke replay: ${f1(heap.heapGrowthMB ?? NaN)} MB`);
  if (real) console.log(`real-time check (real pipeline + ollama client -> fake Ollama speed mode): ${real.requests} request, ttft ${f1(real.ttftMs)} ms, ${real.generated} tokens generated, ${real.sent} sent (stopped at the end of the line)`);
  console.log(`over ${seeds.length} seeded sessions: waste mean ${f1(100 * mean(seeds.map((x) => x.waste)))} %, max ${f1(100 * Math.max(...seeds.map((x) => x.waste)))} %; requests per pause max ${f3(Math.max(...seeds.map((x) => x.perPause)))} (${seeds.map((x) => `${x.seed}: ${f1(100 * x.waste)} %`).join(', ')})`);

  // ---------- two model speeds x three seeds, with Tab accepting right suggestions ----------
  const perSpeed: Record<string, number> = {};
  for (const [name, speed] of Object.entries(SPEEDS)) {
    const runs: Record<Which, Array<RunResult>> = { pipeline: [], baseline: [], fair: [] };
    for (const seed of SPEED_SEEDS) {
      const tasks = planSession(files, 4000, seed);
      for (const which of ['pipeline', 'baseline', 'fair'] as const) runs[which].push(await replay(tasks, which, { speed, accept: true }));
    }
    const m = (which: Which, f: (r: RunResult) => number) => mean(runs[which].map(f));
    const fig = {
      all50: (r: RunResult) => pct(r.pauseToGhostAll, 50),
      all95: (r: RunResult) => pct(r.pauseToGhostAll, 95),
      acc: (r: RunResult) => (100 * r.accepted) / r.written,
      perPause: (r: RunResult) => r.requests / r.pauseToGhostAll.length,
      waste: (r: RunResult) => (r.generated ? (r.generated - Math.min(r.shown, r.generated)) / r.generated : 0),
      ghost: (r: RunResult) => r.pauseToGhostAll.filter((x, i) => x < r.pauseGaps[i]).length / r.pauseToGhostAll.length,
      perAccept: (r: RunResult) => (r.accepts ? r.accepted / r.accepts : 0),
    };
    const modelVs = (which: Which) => mean(runs.pipeline.map((r, i) => r.modelMs / runs[which][i].modelMs));
    console.log(`\n${name} model (prefill ${speed.prefillMs} ms + ${speed.perTokenMs} ms/token), seeds ${SPEED_SEEDS.join(', ')} (mean; Tab accepts a right suggestion read for ${READ_MS} ms)`);
    const row3 = (label: string, f: (r: RunResult) => number, fmt: (x: number) => string) =>
      console.log(`${label.padEnd(44)} ${fmt(m('pipeline', f)).padStart(12)} ${fmt(m('baseline', f)).padStart(12)} ${fmt(m('fair', f)).padStart(12)}`);
    console.log(`${''.padEnd(44)} ${'switchyard'.padStart(12)} ${'naive'.padStart(12)} ${'fair naive'.padStart(12)}`);
    row3('pause to ghost, all pauses, p50 (ms)', fig.all50, f1);
    row3('pause to ghost, all pauses, p95 (ms)', fig.all95, f1);
    row3('accepted chars per 100 written', fig.acc, f1);
    row3('chars per accept', fig.perAccept, f1);
    row3('requests per pause', fig.perPause, f3);
    row3('waste (generated never shown) %', (r) => 100 * fig.waste(r), f1);
    row3('pauses with ghost text %', (r) => 100 * fig.ghost(r), f1);
    row3('model busy time (s)', (r) => r.modelMs / 1000, f1);
    console.log(`${'model time vs naive / vs fair naive'.padEnd(44)} ${`${f3(modelVs('baseline'))} / ${f3(modelVs('fair'))}`.padStart(12)}`);
    Object.assign(perSpeed, {
      [`completion.${name}.pauseToGhostAllP50Ms`]: m('pipeline', fig.all50),
      [`completion.${name}.pauseToGhostAllP95Ms`]: m('pipeline', fig.all95),
      [`completion.${name}.acceptedCharsPer100`]: m('pipeline', fig.acc),
      [`completion.${name}.requestsPerPause`]: m('pipeline', fig.perPause),
      [`completion.${name}.wasteRatio`]: m('pipeline', fig.waste),
      [`completion.${name}.modelTimeVsNaive`]: modelVs('baseline'),
      [`completion.${name}.modelTimeVsFairNaive`]: modelVs('fair'),
      [`completion.${name}.naive.pauseToGhostAllP50Ms`]: m('baseline', fig.all50),
      [`completion.${name}.naive.acceptedCharsPer100`]: m('baseline', fig.acc),
      [`completion.${name}.fairNaive.pauseToGhostAllP50Ms`]: m('fair', fig.all50),
      [`completion.${name}.fairNaive.acceptedCharsPer100`]: m('fair', fig.acc),
    });
  }
  console.log(`bench wall time ${f1((performance.now() - started) / 1000)} s`);

  const figures: Record<string, number> = {
    'completion.requestsPerPause': ours.requests / ours.pauses,
    'completion.requestsPer100Keystrokes': (100 * ours.requests) / ours.keystrokes,
    'completion.wasteRatio': waste,
    'completion.overheadP50Ms': pct(over.perRequest, 50),
    'completion.overheadP95Ms': pct(over.perRequest, 95),
    'completion.snippetSelectP95Ms': pct(over.snippetMs, 95),
    'completion.snippetIndexAllMs': over.indexMs,
    'completion.snippetOneShotP50Ms': pct(over.oneShotMs, 50),
    'completion.pauseToGhostP50Ms': pct(ours.pauseToGhost, 50),
    'completion.pauseToGhostP95Ms': pct(ours.pauseToGhost, 95),
    'completion.modelTimeVsBaseline': ours.modelMs / base.modelMs,
    'completion.heapGrowthMB': heap.heapGrowthMB ?? NaN,
    'completion.cancelled': ours.cancelled,
    'completion.cacheHits': ours.cacheHits,
    'completion.typingThroughHits': ours.typingThrough,
    'completion.reuseHits': ours.reuse,
    'completion.baselineRequestsPerPause': base.requests / base.pauses,
    'completion.baselineWasteRatio': baseWaste,
    'completion.wasteRatioSeedsMean': mean(seeds.map((x) => x.waste)),
    'completion.wasteRatioSeedsMax': Math.max(...seeds.map((x) => x.waste)),
    'completion.requestsPerPauseSeedsMax': Math.max(...seeds.map((x) => x.perPause)),
    ...perSpeed,
  };
  console.log(JSON.stringify(figures));
}

void main();
