// Billing under faults: a cloud stream cut, dropped or stalled after the provider accepted it is billed by
// the provider, so the ledger must bill it too (estimated) and budgets must count it. Real SDK clients
// against the fake servers, through the real task runner and the ledger's cost rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, startFakeAnthropic, startFakeOpenAI } from '../../fakes';
import { costOf, toRecord, type LedgerRecord } from '../../../src/core/cost/record';
import { findPrice } from '../../../src/core/cost/prices';
import { cloudSpend, summarize } from '../../../src/core/cost/summary';
import { usageCostUsd } from '../../../src/core/cost/usage';
import { createCloudChat } from '../../../src/core/providers/node/cloud';
import { parseProviderSettings } from '../../../src/core/settings/providers';
import { parseRoutingSettings } from '../../../src/core/settings/routing';
import { SettingsReader } from '../../../src/core/settings/reader';
import { defaultSettings } from '../../../src/core/settings';
import { TaskRunner, type RoutingContext, type TaskRequest } from '../../../src/core/tasks/runner';
import { countTokens } from '../../../src/core/node/tokens';
import type { CloudProviderId, ModelCallEvent } from '../../../src/core/types';

const KEY = 'sk-test-key-123456';
const REPLY = 'The function adds two numbers and returns their sum without any checks at all.';
const MESSAGES = [{ role: 'system' as const, content: 'Be brief.' }, { role: 'user' as const, content: 'What does add do in this file?' }];

function runner(provider: CloudProviderId, baseURL: string, model: string, timeoutMs: number, events: ModelCallEvent[]): TaskRunner {
  const settings = parseProviderSettings(new SettingsReader({})).cloud;
  settings[provider].baseUrl = baseURL;
  const ctx: RoutingContext = {
    routing: parseRoutingSettings(new SettingsReader({})),
    policy: { allowed: ['machine', 'network', 'cloud'], neverLeaveMachine: false, reason: 'hybrid' },
    budget: { dailySpentUsd: 0, monthlySpentUsd: 0, dailyCapUsd: 0, monthlyCapUsd: 0, exceeded: false, warning: false },
    local: { provider: 'ollama', model: 'qwen', endpointClass: 'machine', healthy: true },
    cloud: { provider, model, endpointClass: 'cloud', keyConfigured: true },
  };
  return new TaskRunner({
    context: async () => ctx,
    localChat: () => { throw new Error('not used'); },
    cloudChat: async () => createCloudChat({ provider, settings, apiKey: KEY, fetch, timeoutMs }),
    countTokens,
    checkSecrets: async (text) => ({ action: 'send', text, reason: '' }),
    price: () => undefined,
    emit: (e) => events.push(e),
  });
}

const ask: TaskRequest = { kind: 'ask', messages: MESSAGES, maxTokens: 500, expectedOutputTokens: 200, selectionLines: 3, files: 1, excludedContent: false, override: 'cloud' };
const sink = (received: string[]) => ({ onRoute: () => undefined, onText: (d: string) => { received.push(d); } });

async function runOnce(provider: CloudProviderId, baseURL: string, model: string, timeoutMs = 5000): Promise<{ e: ModelCallEvent; text: string; record: LedgerRecord }> {
  const events: ModelCallEvent[] = [];
  const received: string[] = [];
  const result = await runner(provider, baseURL, model, timeoutMs, events).run(ask, sink(received), new AbortController().signal);
  assert.equal(result.outcome, 'failed', 'the stream failed');
  assert.equal(events.length, 1, 'one record per model call');
  const e = events[0];
  return { e, text: received.join(''), record: toRecord(e, 'ws', costOf(e, defaultSettings().cost)) };
}

/** The record is billed, flagged as an estimate, and counted by budgets and totals. */
function assertBilledAndCounted(record: LedgerRecord, model: string): void {
  const price = findPrice(model)!;
  assert.ok(record.usage, 'usage recorded');
  assert.equal(record.usageEstimated, true, 'flagged as estimated');
  assert.equal(record.billedCostUsd, usageCostUsd(price, record.usage));
  assert.ok(record.billedCostUsd > 0, 'billed more than $0');
  const now = new Date(record.time);
  const spend = cloudSpend([record], now);
  assert.equal(spend.dailyUsd, record.billedCostUsd, 'the daily budget counts it');
  assert.equal(spend.monthlyUsd, record.billedCostUsd, 'the monthly budget counts it');
  const s = summarize([record], { now, cloudModel: model, cloudPrice: price });
  assert.equal(s.today.cloudUsd + s.today.cloudUnreportedUsd, record.billedCostUsd, 'today\'s total counts it');
  assert.equal(s.today.cloudUnreportedUsd, record.billedCostUsd, 'as an estimate');
}

