// Property-style proof that privacy belongs to content: 1,200 seeded random multi-root windows, each
// with 1-4 folders (some nested, some remote), random user / .code-workspace / folder settings
// (`privacy.neverLeaveMachine` incl. bad values, `routing.mode`), random marker files (absent, empty,
// false, garbage, not read yet) and Workspace Trust. Each scenario sends a request that carries the
// text of random files (sometimes an untitled buffer) through the REAL settings parser, policy
// composition, router, egress gate and the real ollama / openai / @anthropic-ai/sdk clients against
// the fake servers - plus a buggy upstream that tries the cloud anyway, and one that forgets to say
// where the content came from. Ground truth (which folders are marked) is computed by hand here.
// The property: no request to any non-machine endpoint carries a single byte of a marked folder's
// files; requests with unmarked content still reach the cloud (so the setup can see a leak).
//   SEED=123 node --import tsx --test test/unit/privacy/propertyMultiRoot.test.ts   reproduces one run
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ollama } from 'ollama';
import { EndpointClassifier } from '../../../src/core/privacy/node/endpoints';
import { EgressGate } from '../../../src/core/privacy/node/gate';
import { isInFolder, parseMarker, policyOfSources, resolvePolicy, strictestPolicy, type FolderPolicy, type MarkerState, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { route } from '../../../src/core/routing/router';
import { parseSettings, type RawValue } from '../../../src/core/settings';
import { strictestRouting } from '../../../src/core/settings/routing';
import type { CloudProviderId } from '../../../src/core/types';
import { closeAll, startFakeAnthropic, startFakeOllama, startFakeOpenAI, type FakeAnthropic, type FakeOllama, type FakeOpenAI } from '../../fakes';
import { rng } from './secretCorpus';
import { blockedCause, callCloud, fakeDns, isLoopbackLiteral } from './simnet';

const SCENARIOS = 1200;
const SEED = Number(process.env.SEED ?? 20261203);

type Flag = boolean | string | undefined;
interface Folder {
  uri: string;
  name: string;
  folderSetting: Flag;
  marker: { text?: string; unread?: boolean };
  mode: string | undefined;
}
interface WireHit { host: string; body: string }

/** Hand-written ground truth: is this folder never-leave-machine? (independent of the code under test) */
function markedByHand(f: Folder, user: Flag, workspace: Flag): boolean {
  const flag = (v: Flag) => v !== undefined && v !== false; // true, or a bad value (fail closed)
  if (flag(user) || flag(workspace) || flag(f.folderSetting)) return true;
  if (f.marker.unread) return true;
  if (f.marker.text === undefined) return false;
  return f.marker.text.trim() !== '{ "neverLeaveMachine": false }';
}

describe(`multi-root: no byte of a marked folder leaves the machine across ${SCENARIOS} random windows (seed ${SEED})`, () => {
  let ollama: FakeOllama;
  let cloudOpenAI: FakeOpenAI;
  let cloudClaude: FakeAnthropic;
  before(async () => {
    [ollama, cloudOpenAI, cloudClaude] = await Promise.all([startFakeOllama({ reply: 'ok' }), startFakeOpenAI({ reply: 'cloud' }), startFakeAnthropic({ reply: 'cloud' })]);
  });
  after(() => closeAll(ollama, cloudOpenAI, cloudClaude));

  it('requests to non-machine endpoints carry nothing of a marked folder; unmarked content still reaches the cloud', async () => {
    const r = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const stats = { scenarios: 0, folders: 0, markedFolders: 0, nested: 0, requests: 0, markedRequests: 0, routed: { local: 0, cloud: 0, blocked: 0 },
      cloudReached: 0, cloudBlocked: 0, noSources: 0, bytesOfMarkedOffMachine: 0 };

    for (let i = 0; i < SCENARIOS; i++) {
      stats.scenarios++;
      // The window: folders (the second may be nested in the first, one may be remote), settings, markers, trust.
      const count = 1 + Math.floor(r() * 4);
      const folders: Folder[] = [];
      for (let k = 0; k < count; k++) {
        const nested = k === 1 && r() < 0.3;
        const scheme = r() < 0.15 ? 'vscode-remote://ssh-remote+box' : 'file://';
        const uri = nested ? `${folders[0]!.uri}/sub${k}` : `${scheme}/ws${i}/f${k}`;
        if (nested) stats.nested++;
        folders.push({
          uri,
          name: `f${k}`,
          folderSetting: pick([undefined, undefined, false, true, 'yes']),
          marker: pick([{}, {}, {}, { text: '' }, { text: '{ "neverLeaveMachine": false }' }, { text: 'neverLeaveMachine: maybe' }, { unread: true }]),
          mode: pick([undefined, undefined, 'local-only', 'hybrid', 'cloud-preferred']),
        });
      }
      const user: Flag = r() < 0.05 ? true : pick([undefined, false]);
      const workspace: Flag = r() < 0.08 ? true : pick([undefined, false]);
      const userMode = pick([undefined, 'hybrid', 'cloud-preferred']);
      const trusted = r() < 0.9;

      // What the extension computes for each folder: its folder-scoped settings, its marker, trust.
      const raw = (folderValue: unknown, ws: unknown, usr: unknown, dflt: unknown): RawValue => ({ defaultValue: dflt, globalValue: usr, workspaceValue: ws, workspaceFolderValue: folderValue });
      const perFolder = folders.map((f) => {
        const settings = parseSettings({
          'privacy.neverLeaveMachine': raw(f.folderSetting, workspace, user, false),
          'routing.mode': raw(f.mode, undefined, userMode, 'hybrid'),
        }).settings;
        const marker: MarkerState = f.marker.unread ? { kind: 'marked', why: 'marker file not checked yet (fail-closed)' }
          : f.marker.text === undefined ? { kind: 'absent' } : parseMarker(f.marker.text);
        const policy = resolvePolicy({ neverLeaveMachineSetting: settings.privacy.neverLeaveMachine, markers: [{ folder: f.name, state: marker }], trusted, scope: `folder "${f.name}"` });
        return { folder: f, settings, policy, marked: markedByHand(f, user, workspace) };
      });
      stats.folders += folders.length;
      stats.markedFolders += perFolder.filter((p) => p.marked).length;
      const folderPolicies: FolderPolicy[] = perFolder.map((p) => ({ uri: p.folder.uri, policy: p.policy }));
      const windowPolicy = (): PrivacyPolicy => strictestPolicy(perFolder.map((p) => p.policy));
      const gatePolicy = (sources?: readonly string[]) => policyOfSources(sources, folderPolicies, windowPolicy);

      // The files: a few per folder, some deep enough to lie in a nested folder too. Each carries a unique token.
      const files = folders.flatMap((f, k) => [0, 1, 2].map((j) => ({
        uri: j === 2 && k === 0 && folders[1]?.uri.startsWith(`${f.uri}/`) ? `${folders[1]!.uri}/deep/file${j}.ts` : `${f.uri}/src/file${j}.ts`,
        token: `TOKEN_${i}_${k}_${j}_${Math.floor(r() * 1e9).toString(36)}`,
      })));
      const markedTokens = files.filter((file) => perFolder.some((p) => p.marked && isInFolder(p.folder.uri, file.uri))).map((f) => f.token);

      // The request: the text of 1-3 files, sometimes with an untitled buffer.
      const carried = Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(files));
      const untitled = r() < 0.1 ? [{ uri: 'untitled:Untitled-1', token: `UNTITLED_${i}` }] : [];
      const content = [...carried, ...untitled];
      const sources = content.map((c) => c.uri);
      const prompt = content.map((c) => `// ${c.uri}\nconst x = "${c.token}";\n`).join('\n');
      const carriesMarked = content.some((c) => markedTokens.includes(c.token));
      stats.requests++;
      if (carriesMarked) stats.markedRequests++;

      // The network: names by fake DNS, every request delivered to the fake on the URL's port, bodies recorded.
      const hits: WireHit[] = [];
      const wire = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
        const body = typeof init?.body === 'string' ? init.body : init?.body ? Buffer.from(init.body as ArrayBuffer).toString() : '';
        hits.push({ host: url.hostname.replace(/^\[|\]$/g, ''), body });
        const target = new URL(url.href);
        target.hostname = '127.0.0.1';
        return fetch(target, init);
      }) as typeof fetch;
      const dns = fakeDns({ localhost: ['127.0.0.1'], 'lan.test': ['192.168.1.7'], 'api.cloud.test': ['162.159.140.245'], 'rebind.test': [['127.0.0.1'], ['203.0.113.5']] });
      const classifier = new EndpointClassifier({ resolve: dns, trustedNetworkHosts: ['lan.test'] });
      const gate = new EgressGate({ policy: gatePolicy, classify: (url) => classifier.classify(url), fetch: wire });

      // Route as the runner does: the request's policy and the most local routing of its folders.
      const owners = perFolder.filter((p) => sources.some((s) => isInFolder(p.folder.uri, s)));
      const routing = strictestRouting(owners.length && !untitled.length ? owners.map((p) => p.settings.routing) : perFolder.map((p) => p.settings.routing));
      const policy = gatePolicy(sources);
      if (carriesMarked) assert.equal(policy.neverLeaveMachine, true, `a request carrying a marked folder's text is not never-leave-machine — scenario ${i}`);
      const localHost = pick(['127.0.0.1', 'localhost', 'rebind.test', 'lan.test']);
      const cloudProvider: CloudProviderId = pick(['openai', 'anthropic'] as const);
      const cloudFake = cloudProvider === 'openai' ? cloudOpenAI : cloudClaude;
      const cloudHost = pick(['api.cloud.test', 'api.cloud.test', '127.0.0.1']); // a loopback gateway forwards to the cloud too
      const localBase = `http://${localHost}:${new URL(ollama.url).port}`;
      const cloudBase = `http://${cloudHost}:${new URL(cloudFake.url).port}${cloudProvider === 'openai' ? '/v1' : ''}`;
      const decision = route({
        kind: pick(['ask', 'refactor', 'architecture'] as const),
        promptTokens: 50 + Math.floor(r() * 5000),
        expectedOutputTokens: 400,
        selectionLines: 1 + Math.floor(r() * 300),
        files: content.length,
        privacy: policy,
        excludedContent: false,
        secrets: { found: false, handling: 'keep-local' },
        budget: { dailySpentUsd: 0, monthlySpentUsd: 0, dailyCapUsd: 0, monthlyCapUsd: 0, exceeded: false, warning: false },
        local: { provider: 'ollama', model: 'qwen2.5-coder:7b-instruct', endpointClass: (await classifier.classify(new URL(localBase))).endpointClass, healthy: true },
        cloud: { provider: cloudProvider, model: 'c', endpointClass: (await classifier.classify(new URL(cloudBase))).endpointClass, keyConfigured: true },
        mode: routing.mode,
        override: r() < 0.3 ? 'cloud' : undefined,
        settings: routing,
        price: () => 0.01,
      });
      stats.routed[decision.target]++;
      if (carriesMarked) assert.notEqual(decision.target, 'cloud', `router sent a marked folder's text to the cloud — scenario ${i}`);

      // The calls: the routed one, a buggy upstream that tries the cloud anyway, and sometimes one that
      // does not say where its content came from (the gate then applies the window's strictest policy).
      const withSources = r() < 0.85;
      if (!withSources) stats.noSources++;
      const intentSources = withSources ? sources : undefined;
      cloudOpenAI.reset();
      cloudClaude.reset();
      if (decision.target === 'local') {
        await new Ollama({ host: localBase, fetch: gate.fetchFor({ purpose: 'ask', provider: 'ollama', sources: intentSources }) })
          .chat({ model: 'qwen2.5-coder:7b-instruct', messages: [{ role: 'user', content: prompt }], stream: false }).catch(() => undefined);
      }
      for (const attempt of decision.target === 'cloud' ? [1, 2] : [1]) {
        const err = await callCloud(cloudProvider, cloudBase, gate.fetchFor({ purpose: 'ask', provider: cloudProvider, sources: intentSources, stage: attempt === 1 ? 'first' : 'fallback' }), prompt)
          .then(() => undefined, (e: unknown) => e);
        if (blockedCause(err)) stats.cloudBlocked++;
      }

      // The property.
      const cloudBodies = [...cloudOpenAI.requests, ...cloudClaude.requests].map((q) => JSON.stringify(q.body ?? ''));
      if (cloudBodies.length) stats.cloudReached++;
      for (const body of [...cloudBodies, ...hits.filter((h) => !isLoopbackLiteral(h.host)).map((h) => h.body)]) {
        for (const token of markedTokens) {
          if (body.includes(token)) {
            stats.bytesOfMarkedOffMachine += token.length;
            assert.fail(`scenario ${i} (SEED=${SEED}): ${token} of a marked folder left the machine; folders ${JSON.stringify(folders)}, user ${String(user)}, workspace ${String(workspace)}, sources ${JSON.stringify(intentSources)}`);
          }
        }
      }
    }

    // The run covered what it claims to cover, and the setup could see traffic.
    assert.ok(stats.markedRequests > 200 && stats.requests - stats.markedRequests > 200, JSON.stringify(stats));
    assert.ok(stats.cloudReached > 100, `unmarked content never reached the cloud: ${JSON.stringify(stats)}`);
    assert.ok(stats.cloudBlocked > 200 && stats.nested > 50 && stats.noSources > 50, JSON.stringify(stats));
    assert.equal(stats.bytesOfMarkedOffMachine, 0);
    console.log(`# ${SCENARIOS} multi-root scenarios: ${JSON.stringify(stats)}`);
  });
});
