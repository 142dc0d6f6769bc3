// The completion pipeline, per keystroke: typing-through -> cache -> in-flight reuse -> debounce
// -> one model request per editor -> post-processing -> cache. Plain TypeScript with an injected
// clock, so every timing decision is tested without an editor or real time.
import { newId } from '../ids';
import { blockReportedByGate } from '../privacy/egress';
import { ProviderError, type FimRequest, type StreamResult } from '../providers/types';
import type { ModelCallEvent, TokenUsage } from '../types';
import { CompletionCache, typedThrough, type CachedCompletion } from './cache';
import { CachedHits, modelCallEvent } from './ledgerEvents';
import type { ActiveProvider, CompletionRequest, CompletionResult, PipelineDeps, PipelineSettings, PipelineState, PipelineStats, ResultSource } from './pipelineTypes';
import { continuesWithNextLine, endsLine, endsStatement, isMidWord, isStreamDone, postProcess, reachesNextLine, suppliedClosers, type PostContext } from './postprocess';
import { TypingRhythm } from './rhythm';
import { ModelSpeed } from './speed';
import { contextHeader, resolveFamily, stopsFor, type Snippet } from './templates';
import { buildWindow, estimateTokens, type PromptWindow } from './window';

export type { ActiveProvider, CompletionRequest, CompletionResult, PipelineDeps, PipelineSettings, PipelineState, PipelineStats, ResultSource } from './pipelineTypes';

/** How long a request whose caller went away may wait for the next keystroke to adopt it. */
export const ADOPT_GRACE_MS = 250;
/** A request running this long shows "thinking"; shorter ones never touch the status bar. */
const THINKING_AFTER_MS = 400;
const DEBOUNCE_CAP_MS = 450;
/** A single line still streaming this long after the request started stops with what it has. */
export const SINGLE_LINE_BUDGET_MS = 1000;
/** A first line still streaming this long shows its words so far; the rest follows when complete. */
export const PARTIAL_LINE_MS = 500;
const SUFFIX_SHARE = 0.12;
/** Characters of text before the cursor that identify where a block ended. */
const BLOCK_END_TAIL = 160;
/**
 * The embedded engine runs on the CPU: each keystroke re-evaluates every suffix token (they follow the
 * changed prefix in the prompt), most of a next-keystroke request. It gets this many suffix tokens:
 * the rest of the line and a few lines after it, what post-processing and the model need most.
 */
export const EMBEDDED_SUFFIX_TOKENS = 48;

/** Share of the window for text after the cursor, per provider. */
export function suffixShareFor(provider: ActiveProvider['id'] | undefined, windowTokens: number): number {
  return provider === 'embedded' ? Math.min(SUFFIX_SHARE, EMBEDDED_SUFFIX_TOKENS / windowTokens) : SUFFIX_SHARE;
}

interface Flight {
  id: string;
  win: PromptWindow;
  controller: AbortController;
  raw: string;
  /** Start offset in `raw` of each streamed piece (one piece ~ one token). */
  pieces: number[];
  /** Callers currently waiting for this flight. */
  waiters: number;
  graceTimer?: unknown;
  stoppedEarly: boolean;
  /** Stopped inside a line that repeats the file's next line: that unfinished line is dropped. */
  cutLastLine?: boolean;
  userCancelled: boolean;
  result: Promise<FlightResult | undefined>;
  /** A block's complete lines so far (or a slow first line's words), while the rest streams. */
  partial?: FlightResult;
  /** The partial is a first line's words, not yet a complete line. */
  wordsOnly?: boolean;
  /** The partial text last handed to the editor; then the flight keeps streaming without waiters. */
  handedOut?: string;
  done: boolean;
  final?: FlightResult;
  /** Resolves at the next change (a new partial, or the end); replaced each time. */
  changed: Promise<void>;
  wake: () => void;
  /** Completion tokens; set when the flight ends. */
  tokens: number;
  /** Pieces already counted as shown. */
  countedPieces: number;
}

interface FlightResult {
  text: string;
  /** Raw length the shown text came from, for counting shown tokens. */
  usedRaw: number;
}

