import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as answerProtocol from '../../../src/core/tasks/answerProtocol';
import * as dashboardProtocol from '../../../src/core/cost/dashboardProtocol';
import * as embeddedProtocol from '../../../src/core/providers/embedded/protocol';
import { describeType, isCount, isRejected, onlyKeys, reject, type Message, type Parse } from '../../../src/core/protocol';

const defaultQuery = dashboardProtocol.defaultQuery;
const parsers: [string, Parse<Message>][] = [
  ['answer page', answerProtocol.parseWebviewMessage], ['answer host', answerProtocol.parseHostMessage],
  ['dashboard page', dashboardProtocol.parseWebviewMessage], ['dashboard host', dashboardProtocol.parseHostMessage],
  ['embedded extension', embeddedProtocol.parseHostMessage], ['embedded engine', embeddedProtocol.parseEngineMessage],
];

test('every view speaks one convention: a message, or { error } saying why it was refused', () => {
  assert.deepEqual(answerProtocol.parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(dashboardProtocol.parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  for (const [name, parse] of parsers) {
    for (const bad of [null, 'ready', 42, [], {}, { type: 7 }, { type: 'runCommand', command: 'workbench.action.terminal.new' }]) {
      const parsed = parse(bad);
      assert.ok(isRejected(parsed), `${name}: ${JSON.stringify(bad)}`);
      assert.equal(typeof parsed.error, 'string');
      assert.ok(parsed.error.length > 0);
    }
  }
});

test('a refused message says what was wrong', () => {
  const unknown = answerProtocol.parseWebviewMessage({ type: 'runCommand' });
  assert.ok(isRejected(unknown));
  assert.match(unknown.error, /unknown message type "runCommand"/);
  const badRerun = answerProtocol.parseWebviewMessage({ type: 'rerun', override: 'anywhere' });
  assert.ok(isRejected(badRerun));
  assert.match(badRerun.error, /local or cloud/);
});

test('guards', () => {
  assert.equal(isRejected(reject('x')), true);
  assert.equal(isRejected({ type: 'ready' }), false);
  assert.equal(isCount(3), true);
  for (const n of [-1, 1.5, NaN, '3', Infinity]) assert.equal(isCount(n), false, String(n));
  assert.equal(onlyKeys({ type: 'a', x: 1 }, ['type', 'x']), true);
  assert.equal(onlyKeys({ type: 'a', y: 1 }, ['type', 'x']), false);
  assert.equal(describeType({ type: 'x'.repeat(100) }).length, 40);
  assert.equal(describeType('ready'), 'not a message');
});

const summary = {
  day: '2026-06-03', month: '2026-06', today: {}, monthTotals: {}, daily: [], byRoute: {}, byKind: {}, byOutcome: {}, byModel: [],
  savings: { cloudEquivalentUsd: 0, localUsd: 0, savedUsd: 0, cloudModel: 'gpt-4.1-mini', priced: true },
  actualUsd: 0, allCloudUsd: 0, projectedMonthCloudUsd: 0, localShare: 0, unpricedCloudCalls: 0,
};
const info = {
  localRatePerHourUsd: 0.7, localRateAssumptions: '', localRateIsDefault: true, cloudModel: 'gpt-4.1-mini', pricesAsOf: '2026-05-01',
  unpricedModels: [], budget: {}, skippedLines: { count: 0, where: [] }, loading: false,
};
const row = { id: 'r1', time: '2026-06-03T10:00:00Z', kind: 'ask', route: 'local', reasons: ['local first'] };

test('the dashboard page validates what the host sends', () => {
  const parse = dashboardProtocol.parseHostMessage;
  assert.deepEqual(parse({ type: 'state', summary, info }), { type: 'state', summary, info });
  assert.ok(isRejected(parse({ type: 'state', summary: { ...summary, daily: 'x' }, info })));
  assert.ok(isRejected(parse({ type: 'state', summary, info: { ...info, localRatePerHourUsd: '0.7' } })));
  assert.ok(isRejected(parse({ type: 'state', summary })));

  const query = defaultQuery();
  assert.deepEqual(parse({ type: 'page', query, rows: [row], total: 1 }), { type: 'page', query, rows: [row], total: 1 });
  assert.deepEqual(parse({ type: 'page', query, rows: [], total: 0, searching: true }), { type: 'page', query, rows: [], total: 0, searching: true });
  assert.ok(isRejected(parse({ type: 'page', query, rows: [{ id: 1 }], total: 1 })));
  assert.ok(isRejected(parse({ type: 'page', query: { ...query, pageSize: 10_000 }, rows: [], total: 0 })));
  assert.ok(isRejected(parse({ type: 'page', query, rows: [], total: -1 })));

  assert.deepEqual(parse({ type: 'exported', path: '/tmp/x.csv', count: 3 }), { type: 'exported', path: '/tmp/x.csv', count: 3 });
  assert.ok(isRejected(parse({ type: 'exported', path: '/tmp/x.csv' })));
  assert.deepEqual(parse({ type: 'error', message: 'Export failed' }), { type: 'error', message: 'Export failed' });
  assert.ok(isRejected(parse({ type: 'error', message: { html: '<b>' } })));
});
