import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskRunner, type RoutingContext, type TaskDeps, type TaskRequest } from '../../../src/core/tasks/runner';
import { ProviderError, type ChatProvider, type ChatRequest, type StreamResult } from '../../../src/core/providers/types';
import type { ModelCallEvent } from '../../../src/core/types';
import { buildAskPrompt } from '../../../src/core/tasks/prompts';
import { hybridContext } from './routingContext';

// Scripted chat providers: they stream the given text (or throw) and record what they were sent.
function provider(id: ChatProvider['id'], reply: string | Error, extra: Partial<StreamResult> = {}) {
  const sent: ChatRequest[] = [];
  const p: ChatProvider = {
    id, baseUrl: `http://127.0.0.1/${id}`,
    async chat(req, onText, signal) {
      sent.push(req);
      if (reply instanceof Error) throw reply;
      for (const piece of reply.match(/.{1,5}/gs) ?? []) {
        if (signal.aborted) return { text: '', finishReason: 'cancelled', totalMs: 1 };
        onText(piece);
      }
      return { text: reply, finishReason: 'stop', usage: { promptTokens: 11, completionTokens: 7 }, ttftMs: 2, totalMs: 5, ...extra };
    },
  };
  return { p, sent };
}

function setup(opts: { local?: ReturnType<typeof provider>; cloud?: ReturnType<typeof provider>; ctx?: (c: RoutingContext) => void; secrets?: 'keep-local' | 'redact' } = {}) {
  const local = opts.local ?? provider('ollama', 'The function adds two numbers.');
  const cloud = opts.cloud ?? provider('openai', 'It returns a + b.');
  const events: ModelCallEvent[] = [];
  const ctx = hybridContext();
  opts.ctx?.(ctx);
  const deps: TaskDeps = {
    context: async () => ctx,
    localChat: () => local.p,
    cloudChat: async () => cloud.p,
    countTokens: async (t) => Math.ceil(t.length / 4),
    // Stands in for the privacy area's scanner: an AWS-style key id is a secret.
    checkSecrets: async (t) => !/AKIA\w+/.test(t) ? { action: 'send', text: t, reason: '' }
      : opts.secrets === 'redact' ? { action: 'redact', text: t.replace(/AKIA\w+/g, '<redacted>'), reason: 'redacted' }
        : { action: 'keep-local', text: t, reason: 'kept local: possible secret' },
    price: (p, _m, u) => (p === 'openai' ? (u.promptTokens + u.completionTokens) / 1000 : 0),
    emit: (e) => events.push(e),
  };
  return { runner: new TaskRunner(deps), local, cloud, events, ctx };
}

const sel = { path: 'a.ts', languageId: 'typescript', startLine: 1, endLine: 3, text: 'function add(a, b) {\n  return a + b;\n}' };
const ask = (over: Partial<TaskRequest> = {}): TaskRequest => ({
  kind: 'ask', messages: buildAskPrompt(sel, 'What does it do?'), maxTokens: 512, expectedOutputTokens: 300, selectionLines: 3, files: 1, excludedContent: false, ...over,
});
const collect = () => {
  const s = { routes: [] as string[], text: '' };
  return { s, sink: { onRoute: (d: { target: string }) => { s.routes.push(d.target); s.text = ''; }, onText: (t: string) => { s.text += t; } } };
};

test('a small ask runs locally, streams, and emits one served event with usage and reasons', async () => {
  const { runner, local, cloud, events } = setup();
  const { s, sink } = collect();
  const r = await runner.run(ask(), sink, new AbortController().signal);
  assert.equal(r.outcome, 'served');
  assert.equal(s.text, 'The function adds two numbers.');
  assert.deepEqual(s.routes, ['local']);
  assert.equal(local.sent.length, 1);
  assert.equal(local.sent[0].logprobs, true, 'local calls ask for log-probabilities');
  assert.equal(cloud.sent.length, 0);
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.route, 'local');
  assert.equal(e.outcome, 'served');
  assert.equal(e.provider, 'ollama');
  assert.deepEqual(e.usage, { promptTokens: 11, completionTokens: 7 });
  assert.ok(e.estimated.promptTokens > 0);
  assert.match(e.reasons[0], /ask is small/);
  assert.equal(JSON.stringify(e).includes('function add'), false, 'no prompt text in the event');
  assert.ok(r.offers.askCloud && r.offers.askCloud.estimatedCostUsd! > 0, 'the cloud is offered with its estimate');
});

