// The completion pipeline, per keystroke: typing-through -> cache -> in-flight reuse -> debounce
// -> one model request per editor -> post-processing -> cache. Plain TypeScript with an injected
// clock, so every timing decision is tested without an editor or real time.
import { newId } from '../ids';
import { blockReportedByGate } from '../privacy/gate';
import { ProviderError, type FimProvider, type FimRequest } from '../providers/types';
import type { EndpointClass, LocalProviderId, ModelCallEvent, TokenUsage } from '../types';
import { CompletionCache, typedThrough, type CachedCompletion } from './cache';
import type { Clock } from './clock';
import { endsStatement, isStreamDone, postProcess, type PostContext } from './postprocess';
import { TypingRhythm } from './rhythm';
import { resolveFamily, stopsFor, type Snippet } from './templates';
import { buildWindow, estimateTokens, type LineSource, type PromptWindow } from './window';
import type { CompletionSettings } from '../settings/completion';

export interface CompletionRequest {
  /** Identity of the editor/document; one request in flight per key. */
  docKey: string;
  doc: LineSource;
  line: number;
  character: number;
  languageId: string;
  /** Workspace-relative path, forward slashes. */
  path: string;
  repoName?: string;
  /** Stable snippets of other open files (already filtered for exclusions). */
  snippets?: readonly Snippet[];
  /** The user asked explicitly (e.g. Alt+\\): no debounce. */
  immediate?: boolean;
}

export type ResultSource = 'model' | 'reuse' | 'cache' | 'typing-through';

export interface CompletionResult {
  text: string;
  source: ResultSource;
}

export interface ActiveProvider {
  /** A machine-tier server, or the team server. */
  id: LocalProviderId | 'team';
  fim: FimProvider;
  model: string;
  endpointClass: EndpointClass;
}

export type PipelineSettings = Pick<CompletionSettings, 'debounceMs' | 'adaptiveDebounce' | 'maxTokens' | 'temperature'
  | 'contextTokens' | 'template' | 'keepAlive' | 'multiline' | 'timeoutMs' | 'slowMs'>;

export type PipelineState = 'ready' | 'thinking' | 'slow';

export interface PipelineDeps {
  clock: Clock;
  settings: () => PipelineSettings;
  /** The local provider to use now; undefined when none is usable (then no request is made). */
  provider: () => ActiveProvider | undefined;
  /** Every model call, once. */
  emit: (event: ModelCallEvent) => void;
  /** A request failed: the caller updates health, offers a pull for a missing model, etc. */
  onError?: (error: ProviderError) => void;
  /** A request succeeded: the server is up. */
  onSuccess?: () => void;
  onState?: (state: PipelineState) => void;
  now?: () => Date;
}

/** Counters for the status bar, tests and the benchmark. */
export interface PipelineStats {
  requests: number;
  served: number;
  cancelled: number;
  failed: number;
  cacheHits: number;
  typingThroughHits: number;
  reuseHits: number;
  /** Tokens the server generated (its own count when it reported one). */
  generatedTokens: number;
  /** Generated tokens that ended up in a suggestion that was returned for display. */
  shownTokens: number;
  /** Wall time requests spent at the server, ms. */
  modelMs: number;
}

/** How long a request whose caller went away may wait for the next keystroke to adopt it. */
export const ADOPT_GRACE_MS = 250;
/** A request running this long shows "thinking"; shorter ones never touch the status bar. */
const THINKING_AFTER_MS = 400;
/** Cache and typing-through hits are reported as one event per quiet period of this length. */
const CACHED_FLUSH_MS = 5000;
const DEBOUNCE_CAP_MS = 450;
/** A multi-line suggestion still streaming this long after the request started shows its complete lines. */
export const MULTILINE_BUDGET_MS = 500;
/** A single line still streaming this long after the request started shows what it has so far. */
export const SINGLE_LINE_BUDGET_MS = 1000;
const SUFFIX_SHARE = 0.12;

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
  /** Stopped mid-block on the time budget: the last, unfinished line is dropped. */
  cutLastLine?: boolean;
  userCancelled: boolean;
  result: Promise<FlightResult | undefined>;
  /** Completion tokens; set when the flight ends. */
  tokens: number;
  counted: boolean;
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
}

