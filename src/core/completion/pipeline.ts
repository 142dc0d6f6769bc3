// The completion pipeline, per keystroke: typing-through -> cache -> in-flight reuse -> debounce
// -> one model request per editor -> post-processing -> cache. Plain TypeScript with an injected
// clock, so every timing decision is tested without an editor or real time.
import { CompletionCache, typedThrough } from './cache';
import { countShown, startFlight, type DocState, type Flight, type FlightHost } from './flight';
import { CachedHits } from './ledgerEvents';
import type { ActiveProvider, CompletionRequest, CompletionResult, PipelineDeps, PipelineStats, ResultSource } from './pipelineTypes';
import { endsLine, endsStatement, isMidWord, suppliedClosers } from './postprocess';
import { cacheKey, isConsistent, restAfterTyped } from './reuse';
import { TypingRhythm } from './rhythm';
import { ModelSpeed } from './speed';
import { PipelineStatus } from './status';
import { buildWindow, estimateTokens, type PromptWindow } from './window';

export type { ActiveProvider, CompletionRequest, CompletionResult, PipelineDeps, PipelineSettings, PipelineState, PipelineStats, ResultSource } from './pipelineTypes';
export { PARTIAL_LINE_MS, SINGLE_LINE_BUDGET_MS } from './flight';

/** How long a request whose caller went away may wait for the next keystroke to adopt it. */
export const ADOPT_GRACE_MS = 250;
const DEBOUNCE_CAP_MS = 450;
const ACCEPTED_WAIT_MS = 100;
const SUFFIX_SHARE = 0.12;
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

export class CompletionPipeline {
  readonly stats: PipelineStats = { requests: 0, served: 0, cancelled: 0, failed: 0, cacheHits: 0, typingThroughHits: 0, reuseHits: 0, generatedTokens: 0, shownTokens: 0, modelMs: 0 };
  readonly cache = new CompletionCache({ maxEntries: 500, maxBytes: 8 * 1024 * 1024 });
  private readonly docs = new Map<string, DocState>();
  private readonly cachedHits: CachedHits;
  private readonly speed = new ModelSpeed();
  private readonly status: PipelineStatus;
  private readonly flights: FlightHost;

  constructor(private readonly deps: PipelineDeps) {
    this.cachedHits = new CachedHits(deps);
    this.status = new PipelineStatus(deps);
    this.flights = { deps, stats: this.stats, cache: this.cache, speed: this.speed, status: this.status };
  }

  /**
   * The suggestion for the cursor, or undefined. `signal` is the editor's cancellation: it ends
   * this call, but a running request survives briefly in case the next keystroke can adopt it.
   */
  async provide(req: CompletionRequest, signal: AbortSignal): Promise<CompletionResult | undefined> {
    const { clock } = this.deps;
    const s = this.deps.settings();
    const doc = this.docState(req.docKey);
    this.answered(doc);
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
    // Right after Tab took a suggestion to the end of its line the next key is Enter: ask for the next
    // lines almost at once (Cody's smart throttle), so the pause before Enter shows them sooner; a key
    // within ACCEPTED_WAIT_MS is the user typing on, and costs no request.
    const accepted = win.nextLine === true && doc.shown !== undefined && win.suffix === doc.shown.suffix && win.prefix === doc.shown.prefix + doc.shown.text;
    const go = await this.debounce(doc, req.immediate ? 0 : accepted ? ACCEPTED_WAIT_MS : wait, signal);
    if (!go || signal.aborted) return undefined;
    const now = this.deps.provider(req);
    if (!now) return undefined;

    // 5. One request per editor.
    this.cancelFlight(doc);
    const started = startFlight(this.flights, doc, now, req, win, key, s);
    return this.await(doc, started, win, signal, 'model');
  }

  /**
   * The document changed. The running request was made for the text before the change: unless the
   * editor calls for the new text within ADOPT_GRACE_MS (and keeps the request, if it still fits),
   * it stops. The editor may call late, or never cancel the call still waiting for the old text,
   * and the server should not generate for nothing meanwhile.
   */
  edited(docKey: string): void {
    const doc = this.docs.get(docKey);
    const flight = doc?.flight;
    if (!doc || !flight || flight.done || doc.editTimer !== undefined) return;
    doc.editTimer = this.deps.clock.setTimeout(() => {
      doc.editTimer = undefined;
      if (doc.flight === flight) this.cancelFlight(doc);
    }, ADOPT_GRACE_MS);
  }

  /** The editor called after an edit: the request is its to keep or replace. */
  private answered(doc: DocState): void {
    if (doc.editTimer === undefined) return;
    this.deps.clock.clearTimeout(doc.editTimer);
    doc.editTimer = undefined;
  }

  /** The editor closed or the user left it: stop its work. */
  forget(docKey: string): void {
    const doc = this.docs.get(docKey);
    if (!doc) return;
    this.answered(doc);
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
          countShown(this.stats, flight, cur.usedRaw);
          return this.show(doc, win, rest, source);
        }
        if (flight.done) {
          // Asked again from the next line: wait for that request instead.
          return flight.next && doc.flight === flight.next ? await this.await(doc, flight.next, win, signal, source) : undefined;
        }
        await Promise.race([flight.changed, aborted]);
      }
    } finally {
      leave();
    }
  }
}