test('an unsure local answer is offered to the cloud, or escalated automatically when the setting says so', async () => {
  const unsure = () => provider('ollama', "I'm not sure. It might be adding, perhaps.");
  const a = setup({ local: unsure() });
  const r1 = await a.runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r1.unsure, true);
  assert.ok(r1.offers.askCloud);
  assert.equal(a.cloud.sent.length, 0);

  const b = setup({ local: unsure(), ctx: (c) => { c.routing.autoEscalate = true; } });
  const { s, sink } = collect();
  const r2 = await b.runner.run(ask(), sink, new AbortController().signal);
  assert.deepEqual(s.routes, ['local', 'cloud']);
  assert.equal(s.text, 'It returns a + b.');
  assert.equal(r2.decision.target, 'cloud');
  assert.match(r2.decision.reasons[0], /^escalated: the local answer looked unsure \(the answer hedges/);
  assert.equal(r2.escalatedFrom?.decision.target, 'local');
  assert.deepEqual(b.events.map((e) => `${e.route}:${e.outcome}`), ['local:served', 'cloud:served']);
});

test('no escalation when the cloud is not allowed', async () => {
  const a = setup({ local: provider('ollama', ''), ctx: (c) => { c.routing.autoEscalate = true; c.policy = { allowed: ['machine'], neverLeaveMachine: true, reason: 'never-leave-machine' }; } });
  const r = await a.runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.unsure, true);
  assert.equal(r.offers.askCloud, undefined);
  assert.equal(a.cloud.sent.length, 0);
});

test('a blocked route emits one blocked event and calls no provider', async () => {
  const a = setup({ ctx: (c) => { c.local.healthy = false; c.policy = { allowed: ['machine'], neverLeaveMachine: true, reason: 'never-leave-machine' }; } });
  const r = await a.runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.outcome, 'blocked');
  assert.match(r.error!.message, /never leaves the machine/);
  assert.equal(a.local.sent.length + a.cloud.sent.length, 0);
  assert.deepEqual(a.events.map((e) => `${e.route}:${e.outcome}`), ['blocked:blocked']);
});

test('a secret keeps a refactor local by default; with redact it goes to the cloud redacted', async () => {
  const secretSel = { ...sel, text: 'const key = "AKIAABCDEFGHIJKLMNOP";' };
  const req = ask({ kind: 'refactor', messages: buildAskPrompt(secretSel, 'simplify') });
  const a = setup({ secrets: 'keep-local' });
  const r1 = await a.runner.run(req, collect().sink, new AbortController().signal);
  assert.equal(r1.decision.target, 'local');
  assert.ok(r1.decision.reasons.some((x) => /looks like a secret/.test(x)));
  const b = setup({ secrets: 'redact' });
  const r2 = await b.runner.run(req, collect().sink, new AbortController().signal);
  assert.equal(r2.decision.target, 'cloud');
  const sent = b.cloud.sent[0].messages.map((m) => m.content).join();
  assert.doesNotMatch(sent, /AKIA/);
  assert.match(sent, /<redacted>/);
});

test('a cloud failure is reported in plain words, recorded as failed, and offers a local retry', async () => {
  const a = setup({ cloud: provider('openai', new ProviderError('rate-limit', 'OpenAI is rate limiting requests (429); try again in 20 s', { status: 429, retryAfterMs: 20000 })) });
  const r = await a.runner.run(ask({ kind: 'refactor' }), collect().sink, new AbortController().signal);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'rate-limit');
  assert.equal(r.error?.retryAfterMs, 20000);
  assert.equal(r.offers.keepLocal, true);
  assert.deepEqual(a.events.map((e) => `${e.route}:${e.outcome}:${e.error}`), ['cloud:failed:OpenAI is rate limiting requests (429); try again in 20 s']);
});

