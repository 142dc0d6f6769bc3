import type { CostService, Services } from './services';

/** Ledger, budgets, status bar spend and the dashboard. */
export function registerCost(s: Services): CostService {
  return {
    budget: () => ({
      dailySpentUsd: 0, monthlySpentUsd: 0,
      dailyCapUsd: s.settings.current.cost.dailyBudgetUsd, monthlyCapUsd: s.settings.current.cost.monthlyBudgetUsd,
      exceeded: false, warning: false,
    }),
    priceUsd: () => undefined,
  };
}
