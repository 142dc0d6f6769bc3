import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatLogLine } from '../../../src/core/log/format';
import { costOf } from '../../../src/core/cost/record';
import { event } from './helpers';

const settings = { localRatePerHourUsd: 0.72, prices: {} };
const line = (e: ReturnType<typeof event>) => formatLogLine({ ...e, ...costOf(e, settings) });
const costField = (l: string) => l.split(' ')[8];

// The output channel colours lines with this grammar: a marked line must still match it.
const grammar = JSON.parse(readFileSync('syntaxes/switchyard-log.tmLanguage.json', 'utf8')) as { repository: { request: { match: string } } };
const requestLine = new RegExp(grammar.repository.request.match);

test('log line: provider-reported usage at a known price is shown plain', () => {
  const l = line(event({ model: 'gpt-4.1-mini' }));
  assert.match(costField(l), /^\$\d+\.\d{4}$/);
  assert.match(l, / in=1000 out=200 /);
  assert.match(l, requestLine);
});

test('log line: a cut stream (usage partly estimated) marks its tokens and cost with ~', () => {
  const l = line(event({ outcome: 'failed', error: 'stream cut', usage: { promptTokens: 1000, completionTokens: 80 } }));
  assert.match(costField(l), /^~\$\d+\.\d{4}$/);
  assert.match(l, / in=~1000 out=~80 /);
  assert.match(l, requestLine);
});

test('log line: an unpriced model (assumed price) marks its cost with ~, not its reported tokens', () => {
  const l = line(event({ model: 'my-azure-deployment' }));
  assert.match(costField(l), /^~\$\d+\.\d{4}$/);
  assert.match(l, / in=1000 out=200 /);
  assert.match(l, requestLine);
});

test('log line: a cancelled call with no usage shows the pre-call estimate, marked', () => {
  const l = line(event({ outcome: 'cancelled', usage: undefined }));
  assert.match(costField(l), /^~\$\d+\.\d{4}$/);
  assert.match(l, / in=~1000 out=~200 /);
});