test('the gate refusing a request is recorded as blocked', async () => {
  const a = setup({ cloud: provider('openai', new ProviderError('blocked', 'blocked: api.openai.com is a cloud endpoint')) });
  const r = await a.runner.run(ask({ kind: 'refactor' }), collect().sink, new AbortController().signal);
  assert.equal(r.outcome, 'blocked');
  assert.equal(a.events[0].outcome, 'blocked');
  assert.equal(a.events[0].route, 'blocked');
});

test('cancelling yields a cancelled outcome and event', async () => {
  const a = setup();
  const ac = new AbortController();
  ac.abort();
  const r = await a.runner.run(ask(), collect().sink, ac.signal);
  assert.equal(r.outcome, 'cancelled');
  assert.equal(a.events[0].outcome, 'cancelled');
});

test('a local provider that cannot be built fails clearly instead of throwing', async () => {
  const a = setup();
  const r = await new TaskRunner({ ...(a.runner as unknown as { deps: TaskDeps }).deps, localChat: () => { throw new Error('No local model provider is available yet.'); } })
    .run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.outcome, 'failed');
  assert.match(r.error!.message, /No local model provider is available yet/);
});

test('a call the egress gate refuses is recorded once, by the gate, and reported as blocked', async () => {
  const { EgressGate } = await import('../../../src/core/privacy/node/gate');
  const gateEvents: string[] = [];
  const gate = new EgressGate({
    policy: () => ({ allowed: ['machine'], neverLeaveMachine: false, reason: 'local only' }), classify: async () => 'cloud',
    fetch: (() => { throw new Error('must not be called'); }) as never,
    onBlocked: (intent) => gateEvents.push(intent.purpose),
  });
  let refusal: unknown;
  await gate.fetchFor({ purpose: 'ask', provider: 'ollama' })('http://ollama.example:11434/api/chat').catch((e: unknown) => { refusal = e; });
  const { runner, events } = setup({ local: provider('ollama', refusal as Error) });
  const r = await runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.outcome, 'blocked');
  assert.deepEqual(gateEvents, ['ask']);
  assert.deepEqual(events, [], 'no second record of the same refusal');
});

test('the record and the result name the model the server reports, not the one asked for', async () => {
  const { runner, local, events } = setup({ local: provider('openai-compatible', 'It adds.', { model: 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf' }) });
  const r = await runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(local.sent[0].model, 'qwen', 'the request still asks for the configured model');
  assert.equal(r.model, 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf');
  assert.equal(events[0].model, 'qwen2.5-coder-0.5b-instruct-q4_k_m.gguf');
});

test('without a reported model the routed model is recorded', async () => {
  const { runner, events } = setup();
  const r = await runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.model, 'qwen');
  assert.equal(events[0].model, 'qwen');
});

test('an unsure local answer: "Ask the cloud instead" when allowed, "Set a cloud key" when only a key is missing, else the reason', async () => {
  const unsure = () => provider('ollama', "I'm not sure. It might be adding them, perhaps.");
  const withKey = await setup({ local: unsure() }).runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(withKey.unsure, true);
  assert.ok(withKey.offers.askCloud);
  assert.equal(withKey.offers.setKey, undefined);

  const noKey = setup({ local: unsure(), ctx: (c) => { c.cloud.keyConfigured = false; } });
  const r = await noKey.runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(r.offers.askCloud, undefined);
  assert.equal(r.offers.setKey, true);
  assert.equal(r.neverLeaveMachine, false);

  const locked = setup({ local: unsure(), ctx: (c) => { c.cloud.keyConfigured = false; c.policy = { allowed: ['machine'], neverLeaveMachine: true, reason: 'never-leave-machine' }; } });
  const l = await locked.runner.run(ask(), collect().sink, new AbortController().signal);
  assert.equal(l.offers.setKey, undefined, 'a key would not help');
  assert.equal(l.offers.cloudWhyNot, 'never-leave-machine workspace');
  assert.equal(l.neverLeaveMachine, true);
});
