// The dashboard's summary of a month: per day and month, by route, model and kind; savings; projection.
// Built from per-day aggregates (aggregate.ts), so its cost does not grow with the number of records.
import type { Outcome, RequestKind, Route } from '../types';
import { addTotals, dayKey, emptyTotals, foldRecord, mergeDays, partsCostUsd, spendOf, type Bucket, type DayAggregates, type ModelRow, type Totals } from './aggregate';
import type { ModelPrice } from './prices';
import type { LedgerRecord } from './record';

export { dayKey, type Bucket, type ModelRow, type Totals } from './aggregate';

export interface DaySpend {
  /** YYYY-MM-DD, local time. */
  date: string;
  cloudUsd: number;
  localUsd: number;
  requests: number;
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

/** Summarizes the records of `now`'s month (records of other months are ignored). */
export function summarize(records: Iterable<LedgerRecord>, o: SummaryOptions): Summary {
  const days: DayAggregates = {};
  for (const r of records) foldRecord(days, r);
  return summaryOf(days, o);
}

/** The summary of `now`'s month from day buckets (buckets of other months are ignored). */
export function summaryOf(days: DayAggregates, o: SummaryOptions, ...more: DayAggregates[]): Summary {
  if (more.length) {
    const all: DayAggregates = {};
    for (const d of [days, ...more]) mergeDays(all, d);
    days = all;
  }
  const now = o.now;
  const day = dayKey(now);
  const month = day.slice(0, 7);
  const monthStartMs = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
  const monthEndMs = new Date(now.getFullYear(), now.getMonth() + 1, 1).getTime();

  const daily: DaySpend[] = [];
  for (let i = 1; i <= now.getDate(); i++) daily.push({ date: `${month}-${pad(i)}`, cloudUsd: 0, localUsd: 0, requests: 0 });
  const today = emptyTotals();
  const monthTotals = emptyTotals();
  const byRoute: Record<Route, Bucket> = { local: bucket(), cloud: bucket(), blocked: bucket() };
  const byKind: Record<RequestKind, Bucket> = { completion: bucket(), ask: bucket(), refactor: bucket(), architecture: bucket() };
  const byOutcome: Record<Outcome, number> = { served: 0, cancelled: 0, cached: 0, failed: 0, blocked: 0 };
  const models = new Map<string, ModelRow>();
  let cloudEquivalentUsd = 0;
  let unpricedCloudCalls = 0;
  let servedLocal = 0;
  let servedTotal = 0;

  for (const key of Object.keys(days).sort()) {
    if (!key.startsWith(month)) continue;
    const d = days[key];
    addTotals(monthTotals, d.totals);
    if (key === day) addTotals(today, d.totals);
    const spend = daily[Number(key.slice(8)) - 1];
    if (spend) {
      spend.requests += d.totals.requests;
      spend.cloudUsd += d.totals.cloudUsd + d.totals.cloudUnreportedUsd;
      spend.localUsd += d.totals.localUsd;
    }
    for (const [k, b] of Object.entries(d.byRoute)) { const x = byRoute[k as Route]; if (x) { x.requests += b.requests; x.usd += b.usd; } }
    for (const [k, b] of Object.entries(d.byKind)) { const x = byKind[k as RequestKind]; if (x) { x.requests += b.requests; x.usd += b.usd; } }
    for (const [k, n] of Object.entries(d.byOutcome)) if (k in byOutcome) byOutcome[k as Outcome] += n;
    for (const [k, m] of Object.entries(d.byModel)) {
      const x = models.get(k);
      if (x) { x.requests += m.requests; x.usd += m.usd; x.tokensIn += m.tokensIn; x.tokensOut += m.tokensOut; }
      else models.set(k, { ...m });
    }
    if (o.cloudPrice) cloudEquivalentUsd += partsCostUsd(o.cloudPrice, d.localTokens) + partsCostUsd(o.cloudPrice, d.localLongTokens, true);
    unpricedCloudCalls += d.unpricedCloudCalls;
    servedLocal += d.servedLocal;
    servedTotal += d.served;
  }

  // At least a day of history, so one early request does not project to a fortune.
  const elapsed = Math.max(now.getTime() - monthStartMs, 86_400_000);
  const cloudSoFar = monthTotals.cloudUsd + monthTotals.cloudUnreportedUsd;
  const projectedMonthCloudUsd = cloudSoFar * Math.max(1, (monthEndMs - monthStartMs) / elapsed);
  const localUsd = monthTotals.localUsd;
  const actualUsd = cloudSoFar + localUsd;
  return {
    day, month, today, monthTotals, daily, byRoute, byKind, byOutcome,
    byModel: [...models.values()].sort((a, b) => b.usd - a.usd || b.requests - a.requests),
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

function bucket(): Bucket {
  return { requests: 0, usd: 0 };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Cloud spend (billed + estimates) for today and this month: what budgets count. */
export function cloudSpend(records: Iterable<LedgerRecord>, now: Date): { dailyUsd: number; monthlyUsd: number } {
  const days: DayAggregates = {};
  for (const r of records) if (r.route === 'cloud') foldRecord(days, r);
  return spendOf(days, now);
}
