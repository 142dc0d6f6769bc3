// Running totals of ledger records per local day: everything the status bar, budgets and the dashboard's
// summary need, without holding the records. Folding a record is O(1); a summary reads at most a month of
// day buckets. Plain JSON, so a month's aggregate is persisted beside its ledger file (see store.ts).
import type { ModelPrice } from './prices';
import { LONG_CONTEXT_TOKENS } from './prices';
import { costIsEstimate, type LedgerRecord } from './record';
import type { TokenUsage } from '../types';

export interface Totals {
  requests: number;
  /** Cloud spend billed from provider-reported usage. */
  cloudUsd: number;
  /**
   * Estimated cloud spend: calls the provider reported no usage for (e.g. cancelled streams), streams that
   * failed part-way, and models with no known price (at a conservative price).
   */
  cloudUnreportedUsd: number;
  /** Local inference cost (time x rate). */
  localUsd: number;
  cloudRequests: number;
  localRequests: number;
  blockedRequests: number;
  tokensIn: number;
  tokensOut: number;
}

export interface Bucket {
  requests: number;
  usd: number;
}

export interface ModelRow extends Bucket {
  provider: string;
  model: string;
  tokensIn: number;
  tokensOut: number;
}

/**
 * Tokens of local calls that ran, split the way a price applies to them, so their cloud-equivalent cost
 * can be priced later on whatever cloud model is configured then (cost is linear in each part). Calls
 * above the long-context threshold are kept apart: they are priced at the long-context rate.
 */
export interface TokenParts {
  uncached: number;
  cacheRead: number;
  cacheWrite: number;
  output: number;
}

export interface DayAggregate {
  totals: Totals;
  byRoute: Record<string, Bucket>;
  byKind: Record<string, Bucket>;
  byOutcome: Record<string, number>;
  /** Keyed by `provider/model`. */
  byModel: Record<string, ModelRow>;
  localTokens: TokenParts;
  localLongTokens: TokenParts;
  served: number;
  servedLocal: number;
  unpricedCloudCalls: number;
}

/** Day buckets keyed by local date `YYYY-MM-DD`. */
export type DayAggregates = Record<string, DayAggregate>;

export function emptyTotals(): Totals {
  return { requests: 0, cloudUsd: 0, cloudUnreportedUsd: 0, localUsd: 0, cloudRequests: 0, localRequests: 0, blockedRequests: 0, tokensIn: 0, tokensOut: 0 };
}

function emptyParts(): TokenParts {
  return { uncached: 0, cacheRead: 0, cacheWrite: 0, output: 0 };
}

export function emptyDay(): DayAggregate {
  return {
    totals: emptyTotals(), byRoute: {}, byKind: {}, byOutcome: {}, byModel: {},
    localTokens: emptyParts(), localLongTokens: emptyParts(), served: 0, servedLocal: 0, unpricedCloudCalls: 0,
  };
}

export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// Records come in time order, so most share the minute of the one before: remember the last answer.
let lastMinute = '';
let lastDay = '';
/** The local day of a record time (canonical ISO). Per minute, as time zones are offset by whole minutes. */
export function dayOfTime(iso: string): string {
  const minute = iso.slice(0, 16);
  if (minute !== lastMinute) {
    lastDay = dayKey(new Date(iso));
    lastMinute = minute;
  }
  return lastDay;
}

/** Adds one record to its day's bucket. The one rule for what every total counts. */
export function foldRecord(days: DayAggregates, r: LedgerRecord): void {
  const key = dayOfTime(r.time);
  const d = days[key] ??= emptyDay();
  const cloud = r.route === 'cloud';
  const estimate = cloud && costIsEstimate(r);
  const cost = estimate ? 0 : r.billedCostUsd ?? 0;
  const unreported = estimate ? r.billedCostUsd ?? r.estimatedCostUsd ?? 0 : 0;
  const usd = cost + unreported;
  if (cloud && (r.priceAssumed || (r.billedCostUsd === undefined && r.estimatedCostUsd === undefined))) d.unpricedCloudCalls++;
  const usage = r.usage ?? r.estimated;
  const tokIn = usage.promptTokens || 0; // cache tokens are part of it
  const tokOut = r.usage ? r.usage.completionTokens || 0 : 0;

  const t = d.totals;
  t.requests++;
  if (cloud) { t.cloudRequests++; t.cloudUsd += cost; t.cloudUnreportedUsd += unreported; }
  else if (r.route === 'local') { t.localRequests++; t.localUsd += cost; }
  else t.blockedRequests++;
  if (r.usage) { t.tokensIn += tokIn; t.tokensOut += tokOut; }

  const rb = d.byRoute[r.route] ??= { requests: 0, usd: 0 };
  rb.requests++; rb.usd += usd;
  const kb = d.byKind[r.kind] ??= { requests: 0, usd: 0 };
  kb.requests++; kb.usd += usd;
  d.byOutcome[r.outcome] = (d.byOutcome[r.outcome] ?? 0) + 1;
  if (r.route !== 'blocked') {
    const m = d.byModel[`${r.provider}/${r.model}`] ??= { provider: r.provider, model: r.model, requests: 0, usd: 0, tokensIn: 0, tokensOut: 0 };
    m.requests++;
    m.usd += usd;
    m.tokensIn += r.usage ? tokIn : 0;
    m.tokensOut += tokOut;
  }
  if (r.outcome === 'served') {
    d.served++;
    if (r.route === 'local') d.servedLocal++;
  }
  // Savings: only local calls that actually ran count, with their reported tokens (or the estimate).
  if (r.route === 'local' && (r.outcome === 'served' || r.outcome === 'cancelled')) addParts(d, usage);
}

