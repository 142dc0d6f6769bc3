import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultQuery, parseWebviewMessage, type TableQuery } from '../../../src/core/cost/dashboardProtocol';
import { buildDashboardState, summaryOptions } from '../../../src/core/cost/dashboardState';
import { PRICES_AS_OF } from '../../../src/core/cost/prices';
import { summarize } from '../../../src/core/cost/summary';
import { defaultSettings } from '../../../src/core/settings';
import { periodBounds, queryRecords, toCsv, toJson } from '../../../src/core/cost/query';
import { record } from './helpers';

test('protocol: well-formed messages pass, normalized', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  const q = { ...defaultQuery(), filter: { text: '  budget ', route: 'cloud' } };
  assert.deepEqual(parseWebviewMessage({ type: 'query', query: q }), { type: 'query', query: { ...q, filter: { text: 'budget', route: 'cloud' } } });
  assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'csv', from: '2025-06-01', to: '2025-06-30' }), { type: 'export', format: 'csv', from: '2025-06-01', to: '2025-06-30' });
  assert.deepEqual(parseWebviewMessage({ type: 'rendered', rows: ['a', 'b'], total: 2 }), { type: 'rendered', rows: ['a', 'b'], total: 2 });
  assert.deepEqual(parseWebviewMessage({ type: 'setPrice', model: 'contoso-gpt' }), { type: 'setPrice', model: 'contoso-gpt' });
  for (const bad of [{ type: 'setPrice' }, { type: 'setPrice', model: '' }, { type: 'setPrice', model: 'x'.repeat(201) }, { type: 'setPrice', model: 'a', key: 'switchyard.cloud' }]) {
    assert.ok('error' in parseWebviewMessage(bad), JSON.stringify(bad));
  }
});

test('protocol: bad messages are rejected with a reason', () => {
  const bad: unknown[] = [
    null, 'ready', [], { type: 42 }, { type: 'eval', code: 'x' }, { type: 'ready', extra: 1 },
    { type: 'query' }, { type: 'query', query: defaultQuery(), extra: 1 }, { type: 'query', query: { ...defaultQuery(), page: -1 } }, { type: 'query', query: { ...defaultQuery(), pageSize: 10_000 } },
    { type: 'query', query: { ...defaultQuery(), sort: { key: 'constructor', dir: 'asc' } } },
    { type: 'query', query: { ...defaultQuery(), filter: { route: 'elsewhere' } } },
    { type: 'query', query: { ...defaultQuery(), filter: { text: 'x'.repeat(500) } } },
    { type: 'query', query: { ...defaultQuery(), filter: { __proto__: 1, sql: 'drop' } } },
    { type: 'export', format: 'xlsx', from: '2025-06-01', to: '2025-06-02' },
    { type: 'export', format: 'csv', from: '../../etc/passwd', to: '2025-06-02' },
    { type: 'export', format: 'csv', from: '2025-06-09', to: '2025-06-02' },
    { type: 'export', format: 'csv', from: '2025-06-01', to: '2025-06-02', path: '/tmp/x' },
    { type: 'rendered', rows: [1], total: 1 }, { type: 'rendered', rows: Array(500).fill('a'), total: 500 }, { type: 'rendered', rows: [], total: -1 },
  ];
  for (const m of bad) assert.ok('error' in parseWebviewMessage(m), JSON.stringify(m));
});

const rs = [
  record({ id: 'a', time: '2025-06-01T10:00:00.000Z', route: 'local', kind: 'completion', billedCostUsd: 0.001, totalMs: 300, reasons: ['completion: always local'] }),
  record({ id: 'b', time: '2025-06-02T10:00:00.000Z', route: 'cloud', kind: 'refactor', billedCostUsd: 0.3, totalMs: 9000, reasons: ['refactor: escalated'] }),
  record({ id: 'c', time: '2025-06-03T10:00:00.000Z', route: 'local', kind: 'ask', billedCostUsd: 0.002, totalMs: 2000, reasons: ['budget: daily cap reached'], workspace: 'other' }),
  record({ id: 'd', time: '2025-06-04T10:00:00.000Z', route: 'blocked', kind: 'ask', outcome: 'blocked', billedCostUsd: 0, totalMs: 1, reasons: ['never-leave-machine'] }),
];
const q = (over: Partial<TableQuery> & { filter?: TableQuery['filter'] }): TableQuery => ({ ...defaultQuery(), ...over });