export class CompletionPipeline {
  readonly stats: PipelineStats = { requests: 0, served: 0, cancelled: 0, failed: 0, cacheHits: 0, typingThroughHits: 0, reuseHits: 0, generatedTokens: 0, shownTokens: 0, modelMs: 0 };
  readonly cache = new CompletionCache({ maxEntries: 500, maxBytes: 8 * 1024 * 1024 });
  private readonly docs = new Map<string, DocState>();
  private cachedPending = 0;
  private cachedTimer: unknown;
  private recentMs: number[] = [];
  private state: PipelineState = 'ready';

  constructor(private readonly deps: PipelineDeps) {}

  /**
   * The suggestion for the cursor, or undefined. `signal` is the editor's cancellation: it ends
   * this call, but a running request survives briefly in case the next keystroke can adopt it.
   */
  async provide(req: CompletionRequest, signal: AbortSignal): Promise<CompletionResult | undefined> {
    const { clock } = this.deps;
    const s = this.deps.settings();
    const doc = this.docState(req.docKey);
    doc.rhythm.note(clock.now());
    this.cancelPending(doc);
    if (signal.aborted) return undefined;

    const active = this.deps.provider();
    const win = buildWindow(req.doc, req.line, req.character, { maxTokens: this.windowTokens(s, req), suffixShare: SUFFIX_SHARE });
    if (s.multiline === 'never') win.multiline = false;

    // 1. Typing through the suggestion on screen: show its rest, ask nothing.
    const through = doc.shown && typedThrough(doc.shown, win.prefix, win.suffix);
    if (through) {
      // A request that no longer fits what was typed (it was made for text the user has replaced)
      // can never be shown: stop it here, as the editor may never cancel the call waiting for it.
      // One that still fits - e.g. the stream behind a long suggestion shown early - keeps going.
      if (doc.flight && !isConsistent(doc.flight, win)) this.cancelFlight(doc);
      this.stats.typingThroughHits++;
      this.noteCached();
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
      this.noteCached();
      return fromCache ? this.show(doc, win, fromCache, 'cache') : undefined;
    }

    // 3. A running request that agrees with what was typed since it started: keep it.
    const flight = doc.flight;
    if (flight && isConsistent(flight, win)) {
      this.stats.reuseHits++;
      return this.await(doc, flight, win, signal, 'reuse');
    }
    this.cancelFlight(doc);

    // Mid-word (text right after the cursor continues a word): a suggestion cannot fit.
    if (/^\w/.test(win.lineSuffix)) return undefined;
    // After a finished statement the user's next key is Enter; the new line gets its own request
    // (unless the user asked explicitly).
    if (!req.immediate && !win.multiline && endsStatement(win.linePrefix, win.lineSuffix)) return undefined;

    // 4. Debounce: wait for a pause in typing.
    const go = await this.debounce(doc, req.immediate ? 0 : doc.rhythm.delay({ floorMs: s.debounceMs, capMs: Math.max(s.debounceMs, DEBOUNCE_CAP_MS), adaptive: s.adaptiveDebounce }), signal);
    if (!go || signal.aborted) return undefined;
    const now = this.deps.provider();
    if (!now) return undefined;

    // 5. One request per editor.
    this.cancelFlight(doc);
    const started = this.start(doc, now, req, win, key, s);
    return this.await(doc, started, win, signal, 'model');
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
    this.flushCached();
  }

  /** Empties the cache (e.g. the model changed). */
  reset(): void {
    this.cache.clear();
    for (const doc of this.docs.values()) doc.shown = undefined;
  }