describe('Anthropic: a stream that fails after message_start', () => {
  let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
  const model = 'claude-sonnet-4-5';
  before(async () => { fake = await startFakeAnthropic({ models: [model], apiKey: KEY }); });
  after(() => closeAll(fake));

  for (const fault of ['truncate', 'drop', 'stream-error'] as const) {
    test(`${fault} after 5 tokens: the input tokens reported in message_start plus the received text are billed`, async () => {
      fake.reset();
      // The provider's own input count (with a cache read) differs from our estimate: it must win.
      fake.script({ text: REPLY, fault, afterTokens: 5, chunkMs: 10, usage: { promptTokens: 4321, cacheReadTokens: 1000 } });
      const { e, text, record } = await runOnce('anthropic', fake.baseURL, model);
      assert.ok(text.length > 0 && text.length < REPLY.length, 'part of the answer arrived');
      // Anthropic's input_tokens (the fake's promptTokens) excludes the cache read: Switchyard counts both.
      assert.notEqual(e.estimated.promptTokens, 5321);
      assert.equal(e.usage?.promptTokens, 5321, 'the input reported in message_start');
      assert.equal(e.usage?.cacheReadTokens, 1000, 'its cache read part too');
      assert.equal(e.usage?.completionTokens, await countTokens(text), 'output: the tokens of the text received');
      assertBilledAndCounted(record, model);
    });
  }

  test('a stream that stalls after output times out and is billed', async () => {
    fake.reset();
    fake.script({ text: REPLY, fault: 'hang', afterTokens: 4 });
    const { e, text, record } = await runOnce('anthropic', fake.baseURL, model, 400);
    assert.match(e.error ?? '', /did not answer within/);
    assert.ok(text.length > 0);
    assert.equal(e.usage?.completionTokens, await countTokens(text));
    assertBilledAndCounted(record, model);
  });

  test('a request refused before any event (500) is still not billed', async () => {
    fake.reset();
    fake.script({ status: 500 }, { times: 2 });
    const { e, record } = await runOnce('anthropic', fake.baseURL, model);
    assert.equal(e.usage, undefined);
    assert.equal(record.billedCostUsd, 0);
    assert.equal(record.usageEstimated, undefined);
  });
});

describe('OpenAI: a stream that fails before its usage chunk', () => {
  let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
  const model = 'gpt-4.1-mini';
  before(async () => { fake = await startFakeOpenAI({ models: [model], apiKey: KEY }); });
  after(() => closeAll(fake));

  for (const fault of ['truncate', 'drop'] as const) {
    test(`${fault} after 5 tokens: the input estimate plus the received text are billed`, async () => {
      fake.reset();
      fake.script({ text: REPLY, fault, afterTokens: 5, chunkMs: 10 });
      const { e, text, record } = await runOnce('openai', fake.baseURL, model);
      assert.ok(text.length > 0 && text.length < REPLY.length);
      // OpenAI reports usage only in the final chunk, which never came: the pre-call estimate stands in.
      assert.equal(e.usage?.promptTokens, e.estimated.promptTokens);
      assert.equal(e.usage?.completionTokens, await countTokens(text));
      assertBilledAndCounted(record, model);
    });
  }

  test('a stream that stalls after output times out and is billed', async () => {
    fake.reset();
    fake.script({ text: REPLY, fault: 'hang', afterTokens: 3 });
    const { text, record } = await runOnce('openai', fake.baseURL, model, 400);
    assert.ok(text.length > 0);
    assertBilledAndCounted(record, model);
  });

  test('a server that never answers is not billed', async () => {
    fake.reset();
    fake.script({ fault: 'hang' }, { times: 3 });
    const { e, record } = await runOnce('openai', fake.baseURL, model, 300);
    assert.equal(e.usage, undefined);
    assert.equal(record.billedCostUsd, 0);
  });
});

describe('Anthropic: a stream the user cancels', () => {
  let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
  const model = 'claude-sonnet-4-5';
  before(async () => { fake = await startFakeAnthropic({ models: [model], apiKey: KEY }); });
  after(() => closeAll(fake));

  test('bills the larger of the reported output and the text received, flagged as estimated', async () => {
    fake.reset();
    fake.script({ text: REPLY, chunkMs: 30, usage: { promptTokens: 4321 } });
    const events: ModelCallEvent[] = [];
    const received: string[] = [];
    const ac = new AbortController();
    const cancelAfter = { onRoute: () => undefined, onText: (d: string) => { received.push(d); if (received.length === 6) ac.abort(); } };
    const result = await runner('anthropic', fake.baseURL, model, 5000, events).run(ask, cancelAfter, ac.signal);
    assert.equal(result.outcome, 'cancelled');
    assert.equal(events.length, 1);
    const e = events[0];
    const text = received.join('');
    assert.ok(text.length > 0 && text.length < REPLY.length, 'part of the answer arrived');
    assert.equal(e.usage?.promptTokens, 4321, 'the input reported in message_start');
    // message_start reports almost no output; the text received is what was generated at least.
    const receivedTokens = await countTokens(text);
    assert.ok(receivedTokens > 1);
    assert.equal(e.usage?.completionTokens, receivedTokens, 'output: the tokens of the text received');
    assertBilledAndCounted(toRecord(e, 'ws', costOf(e, defaultSettings().cost)), model);
  });
});
