// The dashboard's state message, built in the extension host from the ledger (pure: no editor, no I/O).
import type { Settings } from '../settings';
import { LOCAL_RATE_ASSUMPTIONS, defaultLocalRatePerHourUsd } from '../settings/cost';
import { budgetState, budgetUse } from './budget';
import type { HostMessage } from './dashboardProtocol';
import type { LedgerProblem } from './record';
import { PRICES_AS_OF, findPrice } from './prices';
import type { Summary, SummaryOptions } from './summary';
import { isCloudProvider, type ProviderId } from '../types';

export function configuredCloudModel(s: Settings): string {
  return s.providers.cloud.provider === 'anthropic' ? s.providers.cloud.anthropic.model : s.providers.cloud.openai.model;
}

export function localRateAssumptions(): string {
  const a = LOCAL_RATE_ASSUMPTIONS;
  return `$${a.machineUsd.toLocaleString('en-US')} machine over ${a.years} years at ${a.hoursPerDay} h/day of inference, `
    + `plus ${a.watts} W at $${a.usdPerKwh.toFixed(2)}/kWh = $${defaultLocalRatePerHourUsd().toFixed(3)}/h`;
}

export function summaryOptions(settings: Settings, now: Date): SummaryOptions {
  const cloudModel = configuredCloudModel(settings);
  return { now, cloudModel, cloudPrice: findPrice(cloudModel, settings.cost.prices) };
}

/** The state message from a month's summary (see LedgerStore.summary and summaryOptions). */
export function buildDashboardState(
  summary: Summary,
  problems: readonly LedgerProblem[],
  settings: Settings,
  loading = false,
): Extract<HostMessage, { type: 'state' }> {
  const c = settings.cost;
  // The summary's cloud totals are exactly what budgets count (billed + estimates).
  const spend = { dailyUsd: summary.today.cloudUsd + summary.today.cloudUnreportedUsd, monthlyUsd: summary.monthTotals.cloudUsd + summary.monthTotals.cloudUnreportedUsd };
  const b = budgetState(spend, c);
  return {
    type: 'state',
    summary,
    info: {
      localRatePerHourUsd: c.localRatePerHourUsd,
      localRateAssumptions: localRateAssumptions(),
      localRateIsDefault: c.localRatePerHourUsd === defaultLocalRatePerHourUsd(),
      cloudModel: summary.savings.cloudModel,
      pricesAsOf: PRICES_AS_OF,
      unpricedModels: summary.byModel.filter((m) => isCloudProvider(m.provider as ProviderId) && !findPrice(m.model, c.prices)).map((m) => m.model),
      budget: {
        dailyCapUsd: b.dailyCapUsd, monthlyCapUsd: b.monthlyCapUsd, dailySpentUsd: b.dailySpentUsd, monthlySpentUsd: b.monthlySpentUsd,
        warnAtPercent: c.warnAtPercent, onCap: c.onCap, use: budgetUse(b),
      },
      skippedLines: { count: problems.length, where: problems.slice(0, 20).map((p) => `${p.file.split(/[\\/]/).pop()}:${p.line} (${p.kind})`) },
      loading,
    },
  };
}
