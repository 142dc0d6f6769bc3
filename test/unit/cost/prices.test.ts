import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPrice, parsePriceOverride, PRICE_TABLE, PRICES_AS_OF } from '../../../src/core/cost/prices';
import { parseSettings } from '../../../src/core/settings';

test('every model a user would pick today is priced, with an as-of date', () => {
  for (const m of ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'gpt-4o', 'gpt-4o-mini', 'o3', 'o4-mini', 'gpt-5', 'gpt-5-mini', 'gpt-5-nano',
    'claude-opus-4-1', 'claude-sonnet-4-5', 'claude-sonnet-4', 'claude-haiku-4-5', 'claude-3-5-haiku']) {
    const p = findPrice(m);
    assert.ok(p && p.input > 0 && p.output > p.input, `${m} has input and output prices`);
  }
  assert.match(PRICES_AS_OF, /^\d{4}-\d{2}-\d{2}$/);
});

test('Anthropic cache prices follow input: write 1.25x, read 0.1x', () => {
  for (const [name, p] of Object.entries(PRICE_TABLE).filter(([n]) => n.startsWith('claude'))) {
    assert.equal(p.cacheWrite, p.input * 1.25, name);
    assert.equal(p.cacheRead, Math.round(p.input * 0.1 * 1e6) / 1e6, name);
  }
});

test('dated snapshots and aliases match their base model, but never a longer model name', () => {
  assert.equal(findPrice('claude-sonnet-4-5-20250929'), PRICE_TABLE['claude-sonnet-4-5']);
  assert.equal(findPrice('gpt-4.1-mini-2025-04-14'), PRICE_TABLE['gpt-4.1-mini']);
  assert.equal(findPrice('claude-3-5-haiku-latest'), PRICE_TABLE['claude-3-5-haiku']);
  assert.equal(findPrice('claude-sonnet-4-5@20250929'), PRICE_TABLE['claude-sonnet-4-5']);
  assert.equal(findPrice('GPT-4o'), PRICE_TABLE['gpt-4o']);
  assert.equal(findPrice('gpt-4.1-mini'), PRICE_TABLE['gpt-4.1-mini'], 'not gpt-4.1');
  assert.equal(findPrice('gpt-4.1-turbo'), undefined);
  assert.equal(findPrice('gpt-4o-2024-08-06-ft'), undefined);
  assert.equal(findPrice('llama3'), undefined);
});

test('an override wins over the table, and can price an unknown model or snapshot', () => {
  const overrides = { 'gpt-4.1': { input: 1, output: 2 }, 'my-gateway-model': { input: 3, output: 4, cacheRead: 1 } };
  assert.deepEqual(findPrice('gpt-4.1', overrides), { input: 1, output: 2 });
  assert.deepEqual(findPrice('gpt-4.1-2025-04-14', overrides), { input: 1, output: 2 });
  assert.deepEqual(findPrice('my-gateway-model', overrides), { input: 3, output: 4, cacheRead: 1 });
  assert.equal(findPrice('gpt-4o', overrides), PRICE_TABLE['gpt-4o']);
});

test('override validation names what is wrong', () => {
  assert.deepEqual(parsePriceOverride({ input: 1, output: 2, cacheWrite: 1.25 }), { input: 1, output: 2, cacheWrite: 1.25 });
  assert.match(parsePriceOverride('cheap') as string, /must be an object/);
  assert.match(parsePriceOverride({ input: 1 }) as string, /needs "output"/);
  assert.match(parsePriceOverride({ input: -1, output: 2 }) as string, /"input" must be a number/);
  assert.match(parsePriceOverride({ input: 1, output: '2' }) as string, /"output" must be a number/);
  assert.match(parsePriceOverride({ input: 1, output: 2, inptu: 3 }) as string, /unknown field "inptu"/);
});

test('switchyard.cost.prices: bad entries are dropped with a problem, good ones kept; workspace values ignored', () => {
  const { settings, problems } = parseSettings({
    'cost.prices': { defaultValue: {}, globalValue: { 'gpt-4.1': { input: 1, output: 2 }, bad: { input: 'x', output: 1 } }, workspaceValue: { 'gpt-4.1': { input: 0, output: 0 } } },
  });
  assert.deepEqual(settings.cost.prices, { 'gpt-4.1': { input: 1, output: 2 } });
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /switchyard\.cost\.prices.*entry "bad"/);
});

test('cost settings defaults and validation', () => {
  const d = parseSettings({}).settings.cost;
  assert.equal(d.warnAtPercent, 80);
  assert.equal(d.onCap, 'keep-local');
  assert.ok(Math.abs(d.localRatePerHourUsd - (1500 / (3 * 365 * 2) + 0.06 * 0.3)) < 0.001);
  const bad = parseSettings({ 'budget.onCap': { globalValue: 'panic' }, 'cost.localRatePerHourUsd': { globalValue: -1 }, 'budget.warnAtPercent': { globalValue: 0 } });
  assert.equal(bad.settings.cost.onCap, 'keep-local');
  assert.equal(bad.settings.cost.localRatePerHourUsd, d.localRatePerHourUsd);
  assert.equal(bad.settings.cost.warnAtPercent, 80);
  assert.equal(bad.problems.length, 3);
});

test('documented aliases, dated names and gateway spellings resolve to their listed model', () => {
  const same = (name: string, listed: string) => assert.equal(findPrice(name), PRICE_TABLE[listed], `${name} -> ${listed}`);
  same('claude-3-5-sonnet-latest', 'claude-3-5-sonnet');
  same('claude-3-5-sonnet-20241022', 'claude-3-5-sonnet');
  same('claude-sonnet-4-0', 'claude-sonnet-4');
  same('claude-opus-4-0', 'claude-opus-4');
  same('anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet'); // Bedrock
  same('us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4'); // Bedrock cross-region
  same('anthropic/claude-sonnet-4.5', 'claude-sonnet-4-5'); // OpenRouter
  same('openai/gpt-4o', 'gpt-4o');
  same('o1', 'o1');
  same('o1-2024-12-17', 'o1');
  same('gpt-4-0613', 'gpt-4');
  same('gpt-3.5-turbo-0125', 'gpt-3.5-turbo');
  same('gpt-4-turbo-2024-04-09', 'gpt-4-turbo');
  same('gpt-4o-2024-05-13', 'gpt-4o-2024-05-13'); // its own (launch) price, not gpt-4o's
  assert.notEqual(findPrice('gpt-4o-2024-05-13'), PRICE_TABLE['gpt-4o']);
  assert.equal(findPrice('my-azure-gpt4o-deployment'), undefined, 'an Azure deployment name is not guessed');
  // A user's price for a deployment name applies as they spelled it.
  assert.deepEqual(findPrice('My-Deployment.v2', { 'my-deployment.v2': { input: 1, output: 2 } }), { input: 1, output: 2 });
});