  private windowTokens(s: PipelineSettings, req: CompletionRequest): number {
    const snippetTokens = (req.snippets ?? []).reduce((n, sn) => n + estimateTokens(sn.text) + 8, 0);
    return Math.max(128, s.contextTokens - snippetTokens);
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
    return { text, source };
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

  private cancelFlight(doc: DocState): void {
    const f = doc.flight;
    if (!f) return;
    doc.flight = undefined;
    if (f.graceTimer !== undefined) this.deps.clock.clearTimeout(f.graceTimer);
    f.userCancelled = true;
    f.controller.abort();
  }

  /** Waits for a flight on behalf of one caller; the text is relative to the caller's window. */
  private async await(doc: DocState, flight: Flight, win: PromptWindow, signal: AbortSignal, source: ResultSource): Promise<CompletionResult | undefined> {
    const { clock } = this.deps;
    if (flight.graceTimer !== undefined) {
      clock.clearTimeout(flight.graceTimer);
      flight.graceTimer = undefined;
    }
    flight.waiters++;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      flight.waiters--;
      if (flight.waiters === 0 && doc.flight === flight) {
        // Nobody waits: give the next keystroke a moment to adopt it, else stop the server.
        flight.graceTimer = clock.setTimeout(() => {
          flight.graceTimer = undefined;
          if (flight.waiters === 0 && doc.flight === flight) this.cancelFlight(doc);
        }, ADOPT_GRACE_MS);
      }
    };
    const aborted = new Promise<undefined>((resolve) => {
      if (signal.aborted) resolve(undefined);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    const result = await Promise.race([flight.result, aborted]);
    leave();
    if (!result || signal.aborted) return undefined;
    const typed = win.prefix.length - flight.win.prefix.length;
    if (typed > 0 && !result.text.startsWith(win.prefix.slice(flight.win.prefix.length))) return undefined;
    const rest = result.text.slice(Math.max(0, typed));
    if (!rest) return undefined;
    if (!flight.counted) {
      flight.counted = true;
      this.stats.shownTokens += shownPieces(flight, result.usedRaw);
    }
    return this.show(doc, win, rest, source);
  }

  private start(doc: DocState, active: ActiveProvider, req: CompletionRequest, win: PromptWindow, key: string, s: PipelineSettings): Flight {
    const { clock } = this.deps;
    const family = resolveFamily(active.model, s.template);
    const rawPrompt = family?.build({ prefix: win.prefix, suffix: win.suffix, path: req.path, languageId: req.languageId, repoName: req.repoName, snippets: req.snippets });
    const stop = stopsFor(family);
    if (!win.multiline) stop.push('\n'); // one line: the server stops by itself at its end
    const fimReq: FimRequest = { model: active.model, prefix: win.prefix, suffix: win.suffix, rawPrompt, maxTokens: s.maxTokens, temperature: s.temperature, stop, keepAlive: s.keepAlive };
    const estimated: TokenUsage = { promptTokens: estimateTokens(rawPrompt ?? win.prefix + win.suffix), completionTokens: 0 };

    const flight: Flight = {
      id: newId(), win, controller: new AbortController(), raw: '', pieces: [], waiters: 0,
      stoppedEarly: false, userCancelled: false, tokens: 0, counted: false, result: Promise.resolve(undefined),
    };
    doc.flight = flight;
    this.stats.requests++;
    const ctx: PostContext = { linePrefix: win.linePrefix, lineSuffix: win.lineSuffix, prefix: win.prefix, suffix: win.suffix, multiline: win.multiline };
    const t0 = clock.now();
    const time = (this.deps.now?.() ?? new Date()).toISOString();
    let ttftMs: number | undefined;
    let timedOut = false;
    const timeout = clock.setTimeout(() => {
      timedOut = true;
      flight.controller.abort();
    }, s.timeoutMs);
    const thinking = clock.setTimeout(() => this.setState('thinking'), THINKING_AFTER_MS);

    /** Enough for the suggestion: the server stops generating. */
    const stopEarly = (cutLastLine: boolean) => {
      flight.stoppedEarly = true;
      flight.cutLastLine = cutLastLine;
      flight.controller.abort();
    };
    const onText = (delta: string) => {
      if (!delta || flight.controller.signal.aborted) return;
      ttftMs ??= clock.now() - t0;
      flight.pieces.push(flight.raw.length);
      flight.raw += delta;
      const elapsed = clock.now() - t0;
      if (isStreamDone(flight.raw, ctx)) stopEarly(false);
      // A long block would arrive after the user resumed typing: show the complete lines now.
      else if (win.multiline && elapsed >= MULTILINE_BUDGET_MS && /\S[^\n]*\n/.test(flight.raw)) stopEarly(true);
      // A long line: its words so far, at a punctuation boundary; typing through to its end asks for the rest.
      else if (!win.multiline && elapsed >= SINGLE_LINE_BUDGET_MS && /[^\w\s]$/.test(delta) && /\w\W+\w/.test(flight.raw)) stopEarly(false);
    };

    /** `reported`: the egress gate already recorded this refusal, so no second event for it. */
    const finish = (outcome: ModelCallEvent['outcome'], usage: TokenUsage | undefined, error?: string, reported = false) => {
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
      else if (this.state === 'thinking') this.setState(this.slowNow(s.slowMs) ? 'slow' : 'ready');
      if (reported) return;
      this.deps.emit({
        id: flight.id, time, kind: 'completion', route: 'local',
        reasons: [outcome === 'cancelled' ? 'completion cancelled: the user kept typing' : 'completions are always local'],
        provider: active.id, model: active.model, endpointClass: active.endpointClass,
        estimated: { ...estimated, completionTokens: flight.pieces.length },
        usage, ttftMs, totalMs, outcome, error,
      });
    };

    flight.result = (async (): Promise<FlightResult | undefined> => {
      try {
        const res = await active.fim.complete(fimReq, onText, flight.controller.signal);
        if (flight.userCancelled) {
          finish('cancelled', res.usage);
          return undefined;
        }
        if (timedOut) {
          finish('failed', res.usage, `timed out after ${s.timeoutMs} ms`);
          this.deps.onError?.(new ProviderError('timeout', `The local model did not finish within ${s.timeoutMs} ms.`));
          return undefined;
        }
        const finishReason = flight.cutLastLine ? 'length' : flight.stoppedEarly ? 'stop' : res.finishReason;
        const text = postProcess(flight.raw, { ...ctx, finishReason });
        this.cache.set(key, { prefix: win.prefix, suffix: win.suffix, text });
        finish('served', res.usage);
        this.deps.onSuccess?.();
        return { text, usedRaw: usedRawLength(flight.raw, text) };
      } catch (err) {
        const e = err instanceof ProviderError ? err : new ProviderError('server', `The local model failed: ${(err as Error)?.message ?? String(err)}`);
        if (flight.userCancelled) {
          finish('cancelled', undefined);
          return undefined;
        }
        finish('failed', undefined, e.message, blockReportedByGate(err));
        this.deps.onError?.(e);
        return undefined;
      }
    })();
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

  /** One 'cached' event per quiet period, however many hits: the ledger needs the count, not a flood. */
  private noteCached(): void {
    this.cachedPending++;
    if (this.cachedTimer !== undefined) this.deps.clock.clearTimeout(this.cachedTimer);
    this.cachedTimer = this.deps.clock.setTimeout(() => this.flushCached(), CACHED_FLUSH_MS);
  }

  private flushCached(): void {
    if (this.cachedTimer !== undefined) this.deps.clock.clearTimeout(this.cachedTimer);
    this.cachedTimer = undefined;
    const n = this.cachedPending;
    if (!n) return;
    this.cachedPending = 0;
    const active = this.deps.provider();
    this.deps.emit({
      id: newId(), time: (this.deps.now?.() ?? new Date()).toISOString(), kind: 'completion', route: 'local',
      reasons: [`${n} suggestion${n === 1 ? '' : 's'} from cache or typing-through (no model call)`],
      provider: active?.id ?? 'ollama', model: active?.model ?? '', endpointClass: active?.endpointClass ?? 'machine',
      estimated: { promptTokens: 0, completionTokens: 0 }, totalMs: 0, outcome: 'cached',
    });
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
