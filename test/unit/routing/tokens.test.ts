import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens, roughTokens } from '../../../src/core/node/tokens';

test('token estimates use the o200k tokenizer, loaded on first use, and agree on repeat calls', async () => {
  assert.equal(await countTokens(''), 0);
  assert.equal(await countTokens('hello world'), 2);
  const code = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n'.repeat(50);
  const first = await countTokens(code);
  assert.ok(first > 100 && first < code.length / 2, `${first}`);
  assert.equal(await countTokens(code), first, 'cached count');
  const twice = await countTokens(code + code);
  assert.ok(Math.abs(twice - 2 * first) <= 2, `twice the text, about twice the tokens (${twice} vs ${first})`);
});

test('the rough estimate is ~4 characters per token', () => {
  assert.equal(roughTokens('abcdefgh'), 2);
  assert.equal(roughTokens('abc'), 1);
});
