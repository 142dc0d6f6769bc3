import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatUsd } from '../../../src/core/cost/usd';

test('dollar amounts: cents, more digits under a cent, never zero for a cost, a minus for negative savings', () => {
  assert.equal(formatUsd(0), '$0.00');
  assert.equal(formatUsd(2), '$2.00');
  assert.equal(formatUsd(1.7), '$1.70');
  assert.equal(formatUsd(0.01), '$0.01');
  assert.equal(formatUsd(0.0087), '$0.0087');
  assert.equal(formatUsd(0.0001), '$0.0001');
  assert.equal(formatUsd(0.00004), '<$0.0001');
  assert.equal(formatUsd(-0.25), '−$0.25');
});

test('the answer header rounds amounts under $0.0001 to four places', () => {
  assert.equal(formatUsd(0.00007, { rounded: true }), '$0.0001');
  assert.equal(formatUsd(0.0087, { rounded: true }), '$0.0087');
  assert.equal(formatUsd(1.7, { rounded: true }), '$1.70');
});