interface DocState {
  rhythm: TypingRhythm;
  pending?: { timer: unknown; resolve: (go: boolean) => void };
  flight?: Flight;
  /** The suggestion last returned for this document. */
  shown?: CachedCompletion;
  /**
   * Where the last block ended because the model went on with code that is already there (the end
   * of the block, the file's next lines): after that block, it has nothing new to add.
   */
  blockEnd?: { prefixTail: string; suffix: string };
}

export class CompletionPipeline {
  readonly stats: PipelineStats = { requests: 0, served: 0, cancelled: 0, failed: 0, cacheHits: 0, typingThroughHits: 0, reuseHits: 0, generatedTokens: 0, shownTokens: 0, modelMs: 0 };
  readonly cache = new CompletionCache({ maxEntries: 500, maxBytes: 8 * 1024 * 1024 });
  private readonly docs = new Map<string, DocState>();
  private readonly cachedHits: CachedHits;
  private recentMs: number[] = [];
  private readonly speed = new ModelSpeed();
  private state: PipelineState = 'ready';

  constructor(private readonly deps: PipelineDeps) {
    this.cachedHits = new CachedHits(deps);
  }

  /**
   * The suggestion for the cursor, or undefined. `signal` is the editor's cancellation: it ends
   * this call, but a running request survives briefly in case the next keystroke can adopt it.
   */
  async provide(req: CompletionRequest, signal: AbortSignal): Promise<CompletionResult | undefined> {
    const { clock } = this.deps;
    const s = this.deps.settings();
    const doc = this.docState(req.docKey);
    if (!req.immediate) doc.rhythm.note(clock.now()); // a re-ask is not a keystroke
    this.cancelPending(doc);
    if (signal.aborted) return undefined;

    const active = this.deps.provider(req);
    const windowTokens = this.windowTokens(active?.contextTokens ?? s.contextTokens, req);
    const win = buildWindow(req.doc, req.line, req.character, { maxTokens: windowTokens, suffixShare: this.deps.suffixShare ?? suffixShareFor(active?.id, windowTokens) });
    if (s.multiline === 'never') win.multiline = false;
    // After a finished statement at the end of a line the user's next key is Enter: the suggestion is
    // the next lines (it starts with the newline), so the pause before Enter already shows them.
    else if (!win.multiline && endsLine(win.linePrefix, win.lineSuffix)) win.multiline = win.nextLine = true;

    // 1. Typing through the suggestion on screen: show its rest, ask nothing.
    const through = doc.shown && typedThrough(doc.shown, win.prefix, win.suffix);
    if (through) {
      // A request that no longer fits what was typed (it was made for text the user has replaced)
      // can never be shown: stop it here, as the editor may never cancel the call waiting for it.
      // One that still fits - e.g. the stream behind a long suggestion shown early - keeps going.
      if (doc.flight && !isConsistent(doc.flight, win)) this.cancelFlight(doc);
      else if (doc.flight?.handedOut !== undefined && doc.flight.graceTimer !== undefined) {
        // Behind the suggestion being typed through, and it still fits: it streams on.
        this.deps.clock.clearTimeout(doc.flight.graceTimer);
        doc.flight.graceTimer = undefined;
      }
      this.stats.typingThroughHits++;
      this.cachedHits.note();
      return this.show(doc, win, through, 'typing-through');
    }
    if (!active) return undefined;

    // 2. Cache: this exact window, or one the user has typed through since.
    const key = cacheKey(active.model, s.template, win, req.snippets);
    const cached = this.cache.get(key);
    const fromCache = cached?.text ?? this.cache.findTypedThrough(win.prefix, win.suffix);
    if (cached || fromCache) {
      this.cancelFlight(doc); // a suggestion is ready: a running request is no longer needed
      this.stats.cacheHits++;
      this.cachedHits.note();
      return fromCache ? this.show(doc, win, fromCache, 'cache') : undefined;
    }

    // After a block that the model itself ended at code already there (e.g. just accepted): nothing to add.
    const end = doc.blockEnd;
    if (end && !req.immediate && win.suffix === end.suffix && win.prefix.endsWith(end.prefixTail)) {
      this.cancelFlight(doc);
      this.stats.cacheHits++;
      this.cachedHits.note();
      return undefined;
    }

    // 3. A running request that agrees with what was typed since it started: keep it.
    const flight = doc.flight;
    if (flight && isConsistent(flight, win)) {
      this.stats.reuseHits++;
      return this.await(doc, flight, win, signal, 'reuse');
    }
    this.cancelFlight(doc);

    // Mid-word (the cursor splits a word): a suggestion cannot fit.
    if (isMidWord(win.linePrefix, win.lineSuffix)) return undefined;
    // Single lines only: after a finished statement the next key is Enter (unless the user asked explicitly).
    if (!req.immediate && !win.multiline && endsStatement(win.linePrefix, win.lineSuffix)) return undefined;

    // 4. Debounce: wait for a pause in typing.
    const wait = doc.rhythm.delay({ floorMs: s.debounceMs, capMs: Math.max(s.debounceMs, DEBOUNCE_CAP_MS), adaptive: s.adaptiveDebounce, modelMs: this.speed.firstLineMs(), midWord: /\w$/.test(win.linePrefix) });
    // Right after Tab took a suggestion to the end of its line the next key is Enter: ask at once
    // for the next lines (Cody's smart throttle), so the pause before Enter shows them sooner.
    const accepted = win.nextLine === true && doc.shown !== undefined && win.suffix === doc.shown.suffix && win.prefix === doc.shown.prefix + doc.shown.text;
    const go = await this.debounce(doc, req.immediate || accepted ? 0 : wait, signal);
    if (!go || signal.aborted) return undefined;
    const now = this.deps.provider(req);
    if (!now) return undefined;

    // 5. One request per editor.
    this.cancelFlight(doc);
    const started = this.start(doc, now, req, win, key, s);
    return this.await(doc, started, win, signal, 'model');
  }

