// Budgets: daily and monthly caps on cloud spend, a warning threshold, and which notices are due.
import type { CostSettings } from '../settings/cost';
import type { BudgetState } from '../types';
import { formatUsd } from './usd';

export function budgetState(spend: { dailyUsd: number; monthlyUsd: number }, s: Pick<CostSettings, 'dailyBudgetUsd' | 'monthlyBudgetUsd' | 'warnAtPercent'>): BudgetState {
  const over = (spent: number, cap: number, share: number) => cap > 0 && spent >= cap * share;
  const warnShare = s.warnAtPercent / 100;
  return {
    dailySpentUsd: spend.dailyUsd,
    monthlySpentUsd: spend.monthlyUsd,
    dailyCapUsd: s.dailyBudgetUsd,
    monthlyCapUsd: s.monthlyBudgetUsd,
    exceeded: over(spend.dailyUsd, s.dailyBudgetUsd, 1) || over(spend.monthlyUsd, s.monthlyBudgetUsd, 1),
    warning: over(spend.dailyUsd, s.dailyBudgetUsd, warnShare) || over(spend.monthlyUsd, s.monthlyBudgetUsd, warnShare),
  };
}

/** Share of the tighter cap used, 0..1+ (undefined when there is no cap). */
export function budgetUse(b: BudgetState): number | undefined {
  const shares = [
    b.dailyCapUsd > 0 ? b.dailySpentUsd / b.dailyCapUsd : undefined,
    b.monthlyCapUsd > 0 ? b.monthlySpentUsd / b.monthlyCapUsd : undefined,
  ].filter((x): x is number => x !== undefined);
  return shares.length ? Math.max(...shares) : undefined;
}

export interface BudgetNotice {
  /** Unique per period and level, e.g. `daily:2025-06-01:warn`: a notice is shown once per key. */
  key: string;
  level: 'warn' | 'cap';
  message: string;
}

/**
 * Notices due for the current state, excluding those already shown (`shown` holds their keys).
 * `day` is YYYY-MM-DD; the month is its first 7 characters.
 */
export function dueNotices(b: BudgetState, s: Pick<CostSettings, 'warnAtPercent' | 'onCap'>, day: string, shown: ReadonlySet<string>): BudgetNotice[] {
  const out: BudgetNotice[] = [];
  const atCap = s.onCap === 'ask' ? 'requests stay local unless you allow the cloud' : 'requests stay local until then';
  const check = (period: 'daily' | 'monthly', id: string, spent: number, cap: number, until: string) => {
    if (cap <= 0) return;
    if (spent >= cap) {
      const key = `${period}:${id}:cap`;
      if (!shown.has(key)) out.push({ key, level: 'cap', message: `The ${period} cloud budget of ${formatUsd(cap)} is used up (${formatUsd(spent)}); ${atCap} (${until}).` });
    } else if (spent >= cap * (s.warnAtPercent / 100)) {
      const key = `${period}:${id}:warn`;
      if (!shown.has(key)) out.push({ key, level: 'warn', message: `Cloud spend is at ${Math.floor((spent / cap) * 100)}% of the ${period} budget (${formatUsd(spent)} of ${formatUsd(cap)}).` });
    }
  };
  check('daily', day, b.dailySpentUsd, b.dailyCapUsd, 'tomorrow');
  check('monthly', day.slice(0, 7), b.monthlySpentUsd, b.monthlyCapUsd, 'next month');
  return out;
}

/** The key under which the user allowed the cloud past a cap for one period (`onCap: "ask"`). */
export function allowanceKey(period: 'daily' | 'monthly', day: string): string {
  return period === 'daily' ? `daily:${day}` : `monthly:${day.slice(0, 7)}`;
}

/**
 * With `onCap: "ask"`, a cap the user chose to go past for the current period no longer keeps requests
 * local. A cap without such an allowance still does.
 */
export function withAllowances(b: BudgetState, allowed: ReadonlySet<string>, day: string): BudgetState {
  if (!b.exceeded) return b;
  const dailyOver = b.dailyCapUsd > 0 && b.dailySpentUsd >= b.dailyCapUsd && !allowed.has(allowanceKey('daily', day));
  const monthlyOver = b.monthlyCapUsd > 0 && b.monthlySpentUsd >= b.monthlyCapUsd && !allowed.has(allowanceKey('monthly', day));
  return { ...b, exceeded: dailyOver || monthlyOver };
}
