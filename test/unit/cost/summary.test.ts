import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowanceKey, budgetState, budgetUse, dueNotices, withAllowances } from '../../../src/core/cost/budget';
import { findPrice } from '../../../src/core/cost/prices';
import { cloudSpend, summarize } from '../../../src/core/cost/summary';
import { usageCostUsd } from '../../../src/core/cost/usage';
import { record } from './helpers';

const at = (d: number, h = 12) => new Date(2025, 5, d, h).toISOString();
const now = new Date(2025, 5, 10, 18); // 10 June, evening
const cloudPrice = findPrice('gpt-4.1-mini');
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

const records = [
  record({ time: at(10), route: 'cloud', kind: 'ask', billedCostUsd: 0.5, usage: { promptTokens: 1000, completionTokens: 100 } }),
  record({ time: at(10), route: 'cloud', kind: 'refactor', billedCostUsd: undefined, estimatedCostUsd: 0.2, usage: undefined, outcome: 'cancelled' }),
  record({ time: at(9), route: 'cloud', kind: 'architecture', model: 'claude-sonnet-4-5', provider: 'anthropic', billedCostUsd: 1.25 }),
  record({ time: at(10), route: 'local', kind: 'completion', provider: 'ollama', model: 'q', billedCostUsd: 0.001, usage: { promptTokens: 2000, completionTokens: 50 } }),
  record({ time: at(3), route: 'local', kind: 'ask', provider: 'ollama', model: 'q', billedCostUsd: 0.002, usage: { promptTokens: 100000, completionTokens: 1000 } }),
  record({ time: at(10), route: 'local', kind: 'completion', provider: 'ollama', model: 'q', outcome: 'cached', billedCostUsd: 0, usage: undefined }),
  record({ time: at(10), route: 'blocked', kind: 'ask', outcome: 'blocked', billedCostUsd: 0, usage: undefined }),
  record({ time: new Date(2025, 4, 31, 12).toISOString(), route: 'cloud', billedCostUsd: 99 }), // last month: ignored
];

test('today and month totals: billed cloud spend, unreported estimates apart, local cost', () => {
  const s = summarize(records, { now, cloudModel: 'gpt-4.1-mini', cloudPrice });
  assert.equal(s.day, '2025-06-10');
  assert.equal(s.month, '2025-06');
  close(s.today.cloudUsd, 0.5);
  close(s.today.cloudUnreportedUsd, 0.2);
  close(s.today.localUsd, 0.001);
  assert.equal(s.today.requests, 5);
  close(s.monthTotals.cloudUsd, 1.75);
  close(s.monthTotals.localUsd, 0.003);
  assert.equal(s.monthTotals.requests, 7);
  assert.equal(s.monthTotals.blockedRequests, 1);
  assert.equal(s.daily.length, 10);
  close(s.daily[9].cloudUsd, 0.7);
  close(s.daily[8].cloudUsd, 1.25);
  close(s.daily[2].localUsd, 0.002);
  assert.equal(s.daily[0].requests, 0);
});

test('by route, kind, outcome and model', () => {
  const s = summarize(records, { now, cloudModel: 'gpt-4.1-mini', cloudPrice });
  assert.deepEqual([s.byRoute.local.requests, s.byRoute.cloud.requests, s.byRoute.blocked.requests], [3, 3, 1]);
  assert.deepEqual([s.byKind.completion.requests, s.byKind.ask.requests, s.byKind.refactor.requests, s.byKind.architecture.requests], [2, 3, 1, 1]);
  assert.equal(s.byOutcome.cached, 1);
  assert.equal(s.byModel[0].model, 'claude-sonnet-4-5');
  close(s.byModel[0].usd, 1.25);
  assert.ok(!s.byModel.some((m) => m.usd === 99));
});

test('savings = local calls priced on the configured cloud model minus their local cost; all-cloud vs actual', () => {
  const s = summarize(records, { now, cloudModel: 'gpt-4.1-mini', cloudPrice });
  const equivalent = usageCostUsd(cloudPrice!, { promptTokens: 2000, completionTokens: 50 }) + usageCostUsd(cloudPrice!, { promptTokens: 100000, completionTokens: 1000 });
  close(s.savings.cloudEquivalentUsd, equivalent);
  close(s.savings.savedUsd, equivalent - 0.003);
  close(s.actualUsd, 1.75 + 0.2 + 0.003);
  close(s.allCloudUsd - s.actualUsd, s.savings.savedUsd);
  // Local share of served requests: 2 local served of 4 served.
  close(s.localShare, 0.5);
  const unknown = summarize(records, { now, cloudModel: 'mystery', cloudPrice: undefined });
  assert.equal(unknown.savings.priced, false);
  assert.equal(unknown.savings.savedUsd, 0);
});

