// Property-style proof of the boundary: 1,200 seeded random scenarios in a never-leave-machine
// workspace drive the REAL ollama / openai / @anthropic-ai/sdk clients through the egress gate
// (and the router's decision) against the fake servers. Whatever the request kind, size, budget,
// local failure, escalation, retry or fallback, and however the endpoints are named, the fake cloud
// servers and every non-loopback address receive nothing, while loopback endpoints keep working.
//   SEED=123 node --import tsx --test test/unit/privacy/property.test.ts   reproduces one run
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import { EndpointClassifier } from '../../../src/core/privacy/node/endpoints';
import type { EgressPurpose } from '../../../src/core/privacy/node/gate';
import { failClosedPolicy, parseMarker, resolvePolicy, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { route, type RouteInput } from '../../../src/core/routing/router';
import { DEFAULT_TARGETS } from '../../../src/core/settings/routing';
import type { CloudProviderId, LocalProviderId, RequestKind } from '../../../src/core/types';
import { assertNothingReached, closeAll, startFakeAnthropic, startFakeOllama, startFakeOpenAI, startRecorder, type FakeAnthropic, type FakeOllama, type FakeOpenAI, type Recorder } from '../../fakes';
import { rng } from './secretCorpus';
import { blockedCause, callCloud, fakeDns, isLoopbackLiteral, rig } from './simnet';

const SCENARIOS = 1200;
const SEED = Number(process.env.SEED ?? 424242);

/** Local endpoint spellings: `machine` says whether its bytes stay on this machine (ground truth, by hand). */
const LOCAL_HOSTS = [
  { host: '127.0.0.1', machine: true },
  { host: '127.3.4.5', machine: true },
  { host: 'localhost', machine: true },
  { host: '[::1]', machine: true },
  { host: '[::ffff:127.0.0.1]', machine: true },
  { host: 'loop.dev.test', machine: true },
  { host: 'LOOP.DEV.TEST.', machine: true },
  { host: 'lan.test', machine: false }, // private, trusted: network, still not the machine
  { host: '192.168.1.7', machine: false },
  { host: 'mixed.test', machine: false }, // loopback AND public answers
  { host: 'public.test', machine: false },
  { host: 'nx.test', machine: false }, // does not resolve
  { host: '10.0.0.9', machine: false },
  { host: '[2001:db8::7]', machine: false },
  { host: '[::ffff:8.8.8.8]', machine: false },
  { host: 'rebind.test', machine: 'first' as const }, // loopback on the first lookup, public afterwards
] as const;

const CLOUD_HOSTS = ['api.cloud.test', '203.0.113.50', 'cloud-mixed.test', '[2606:4700::1]', 'lan.test'];
const PURPOSES: EgressPurpose[] = ['completion', 'ask', 'refactor', 'architecture', 'health', 'list-models', 'pull', 'show-model'];

interface Scenario {
  i: number;
  purpose: EgressPurpose;
  policy: PrivacyPolicy;
  localProvider: Exclude<LocalProviderId, 'embedded'>;
  local: (typeof LOCAL_HOSTS)[number];
  localDown: 'no' | 'status-500' | 'closed-port' | 'drop';
  cloudProvider: CloudProviderId;
  cloudHost: string;
  promptChars: number;
  retries: number;
  escalate: boolean;
  budgetExceeded: boolean;
  keyConfigured: boolean;
  secrets: boolean;
  mode: RouteInput['mode'];
}

function scenarios(): Scenario[] {
  const r = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const policies = (): PrivacyPolicy => pick([
    resolvePolicy({ neverLeaveMachineSetting: true, markers: [], trusted: r() < 0.8 }),
    resolvePolicy({ neverLeaveMachineSetting: false, markers: [{ folder: 'a', state: { kind: 'absent' } }, { folder: 'b', state: parseMarker('') }], trusted: true }),
    resolvePolicy({ neverLeaveMachineSetting: false, markers: [{ folder: 'a', state: parseMarker('{"neverLeaveMachine": tru') }], trusted: r() < 0.5 }),
    failClosedPolicy('settings could not be read'),
  ]);
  return Array.from({ length: SCENARIOS }, (_, i) => ({
    i,
    purpose: pick(PURPOSES),
    policy: policies(),
    localProvider: pick(['ollama', 'openai-compatible'] as const),
    local: pick(LOCAL_HOSTS),
    localDown: pick(['no', 'no', 'status-500', 'closed-port', 'drop'] as const),
    cloudProvider: pick(['openai', 'anthropic'] as const),
    cloudHost: pick(CLOUD_HOSTS),
    promptChars: Math.floor(10 ** (1 + r() * 4.3)), // 10 .. 200,000 characters
    retries: Math.floor(r() * 3),
    escalate: r() < 0.4,
    budgetExceeded: r() < 0.2,
    keyConfigured: r() < 0.8,
    secrets: r() < 0.2,
    mode: pick(['hybrid', 'hybrid', 'cloud-preferred', 'local-only'] as const),
  }));
}

describe(`never-leave-machine holds across ${SCENARIOS} random scenarios (seed ${SEED})`, () => {
  let ollama: FakeOllama;
  let localOpenAI: FakeOpenAI;
  let cloudOpenAI: FakeOpenAI;
  let cloudClaude: FakeAnthropic;
  let closedPort: string;
  before(async () => {
    [ollama, localOpenAI, cloudOpenAI, cloudClaude] = await Promise.all([
      startFakeOllama({ reply: 'ok' }), startFakeOpenAI({ reply: 'ok', models: ['qwen2.5-coder-7b'], ownedBy: 'llamacpp' }),
      startFakeOpenAI({ reply: 'cloud' }), startFakeAnthropic({ reply: 'cloud' }),
    ]);
    const gone: Recorder = await startRecorder();
    closedPort = new URL(gone.url).port;
    await gone.close();
  });
  after(() => closeAll(ollama, localOpenAI, cloudOpenAI, cloudClaude));

  it('no cloud fake and no non-machine address receives a single request; machine endpoints serve', async () => {
    const stats = { localServed: 0, localBlocked: 0, localFailed: 0, cloudAttempts: 0, cloudBlocked: 0, routed: { local: 0, cloud: 0, blocked: 0 }, purposes: new Set<string>() };
    for (const s of scenarios()) {
      const where = `scenario ${s.i} (SEED=${SEED}): ${JSON.stringify({ ...s, policy: s.policy.reason })}`;
      const dns = fakeDns({
        localhost: ['127.0.0.1', '::1'],
        'loop.dev.test': ['127.0.0.2'],
        'lan.test': ['192.168.1.7'],
        'mixed.test': ['127.0.0.1', '198.51.100.4'],
        'public.test': ['198.51.100.8'],
        'rebind.test': [['127.0.0.1'], ['203.0.113.5']],
        'api.cloud.test': ['162.159.140.245'],
        'cloud-mixed.test': ['127.0.0.1', '162.159.140.245'],
      });
      const { gate, hits, blocked } = rig(() => s.policy, dns, ['lan.test', '192.168.0.0/16', '10.0.0.0/8']);
      ollama.reset();
      localOpenAI.reset();

      // The router sees what the runner would give it: the local endpoint's class, health, budget...
      const fakeLocal = s.localProvider === 'ollama' ? ollama : localOpenAI;
      const port = s.localDown === 'closed-port' ? closedPort : new URL(fakeLocal.url).port;
      const localBase = `http://${s.local.host}:${port}${s.localProvider === 'ollama' ? '' : '/v1'}`;
      const cloudFake = s.cloudProvider === 'openai' ? cloudOpenAI : cloudClaude;
      const cloudBase = `http://${s.cloudHost}:${new URL(cloudFake.url).port}${s.cloudProvider === 'openai' ? '/v1' : ''}`;
      const classifier = new EndpointClassifier({ resolve: fakeDns({ localhost: ['127.0.0.1'], 'loop.dev.test': ['127.0.0.2'], 'rebind.test': ['127.0.0.1'] }), trustedNetworkHosts: ['lan.test'] });
      if (s.localDown === 'status-500') fakeLocal.script({ status: 500, message: 'boom' }, { match: () => true, times: 10 });
      if (s.localDown === 'drop') fakeLocal.script({ fault: 'drop' }, { match: () => true, times: 10 });

      const isRequest = ['completion', 'ask', 'refactor', 'architecture'].includes(s.purpose);
      let wantCloud = s.escalate;
      if (isRequest) {
        const decision = route({
          kind: s.purpose as RequestKind,
          promptTokens: Math.ceil(s.promptChars / 4),
          expectedOutputTokens: 400,
          selectionLines: Math.ceil(s.promptChars / 40),
          files: 1 + Math.floor(s.promptChars / 50_000),
          privacy: s.policy,
          excludedContent: false,
          secrets: { found: s.secrets, handling: 'keep-local' },
          budget: { dailySpentUsd: s.budgetExceeded ? 5 : 0, monthlySpentUsd: 0, dailyCapUsd: s.budgetExceeded ? 5 : 0, monthlyCapUsd: 0, exceeded: s.budgetExceeded, warning: false },
          local: { provider: s.localProvider, model: 'm', endpointClass: (await classifier.classify(new URL(localBase))).endpointClass, healthy: s.localDown === 'no' ? true : s.i % 2 ? false : undefined },
          cloud: { provider: s.cloudProvider, model: 'c', endpointClass: 'cloud', keyConfigured: s.keyConfigured },
          mode: s.mode,
          override: s.escalate ? 'cloud' : undefined,
          settings: { targets: DEFAULT_TARGETS, askLocalMaxTokens: 2000, askLocalMaxLines: 150 },
          price: () => 0.01,
        });
        stats.routed[decision.target]++;
        assert.notEqual(decision.target, 'cloud', `router sent it to the cloud: ${where}`);
        if (decision.target === 'blocked') assert.ok(decision.reasons.some((x) => /blocked/.test(x)), where);
        wantCloud ||= s.mode === 'cloud-preferred';
      }
      stats.purposes.add(s.purpose);

      // The local attempt, then retries while it fails.
      const prompt = 'x'.repeat(Math.min(s.promptChars, 20_000));
      let served = false;
      let lastError: unknown;
      for (let attempt = 0; attempt <= s.retries && !served; attempt++) {
        const fetch = gate.fetchFor({ purpose: s.purpose, provider: s.localProvider, model: 'm', stage: attempt === 0 ? 'first' : 'retry' });
        try {
          await callLocal(s.localProvider, localBase, fetch, s.purpose, prompt);
          served = true;
        } catch (err) {
          lastError = err;
        }
      }
      // Fallback / escalation: a buggy upstream tries the cloud anyway. The gate is the last line.
      const fallbacks = (served ? 0 : 1) + (wantCloud ? 1 : 0);
      for (let k = 0; k < fallbacks; k++) {
        stats.cloudAttempts++;
        const fetch = gate.fetchFor({ purpose: s.purpose, provider: s.cloudProvider, model: 'c', stage: 'fallback' });
        const err = await callCloud(s.cloudProvider, cloudBase, fetch, prompt).then(() => undefined, (e: unknown) => e);
        assert.ok(blockedCause(err), `cloud call was not blocked by the gate: ${String(err)} — ${where}`);
        stats.cloudBlocked++;
      }

      // The properties.
      assertNothingReached(cloudOpenAI, cloudClaude);
      for (const h of hits) assert.ok(isLoopbackLiteral(h.host), `a request left for ${h.host}: ${where}`);
      if (s.purpose === 'pull') {
        // A pull makes the server download from the internet: refused at any address in these workspaces.
        assert.ok(!served && blockedCause(lastError), `a model pull was not refused — ${where}`);
        assert.match(blockedCause(lastError)!.message, /blocked: (pulling a model downloads it from the internet|.* (leaves this machine|is on another machine))/, where);
      } else if (s.local.machine === true && s.localDown === 'no') {
        assert.ok(served, `machine endpoint did not serve: ${String(lastError)} — ${where}`);
      }
      if (s.local.machine === false) {
        assert.ok(!served && blockedCause(lastError), `non-machine local endpoint was not refused — ${where}`);
        assert.match(blockedCause(lastError)!.message, /blocked: .* (leaves this machine|is on another machine|downloads it from the internet)/, where);
      }
      if (served) stats.localServed++;
      else if (blockedCause(lastError)) stats.localBlocked++;
      else stats.localFailed++;
      assert.ok(blocked.length >= fallbacks, `every refusal is reported — ${where}`);
    }
    // The run covered what it claims to cover.
    assert.equal(stats.purposes.size, PURPOSES.length);
    assert.ok(stats.localServed > 100 && stats.localBlocked > 100 && stats.localFailed > 50, JSON.stringify(stats));
    assert.ok(stats.cloudAttempts > 500 && stats.cloudBlocked === stats.cloudAttempts, JSON.stringify(stats));
    assert.ok(stats.routed.local > 50 && stats.routed.blocked > 50, JSON.stringify(stats.routed));
    console.log(`# ${SCENARIOS} scenarios: ${JSON.stringify({ ...stats, purposes: [...stats.purposes].length })}`);
  });
});

async function callLocal(provider: 'ollama' | 'openai-compatible', base: string, fetch: typeof globalThis.fetch, purpose: EgressPurpose, prompt: string): Promise<void> {
  if (provider === 'ollama') {
    const c = new Ollama({ host: base, fetch });
    switch (purpose) {
      case 'completion': await c.generate({ model: 'qwen2.5-coder:1.5b-base', prompt, suffix: '\n', stream: false, options: { num_predict: 8 } }); return;
      case 'health': await c.version(); return;
      case 'list-models': await c.list(); return;
      case 'pull': await c.pull({ model: 'qwen2.5-coder:1.5b-base', stream: false }); return;
      case 'show-model': await c.show({ model: 'qwen2.5-coder:1.5b-base' }); return;
      default: {
        const stream = await c.chat({ model: 'qwen2.5-coder:7b-instruct', messages: [{ role: 'user', content: prompt }], stream: true });
        for await (const part of stream) void part;
      }
    }
    return;
  }
  const c = new OpenAI({ baseURL: base, apiKey: 'local', maxRetries: 0, fetch });
  switch (purpose) {
    case 'completion': await c.completions.create({ model: 'qwen2.5-coder-7b', prompt, suffix: '\n', max_tokens: 8 }); return;
    case 'health': case 'list-models': case 'pull': case 'show-model': await c.models.list(); return;
    default: {
      const stream = await c.chat.completions.create({ model: 'qwen2.5-coder-7b', messages: [{ role: 'user', content: prompt }], stream: true });
      for await (const part of stream) void part;
    }
  }
}
