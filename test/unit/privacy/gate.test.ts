import Anthropic from '@anthropic-ai/sdk';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { EgressGate } from '../../../src/core/privacy/node/gate';
import { ALL_CLASSES, failClosedPolicy, resolvePolicy, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { ProviderError } from '../../../src/core/providers/types';
import { closeAll, startFakeAnthropic, startFakeOllama, startFakeOpenAI, startRecorder, type FakeAnthropic, type FakeOllama, type FakeOpenAI, type Recorder } from '../../fakes';
import { blockedCause, fakeDns, isLoopbackLiteral, rig } from './simnet';

const NLM: PrivacyPolicy = resolvePolicy({ neverLeaveMachineSetting: true, markers: [], trusted: true });
const HYBRID: PrivacyPolicy = { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid' };

describe('egress gate with the real SDK clients', () => {
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let claude: FakeAnthropic;
  let elsewhere: Recorder;
  before(async () => {
    [ollama, openai, claude, elsewhere] = await Promise.all([startFakeOllama(), startFakeOpenAI(), startFakeAnthropic(), startRecorder()]);
  });
  after(() => closeAll(ollama, openai, claude, elsewhere));

  const port = (f: { url: string }): string => new URL(f.url).port;
  const dns = fakeDns({
    'api.openai.test': ['162.159.140.245'],
    'api.anthropic.test': ['160.79.104.10'],
    'ollama.box.test': ['127.0.0.1'],
    localhost: ['127.0.0.1', '::1'],
    'gpu.lan.test': ['10.0.0.5'],
    'rebind.test': [['127.0.0.1'], ['203.0.113.9']],
  });

  it('blocks cloud requests in a never-leave-machine workspace: nothing reaches the server', async () => {
    const r = rig(() => NLM, dns);
    const oa = new OpenAI({ baseURL: `http://api.openai.test:${port(openai)}/v1`, apiKey: 'sk-test', maxRetries: 2, fetch: r.gate.fetchFor({ purpose: 'ask', provider: 'openai', model: 'gpt-4.1-mini' }) });
    const err = await oa.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    const cause = blockedCause(err);
    assert.ok(cause, `expected a blocked ProviderError, got ${String(err)}`);
    assert.ok(cause instanceof ProviderError);
    assert.match(cause.message, /api\.openai\.test.*never-leave-machine/);
    const an = new Anthropic({ baseURL: `http://api.anthropic.test:${port(claude)}`, apiKey: 'k', maxRetries: 2, fetch: r.gate.fetchFor({ purpose: 'refactor', provider: 'anthropic' }) });
    assert.ok(blockedCause(await an.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)));
    assert.equal(openai.requests.length + claude.requests.length, 0);
    assert.equal(openai.connections + claude.connections, 0);
    assert.equal(r.hits.length, 0);
    assert.ok(r.blocked.length >= 2, 'every refusal is reported (SDK retries included)');
    assert.ok(r.blocked.every((b) => b.decision.endpointClass === 'cloud'));
  });

  it('refuses a cloud provider even at a loopback address (a local gateway would forward it), yet serves a local one there', async () => {
    const r = rig(() => NLM, dns);
    const viaGateway = new OpenAI({ baseURL: `${openai.baseURL}`, apiKey: 'sk-test', maxRetries: 0, fetch: r.gate.fetchFor({ purpose: 'ask', provider: 'openai' }) });
    const err = await viaGateway.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    assert.match(blockedCause(err)?.message ?? String(err), /openai is a cloud provider \(even through 127\.0\.0\.1:\d+\)/);
    assert.equal(openai.connections, 0);
    const local = new Ollama({ host: ollama.baseURL, fetch: r.gate.fetchFor({ purpose: 'ask', provider: 'ollama' }) });
    assert.ok((await local.list()).models.length > 0);
    const hybrid = rig(() => HYBRID, dns);
    const allowed = new OpenAI({ baseURL: `${openai.baseURL}`, apiKey: 'sk-test', maxRetries: 0, fetch: hybrid.gate.fetchFor({ purpose: 'ask', provider: 'openai' }) });
    assert.ok((await allowed.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] })).choices[0]);
    assert.equal(openai.requests.length, 1);
    openai.reset();
    ollama.reset();
  });

  it('the same clients DO reach the fakes when the policy allows the cloud (the setup can see a leak)', async () => {
    const r = rig(() => HYBRID, dns);
    const oa = new OpenAI({ baseURL: `http://api.openai.test:${port(openai)}/v1`, apiKey: 'sk-test', maxRetries: 0, fetch: r.gate.fetchFor({ purpose: 'ask', provider: 'openai' }) });
    const res = await oa.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] });
    assert.ok(res.choices[0]?.message.content);
    assert.equal(openai.requests.length, 1);
    assert.equal(r.hits[0]?.host, 'api.openai.test');
    openai.reset();
  });

  it('lets machine endpoints work, by address or by a name that resolves to loopback', async () => {
    const r = rig(() => NLM, dns);
    for (const host of [`127.0.0.1:${port(ollama)}`, `localhost:${port(ollama)}`, `ollama.box.test:${port(ollama)}`, `[::1]:${port(ollama)}`]) {
      const client = new Ollama({ host: `http://${host}`, fetch: r.gate.fetchFor({ purpose: 'completion', provider: 'ollama' }) });
      const out = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'def add(a, b):', stream: false });
      assert.ok((out.response ?? "").length > 0, host);
    }
    assert.equal(ollama.generations.length, 4);
    // Names were pinned to the loopback address that was checked: the wire never saw a name.
    assert.ok(r.hits.every((h) => isLoopbackLiteral(h.host)), JSON.stringify(r.hits));
    ollama.reset();
  });

  it('refuses a local model configured on another host, with a clear message', async () => {
    const r = rig(() => NLM, dns);
    const client = new Ollama({ host: `http://gpu.lan.test:${port(ollama)}`, fetch: r.gate.fetchFor({ purpose: 'health', provider: 'ollama' }) });
    const err = await client.list().catch((e: unknown) => e);
    assert.ok(blockedCause(err));
    assert.match(String((err as Error).message), /gpu\.lan\.test.*on another machine|gpu\.lan\.test.*leaves this machine/);
    assert.equal(ollama.requests.length, 0);
  });

  it('re-checks each request: a name that rebinds to a public address is caught', async () => {
    const r = rig(() => NLM, dns);
    const client = new Ollama({ host: `http://rebind.test:${port(ollama)}`, fetch: r.gate.fetchFor({ purpose: 'list-models', provider: 'ollama' }) });
    await client.list();
    assert.ok(blockedCause(await client.list().catch((e: unknown) => e)));
    assert.equal(ollama.requests.length, 1);
    ollama.reset();
  });

  it('fails closed when the policy or the classifier throws', async () => {
    const hits: string[] = [];
    const wire = (async (u: string | URL | Request) => {
      hits.push(String(u));
      return new Response('{}');
    }) as typeof fetch;
    const throwingPolicy = new EgressGate({ policy: () => { throw new Error('settings unreadable'); }, classify: async () => 'cloud', fetch: wire });
    await assert.rejects(throwingPolicy.fetchFor({ purpose: 'ask', provider: 'openai' })(`${elsewhere.url}/v1/x`), (e: ProviderError) => e.code === 'blocked' && /fail-closed/.test(e.message));
    const throwingClassifier = new EgressGate({ policy: () => HYBRID, classify: () => Promise.reject(new Error('dns exploded')), fetch: wire });
    // With the cloud allowed, an unclassifiable URL counts as cloud, hence allowed; with NLM, refused.
    const nlm = new EgressGate({ policy: () => failClosedPolicy('x'), classify: () => Promise.reject(new Error('dns exploded')), fetch: wire });
    await assert.rejects(nlm.fetchFor({ purpose: 'completion', provider: 'ollama' })('http://127.0.0.1:1/api/generate'), (e: ProviderError) => e.code === 'blocked');
    assert.equal((await throwingClassifier.check(new URL('http://x.test'))).endpointClass, 'cloud');
    const badPolicy = new EgressGate({ policy: () => undefined as never, classify: async () => 'cloud', fetch: wire });
    assert.equal((await badPolicy.check(new URL('http://x.test'))).allowed, false);
    assert.deepEqual(hits, []);
  });

  it('does not follow redirects past the check', async () => {
    const redirector = await startRecorder({ status: 302, body: {}, defaults: { headers: { location: `http://api.openai.test:${port(elsewhere)}/stolen` } } });
    try {
      const r = rig(() => NLM, dns);
      const res = await r.gate.fetchFor({ purpose: 'health', provider: 'ollama' })(`${redirector.url}/`, {});
      assert.equal(res.status, 302);
      assert.equal(redirector.requests.length, 1);
      assert.equal(elsewhere.requests.length, 0);
    } finally {
      await redirector.close();
    }
  });

  it('an onBlocked listener added later is told too, and a throwing listener changes nothing', async () => {
    const gate = new EgressGate({ policy: () => NLM, classify: async () => 'cloud', fetch: (() => { throw new Error('must not be called'); }) as never });
    const seen: string[] = [];
    gate.onBlocked(() => { throw new Error('listener bug'); });
    const off = gate.onBlocked((intent) => seen.push(intent.purpose));
    await assert.rejects(gate.fetchFor({ purpose: 'pull', provider: 'ollama' })('http://x.test/api/pull'), (e: ProviderError) => e.code === 'blocked');
    off();
    await assert.rejects(gate.fetchFor({ purpose: 'ask', provider: 'ollama' })('http://x.test/api/chat'), (e: ProviderError) => e.code === 'blocked');
    assert.deepEqual(seen, ['pull']);
  });
});