  /**
   * The document changed. A request streaming on behind a suggestion already handed out is stopped
   * unless the editor's next call adopts it soon: the editor may ask late (or not at all) after a
   * key that does not match the suggestion, and the server should not generate for nothing meanwhile.
   */
  edited(docKey: string): void {
    const doc = this.docs.get(docKey);
    const flight = doc?.flight;
    if (doc && flight && !flight.done && flight.handedOut !== undefined) this.adoptOrCancel(doc, flight);
  }

  /** The editor closed or the user left it: stop its work. */
  forget(docKey: string): void {
    const doc = this.docs.get(docKey);
    if (!doc) return;
    this.cancelPending(doc);
    this.cancelFlight(doc);
    this.docs.delete(docKey);
  }

  /** Stops everything and reports pending cache hits. */
  dispose(): void {
    for (const key of [...this.docs.keys()]) this.forget(key);
    this.cachedHits.flush();
  }

  /** Empties the cache (e.g. the model changed). */
  reset(): void {
    this.cache.clear();
    for (const doc of this.docs.values()) doc.shown = undefined;
  }

  private windowTokens(contextTokens: number, req: CompletionRequest): number {
    const snippetTokens = (req.snippets ?? []).reduce((n, sn) => n + estimateTokens(sn.text) + 8, 0);
    return Math.max(128, contextTokens - snippetTokens);
  }

  private docState(key: string): DocState {
    let d = this.docs.get(key);
    if (!d) {
      d = { rhythm: new TypingRhythm() };
      this.docs.set(key, d);
    }
    return d;
  }

  private show(doc: DocState, win: PromptWindow, text: string, source: ResultSource): CompletionResult {
    doc.shown = { prefix: win.prefix, suffix: win.suffix, text };
    const replace = suppliedClosers(text, win.prefix, win.lineSuffix);
    return replace ? { text, source, replace } : { text, source };
  }

