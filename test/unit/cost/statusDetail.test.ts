import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetState } from '../../../src/core/cost/budget';
import { describeLast } from '../../../src/vscode/cost/statusDetail';
import { record } from './helpers';

const noCaps = budgetState({ dailyUsd: 0.25, monthlyUsd: 3 }, { dailyBudgetUsd: 0, monthlyBudgetUsd: 0, warnAtPercent: 80 });

test('tooltip lines: route, model, reported tokens with cache, latency, billed cost, reasons', () => {
  const lines = describeLast(record({
    kind: 'refactor', route: 'cloud', provider: 'anthropic', model: 'claude-sonnet-4-5', reasons: ['refactor goes to the cloud by default'],
    usage: { promptTokens: 5000, completionTokens: 300, cacheReadTokens: 4000 }, ttftMs: 420, totalMs: 3100.4, billedCostUsd: 0.0087,
  }), noCaps);
  assert.equal(lines[0], 'Last request: refactor → cloud · anthropic/claude-sonnet-4-5 · served');
  assert.equal(lines[1], 'Tokens: in 5000 (4000 cache read), out 300');
  assert.equal(lines[2], 'Time: first token 420 ms, total 3100 ms');
  assert.equal(lines[3], 'Cost: $0.0087 (billed from reported usage)');
  assert.equal(lines[4], 'Why: refactor goes to the cloud by default');
  assert.equal(lines.at(-1), 'Cloud today: $0.25');
});

test('tooltip lines: estimates are marked, unknown prices said, budget use shown', () => {
  const b = budgetState({ dailyUsd: 0.9, monthlyUsd: 3 }, { dailyBudgetUsd: 1, monthlyBudgetUsd: 0, warnAtPercent: 80 });
  const est = describeLast(record({ usage: undefined, outcome: 'cancelled', billedCostUsd: undefined, estimatedCostUsd: 0.002, estimated: { promptTokens: 100, completionTokens: 50 } }), b);
  assert.equal(est[1], 'Tokens: in ~100, out ~50');
  assert.match(est[3], /~\$0\.0020 \(estimate/);
  assert.equal(est.at(-1), 'Cloud budget: $0.90 of $1.00 today — nearing the cap');
  const unknown = describeLast(record({ billedCostUsd: undefined, estimatedCostUsd: undefined, error: 'HTTP 500' }), b);
  assert.match(unknown[3], /unknown \(no price/);
  assert.ok(unknown.includes('Error: HTTP 500'));
  const local = describeLast(record({ route: 'local', billedCostUsd: 0.00005, localRatePerHourUsd: 0.703 }), noCaps);
  assert.match(local[3], /<\$0\.0001 \(local time at \$0\.70\/h\)/);
});
