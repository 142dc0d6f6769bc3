import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerTail, LedgerWriter, ledgerFileName, ledgerMonths, monthKey, readLedgerFile } from '../../../src/core/cost/node/ledger';
import { LedgerStore } from '../../../src/core/cost/node/store';
import { record } from './helpers';

const tmp = () => mkdtempSync(join(tmpdir(), 'switchyard-ledger-'));
const JUNE = new Date(2025, 5, 10, 12).toISOString();

test('several processes appending at once: exactly N x M whole lines, none torn or lost', async () => {
  const dir = tmp();
  const N = 4, M = 300;
  await Promise.all(Array.from({ length: N }, (_, w) => new Promise<void>((resolve, reject) => {
    const child = fork(join(__dirname, 'ledgerWriterChild.ts'), [dir, String(w), String(M), JUNE], { execArgv: ['--import', 'tsx'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w} exited ${code}`))));
  })));
  const path = join(dir, ledgerFileName(monthKey(JUNE)));
  const raw = readFileSync(path, 'utf8');
  assert.ok(raw.endsWith('\n'));
  const lines = raw.slice(0, -1).split('\n');
  assert.equal(lines.length, N * M);
  const ids = new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)); // throws on a torn line
  assert.equal(ids.size, N * M);
  for (let w = 0; w < N; w++) for (let i = 0; i < M; i++) assert.ok(ids.has(`${w}-${i}`));
  const { records, problems } = await readLedgerFile(path);
  assert.equal(records.length, N * M);
  assert.deepEqual(problems, []);
});

test('a corrupt line in the middle and a truncated last line are reported; everything else is kept', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger-2025-06.jsonl');
  const good = [1, 2, 3, 4].map((i) => JSON.stringify(record({ id: `r${i}`, time: JUNE })));
  const torn = JSON.stringify(record({ id: 'torn', time: JUNE })).slice(0, 40);
  writeFileSync(path, `${good[0]}\n${good[1]}\n{"v":1,"id":garbage\n\n${good[2]}\nnot json at all\n${good[3]}\n${torn}`);
  const { records, problems } = await readLedgerFile(path);
  assert.deepEqual(records.map((r) => r.id), ['r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[3, 'corrupt'], [6, 'corrupt'], [8, 'truncated']]);
});

test('records appended after a torn line are recovered; only the torn fragments are reported', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger-2025-06.jsonl');
  const torn = JSON.stringify(record({ id: 'torn', time: JUNE })).slice(0, 60);
  // Another writer, unaware of the tear, appends straight after it.
  writeFileSync(path, `${JSON.stringify(record({ id: 'a', time: JUNE }))}\n${torn}${JSON.stringify(record({ id: 'b', time: JUNE }))}\n${torn}`);
  const w = new LedgerWriter(dir);
  await w.append(record({ id: 'c', time: JUNE }));
  await w.close();
  const { records, problems } = await readLedgerFile(path);
  assert.deepEqual(records.map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[2, 'corrupt'], [3, 'corrupt']]);
});

test('a record that lost its newline is kept with the one appended after it; a torn end of file is reported', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger-2025-06.jsonl');
  const line = (id: string) => JSON.stringify(record({ id, time: JUNE }));
  const torn = line('torn').slice(0, 50);
  writeFileSync(path, `${line('a')}${line('b')}\n${torn}${line('c')}`);
  const { records, problems } = await readLedgerFile(path);
  assert.deepEqual(records.map((r) => r.id), ['a', 'b', 'c']);
  assert.deepEqual(problems.map((p) => [p.line, p.kind]), [[1, 'corrupt'], [2, 'corrupt']]);
});

test('records only missing their newline are kept; values that are JSON but not records are reported', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger-2025-06.jsonl');
  writeFileSync(path, `{"v":1,"id":"x"}\n[1,2]\n${JSON.stringify(record({ id: 'last', time: JUNE }))}`);
  const { records, problems } = await readLedgerFile(path);
  assert.deepEqual(records.map((r) => r.id), ['last']);
  assert.deepEqual(problems.map((p) => p.line), [1, 2]);
});

test('the tail reads only what was appended, in chunks, across chunk boundaries and multi-byte text', async () => {
  const dir = tmp();
  const path = join(dir, 'ledger-2025-06.jsonl');
  const tail = new LedgerTail(path, 64); // tiny chunks: every record spans several
  assert.deepEqual(await tail.read(), []); // no file yet
  const w = new LedgerWriter(dir);
  for (let i = 0; i < 5; i++) await w.append(record({ id: `a${i}`, time: JUNE, reasons: ['naïve → ✓ 日本'] }));
  const first = await tail.read();
  assert.deepEqual(first.map((r) => r.id), ['a0', 'a1', 'a2', 'a3', 'a4']);
  assert.equal(first[0].reasons[0], 'naïve → ✓ 日本');
  assert.deepEqual(await tail.read(), []);
  await w.append(record({ id: 'b', time: JUNE }));
  appendFileSync(path, '{"v":1,"id":"half');
  assert.deepEqual((await tail.read()).map((r) => r.id), ['b']);
  assert.equal(tail.truncated?.kind, 'truncated');
  await w.close();
});

test('one file per month; months are listed', async () => {
  const dir = tmp();
  const w = new LedgerWriter(dir);
  await w.append(record({ time: new Date(2025, 4, 31, 23, 59).toISOString() }));
  await w.append(record({ time: new Date(2025, 5, 1, 0, 1).toISOString() }));
  await w.close();
  assert.deepEqual(await ledgerMonths(dir), ['2025-05', '2025-06']);
});

test('the store shows its own appends at once and picks up other windows\' lines once', async () => {
  const dir = tmp();
  const now = () => new Date(2025, 5, 10, 13);
  const a = new LedgerStore(dir, now);
  const b = new LedgerStore(dir, now);
  await a.load();
  await b.load();
  const seen: string[] = [];
  a.onRecords.on((rs) => seen.push(...rs.map((r) => r.id)));
  await a.append(record({ id: 'mine', time: JUNE, billedCostUsd: 1 }));
  await b.append(record({ id: 'theirs', time: JUNE, billedCostUsd: 2 }));
  await a.refresh();
  await a.refresh();
  assert.deepEqual(a.latest().map((r) => r.id), ['mine', 'theirs']);
  assert.deepEqual(seen, ['mine', 'theirs']);
  assert.equal(a.size, 2);
  assert.equal(a.spend(now()).dailyUsd, 3, 'each counted once: own record read back is not counted twice');
  const out = join(dir, 'export.json');
  assert.equal(await a.exportPeriod(new Date(2025, 5, 1).getTime(), new Date(2025, 6, 1).getTime(), 'json', out), 2);
  assert.deepEqual((JSON.parse(readFileSync(out, 'utf8')) as { id: string }[]).map((r) => r.id), ['mine', 'theirs']);
  await a.close();
  await b.close();
});

test('an export before the store has loaded still has this month\'s records from the file', async () => {
  const dir = tmp();
  const now = () => new Date(2025, 5, 10, 13);
  const w = new LedgerWriter(dir);
  await w.append(record({ id: 'earlier', time: JUNE }));
  await w.close();
  const store = new LedgerStore(dir, now);
  const out = join(dir, 'export.csv');
  assert.equal(await store.exportPeriod(new Date(2025, 5, 1).getTime(), new Date(2025, 6, 1).getTime(), 'csv', out), 1);
  assert.match(readFileSync(out, 'utf8'), /,earlier\r\n$/);
  await store.close();
});