function addParts(d: DayAggregate, u: TokenUsage): void {
  // The same clamping as usageCostUsd: cache parts never exceed the input they are part of.
  const totalInput = count(u.promptTokens);
  const cacheRead = Math.min(count(u.cacheReadTokens), totalInput);
  const cacheWrite = Math.min(count(u.cacheWriteTokens), totalInput - cacheRead);
  const p = totalInput > LONG_CONTEXT_TOKENS ? d.localLongTokens : d.localTokens;
  p.uncached += totalInput - cacheRead - cacheWrite;
  p.cacheRead += cacheRead;
  p.cacheWrite += cacheWrite;
  p.output += count(u.completionTokens);
}

/** USD of token parts at a price (`long`: the parts of calls above the long-context threshold). */
export function partsCostUsd(price: ModelPrice, parts: TokenParts, long = false): number {
  const p = long && price.longContext ? price.longContext : price;
  return (parts.uncached * p.input + parts.output * p.output + parts.cacheRead * (p.cacheRead ?? p.input)
    + parts.cacheWrite * (p.cacheWrite ?? p.input)) / 1e6;
}

export function addTotals(into: Totals, t: Totals): void {
  into.requests += t.requests;
  into.cloudUsd += t.cloudUsd;
  into.cloudUnreportedUsd += t.cloudUnreportedUsd;
  into.localUsd += t.localUsd;
  into.cloudRequests += t.cloudRequests;
  into.localRequests += t.localRequests;
  into.blockedRequests += t.blockedRequests;
  into.tokensIn += t.tokensIn;
  into.tokensOut += t.tokensOut;
}

/** Merges day buckets (e.g. this window's records not yet read back from the file) into `into`. */
export function mergeDays(into: DayAggregates, from: DayAggregates): void {
  for (const [key, f] of Object.entries(from)) {
    const d = into[key] ??= emptyDay();
    addTotals(d.totals, f.totals);
    for (const [k, b] of Object.entries(f.byRoute)) { const x = d.byRoute[k] ??= { requests: 0, usd: 0 }; x.requests += b.requests; x.usd += b.usd; }
    for (const [k, b] of Object.entries(f.byKind)) { const x = d.byKind[k] ??= { requests: 0, usd: 0 }; x.requests += b.requests; x.usd += b.usd; }
    for (const [k, n] of Object.entries(f.byOutcome)) d.byOutcome[k] = (d.byOutcome[k] ?? 0) + n;
    for (const [k, m] of Object.entries(f.byModel)) {
      const x = d.byModel[k] ??= { provider: m.provider, model: m.model, requests: 0, usd: 0, tokensIn: 0, tokensOut: 0 };
      x.requests += m.requests; x.usd += m.usd; x.tokensIn += m.tokensIn; x.tokensOut += m.tokensOut;
    }
    for (const part of ['localTokens', 'localLongTokens'] as const) {
      for (const k of Object.keys(f[part]) as (keyof TokenParts)[]) d[part][k] += f[part][k];
    }
    d.served += f.served;
    d.servedLocal += f.servedLocal;
    d.unpricedCloudCalls += f.unpricedCloudCalls;
  }
}

/** Cloud spend (billed + estimates) of today and of today's month: what budgets count. */
export function spendOf(days: DayAggregates, now: Date): { dailyUsd: number; monthlyUsd: number } {
  const today = dayKey(now);
  const month = today.slice(0, 7);
  let monthlyUsd = 0;
  for (const [key, d] of Object.entries(days)) {
    if (key.startsWith(month)) monthlyUsd += d.totals.cloudUsd + d.totals.cloudUnreportedUsd;
  }
  const t = days[today]?.totals;
  return { dailyUsd: t ? t.cloudUsd + t.cloudUnreportedUsd : 0, monthlyUsd };
}

/** Whether a value read back from disk has the shape of day buckets (numbers where numbers go). */
export function isDayAggregates(x: unknown): x is DayAggregates {
  if (typeof x !== 'object' || x === null) return false;
  for (const [key, d] of Object.entries(x as Record<string, unknown>)) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(key) || typeof d !== 'object' || d === null) return false;
    const day = d as Partial<DayAggregate>;
    if (!day.totals || typeof day.totals.requests !== 'number' || typeof day.totals.cloudUsd !== 'number'
      || !day.byRoute || !day.byKind || !day.byOutcome || !day.byModel || !day.localTokens || !day.localLongTokens
      || typeof day.served !== 'number') return false;
  }
  return true;
}

function count(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