test('projection extrapolates the month so far; one early day never projects from less than a day', () => {
  const s = summarize(records, { now, cloudModel: 'x', cloudPrice });
  const monthMs = new Date(2025, 6, 1).getTime() - new Date(2025, 5, 1).getTime();
  close(s.projectedMonthCloudUsd, 1.95 * monthMs / (now.getTime() - new Date(2025, 5, 1).getTime()));
  const early = summarize([record({ time: new Date(2025, 5, 1, 0, 5).toISOString(), billedCostUsd: 1 })], { now: new Date(2025, 5, 1, 0, 10), cloudModel: 'x', cloudPrice });
  close(early.projectedMonthCloudUsd, 30);
});

test('an unpriced cloud call is counted so the dashboard can say so', () => {
  const s = summarize([record({ time: at(10), billedCostUsd: undefined, estimatedCostUsd: undefined })], { now, cloudModel: 'x', cloudPrice });
  assert.equal(s.unpricedCloudCalls, 1);
});

test('budgets: spend counts billed and unreported cloud cost; exceeded and warning per cap', () => {
  const spend = cloudSpend(records, now);
  close(spend.dailyUsd, 0.7);
  close(spend.monthlyUsd, 1.95);
  const caps = { dailyBudgetUsd: 1, monthlyBudgetUsd: 10, warnAtPercent: 80 };
  assert.deepEqual(budgetState(spend, caps), { dailySpentUsd: spend.dailyUsd, monthlySpentUsd: spend.monthlyUsd, dailyCapUsd: 1, monthlyCapUsd: 10, exceeded: false, warning: false });
  assert.equal(budgetState({ dailyUsd: 0.8, monthlyUsd: 1 }, caps).warning, true);
  assert.equal(budgetState({ dailyUsd: 1, monthlyUsd: 1 }, caps).exceeded, true);
  assert.equal(budgetState({ dailyUsd: 0.5, monthlyUsd: 10.5 }, caps).exceeded, true);
  assert.equal(budgetState({ dailyUsd: 1e6, monthlyUsd: 1e6 }, { dailyBudgetUsd: 0, monthlyBudgetUsd: 0, warnAtPercent: 80 }).exceeded, false, '0 means no cap');
  close(budgetUse(budgetState({ dailyUsd: 0.5, monthlyUsd: 9 }, caps))!, 0.9);
  assert.equal(budgetUse(budgetState({ dailyUsd: 5, monthlyUsd: 5 }, { dailyBudgetUsd: 0, monthlyBudgetUsd: 0, warnAtPercent: 80 })), undefined);
});

test('budget notices: once per period and level', () => {
  const caps = { dailyBudgetUsd: 1, monthlyBudgetUsd: 10, warnAtPercent: 80, onCap: 'keep-local' as const };
  const shown = new Set<string>();
  const warn = dueNotices(budgetState({ dailyUsd: 0.85, monthlyUsd: 2 }, caps), caps, '2025-06-10', shown);
  assert.deepEqual(warn.map((n) => n.key), ['daily:2025-06-10:warn']);
  assert.match(warn[0].message, /85% of the daily budget/);
  for (const n of warn) shown.add(n.key);
  assert.deepEqual(dueNotices(budgetState({ dailyUsd: 0.9, monthlyUsd: 2 }, caps), caps, '2025-06-10', shown), []);
  const cap = dueNotices(budgetState({ dailyUsd: 1.1, monthlyUsd: 9 }, caps), caps, '2025-06-10', shown);
  assert.deepEqual(cap.map((n) => n.key), ['daily:2025-06-10:cap', 'monthly:2025-06:warn']);
  assert.match(cap[0].message, /requests stay local/);
  assert.deepEqual(dueNotices(budgetState({ dailyUsd: 0.9, monthlyUsd: 2 }, caps), caps, '2025-06-11', shown).map((n) => n.key), ['daily:2025-06-11:warn'], 'a new day warns again');
  assert.match(dueNotices(budgetState({ dailyUsd: 2, monthlyUsd: 2 }, caps), { ...caps, onCap: 'ask' }, '2025-06-12', shown)[0].message, /unless you allow the cloud/);
});

test('onCap "ask": an allowance lifts only its own cap, only for its period', () => {
  const caps = { dailyBudgetUsd: 1, monthlyBudgetUsd: 10, warnAtPercent: 80 };
  const dayOver = budgetState({ dailyUsd: 1.5, monthlyUsd: 2 }, caps);
  assert.equal(withAllowances(dayOver, new Set([allowanceKey('daily', '2025-06-10')]), '2025-06-10').exceeded, false);
  assert.equal(withAllowances(dayOver, new Set([allowanceKey('daily', '2025-06-09')]), '2025-06-10').exceeded, true, 'yesterday\'s allowance');
  assert.equal(withAllowances(dayOver, new Set([allowanceKey('monthly', '2025-06-10')]), '2025-06-10').exceeded, true, 'the other cap');
  const bothOver = budgetState({ dailyUsd: 1.5, monthlyUsd: 12 }, caps);
  assert.equal(withAllowances(bothOver, new Set([allowanceKey('daily', '2025-06-10')]), '2025-06-10').exceeded, true);
  assert.equal(withAllowances(bothOver, new Set([allowanceKey('daily', '2025-06-10'), allowanceKey('monthly', '2025-06-30')]), '2025-06-10').exceeded, false);
});
