// Totals over ledger records: per day and month, by route, model and kind; savings; projection.
// Pure and single-pass, so 100,000 records summarize in the extension host without a worker.
import type { Outcome, RequestKind, Route } from '../types';
import type { ModelPrice } from './prices';
import { costIsEstimate, type LedgerRecord } from './record';
import { usageCostUsd } from './usage';

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

export interface DaySpend {
  /** YYYY-MM-DD, local time. */
  date: string;
  cloudUsd: number;
  localUsd: number;
  requests: number;
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

export interface Summary {
  /** YYYY-MM-DD and YYYY-MM the summary is for. */
  day: string;
  month: string;
  today: Totals;
  monthTotals: Totals;
  /** One entry per day of the month up to today. */
  daily: DaySpend[];
  byRoute: Record<Route, Bucket>;
  byKind: Record<RequestKind, Bucket>;
  byOutcome: Record<Outcome, number>;
  byModel: ModelRow[];
  savings: {
    /** What the month's local calls would have cost on the configured cloud model. */
    cloudEquivalentUsd: number;
    /** What they cost locally. */
    localUsd: number;
    /** cloudEquivalentUsd - localUsd. */
    savedUsd: number;
    /** The model priced against; `priced` false when its price is unknown (savings then 0). */
    cloudModel: string;
    priced: boolean;
  };
  /** This month: everything as it ran vs everything on the configured cloud model. */
  actualUsd: number;
  allCloudUsd: number;
  /** Cloud spend projected to the end of the month at the month's rate so far. */
  projectedMonthCloudUsd: number;
  /** Share of served requests that ran locally, 0..1. */
  localShare: number;
  /** Cloud calls on models with no known price (counted at a conservative price, as estimates). */
  unpricedCloudCalls: number;
}

export interface SummaryOptions {
  now: Date;
  /** The configured cloud model, for savings. */
  cloudModel: string;
  cloudPrice: ModelPrice | undefined;
}

export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function emptyTotals(): Totals {
  return { requests: 0, cloudUsd: 0, cloudUnreportedUsd: 0, localUsd: 0, cloudRequests: 0, localRequests: 0, blockedRequests: 0, tokensIn: 0, tokensOut: 0 };
}

/** Summarizes the records of `now`'s month (records of other months are ignored). */
export function summarize(records: Iterable<LedgerRecord>, o: SummaryOptions): Summary {
  const now = o.now;
  const day = dayKey(now);
  const month = day.slice(0, 7);
  const y = now.getFullYear();
  const mo = now.getMonth();
  const monthStartMs = new Date(y, mo, 1).getTime();
  const monthEndMs = new Date(y, mo + 1, 1).getTime();
  const { monthStart, monthEnd, dayStart, dayEnd } = bounds(now);

  const daily: DaySpend[] = [];
  const dayStarts: string[] = [];
  for (let i = 1; i <= now.getDate(); i++) {
    daily.push({ date: `${month}-${pad(i)}`, cloudUsd: 0, localUsd: 0, requests: 0 });
    dayStarts.push(new Date(y, mo, i).toISOString());
  }
  const today = emptyTotals();
  const monthTotals = emptyTotals();
  const byRoute: Record<Route, Bucket> = { local: bucket(), cloud: bucket(), blocked: bucket() };
  const byKind: Record<RequestKind, Bucket> = { completion: bucket(), ask: bucket(), refactor: bucket(), architecture: bucket() };
  const byOutcome: Record<Outcome, number> = { served: 0, cancelled: 0, cached: 0, failed: 0, blocked: 0 };
  const models = new Map<string, Map<string, ModelRow>>();
  let cloudEquivalentUsd = 0;
  let unpricedCloudCalls = 0;
  let servedLocal = 0;
  let servedTotal = 0;

  for (const r of records) {
    const t = r.time;
    if (!(t >= monthStart && t < monthEnd)) continue;
    const cloud = r.route === 'cloud';
    const estimate = cloud && costIsEstimate(r);
    const cost = estimate ? 0 : r.billedCostUsd ?? 0;
    const unreported = estimate ? r.billedCostUsd ?? r.estimatedCostUsd ?? 0 : 0;
    if (cloud && (r.priceAssumed || (r.billedCostUsd === undefined && r.estimatedCostUsd === undefined))) unpricedCloudCalls++;
    const usage = r.usage ?? r.estimated;
    const tokIn = usage.promptTokens || 0; // cache tokens are part of it
    const tokOut = r.usage ? r.usage.completionTokens || 0 : 0;

    add(monthTotals, r.route, cost, unreported, tokIn, tokOut, !!r.usage);
    if (t >= dayStart && t < dayEnd) add(today, r.route, cost, unreported, tokIn, tokOut, !!r.usage);
    const d = daily[dayIndex(dayStarts, t)];
    if (d) {
      d.requests++;
      if (cloud) d.cloudUsd += cost + unreported;
      else if (r.route === 'local') d.localUsd += cost;
    }
    const rb = byRoute[r.route as Route];
    if (rb) { rb.requests++; rb.usd += cost + unreported; }
    const kb = byKind[r.kind as RequestKind];
    if (kb) { kb.requests++; kb.usd += cost + unreported; }
    if (r.outcome in byOutcome) byOutcome[r.outcome as Outcome]++;
    if (r.route !== 'blocked') {
      let perProvider = models.get(r.provider);
      if (!perProvider) models.set(r.provider, perProvider = new Map());
      let m = perProvider.get(r.model);
      if (!m) perProvider.set(r.model, m = { provider: r.provider, model: r.model, requests: 0, usd: 0, tokensIn: 0, tokensOut: 0 });
      m.requests++;
      m.usd += cost + unreported;
      m.tokensIn += r.usage ? tokIn : 0;
      m.tokensOut += tokOut;
    }
    if (r.outcome === 'served') {
      servedTotal++;
      if (r.route === 'local') servedLocal++;
    }
    // Savings: only local calls that actually ran count; their provider-reported tokens (or the estimate)
    // priced on the configured cloud model.
    if (r.route === 'local' && o.cloudPrice && (r.outcome === 'served' || r.outcome === 'cancelled')) {
      cloudEquivalentUsd += usageCostUsd(o.cloudPrice, usage);
    }
  }

  // At least a day of history, so one early request does not project to a fortune.
  const elapsed = Math.max(now.getTime() - monthStartMs, 86_400_000);
  const cloudSoFar = monthTotals.cloudUsd + monthTotals.cloudUnreportedUsd;
  const projectedMonthCloudUsd = cloudSoFar * Math.max(1, (monthEndMs - monthStartMs) / elapsed);
  const localUsd = monthTotals.localUsd;
  const actualUsd = cloudSoFar + localUsd;
  return {
    day, month, today, monthTotals, daily, byRoute, byKind, byOutcome,
    byModel: [...models.values()].flatMap((m) => [...m.values()]).sort((a, b) => b.usd - a.usd || b.requests - a.requests),
    savings: {
      cloudEquivalentUsd, localUsd, savedUsd: o.cloudPrice ? cloudEquivalentUsd - localUsd : 0,
      cloudModel: o.cloudModel, priced: o.cloudPrice !== undefined,
    },
    actualUsd,
    allCloudUsd: cloudSoFar + (o.cloudPrice ? cloudEquivalentUsd : localUsd),
    projectedMonthCloudUsd,
    localShare: servedTotal ? servedLocal / servedTotal : 0,
    unpricedCloudCalls,
  };
}

function add(t: Totals, route: string, cost: number, unreported: number, tokIn: number, tokOut: number, reported: boolean): void {
  t.requests++;
  if (route === 'cloud') { t.cloudRequests++; t.cloudUsd += cost; t.cloudUnreportedUsd += unreported; }
  else if (route === 'local') { t.localRequests++; t.localUsd += cost; }
  else t.blockedRequests++;
  if (reported) { t.tokensIn += tokIn; t.tokensOut += tokOut; }
}

/**
 * `now`'s local month and day as ISO strings. Record times are canonical ISO strings (UTC, fixed width):
 * comparing them as strings against these is exact, and far cheaper than parsing 100,000 dates.
 */
function bounds(now: Date): { monthStart: string; monthEnd: string; dayStart: string; dayEnd: string } {
  const y = now.getFullYear();
  const mo = now.getMonth();
  const d = now.getDate();
  return {
    monthStart: new Date(y, mo, 1).toISOString(), monthEnd: new Date(y, mo + 1, 1).toISOString(),
    dayStart: new Date(y, mo, d).toISOString(), dayEnd: new Date(y, mo, d + 1).toISOString(),
  };
}

function dayIndex(starts: string[], t: string): number {
  // Days are at most 31: a short scan from the end beats anything clever (DST-safe, unlike t / 86400000).
  for (let i = starts.length - 1; i >= 0; i--) if (t >= starts[i]) return i;
  return -1;
}

function bucket(): Bucket {
  return { requests: 0, usd: 0 };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Cloud spend (billed + unreported estimates) for today and this month: what budgets count. */
export function cloudSpend(records: Iterable<LedgerRecord>, now: Date): { dailyUsd: number; monthlyUsd: number } {
  const { monthStart, monthEnd, dayStart, dayEnd } = bounds(now);
  let dailyUsd = 0;
  let monthlyUsd = 0;
  for (const r of records) {
    if (r.route !== 'cloud') continue;
    const t = r.time;
    if (!(t >= monthStart && t < monthEnd)) continue;
    const usd = r.billedCostUsd ?? r.estimatedCostUsd ?? 0;
    monthlyUsd += usd;
    if (t >= dayStart && t < dayEnd) dailyUsd += usd;
  }
  return { dailyUsd, monthlyUsd };
}
