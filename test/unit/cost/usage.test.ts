import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPrice } from '../../../src/core/cost/prices';
import {
  fromAnthropicUsage, fromOllamaStats, fromOpenAIUsage, localCostUsd, mergeAnthropicStreamUsage, ollamaInferenceMs, usageCostUsd,
  type AnthropicUsage, type OpenAIUsage,
} from '../../../src/core/cost/usage';

const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));
const lines = (name: string): Record<string, unknown>[] =>
  readFileSync(join(__dirname, 'fixtures', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
/** USD to 1e-10, so float noise never fails a test but a wrong rate always does. */
const usd = (n: number) => Math.round(n * 1e10) / 1e10;

test('OpenAI non-streamed: cached tokens are part of prompt_tokens and are not charged twice', () => {
  const body = fixture('openai-chat-nonstream.json') as { model: string; usage: OpenAIUsage };
  const usage = fromOpenAIUsage(body.usage);
  assert.deepEqual(usage, { promptTokens: 2006, completionTokens: 300, cacheReadTokens: 1920 });
  const price = findPrice(body.model);
  assert.ok(price, 'dated snapshot gpt-4.1-mini-2025-04-14 is priced as gpt-4.1-mini');
  // gpt-4.1-mini: $0.40 in, $0.10 cached in, $1.60 out per million.
  assert.equal(usd(usageCostUsd(price, usage)), usd((86 * 0.4 + 1920 * 0.1 + 300 * 1.6) / 1e6));
  // Naively charging prompt_tokens in full AND the cached tokens would be higher: the bug peers have.
  assert.ok(usageCostUsd(price, usage) < (2006 * 0.4 + 1920 * 0.1 + 300 * 1.6) / 1e6);
});

test('OpenAI streamed with include_usage: usage comes from the final chunk with empty choices', () => {
  const chunks = lines('openai-chat-stream.jsonl');
  const final = chunks.filter((c) => c.usage).at(-1) as { model: string; usage: OpenAIUsage; choices: unknown[] };
  assert.equal(final.choices.length, 0);
  const usage = fromOpenAIUsage(final.usage);
  assert.deepEqual(usage, { promptTokens: 1200, completionTokens: 250 });
  const price = findPrice(final.model)!;
  assert.equal(usd(usageCostUsd(price, usage)), usd((1200 * 2 + 250 * 8) / 1e6)); // gpt-4.1: $2 / $8
});

test('OpenAI Responses API shape normalizes the same way', () => {
  const usage = fromOpenAIUsage({ input_tokens: 1000, output_tokens: 50, input_tokens_details: { cached_tokens: 400 } });
  assert.deepEqual(usage, { promptTokens: 1000, completionTokens: 50, cacheReadTokens: 400 });
});

test('Anthropic: input_tokens excludes cache tokens; cache write is 1.25x input, read 0.1x', () => {
  const msg = fixture('anthropic-message-cache-write.json') as { model: string; usage: AnthropicUsage };
  const usage = fromAnthropicUsage(msg.usage);
  assert.deepEqual(usage, { promptTokens: 21 + 188086, completionTokens: 393, cacheWriteTokens: 188086 });
  const price = findPrice(msg.model)!;
  assert.equal(usd(usageCostUsd(price, usage)), usd((21 * 3 + 188086 * 3.75 + 393 * 15) / 1e6));
});

test('Anthropic streamed: message_start counts + last cumulative message_delta output', () => {
  const events = lines('anthropic-stream-cache-read.jsonl');
  const start = (events.find((e) => e.type === 'message_start') as { message: { model: string; usage: AnthropicUsage } }).message;
  const lastDelta = (events.filter((e) => e.type === 'message_delta').at(-1) as { usage: AnthropicUsage }).usage;
  const usage = mergeAnthropicStreamUsage(start.usage, lastDelta);
  assert.deepEqual(usage, { promptTokens: 50 + 188086, completionTokens: 500, cacheReadTokens: 188086 });
  assert.equal(usd(usageCostUsd(findPrice(start.model)!, usage)), usd((50 * 3 + 188086 * 0.3 + 500 * 15) / 1e6));
  // A stream cut before any message_delta still bills what message_start reported.
  assert.deepEqual(mergeAnthropicStreamUsage(start.usage, undefined), { promptTokens: 50 + 188086, completionTokens: 1, cacheReadTokens: 188086 });
});

test('Anthropic long-context tier applies above 200k input tokens (cache tokens included)', () => {
  const price = findPrice('claude-sonnet-4-5')!;
  assert.equal(usd(usageCostUsd(price, { promptTokens: 250_000, completionTokens: 1000 })), usd((250_000 * 6 + 1000 * 22.5) / 1e6));
  assert.equal(usd(usageCostUsd(price, { promptTokens: 200_000, cacheReadTokens: 199_000, completionTokens: 0 })), usd((1000 * 3 + 199_000 * 0.3) / 1e6));
  assert.equal(usd(usageCostUsd(price, { promptTokens: 201_000, cacheReadTokens: 199_000, completionTokens: 0 })), usd((2000 * 6 + 199_000 * 0.6) / 1e6));
});

test('malformed usage (cache parts larger than the input) never bills more than the input', () => {
  const price = findPrice('gpt-4o')!;
  assert.equal(usd(usageCostUsd(price, { promptTokens: 100, cacheReadTokens: 500, completionTokens: 0 })), usd(100 * 1.25 / 1e6));
});

test('Ollama: prompt_eval_count / eval_count, inference time from durations; a KV-cached prompt counts 0', () => {
  const done = fixture('ollama-generate-done.json') as Parameters<typeof fromOllamaStats>[0];
  assert.deepEqual(fromOllamaStats(done), { promptTokens: 26, completionTokens: 298 });
  assert.equal(ollamaInferenceMs(done), (325953000 + 4709213000) / 1e6);
  assert.deepEqual(fromOllamaStats({ eval_count: 12 }), { promptTokens: 0, completionTokens: 12 });
  assert.equal(ollamaInferenceMs({}), undefined);
});

test('local cost is inference time at the hourly rate', () => {
  assert.equal(localCostUsd(3_600_000, 0.703), 0.703);
  assert.equal(usd(localCostUsd(1800, 0.703)), usd(0.703 * 1800 / 3_600_000));
  assert.equal(localCostUsd(-5, 1), 0);
});

test('garbage usage values count as zero, never NaN', () => {
  const u = fromOpenAIUsage({ prompt_tokens: Number.NaN, completion_tokens: -3, prompt_tokens_details: null });
  assert.deepEqual(u, { promptTokens: 0, completionTokens: 0 });
  assert.equal(usageCostUsd(findPrice('gpt-4o')!, u), 0);
});