  private debounce(doc: DocState, ms: number, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const onAbort = () => {
        if (doc.pending?.resolve === done) this.cancelPending(doc);
      };
      const done = (go: boolean) => {
        signal.removeEventListener('abort', onAbort);
        resolve(go);
      };
      const timer = this.deps.clock.setTimeout(() => {
        doc.pending = undefined;
        done(true);
      }, ms);
      doc.pending = { timer, resolve: done };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private cancelPending(doc: DocState): void {
    const p = doc.pending;
    if (!p) return;
    doc.pending = undefined;
    this.deps.clock.clearTimeout(p.timer);
    p.resolve(false);
  }

  /** Stops `flight` unless a call adopts it within ADOPT_GRACE_MS. */
  private adoptOrCancel(doc: DocState, flight: Flight): void {
    if (flight.waiters > 0 || doc.flight !== flight || flight.graceTimer !== undefined) return;
    flight.graceTimer = this.deps.clock.setTimeout(() => {
      flight.graceTimer = undefined;
      if (flight.waiters === 0 && doc.flight === flight) this.cancelFlight(doc);
    }, ADOPT_GRACE_MS);
  }

  private cancelFlight(doc: DocState): void {
    const f = doc.flight;
    if (!f) return;
    doc.flight = undefined;
    if (f.graceTimer !== undefined) this.deps.clock.clearTimeout(f.graceTimer);
    f.userCancelled = true;
    f.controller.abort();
  }

  /**
   * Waits for a flight on behalf of one caller; the text is relative to the caller's window. A block
   * is handed out as soon as its first line is complete; the stream goes on behind it.
   */
  private async await(doc: DocState, flight: Flight, win: PromptWindow, signal: AbortSignal, source: ResultSource): Promise<CompletionResult | undefined> {
    const { clock } = this.deps;
    if (flight.graceTimer !== undefined) {
      clock.clearTimeout(flight.graceTimer);
      flight.graceTimer = undefined;
    }
    flight.waiters++;
    const leave = () => {
      flight.waiters--;
      // Nobody waits: give the next keystroke a moment to adopt it, else stop the server.
      if (flight.handedOut === undefined) this.adoptOrCancel(doc, flight);
    };
    const aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    try {
      for (;;) {
        if (signal.aborted) return undefined;
        const cur = flight.done ? flight.final : flight.partial;
        const rest = cur && restAfterTyped(flight, cur, win);
        if (rest) {
          if (!flight.done) flight.handedOut = cur.text;
          this.countShown(flight, cur.usedRaw);
          return this.show(doc, win, rest, source);
        }
        if (flight.done) return undefined;
        await Promise.race([flight.changed, aborted]);
      }
    } finally {
      leave();
    }
  }

  private countShown(flight: Flight, usedRaw: number): void {
    const n = shownPieces(flight, usedRaw);
    if (n > flight.countedPieces) {
      this.stats.shownTokens += n - flight.countedPieces;
      flight.countedPieces = n;
    }
  }

  private start(doc: DocState, active: ActiveProvider, req: CompletionRequest, win: PromptWindow, key: string, s: PipelineSettings): Flight {
    const { clock } = this.deps;
    const family = resolveFamily(active.model, s.template);
    const rawPrompt = family?.build({ prefix: win.prefix, suffix: win.suffix, path: req.path, languageId: req.languageId, repoName: req.repoName, snippets: req.snippets });
    const stop = stopsFor(family);
    if (!win.multiline) stop.push('\n'); // one line: the server stops by itself at its end
    const header = contextHeader({ path: req.path, languageId: req.languageId, snippets: req.snippets });
    // The prompt tokens are estimated from what the provider sent (its own template, or ours).
    const estimated: TokenUsage = { promptTokens: estimateTokens(rawPrompt ?? header + win.prefix + win.suffix), completionTokens: 0 };
    const onSend = (prompt: string, suffix?: string) => {
      estimated.promptTokens = estimateTokens(prompt + (suffix ?? ''));
    };
    const fimReq: FimRequest = { model: active.model, prefix: win.prefix, suffix: win.suffix, rawPrompt, header, onSend, maxTokens: s.maxTokens, temperature: s.temperature, stop, keepAlive: s.keepAlive };

    const flight: Flight = {
      id: newId(), win, controller: new AbortController(), raw: '', pieces: [], waiters: 0,
      stoppedEarly: false, userCancelled: false, tokens: 0, countedPieces: 0, result: Promise.resolve(undefined),
      done: false, changed: Promise.resolve(), wake: () => undefined,
    };
    const nextChange = () => {
      flight.changed = new Promise((resolve) => { flight.wake = resolve; });
    };
    nextChange();
    const changed = () => {
      const wake = flight.wake;
      nextChange();
      wake();
    };
    /**
     * The editor shows part of this suggestion and nothing was typed since: ask it to show `next`,
     * which extends that part (VS Code keeps a shown item until it is asked again).
     */
    const grow = (next: FlightResult | undefined): void => {
      const part = flight.handedOut;
      if (!next || part === undefined || next.text.length <= part.length || !next.text.startsWith(part)) return;
      if (!doc.shown || doc.shown.suffix !== win.suffix || doc.shown.prefix + doc.shown.text !== win.prefix + part || !this.deps.onMore) return;
      this.countShown(flight, next.usedRaw);
      this.deps.onMore(req.docKey);
    };
    doc.flight = flight;
    this.stats.requests++;
    const ctx: PostContext = { linePrefix: win.linePrefix, lineSuffix: win.lineSuffix, prefix: win.prefix, suffix: win.suffix, multiline: win.multiline, nextLine: win.nextLine };
    const t0 = clock.now();
    const time = (this.deps.now?.() ?? new Date()).toISOString();
    let ttftMs: number | undefined;
    let lastPieceMs = 0;
    let timedOut = false;
    const timeout = clock.setTimeout(() => {
      timedOut = true;
      flight.controller.abort();
    }, s.timeoutMs);
    const thinking = clock.setTimeout(() => this.setState('thinking'), THINKING_AFTER_MS);

    /** Enough for the suggestion: the server stops generating. */
    const stopEarly = (cutLastLine = false) => {
      flight.stoppedEarly = true;
      flight.cutLastLine = cutLastLine;
      flight.controller.abort();
    };
    const onText = (delta: string) => {
      if (!delta || flight.controller.signal.aborted) return;
      ttftMs ??= clock.now() - t0;
      lastPieceMs = clock.now() - t0;
      flight.pieces.push(flight.raw.length);
      flight.raw += delta;
      const elapsed = clock.now() - t0;
      if (isStreamDone(flight.raw, ctx)) stopEarly();
      else if (reachesNextLine(flight.raw, ctx)) stopEarly(true);
      // A block: its complete lines are shown at once while the rest streams.
      else if (win.multiline && delta.includes('\n')) {
        const lines = flight.raw.slice(0, flight.raw.lastIndexOf('\n'));
        const text = /\S/.test(lines) ? postProcess(lines, { ...ctx, finishReason: 'stop' }) : '';
        if (text && text !== flight.partial?.text) {
          flight.partial = { text, usedRaw: usedRawLength(flight.raw, text) };
          // Only a first line's words were shown: the complete line replaces them at once.
          if (flight.wordsOnly) grow(flight.partial);
          flight.wordsOnly = false;
          changed();
        }
      }
      // A long line: its words so far, at a punctuation boundary; typing through to its end asks for the rest.
      else if (!win.multiline && elapsed >= SINGLE_LINE_BUDGET_MS && /[^\w\s]$/.test(delta) && /\w\W+\w/.test(flight.raw)) stopEarly();
      // A first line slow to finish: its words so far are shown, at a punctuation boundary, and the
      // whole suggestion replaces them when it is complete (`onMore`), from the same request.
      else if (!flight.partial && elapsed >= PARTIAL_LINE_MS && /[^\w\s]$/.test(delta) && !/\S[^\n]*\n/.test(flight.raw) && /\w\W+\w/.test(flight.raw)) {
        const text = postProcess(flight.raw, { ...ctx, finishReason: 'stop' });
        if (text) {
          flight.partial = { text, usedRaw: usedRawLength(flight.raw, text) };
          flight.wordsOnly = true;
          changed();
        }
      }
    };

    /** `reported`: the egress gate already recorded this refusal, so no second event for it. */
    const finish = (outcome: ModelCallEvent['outcome'], res: Pick<StreamResult, 'usage' | 'timing'> | undefined, error?: string, reported = false) => {
      const usage = res?.usage;
      clock.clearTimeout(timeout);
      clock.clearTimeout(thinking);
      if (doc.flight === flight) doc.flight = undefined;
      const totalMs = clock.now() - t0;
      flight.tokens = usage?.completionTokens ?? flight.pieces.length;
      this.stats.generatedTokens += flight.tokens;
      this.stats.modelMs += totalMs;
      if (outcome === 'served') this.stats.served++;
      else if (outcome === 'cancelled') this.stats.cancelled++;
      else this.stats.failed++;
      if (outcome === 'served') this.noteLatency(totalMs, s.slowMs);
      if (outcome !== 'failed') this.speed.note(ttftMs, lastPieceMs, flight.pieces.length);
      else if (this.state === 'thinking') this.setState(this.slowNow(s.slowMs) ? 'slow' : 'ready');
      if (reported) return;
      this.deps.emit(modelCallEvent({ id: flight.id, time, active, estimated, pieces: flight.pieces.length, res, ttftMs, totalMs, outcome, error }));
    };

    const run = async (): Promise<FlightResult | undefined> => {
      try {
        const res = await active.fim.complete(fimReq, onText, flight.controller.signal);
        if (flight.userCancelled) {
          finish('cancelled', res);
          return undefined;
        }
        if (timedOut) {
          finish('failed', res, `timed out after ${s.timeoutMs} ms`);
          this.deps.onError?.(new ProviderError('timeout', `The local model did not finish within ${s.timeoutMs} ms.`), active);
          return undefined;
        }
        const finishReason = flight.cutLastLine ? 'length' : flight.stoppedEarly ? 'stop' : res.finishReason;
        const text = postProcess(flight.raw, { ...ctx, finishReason });
        if (win.multiline && text && continuesWithNextLine(flight.raw.slice(usedRawLength(flight.raw, text)), win.suffix)) {
          doc.blockEnd = { prefixTail: (win.prefix + text).slice(-BLOCK_END_TAIL), suffix: win.suffix };
        }
        this.cache.set(key, { prefix: win.prefix, suffix: win.suffix, text });
        finish('served', res);
        this.deps.onSuccess?.(active);
        return { text, usedRaw: usedRawLength(flight.raw, text) };
      } catch (err) {
        const e = err instanceof ProviderError ? err : new ProviderError('server', `The local model failed: ${(err as Error)?.message ?? String(err)}`);
        if (flight.userCancelled) {
          finish('cancelled', undefined);
          return undefined;
        }
        finish('failed', undefined, e.message, blockReportedByGate(err));
        this.deps.onError?.(e, active);
        return undefined;
      }
    };
    flight.result = run().then((final) => {
      flight.final = final;
      flight.done = true;
      // The editor shows the first words or lines of this suggestion: show all of it.
      grow(final);
      changed();
      return final;
    });
    return flight;
  }

  private noteLatency(ms: number, slowMs: number): void {
    this.recentMs.push(ms);
    if (this.recentMs.length > 5) this.recentMs.shift();
    this.setState(this.slowNow(slowMs) ? 'slow' : 'ready');
  }

  private slowNow(slowMs: number): boolean {
    if (this.recentMs.length < 2) return false;
    return this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length > slowMs;
  }

  private setState(state: PipelineState): void {
    if (state === this.state) return;
    this.state = state;
    this.deps.onState?.(state);
  }
}

/** A running request stays useful while the user types exactly what it streams (or has yet to stream). */
function isConsistent(f: Flight, win: PromptWindow): boolean {
  if (f.userCancelled || win.suffix !== f.win.suffix) return false;
  if (win.prefix.length < f.win.prefix.length) return false;
  const typed = win.prefix.slice(f.win.prefix.length);
  if (!win.prefix.startsWith(f.win.prefix)) return false;
  if (!typed) return true;
  return f.raw.startsWith(typed) || (typed.startsWith(f.raw) && !f.stoppedEarly);
}

/** The part of a flight's text still to show after what the caller typed since it started. */
function restAfterTyped(f: Flight, r: FlightResult, win: PromptWindow): string | undefined {
  const typed = win.prefix.length - f.win.prefix.length;
  if (typed > 0 && !r.text.startsWith(win.prefix.slice(f.win.prefix.length))) return undefined;
  return r.text.slice(Math.max(0, typed)) || undefined;
}

function cacheKey(model: string, template: string, win: PromptWindow, snippets: readonly Snippet[] | undefined): string {
  const sn = snippets?.length ? snippets.map((s) => `${s.path}:${s.text.length}`).join(',') : '';
  return `${model}\u0000${template}\u0000${win.multiline ? 'm' : 's'}${sn}\u0000${win.prefix}\u0001${win.suffix}`;
}

/** How much of the raw stream the shown text came from (post-processing only cuts and unwraps). */
function usedRawLength(raw: string, text: string): number {
  if (!text) return 0;
  const at = raw.indexOf(text);
  return at >= 0 ? at + text.length : Math.min(raw.length, text.length);
}

function shownPieces(f: Flight, usedRaw: number): number {
  let n = 0;
  for (const start of f.pieces) if (start < usedRaw) n++;
  // The server's count can exceed the pieces received (e.g. stop tokens): never count more than it made.
  return Math.min(n, f.tokens || n);
}
