import { parsePriceOverride, type ModelPrice } from '../cost/prices';
import { invalid, type SettingsReader } from './reader';

export type OnCap = 'keep-local' | 'ask';

/**
 * Default local rate, USD per hour of inference: a $1,500 machine amortized over 3 years of 2 hours of
 * inference a day ($1500 / 2190 h = $0.685/h), plus 60 W at $0.30/kWh ($0.018/h).
 */
export const LOCAL_RATE_ASSUMPTIONS = {
  machineUsd: 1500, years: 3, hoursPerDay: 2, watts: 60, usdPerKwh: 0.3,
} as const;

export function defaultLocalRatePerHourUsd(a = LOCAL_RATE_ASSUMPTIONS): number {
  const hardware = a.machineUsd / (a.years * 365 * a.hoursPerDay);
  const energy = (a.watts / 1000) * a.usdPerKwh;
  return Math.round((hardware + energy) * 1000) / 1000;
}

export interface CostSettings {
  /** Daily cloud budget in USD; 0 means no cap. */
  dailyBudgetUsd: number;
  /** Monthly cloud budget in USD; 0 means no cap. */
  monthlyBudgetUsd: number;
  /** Warn once per period when cloud spend passes this share of a cap. */
  warnAtPercent: number;
  /** At a cap: keep requests local (reason "budget"), or ask before each cloud request. */
  onCap: OnCap;
  /** USD per hour of local inference. */
  localRatePerHourUsd: number;
  /** Per-model price overrides (USD per million tokens), validated; they win over the shipped table. */
  prices: Record<string, ModelPrice>;
}

// Budgets and prices are read from the user's scope only: a repository's settings must not be able to
// lift a cap or make cloud calls look cheaper.
export function parseCostSettings(r: SettingsReader): CostSettings {
  const user = { resolution: 'user' as const };
  return {
    dailyBudgetUsd: r.number('budget.dailyUsd', { fallback: 0, min: 0, max: 100000, ...user }),
    monthlyBudgetUsd: r.number('budget.monthlyUsd', { fallback: 0, min: 0, max: 1000000, ...user }),
    warnAtPercent: r.number('budget.warnAtPercent', { fallback: 80, min: 1, max: 100, ...user }),
    onCap: r.oneOf('budget.onCap', ['keep-local', 'ask'] as const, { fallback: 'keep-local', ...user }),
    localRatePerHourUsd: r.number('cost.localRatePerHourUsd', { fallback: defaultLocalRatePerHourUsd(), min: 0, max: 1000, ...user }),
    prices: r.record('cost.prices', (value) => {
      const price = parsePriceOverride(value);
      return typeof price === 'string' ? invalid(price) : price;
    }, { fallback: {}, ...user }),
  };
}
