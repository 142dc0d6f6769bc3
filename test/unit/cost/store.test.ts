// The store at scale: per-day aggregates persisted beside the ledger (rebuilt when missing or stale),
// pages read from the file, filtered scans, streamed exports - each checked against the plain functions
// over every record (summarize, queryRecords, toCsv, toJson), which are the definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultQuery, type TableQuery } from '../../../src/core/cost/dashboardProtocol';
import { ledgerFileName, readLedgerFile } from '../../../src/core/cost/node/ledger';
import { findPrice } from '../../../src/core/cost/prices';
import { queryRecords, toCsv, toJson } from '../../../src/core/cost/query';
import type { LedgerRecord } from '../../../src/core/cost/record';
import { snapshotFileName } from '../../../src/core/cost/node/snapshot';
import { LedgerStore } from '../../../src/core/cost/node/store';
import { cloudSpend, summarize } from '../../../src/core/cost/summary';
import { record } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'switchyard-store-'));
const NOW = new Date(2025, 5, 20, 15);
const now = () => NOW;
const MONTH = '2025-06';
const opts = { now: NOW, cloudModel: 'gpt-4.1-mini', cloudPrice: findPrice('gpt-4.1-mini') };

/** A varied month: routes, kinds, outcomes, models, workspaces, estimates, spread over 20 days. */
function month(n: number): LedgerRecord[] {
  const start = new Date(2025, 5, 1).getTime();
  const span = NOW.getTime() - start;
  return Array.from({ length: n }, (_, i) => {
    const route = i % 7 === 0 ? 'cloud' : i % 13 === 0 ? 'blocked' : 'local';
    return record({
      id: `r${i}`, time: new Date(start + Math.floor((i / n) * span)).toISOString(),
      route, kind: (['completion', 'ask', 'refactor', 'architecture'] as const)[i % 4], provider: route === 'cloud' ? 'openai' : 'ollama',
      model: route === 'cloud' ? (i % 3 ? 'gpt-4.1-mini' : 'mystery') : 'qwen', outcome: (['served', 'cancelled', 'cached', 'failed'] as const)[i % 5 % 4],
      workspace: i % 2 ? 'ws1' : 'ws2', totalMs: 100 + (i * 37) % 900, billedCostUsd: i % 11 === 0 ? undefined : ((i * 7919) % 1000) / 1e5,
      estimatedCostUsd: ((i * 31) % 100) / 1e5, reasons: [i % 9 === 0 ? 'budget warning' : 'default'],
      usage: i % 6 === 0 ? undefined : { promptTokens: 100 + i % 300, completionTokens: i % 50, ...(i % 4 === 0 ? { cacheReadTokens: 20 } : {}) },
      ...(i % 17 === 0 ? { usageEstimated: true as const } : {}), ...(i % 19 === 0 ? { priceAssumed: true as const } : {}),
    });
  });
}

function write(dir: string, records: LedgerRecord[]): string {
  const path = join(dir, ledgerFileName(MONTH));
  writeFileSync(path, records.map((r) => JSON.stringify(r) + '\n').join(''));
  return path;
}

async function open(dir: string): Promise<LedgerStore> {
  const s = new LedgerStore(dir, now);
  await s.load();
  return s;
}

test('the summary and budgets from the aggregates equal those over every record', async () => {
  const dir = tmp();
  const records = month(3000);
  write(dir, records);
  const store = await open(dir);
  assert.deepEqual(store.summary(opts), summarize(records, opts));
  assert.deepEqual(store.spend(NOW), cloudSpend(records, NOW));
  assert.equal(store.size, 3000);
  await store.close();
});

test('the aggregate is persisted; a restart reads it and only the bytes appended since, not the month', async () => {
  const dir = tmp();
  const records = month(3000);
  const path = write(dir, records);
  const first = await open(dir);
  await first.close();
  const snap = join(dir, snapshotFileName(MONTH));
  assert.ok(existsSync(snap), 'persisted beside the ledger');
  assert.ok(statSync(snap).size < statSync(path).size / 20, 'a small fraction of the ledger');

  // Spoil a record in the middle of the file (outside the checked head and tail): a start from the
  // aggregate never reads it, so nothing is reported; the appended record is read and counted.
  const raw = readFileSync(path);
  const mid = raw.indexOf('"id":"r1500"');
  raw.write('"xx":"r1500"', mid);
  writeFileSync(path, raw);
  const extra = record({ id: 'later', time: new Date(2025, 5, 20, 14).toISOString(), route: 'cloud', billedCostUsd: 5 });
  writeFileSync(path, JSON.stringify(extra) + '\n', { flag: 'a' });
  const second = await open(dir);
  assert.deepEqual(second.problems(), [], 'the middle of the month was not read');
  assert.equal(second.size, 3001);
  assert.deepEqual(second.summary(opts), summarize([...records, extra], opts));
  assert.equal(second.latest().at(-1)?.id, 'later');
  await second.close();
});

test('a missing, garbled or stale aggregate is rebuilt from the ledger', async () => {
  const dir = tmp();
  const records = month(2000);
  const path = write(dir, records);
  const snap = join(dir, snapshotFileName(MONTH));
  await (await open(dir)).close();
  const cases: [string, () => LedgerRecord[]][] = [
    ['garbled', () => { writeFileSync(snap, '{"v":1,"month":'); return records; }],
    ['wrong shape', () => { writeFileSync(snap, JSON.stringify({ ...JSON.parse(readFileSync(snap, 'utf8')), days: { x: 1 } })); return records; }],
    ['ledger replaced by a shorter one', () => { const fewer = records.slice(0, 500); write(dir, fewer); return fewer; }],
    ['ledger rewritten with the same size', () => {
      const changed = records.map((r) => (r.id === 'r0' ? { ...r, kind: 'ask' as const, route: 'local' as const } : r));
      writeFileSync(path, changed.map((r) => JSON.stringify(r) + '\n').join('').replace('"kind":"ask"', '"kind":"ask"'));
      return changed;
    }],
  ];
  for (const [what, spoil] of cases) {
    await (await open(dir)).close(); // a valid aggregate of the current file
    const expected = spoil();
    const store = await open(dir);
    assert.deepEqual(store.summary(opts), summarize(expected, opts), what);
    await store.close();
  }
});

