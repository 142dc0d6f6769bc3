import type { SettingsReader } from './reader';

export interface CostSettings {
  /** Daily cloud budget in USD; 0 means no cap. */
  dailyBudgetUsd: number;
  /** Monthly cloud budget in USD; 0 means no cap. */
  monthlyBudgetUsd: number;
}

export function parseCostSettings(r: SettingsReader): CostSettings {
  return {
    dailyBudgetUsd: r.number('budget.dailyUsd', { fallback: 0, min: 0, max: 100000 }),
    monthlyBudgetUsd: r.number('budget.monthlyUsd', { fallback: 0, min: 0, max: 1000000 }),
  };
}
