import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPrice, UNPRICED_MODEL_PRICE } from '../../../src/core/cost/prices';
import { costOf, isLedgerRecord, toRecord } from '../../../src/core/cost/record';
import { cloudSpend } from '../../../src/core/cost/summary';
import { usageCostUsd } from '../../../src/core/cost/usage';
import { event } from './helpers';

const settings = { localRatePerHourUsd: 0.72, prices: {} };
const usd = (n: number | undefined) => (n === undefined ? undefined : Math.round(n * 1e10) / 1e10);

test('cloud: billed from provider usage, estimate beside it', () => {
  const c = costOf(event({ model: 'gpt-4.1', estimated: { promptTokens: 1000, completionTokens: 500 }, usage: { promptTokens: 1000, completionTokens: 100, cacheReadTokens: 100 } }), settings);
  assert.equal(usd(c.billedCostUsd), usd((900 * 2 + 100 * 8 + 100 * 0.5) / 1e6));
  assert.equal(usd(c.estimatedCostUsd), usd((1000 * 2 + 500 * 8) / 1e6));
});

test('cloud: no usage reported — cancelled stays unbilled (estimate only), a rejected call is free', () => {
  const cancelled = costOf(event({ usage: undefined, outcome: 'cancelled' }), settings);
  assert.equal(cancelled.billedCostUsd, undefined);
  assert.ok(cancelled.estimatedCostUsd! > 0);
  assert.equal(costOf(event({ usage: undefined, outcome: 'failed', error: '429 rate limited' }), settings).billedCostUsd, 0);
});

test('cloud: an unknown model counts at the conservative stand-in price, flagged; an override prices it', () => {
  const e = event({ model: 'my-azure-gpt-deployment' });
  const c0 = costOf(e, settings);
  assert.equal(c0.priceAssumed, true);
  assert.equal(c0.billedCostUsd, usageCostUsd(UNPRICED_MODEL_PRICE, e.usage!));
  assert.ok(c0.billedCostUsd! >= usageCostUsd(findPrice('gpt-4.1')!, e.usage!) * 5, 'well above a typical model: budgets stop early, not never');
  // 100 such calls: the daily and monthly spend are no longer $0.
  const records = Array.from({ length: 100 }, () => { const x = event({ model: 'o1-preview-azure' }); return toRecord(x, 'ws', costOf(x, settings)); });
  const spend = cloudSpend(records, new Date(records[0].time));
  assert.ok(spend.dailyUsd > 0 && spend.monthlyUsd === spend.dailyUsd);
  assert.equal(spend.dailyUsd.toFixed(10), (100 * c0.billedCostUsd!).toFixed(10));
  const c = costOf(event({ model: 'mystery-1', usage: { promptTokens: 1e6, completionTokens: 0 } }), { ...settings, prices: { 'mystery-1': { input: 5, output: 6 } } });
  assert.equal(c.billedCostUsd, 5);
});

test('local: inference time x rate; failed-before-running, cached and blocked cost nothing', () => {
  const local = { route: 'local' as const, provider: 'ollama' as const, model: 'qwen2.5-coder:1.5b-base', endpointClass: 'machine' as const };
  assert.equal(usd(costOf(event({ ...local, totalMs: 5000 }), settings).billedCostUsd), usd(5000 / 3_600_000 * 0.72));
  assert.equal(costOf(event({ ...local, totalMs: 5000 }), settings).localRatePerHourUsd, 0.72);
  assert.equal(usd(costOf(event({ ...local, totalMs: 800, outcome: 'cancelled', usage: undefined }), settings).billedCostUsd), usd(800 / 3_600_000 * 0.72));
  assert.equal(costOf(event({ ...local, totalMs: 30, outcome: 'failed', usage: undefined }), settings).billedCostUsd, 0);
  assert.equal(costOf(event({ ...local, outcome: 'cached', usage: undefined }), settings).billedCostUsd, 0);
  assert.equal(costOf(event({ route: 'blocked', outcome: 'blocked', usage: undefined }), settings).billedCostUsd, 0);
});

test('a record keeps only known fields: nothing a producer attaches by mistake reaches the disk', () => {
  const e = { ...event(), prompt: 'SECRET PROMPT', completion: 'SECRET ANSWER', usage: { promptTokens: 1, completionTokens: 2, text: 'x' } } as unknown as Parameters<typeof toRecord>[0];
  const r = toRecord(e, 'abc123', { billedCostUsd: 1 });
  const line = JSON.stringify(r);
  assert.ok(!line.includes('SECRET'));
  assert.ok(!line.includes('"text"'));
  assert.ok(line.startsWith('{"v":1,'));
  assert.equal(r.workspace, 'abc123');
  assert.ok(isLedgerRecord(JSON.parse(line)));
  assert.equal(isLedgerRecord({ ...r, time: 'yesterday' }), false);
  assert.equal(isLedgerRecord({ ...r, billedCostUsd: '1' }), false);
});