test('table: newest first by default, paged', () => {
  assert.deepEqual(queryRecords(rs, q({})).rows.map((r) => r.id), ['d', 'c', 'b', 'a']);
  const p1 = queryRecords(rs, q({ pageSize: 3, page: 1 }));
  assert.deepEqual(p1.rows.map((r) => r.id), ['a']);
  assert.equal(p1.total, 4);
  assert.deepEqual(queryRecords(rs, q({ pageSize: 3, page: 5 })).rows, []);
  assert.deepEqual(queryRecords(rs, q({ sort: { key: 'time', dir: 'asc' } })).rows.map((r) => r.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(queryRecords([rs[2], rs[0], rs[3], rs[1]], q({})).rows.map((r) => r.id), ['d', 'c', 'b', 'a'], 'out-of-order appends from other windows');
});

test('table: sort by cost and latency, filter by route, kind, text (reasons included) and workspace', () => {
  assert.deepEqual(queryRecords(rs, q({ sort: { key: 'cost', dir: 'desc' } })).rows.map((r) => r.id), ['b', 'c', 'a', 'd']);
  assert.deepEqual(queryRecords(rs, q({ sort: { key: 'latency', dir: 'asc' } })).rows.map((r) => r.id), ['d', 'a', 'c', 'b']);
  assert.deepEqual(queryRecords(rs, q({ filter: { route: 'local' } })).rows.map((r) => r.id), ['c', 'a']);
  assert.deepEqual(queryRecords(rs, q({ filter: { kind: 'ask' } })).rows.map((r) => r.id), ['d', 'c']);
  assert.deepEqual(queryRecords(rs, q({ filter: { text: 'BUDGET' } })).rows.map((r) => r.id), ['c']);
  assert.deepEqual(queryRecords(rs, q({ filter: { thisWorkspace: true } }), 'ws1').rows.map((r) => r.id), ['d', 'b', 'a']);
  const row = queryRecords(rs, q({ filter: { text: 'escalated' } })).rows[0];
  assert.deepEqual(row.reasons, ['refactor: escalated']);
  assert.equal(row.costUsd, 0.3);
  assert.equal(row.estimatedCost, false);
});

test('export: CSV quotes, neutralizes formulas, one row per record; JSON round-trips', () => {
  const tricky = record({ id: 'x', reasons: ['=HYPERLINK("http://evil")', 'a, "quoted"\nline'], model: 'gpt-4.1' });
  const csv = toCsv([tricky]);
  const [header, row] = csv.split('\r\n');
  assert.ok(header.startsWith('time,workspace,kind,route'));
  assert.ok(row.includes(`"'=HYPERLINK(""http://evil""); a, ""quoted""`));
  assert.equal(csv.trimEnd().split('\r\n').length, 2);
  assert.deepEqual(JSON.parse(toJson([tricky])), [tricky]);
});

test('period bounds are local days, inclusive', () => {
  const { fromMs, toExclusiveMs } = periodBounds('2025-06-01', '2025-06-30');
  assert.equal(fromMs, new Date(2025, 5, 1).getTime());
  assert.equal(toExclusiveMs, new Date(2025, 6, 1).getTime());
});

test('the state names the cloud models with no price (not local ones), and the price table date', () => {
  const settings = defaultSettings();
  settings.cost.prices = { 'priced-deployment': { input: 1, output: 2 } };
  const recs = [
    record({ model: 'contoso-gpt', provider: 'openai', priceAssumed: true, billedCostUsd: 0.5 }),
    record({ model: 'priced-deployment', provider: 'openai', billedCostUsd: 0.1 }),
    record({ model: 'gpt-4.1-mini', provider: 'openai', billedCostUsd: 0.1 }),
    record({ model: 'qwen-local', provider: 'ollama', route: 'local', billedCostUsd: 0 }),
  ];
  const now = new Date(recs[0].time);
  const state = buildDashboardState(summarize(recs, summaryOptions(settings, now)), [], settings);
  assert.deepEqual(state.info.unpricedModels, ['contoso-gpt']);
  assert.equal(state.summary.unpricedCloudCalls, 1);
  assert.equal(state.info.pricesAsOf, PRICES_AS_OF);
  assert.equal(state.info.budget.dailySpentUsd.toFixed(6), '0.700000', 'the assumed-price call counts in the budget');
});
