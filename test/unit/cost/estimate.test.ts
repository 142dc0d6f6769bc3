// The router's pre-call estimate for a cloud model with no known price: counted at the conservative
// assumed price the ledger bills it at (so "est. $X" and the budget see it), and marked as assumed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priceOrAssumed, UNPRICED_MODEL_PRICE } from '../../../src/core/cost/prices';
import { usageCostUsd } from '../../../src/core/cost/usage';
import { baseInput } from '../../../scripts/decisionTable';
import { route, type RouteInput } from '../../../src/core/routing/router';

const prices = {};
const withPrices = (i: RouteInput): RouteInput => ({
  ...i,
  price: (_provider, model, usage) => usageCostUsd(priceOrAssumed(model, prices).price, usage),
  priceAssumed: (_provider, model) => priceOrAssumed(model, prices).assumed,
  override: 'cloud',
});

test('priceOrAssumed: a known model keeps its price; an unknown one gets the assumed price, flagged', () => {
  assert.deepEqual(priceOrAssumed('gpt-4.1-mini-2025-04-14'), { price: { input: 0.4, output: 1.6, cacheRead: 0.1 }, assumed: false });
  assert.deepEqual(priceOrAssumed('my-azure-deployment'), { price: UNPRICED_MODEL_PRICE, assumed: true });
  assert.equal(priceOrAssumed('my-azure-deployment', { 'my-azure-deployment': { input: 1, output: 2 } }).assumed, false);
});

test('router: an unpriced cloud model has an estimate at the assumed price, marked as assumed', () => {
  const i = withPrices(baseInput());
  i.cloud = { ...i.cloud, model: 'my-azure-deployment' };
  const d = route(i);
  assert.equal(d.target, 'cloud');
  assert.equal(d.estimatedCostUsd, usageCostUsd(UNPRICED_MODEL_PRICE, d.estimated));
  assert.ok(d.estimatedCostUsd! > 0);
  assert.equal(d.priceAssumed, true);
  assert.equal(d.cloud.priceAssumed, true);
  assert.ok(d.reasons.some((r) => /no known price for my-azure-deployment: the estimate assumes \$15 \/ \$75 per million/.test(r)), d.reasons.join(' | '));
});

test('router: a priced cloud model is not marked as assumed', () => {
  const d = route(withPrices(baseInput()));
  assert.equal(d.target, 'cloud');
  assert.equal(d.estimatedCostUsd, usageCostUsd(priceOrAssumed('gpt-4.1-mini').price, d.estimated));
  assert.equal(d.priceAssumed, undefined);
  assert.ok(!d.reasons.some((r) => /no known price/.test(r)));
});
