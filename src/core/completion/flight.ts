// One model request per editor: it streams, stops as soon as it has enough for the suggestion, shows
// a block's complete lines (or a slow first line's words) while the rest streams, and asks the
// editor to show more when it grows (`onMore`). Timing runs on the pipeline's injected clock.
import { newId } from '../ids';
import { blockReportedByGate } from '../privacy/egress';
import { ProviderError, type FimRequest, type StreamResult } from '../providers/types';
import type { ModelCallEvent, TokenUsage } from '../types';
import type { CachedCompletion, CompletionCache } from './cache';
import { modelCallEvent } from './ledgerEvents';
import type { ActiveProvider, CompletionRequest, PipelineDeps, PipelineSettings, PipelineStats } from './pipelineTypes';
import { continuesWithNextLine, isStreamDone, onNextLine, postProcess, reachesNextLine, type PostContext } from './postprocess';
import type { TypingRhythm } from './rhythm';
import type { ModelSpeed } from './speed';
import type { PipelineStatus } from './status';
import { contextHeader, resolveFamily, stopsFor } from './templates';
import { estimateTokens, type PromptWindow } from './window';
import { errorMessage } from '../errors';

/** A request running this long shows "thinking"; shorter ones never touch the status bar. */
const THINKING_AFTER_MS = 400;
/** A single line still streaming this long after the request started stops with what it has. */
export const SINGLE_LINE_BUDGET_MS = 1000;
/** A first line still streaming this long shows its words so far; the rest follows when complete. */
export const PARTIAL_LINE_MS = 500;
/** Characters of text before the cursor that identify where a block ended. */
const BLOCK_END_TAIL = 160;

