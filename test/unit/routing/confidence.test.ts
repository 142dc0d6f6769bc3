import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confidenceOf } from '../../../src/core/routing/confidence';

const ok = (text: string, extra: Partial<Parameters<typeof confidenceOf>[0]> = {}) => confidenceOf({ text, finishReason: 'stop', ...extra });

test('a plain, complete answer is confident', () => {
  const c = ok('This function parses the header and returns the version number.');
  assert.ok(c.score >= 0.9);
  assert.deepEqual(c.signals, []);
});

test('an empty answer has no confidence', () => {
  const c = ok('   \n ');
  assert.equal(c.score, 0);
  assert.match(c.signals[0], /empty/);
});

test('a refusal scores low', () => {
  for (const t of ["I'm sorry, but I can't help with that.", 'I cannot determine what this does.', "I don't know."]) {
    const c = ok(t);
    assert.ok(c.score <= 0.2, t);
    assert.ok(c.signals.some((s) => /declined/.test(s)), t);
  }
});

test('an answer cut at the token limit scores low', () => {
  const c = ok('The loop iterates over', { finishReason: 'length' });
  assert.ok(c.score <= 0.3);
  assert.ok(c.signals.some((s) => /token limit/.test(s)));
});

test('hedging lowers the score, more hedges lower it more', () => {
  const one = ok("I think this sorts the list in place.");
  const two = ok("I'm not sure, but it might be sorting the list. Perhaps it is a merge step.");
  assert.ok(one.score < 0.9);
  assert.ok(two.score < one.score);
  assert.match(two.signals.join(), /hedges \(3 phrases\)/);
});

test('token log-probabilities give the geometric-mean probability', () => {
  const sure = ok('Returns the sum.', { logprobs: [-0.01, -0.02, -0.01] });
  assert.ok(sure.score > 0.97);
  const unsure = ok('Returns the sum.', { logprobs: [-1.5, -2, -1] });
  assert.ok(Math.abs(unsure.score - Math.exp(-1.5)) < 1e-9);
  assert.match(unsure.signals[0], /average token probability 0\.22/);
});