test('pages: newest first from memory and from the file near a mark; filters and sorts by scanning', async () => {
  const dir = tmp();
  const records = month(4000);
  write(dir, records);
  for (const restart of [false, true]) {
    if (restart) await (await open(dir)).close();
    const store = await open(dir);
    const queries: TableQuery[] = [
      defaultQuery(),
      { ...defaultQuery(), page: 3 },
      { ...defaultQuery(), page: 40 }, // beyond the records kept in memory
      { ...defaultQuery(), page: 79, pageSize: 50 }, // the last page
      { ...defaultQuery(), page: 200 }, // past the end
      { ...defaultQuery(), page: 30, sort: { key: 'time', dir: 'asc' } },
      { ...defaultQuery(), filter: { route: 'cloud' } },
      { ...defaultQuery(), page: 2, filter: { kind: 'ask', text: 'BUDGET' } },
      { ...defaultQuery(), filter: { thisWorkspace: true } },
      { ...defaultQuery(), sort: { key: 'cost', dir: 'desc' } },
      { ...defaultQuery(), page: 5, sort: { key: 'latency', dir: 'asc' } },
      { ...defaultQuery(), page: 1, pageSize: 200, sort: { key: 'model', dir: 'desc' }, filter: { outcome: 'served' } },
    ];
    for (const q of queries) {
      const got = await store.page(q, 'ws1');
      const want = queryRecords(records, q, 'ws1');
      assert.deepEqual(got?.rows.map((r) => r.id), want.rows.map((r) => r.id), `${JSON.stringify(q)} restart=${restart}`);
      assert.equal(got?.total, want.total);
    }
    assert.equal(await store.page({ ...defaultQuery(), filter: { route: 'cloud' } }, 'ws1', () => true), undefined, 'a cancelled scan stops');
    await store.close();
  }
});

test('live: records appended by another window update totals and the newest page without a rescan', async () => {
  const dir = tmp();
  const records = month(1500);
  write(dir, records);
  const mine = await open(dir);
  const other = await open(dir);
  const added = [record({ id: 'x1', time: new Date(2025, 5, 20, 15, 0, 1).toISOString(), route: 'cloud', billedCostUsd: 1 }),
    record({ id: 'x2', time: new Date(2025, 5, 20, 15, 0, 2).toISOString(), route: 'cloud', billedCostUsd: 2 })];
  for (const r of added) await other.append(r);
  const seen: string[] = [];
  mine.onRecords.on((rs) => seen.push(...rs.map((r) => r.id)));
  assert.equal(await mine.refresh(), 2);
  assert.deepEqual(seen, ['x1', 'x2']);
  assert.deepEqual(mine.summary(opts), summarize([...records, ...added], opts));
  assert.deepEqual((await mine.page(defaultQuery()))?.rows.slice(0, 2).map((r) => r.id), ['x2', 'x1']);
  await mine.close();
  await other.close();
});

test('a streamed export is byte for byte the CSV or JSON of the records in the period', async () => {
  const dir = tmp();
  const records = month(2500);
  write(dir, records);
  const store = new LedgerStore(dir, now);
  const from = new Date(2025, 5, 3).getTime();
  const to = new Date(2025, 5, 9).getTime();
  const inPeriod = records.filter((r) => Date.parse(r.time) >= from && Date.parse(r.time) < to);
  for (const format of ['csv', 'json'] as const) {
    const out = join(dir, `out.${format}`);
    assert.equal(await store.exportPeriod(from, to, format, out), inPeriod.length);
    assert.equal(readFileSync(out, 'utf8'), format === 'csv' ? toCsv(inPeriod) : toJson(inPeriod));
  }
  const empty = join(dir, 'empty.json');
  assert.equal(await store.exportPeriod(new Date(2024, 0, 1).getTime(), new Date(2024, 0, 2).getTime(), 'json', empty), 0);
  assert.equal(readFileSync(empty, 'utf8'), toJson([]));
  await store.close();
  // The file on disk is still read in full by the plain reader: nothing was lost or rewritten.
  assert.equal((await readLedgerFile(join(dir, ledgerFileName(MONTH)))).records.length, 2500);
});

test('a ledger replaced by hand while the store follows it: the totals start over from the new file', async () => {
  const dir = tmp();
  write(dir, month(800));
  const store = await open(dir);
  const smaller = month(300).map((r) => ({ ...r, id: `n-${r.id}` }));
  write(dir, smaller);
  await store.refresh();
  assert.deepEqual(store.summary(opts), summarize(smaller, opts));
  assert.equal(store.size, 300);
  await store.close();
});

test('records appended while the store loads are shown once, after the newest of the file', async () => {
  const dir = tmp();
  const records = month(1200);
  write(dir, records);
  const store = new LedgerStore(dir, now);
  const loading = store.load();
  const mine = record({ id: 'during-load', time: new Date(2025, 5, 20, 15, 0, 5).toISOString() });
  await store.append(mine);
  await loading;
  await store.refresh();
  const ids = store.latest().map((r) => r.id);
  assert.equal(ids.length, 1000);
  assert.equal(new Set(ids).size, 1000, 'no record twice');
  assert.deepEqual(ids.slice(-2), ['r1199', 'during-load']);
  assert.equal(store.size, 1201);
  await store.close();
});
