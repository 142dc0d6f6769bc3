// A ledger record: one model call as it happened, with what it cost. Never prompt or completion text.
import type { CostSettings } from '../settings/cost';
import type { ModelCallEvent, ServerTiming } from '../types';
import { findPrice, UNPRICED_MODEL_PRICE, type ModelPrice } from './prices';
import { localCostUsd, usageCostUsd } from './usage';

export const LEDGER_VERSION = 1;

/** A line the reader skipped. Line numbers are 1-based. */
export interface LedgerProblem {
  file: string;
  line: number;
  kind: 'corrupt' | 'truncated';
}

export interface LedgerRecord extends ModelCallEvent {
  /** Schema version; every line starts with it so a reader can resynchronise after a torn line. */
  v: typeof LEDGER_VERSION;
  /** Stable, non-reversible id of the workspace (never its path). */
  workspace: string;
  /** Cost of the estimated tokens at the model's price, before the call. Cloud only. */
  estimatedCostUsd?: number;
  /**
   * What the call cost. Cloud: provider-reported usage x price (absent when the provider reported no usage
   * or the model's price is unknown). Local: inference time x the local hourly rate.
   */
  billedCostUsd?: number;
  /** Local rate in force when the call was recorded, so old records keep their meaning. */
  localRatePerHourUsd?: number;
  /**
   * The cloud stream failed or was cancelled part-way: `usage` holds what the provider reported before it failed plus an
   * estimate of the rest from the text received, and `billedCostUsd` is an estimate of what it bills.
   */
  usageEstimated?: true;
  /** The model has no known price: the costs are at UNPRICED_MODEL_PRICE, a conservative stand-in. */
  priceAssumed?: true;
}

/** Whether a record's cost is an estimate rather than provider-reported usage at a known price. */
export function costIsEstimate(r: LedgerRecord): boolean {
  return r.billedCostUsd === undefined || r.usageEstimated === true || r.priceAssumed === true;
}

export type PriceLookup = (model: string) => ModelPrice | undefined;

export function priceLookup(settings: Pick<CostSettings, 'prices'>): PriceLookup {
  const cache = new Map<string, ModelPrice | undefined>();
  return (model) => {
    if (!cache.has(model)) cache.set(model, findPrice(model, settings.prices));
    return cache.get(model);
  };
}

/** The cost fields of a call. Pure: the same event and settings always give the same numbers. */
export function costOf(
  e: ModelCallEvent,
  settings: Pick<CostSettings, 'localRatePerHourUsd' | 'prices'>,
  price: PriceLookup = priceLookup(settings),
): Pick<LedgerRecord, 'estimatedCostUsd' | 'billedCostUsd' | 'localRatePerHourUsd' | 'usageEstimated' | 'priceAssumed'> {
  if (e.route === 'blocked' || e.outcome === 'blocked' || e.outcome === 'cached') {
    return { billedCostUsd: 0 }; // nothing ran
  }
  if (e.route === 'local') {
    // A local call costs the machine's time. A call that failed before the model produced anything
    // (server unreachable, model missing) used no inference time worth charging.
    const ran = e.outcome === 'served' || e.outcome === 'cancelled' || e.usage !== undefined;
    const rate = settings.localRatePerHourUsd;
    return { billedCostUsd: ran ? localCostUsd(e.totalMs, rate) : 0, localRatePerHourUsd: rate };
  }
  // An unknown model still counts against the budget, at a conservative price, flagged as assumed.
  const known = price(e.model);
  const p = known ?? UNPRICED_MODEL_PRICE;
  const out: ReturnType<typeof costOf> = { estimatedCostUsd: usageCostUsd(p, e.estimated) };
  if (!known) out.priceAssumed = true;
  if (e.usage) {
    out.billedCostUsd = usageCostUsd(p, e.usage);
    // A failed call carries usage only when its stream failed after the provider accepted it; a cancelled
    // one, what was reported before the final count plus the text received. Both are estimates.
    if (e.outcome === 'failed' || e.outcome === 'cancelled') out.usageEstimated = true;
  } else if (e.outcome === 'failed') out.billedCostUsd = 0; // a rejected request (401, 429, 500) is not billed
  return out;
}

export function toRecord(e: ModelCallEvent, workspace: string, cost: ReturnType<typeof costOf>): LedgerRecord {
  // `v` first: the reader uses `{"v":` to find where a record starts.
  return { v: LEDGER_VERSION, ...stripText(e), workspace, ...cost };
}

// Only the known fields go to disk, so nothing a producer attaches by mistake (text, keys) is persisted.
function stripText(e: ModelCallEvent): ModelCallEvent {
  const out: ModelCallEvent = {
    id: e.id, time: canonicalTime(e.time), kind: e.kind, route: e.route, reasons: [...e.reasons], provider: e.provider,
    model: e.model, endpointClass: e.endpointClass, estimated: tokens(e.estimated), totalMs: e.totalMs, outcome: e.outcome,
  };
  if (e.usage) out.usage = tokens(e.usage);
  if (e.ttftMs !== undefined) out.ttftMs = e.ttftMs;
  const timing = wholeMs(e.timing);
  if (timing) out.timing = timing;
  if (e.error) out.error = e.error.slice(0, 300);
  return out;
}

const TIMING_KEYS = ['queueMs', 'loadMs', 'prefillMs', 'generationMs', 'inferenceMs'] as const;

/** The server's time split in whole ms, its known fields only; undefined when there is none. */
function wholeMs(t: ServerTiming | undefined): ServerTiming | undefined {
  if (!t) return undefined;
  const out: ServerTiming = {};
  for (const k of TIMING_KEYS) {
    const v = t[k];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[k] = Math.round(v);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function tokens(u: ModelCallEvent['estimated']): ModelCallEvent['estimated'] {
  const out: ModelCallEvent['estimated'] = { promptTokens: u.promptTokens, completionTokens: u.completionTokens };
  if (u.cacheReadTokens) out.cacheReadTokens = u.cacheReadTokens;
  if (u.cacheWriteTokens) out.cacheWriteTokens = u.cacheWriteTokens;
  return out;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Times are stored as `Date.toISOString()` (UTC, fixed width), so comparing strings compares instants. */
export function canonicalTime(time: string): string {
  if (ISO.test(time)) return time;
  const t = Date.parse(time);
  return Number.isNaN(t) ? time : new Date(t).toISOString();
}

/**
 * Validates a parsed ledger line (and canonicalizes its time, for records written by hand or by others). Lenient on optional fields (older or newer writers), strict on the
 * fields summaries depend on.
 */
export function isLedgerRecord(x: unknown): x is LedgerRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  if (typeof r.time !== 'string') return false;
  if (!ISO.test(r.time)) {
    if (Number.isNaN(Date.parse(r.time))) return false;
    r.time = canonicalTime(r.time);
  }
  return typeof r.id === 'string'
    && typeof r.kind === 'string' && typeof r.route === 'string' && typeof r.provider === 'string'
    && typeof r.model === 'string' && typeof r.outcome === 'string' && Array.isArray(r.reasons)
    && typeof r.totalMs === 'number' && typeof r.estimated === 'object' && r.estimated !== null
    && (r.billedCostUsd === undefined || typeof r.billedCostUsd === 'number')
    && (r.estimatedCostUsd === undefined || typeof r.estimatedCostUsd === 'number');
}