export interface Flight {
  id: string;
  /** The model went on on the finished line; `next` asks again from the next line. */
  glued?: boolean;
  next?: Flight;
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

export interface FlightResult {
  text: string;
  /** Raw length the shown text came from, for counting shown tokens. */
  usedRaw: number;
}

export interface DocState {
  rhythm: TypingRhythm;
  pending?: { timer: unknown; resolve: (go: boolean) => void };
  flight?: Flight;
  /** Started by an edit; the editor's next call clears it, else the flight stops (`edited`). */
  editTimer?: unknown;
  /** The suggestion last returned for this document. */
  shown?: CachedCompletion;
  /**
   * Where the last block ended because the model went on with code that is already there (the end
   * of the block, the file's next lines): after that block, it has nothing new to add.
   */
  blockEnd?: { prefixTail: string; suffix: string };
}

/** What a flight uses of the pipeline that starts it. */
export interface FlightHost {
  deps: PipelineDeps;
  stats: PipelineStats;
  cache: CompletionCache;
  speed: ModelSpeed;
  status: PipelineStatus;
}

/** Starts one model request for `doc`: it streams, stops early when it has enough, and shows partials. */
export function startFlight(host: FlightHost, doc: DocState, active: ActiveProvider, req: CompletionRequest, win: PromptWindow, key: string, s: PipelineSettings, lead = ''): Flight {
  const { clock } = host.deps;
  const family = resolveFamily(active.model, s.template);
  // `lead`: text the prompt adds after the cursor (a newline and indentation), which the suggestion starts with.
  const prefix = win.prefix + lead;
  const rawPrompt = family?.build({ prefix, suffix: win.suffix, path: req.path, languageId: req.languageId, repoName: req.repoName, snippets: req.snippets });
  const stop = stopsFor(family);
  if (!win.multiline) stop.push('\n'); // one line: the server stops by itself at its end
  const header = contextHeader({ path: req.path, languageId: req.languageId, snippets: req.snippets });
  // The prompt tokens are estimated from what the provider sent (its own template, or ours).
  const estimated: TokenUsage = { promptTokens: estimateTokens(rawPrompt ?? header + prefix + win.suffix), completionTokens: 0 };
  const onSend = (prompt: string, suffix?: string) => {
    estimated.promptTokens = estimateTokens(prompt + (suffix ?? ''));
  };
  const fimReq: FimRequest = { model: active.model, prefix, suffix: win.suffix, rawPrompt, header, onSend, maxTokens: s.maxTokens, temperature: s.temperature, stop, keepAlive: s.keepAlive };

  const flight: Flight = {
    id: newId(), win, controller: new AbortController(), raw: lead, pieces: [], waiters: 0,
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
    if (!doc.shown || doc.shown.suffix !== win.suffix || doc.shown.prefix + doc.shown.text !== win.prefix + part || !host.deps.onMore) return;
    countShown(host.stats, flight, next.usedRaw);
    host.deps.onMore(req.docKey);
  };
  doc.flight = flight;
  host.stats.requests++;
  const ctx: PostContext = { linePrefix: win.linePrefix, lineSuffix: win.lineSuffix, prefix: win.prefix, suffix: win.suffix, multiline: win.multiline, nextLine: win.nextLine };
  const t0 = clock.now();
  const time = (host.deps.now?.() ?? new Date()).toISOString();
  let ttftMs: number | undefined;
  let lastPieceMs = 0;
  let timedOut = false;
  const timeout = clock.setTimeout(() => {
    timedOut = true;
    flight.controller.abort();
  }, s.timeoutMs);
  const thinking = clock.setTimeout(() => host.status.setState('thinking'), THINKING_AFTER_MS);

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
    // Glued onto the finished line (`}` then `* doc`): stop here and ask once more from the next line.
    if (!lead && ctx.nextLine && /\S/.test(flight.raw) && !onNextLine(flight.raw, ctx.linePrefix)) {
      flight.glued = true;
      stopEarly();
    } else if (isStreamDone(flight.raw, ctx)) stopEarly();
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
    host.stats.generatedTokens += flight.tokens;
    host.stats.modelMs += totalMs;
    if (outcome === 'served') host.stats.served++;
    else if (outcome === 'cancelled') host.stats.cancelled++;
    else host.stats.failed++;
    if (outcome === 'served') host.status.noteLatency(totalMs, s.slowMs);
    if (outcome !== 'failed') host.speed.note(ttftMs, lastPieceMs, flight.pieces.length);
    else if (host.status.state === 'thinking') host.status.setState(host.status.slowNow(s.slowMs) ? 'slow' : 'ready');
    if (reported) return;
    host.deps.emit(modelCallEvent({ id: flight.id, time, active, estimated, pieces: flight.pieces.length, res, ttftMs, totalMs, outcome, error }));
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
        host.deps.onError?.(new ProviderError('timeout', `The local model did not finish within ${s.timeoutMs} ms.`), active);
        return undefined;
      }
      const finishReason = flight.cutLastLine ? 'length' : flight.stoppedEarly ? 'stop' : res.finishReason;
      const text = postProcess(flight.raw, { ...ctx, finishReason });
      if (!text && flight.glued && flight.waiters > 0) {
        finish('served', res);
        host.deps.onSuccess?.(active);
        // Someone still waits: once more, with the prompt ending on the next line at this line's indentation: the model
        // then writes that line instead of more of this one. Its callers follow it (`next`).
        flight.next = startFlight(host, doc, active, req, win, key, s, '\n' + /^[ \t]*/.exec(win.linePrefix)![0]);
        return undefined;
      }
      if (win.multiline && text && continuesWithNextLine(flight.raw.slice(usedRawLength(flight.raw, text)), win.suffix)) {
        doc.blockEnd = { prefixTail: (win.prefix + text).slice(-BLOCK_END_TAIL), suffix: win.suffix };
      }
      host.cache.set(key, { prefix: win.prefix, suffix: win.suffix, text });
      finish('served', res);
      host.deps.onSuccess?.(active);
      return { text, usedRaw: usedRawLength(flight.raw, text) };
    } catch (err) {
      const e = err instanceof ProviderError ? err : new ProviderError('server', `The local model failed: ${errorMessage(err)}`);
      if (flight.userCancelled) {
        finish('cancelled', undefined);
        return undefined;
      }
      finish('failed', undefined, e.message, blockReportedByGate(err));
      host.deps.onError?.(e, active);
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

/** Counts the pieces of `flight` a shown suggestion came from. */
export function countShown(stats: PipelineStats, flight: Flight, usedRaw: number): void {
  const n = shownPieces(flight, usedRaw);
  if (n > flight.countedPieces) {
    stats.shownTokens += n - flight.countedPieces;
    flight.countedPieces = n;
  }
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
