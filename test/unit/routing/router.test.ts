import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseInput, decide, renderDecisionTable, SCENARIOS } from '../../../scripts/decisionTable';
import { route, type RouteInput } from '../../../src/core/routing/router';

// Expected route and the reason that must be shown, per situation of the decision table.
const EXPECTED: Record<string, [target: string, reason: RegExp]> = {
  'completion': ['local', /^completions stay local$/],
  'ask, small': ['local', /ask is small \(600 tokens\), so it stays local/],
  'ask, large prompt (5200 tokens)': ['cloud', /ask is large \(5200 tokens > 2000\)/],
  'ask, 400 selected lines': ['cloud', /ask covers 400 lines \(> 150\)/],
  'ask, 3 files': ['cloud', /ask spans 3 files/],
  'refactor': ['cloud', /refactor goes to the cloud by default/],
  'explain-architecture': ['cloud', /explain-architecture goes to the cloud by default/],
  'refactor, per-kind target local': ['local', /refactor stays local by default/],
  'refactor, never-leave-machine': ['local', /kept local: never-leave-machine workspace/],
  'refactor, untrusted workspace (no cloud class)': ['local', /kept local: cloud endpoints are not allowed \(local-only \(untrusted workspace\)\)/],
  'refactor, excluded file involved': ['local', /kept local: the request involves a file excluded/],
  'refactor, secret in prompt (keep-local)': ['local', /kept local: the prompt contains what looks like a secret/],
  'refactor, secret in prompt (redact)': ['cloud', /secrets redacted before sending/],
  'refactor, no cloud key': ['local', /kept local: no OpenAI API key is set \(Switchyard: Set Cloud API Key\)/],
  'refactor, daily budget reached': ['local', /kept local: daily budget of \$2\.00 reached/],
  'refactor, monthly budget reached': ['local', /kept local: monthly budget of \$20\.00 reached/],
  'refactor, budget warning': ['cloud', /budget warning: \$1\.70 spent today/],
  'ask, local down': ['cloud', /local model unreachable, using the cloud \(allowed in this workspace\)/],
  'ask, local down, never-leave-machine': ['blocked', /blocked: local model unreachable and this workspace never leaves the machine/],
  'ask, local down, no cloud key': ['blocked', /blocked: local model unreachable and the cloud is not available: no OpenAI API key/],
  'refactor, local down, budget reached': ['blocked', /blocked: daily budget of \$2\.00 reached and local model unreachable/],
  'ask, local server on the network, never-leave-machine': ['blocked', /blocked: the local server is a network endpoint, not allowed/],
  'mode local-only, refactor': ['local', /^routing mode is local-only$/],
  'mode local-only, local down': ['blocked', /blocked: local model unreachable and routing mode is local-only/],
  'mode cloud-preferred, ask': ['cloud', /routing mode prefers the cloud/],
  'mode cloud-preferred, never-leave-machine': ['local', /kept local: never-leave-machine workspace/],
  'override: force local, refactor': ['local', /you asked to keep it local/],
  'override: force local, local down': ['blocked', /blocked: local model unreachable \(you asked to keep it local\)/],
  'override: force cloud, ask': ['cloud', /you asked for the cloud/],
  'override: force cloud, never-leave-machine': ['blocked', /blocked: the cloud is not available: never-leave-machine workspace/],
  'override: force cloud, budget reached': ['blocked', /blocked: the cloud is not available: daily budget of \$2\.00 reached/],
  'Anthropic as the cloud provider, refactor': ['cloud', /refactor goes to the cloud by default/],
  'team server: ask, local down': ['local', /local model unreachable: using the team server/],
  'team server: ask, local down, never-leave-machine': ['blocked', /the team server is another machine and this workspace never leaves the machine/],
  'team server: refactor, network-only workspace': ['local', /kept on the team server: cloud endpoints are not allowed \(network-only/],
  'team server: refactor, network-only workspace, team down': ['local', /kept local: cloud endpoints are not allowed/],
  'team server: ask, network-only workspace, local and team down': ['blocked', /blocked: local model unreachable, and the team server is unreachable; the cloud is not available: cloud endpoints are not allowed/],
  'team server: ask, local down, team busy (Retry-After)': ['cloud', /the team server asked to wait 5 s \(Retry-After\): using the cloud/],
  'team server: ask, local down, team host not trusted': ['blocked', /not a trusted network host \(add it to switchyard\.privacy\.trustedNetworkHosts\)/],
  'team server: ask, local down, team host not trusted, hybrid': ['cloud', /local model unreachable, and the team server is not a trusted network host .*: using the cloud/],
  'team server: refactor, hybrid workspace (cloud allowed)': ['cloud', /refactor goes to the cloud by default/],
};

test('every situation of the decision table routes as expected, with its reason', () => {
  assert.equal(SCENARIOS.length, Object.keys(EXPECTED).length, 'every scenario has an expectation');
  for (const s of SCENARIOS) {
    const expected = EXPECTED[s.situation];
    assert.ok(expected, `no expectation for "${s.situation}"`);
    const d = decide(s);
    assert.equal(d.target, expected[0], `${s.situation}: ${d.reasons.join('; ')}`);
    assert.ok(d.reasons.some((r) => expected[1].test(r)), `${s.situation}: reasons were ${JSON.stringify(d.reasons)}`);
    assert.ok(d.reasons.length > 0);
  }
});

test('never-leave-machine never yields a cloud target, whatever else is set', () => {
  const kinds = ['completion', 'ask', 'refactor', 'architecture'] as const;
  const modes = ['local-only', 'hybrid', 'cloud-preferred'] as const;
  for (const kind of kinds) for (const mode of modes) for (const override of [undefined, 'local', 'cloud'] as const) {
    for (const healthy of [true, false, undefined]) {
      const i: RouteInput = { ...baseInput(), kind, mode, override, promptTokens: 50_000, files: 9 };
      i.privacy = { allowed: ['machine'], neverLeaveMachine: true, reason: 'never-leave-machine (setting)' };
      // Even a cloud base URL that resolves to this machine (a local gateway) is not used.
      i.cloud = { ...i.cloud, endpointClass: 'machine' };
      i.local = { ...i.local, healthy };
      const d = route(i);
      assert.notEqual(d.target, 'cloud', `${kind}/${mode}/${override}/${healthy}`);
      assert.equal(d.cloud.allowed, false);
    }
  }
});

test('the chosen route carries provider, model, endpoint class and a cost estimate from the price function', () => {
  const i = { ...baseInput(), kind: 'refactor' as const, promptTokens: 1000, expectedOutputTokens: 500 };
  const seen: string[] = [];
  i.price = (p, m, u) => { seen.push(`${p}/${m}/${u.promptTokens}/${u.completionTokens}`); return p === 'openai' ? 0.123 : 0.001; };
  const d = route(i);
  assert.equal(d.target, 'cloud');
  assert.equal(d.provider, 'openai');
  assert.equal(d.model, 'gpt-4.1-mini');
  assert.equal(d.endpointClass, 'cloud');
  assert.equal(d.estimatedCostUsd, 0.123);
  assert.deepEqual(d.estimated, { promptTokens: 1000, completionTokens: 500 });
  assert.ok(seen.includes('openai/gpt-4.1-mini/1000/500'));
  assert.equal(d.local.allowed, true, 'keeping it local is offered');
  assert.equal(d.local.estimatedCostUsd, 0.001);
});

test('a local answer offers the cloud with its estimate when the cloud is allowed, and says why not otherwise', () => {
  const ok = route(baseInput());
  assert.equal(ok.target, 'local');
  assert.equal(ok.cloud.allowed, true);
  assert.ok((ok.cloud.estimatedCostUsd ?? 0) > 0);
  const noKey = baseInput();
  noKey.cloud.keyConfigured = false;
  const d = route(noKey);
  assert.equal(d.cloud.allowed, false);
  assert.match(d.cloud.why ?? '', /no OpenAI API key/);
});

test('an unknown local health counts as available (the call itself will tell)', () => {
  const i = baseInput();
  i.local.healthy = undefined;
  assert.equal(route(i).target, 'local');
});

test('the ask thresholds come from the settings', () => {
  const i = baseInput();
  i.settings.askLocalMaxTokens = 500;
  assert.equal(route(i).target, 'cloud');
  i.settings.askLocalMaxTokens = 600;
  assert.equal(route(i).target, 'local', 'at the threshold it stays local');
  i.settings.askLocalMaxLines = 10;
  assert.equal(route(i).target, 'cloud');
  const j = baseInput();
  j.settings.targets.ask = 'cloud';
  assert.match(route(j).reasons[0], /ask goes to the cloud by default/);
});

test('an automatic escalation explains itself instead of claiming the user asked', () => {
  const i = { ...baseInput(), override: 'cloud' as const, overrideWhy: 'escalated: the local answer looked unsure (the answer was empty)' };
  const d = route(i);
  assert.equal(d.target, 'cloud');
  assert.deepEqual(d.reasons, ['escalated: the local answer looked unsure (the answer was empty)']);
});

test('the decision table renders one row per situation', () => {
  const table = renderDecisionTable();
  const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Situation'));
  assert.equal(rows.length, SCENARIOS.length);
  assert.match(table, /\| refactor, never-leave-machine \| \*\*local\*\* \|/);
});

test('a workspace that excludes the cloud keeps cloud providers out even when their base URL is on this machine or network', () => {
  const kinds = ['ask', 'refactor', 'architecture'] as const;
  for (const endpointClass of ['machine', 'network'] as const) for (const kind of kinds) for (const override of [undefined, 'cloud'] as const) {
    const i: RouteInput = { ...baseInput(), kind, override, promptTokens: 50_000, files: 9 };
    i.privacy = { allowed: ['machine', 'network'], neverLeaveMachine: false, reason: 'local-only (untrusted workspace)' };
    i.cloud = { ...i.cloud, endpointClass };
    const d = route(i);
    const where = `${endpointClass}/${kind}/${override}`;
    assert.equal(d.target, override === 'cloud' ? 'blocked' : 'local', where);
    assert.equal(d.cloud.allowed, false, where);
    assert.ok(d.reasons.some((r) => r.includes('cloud endpoints are not allowed (local-only (untrusted workspace))')), `${where}: ${d.reasons.join('; ')}`);
  }
});

test('the team tier: order machine -> team -> cloud, each step only where the workspace allows it', () => {
  const policies = {
    nlm: { allowed: ['machine'] as const, neverLeaveMachine: true, reason: 'never-leave-machine (setting)' },
    network: { allowed: ['machine', 'network'] as const, neverLeaveMachine: false, reason: 'network-only (setting): the team server, never the cloud' },
    hybrid: { allowed: ['machine', 'network', 'cloud'] as const, neverLeaveMachine: false, reason: 'hybrid (cloud allowed)' },
  };
  for (const [name, privacy] of Object.entries(policies)) for (const kind of ['ask', 'refactor', 'architecture'] as const) {
    for (const localUp of [true, false]) for (const teamUp of [true, false]) for (const override of [undefined, 'local', 'cloud'] as const) {
      const i: RouteInput = { ...baseInput(), kind, override, privacy: { ...privacy, allowed: [...privacy.allowed] } };
      i.local = { ...i.local, healthy: localUp };
      i.team = { model: 'team-model', endpointClass: 'network', healthy: teamUp };
      const d = route(i);
      const where = `${name}/${kind}/local ${localUp}/team ${teamUp}/${override}: ${d.reasons.join('; ')}`;
      if (name === 'nlm') assert.notEqual(d.provider === 'team' && d.target !== 'blocked', true, where);
      if (name !== 'hybrid') assert.notEqual(d.target, 'cloud', where);
      if (d.target !== 'blocked') assert.equal(d.tier, d.provider === 'team' ? 'team' : d.target === 'cloud' ? 'cloud' : 'machine', where);
      // The machine tier comes first whenever a local answer is wanted and it is up.
      if (localUp && d.target === 'local' && d.reasons[0] && !/cloud/.test(d.reasons[0])) assert.equal(d.tier, 'machine', where);
      // When the machine is down, a wanted-local request goes to the team server where allowed and up.
      if (!localUp && teamUp && name !== 'nlm' && override !== 'cloud' && d.target !== 'cloud') assert.equal(d.tier, 'team', where);
    }
  }
});
