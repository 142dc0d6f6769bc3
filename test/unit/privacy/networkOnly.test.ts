// The "network-only" marking: the team server (a trusted network host) is allowed, the cloud never.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EgressGate, type EgressIntent } from '../../../src/core/privacy/node/gate';
import { MARKER_TEMPLATE, markerWithNeverLeaveMachine, markerWithoutNeverLeaveMachine, parseMarker, policyOfSources, resolvePolicy, strictestPolicy } from '../../../src/core/privacy/policy';
import { parseSettings } from '../../../src/core/settings';

test('a marker file with "networkOnly": true marks the repository network-only', () => {
  assert.deepEqual(parseMarker('{ "networkOnly": true }'), { kind: 'network' });
  assert.deepEqual(parseMarker('{ "networkOnly": true, "neverLeaveMachine": false }'), { kind: 'network' });
  // never-leave-machine is tighter and wins; a bad value fails closed.
  assert.equal(parseMarker('{ "networkOnly": true, "neverLeaveMachine": true }').kind, 'marked');
  assert.equal(parseMarker('{ "networkOnly": "yes" }').kind, 'marked');
  assert.equal(parseMarker('{ "networkOnly": false }').kind, 'marked', 'an object without neverLeaveMachine still marks, as before');
});

test('network-only allows machine and network, never the cloud, and says why', () => {
  const byMarker = resolvePolicy({ neverLeaveMachineSetting: false, trusted: true, markers: [{ folder: 'app', state: { kind: 'network' } }] });
  assert.deepEqual([...byMarker.allowed], ['machine', 'network']);
  assert.equal(byMarker.neverLeaveMachine, false);
  assert.match(byMarker.reason, /^network-only \(\.switchyard\)/);
  const bySetting = resolvePolicy({ neverLeaveMachineSetting: false, networkOnlySetting: true, trusted: true, markers: [] });
  assert.deepEqual([...bySetting.allowed], ['machine', 'network']);
  assert.match(bySetting.reason, /network-only \(setting\)/);
});

test('in a multi-root window the tightest folder wins: never-leave-machine over network-only over nothing', () => {
  const p = resolvePolicy({
    neverLeaveMachineSetting: false, trusted: true,
    markers: [{ folder: 'web', state: { kind: 'network' } }, { folder: 'keys', state: { kind: 'marked', why: 'marker file' } }, { folder: 'docs', state: { kind: 'absent' } }],
  });
  assert.deepEqual([...p.allowed], ['machine']);
  const q = resolvePolicy({ neverLeaveMachineSetting: false, trusted: true, markers: [{ folder: 'docs', state: { kind: 'absent' } }, { folder: 'web', state: { kind: 'network' } }] });
  assert.deepEqual([...q.allowed], ['machine', 'network']);
  assert.match(q.reason, /in folder "web"/);
});

test('a workspace can turn network-only on but not off; team settings are read from the user only', () => {
  const on = parseSettings({ 'privacy.networkOnly': { defaultValue: false, globalValue: false, workspaceValue: true } });
  assert.equal(on.settings.privacy.networkOnly, true);
  const off = parseSettings({ 'privacy.networkOnly': { defaultValue: false, globalValue: true, workspaceFolderValue: false } });
  assert.equal(off.settings.privacy.networkOnly, true);
  const team = parseSettings({
    'team.url': { defaultValue: '', globalValue: 'https://gpu.team.lan:8000/v1/', workspaceValue: 'https://evil.example/v1' },
    'team.caFile': { defaultValue: '', workspaceValue: '/tmp/evil-ca.pem' },
    'usageExport.endpoint': { defaultValue: 'http://127.0.0.1:4318', workspaceValue: 'https://collector.example' },
    'usageExport.enabled': { defaultValue: false, workspaceValue: true },
  }).settings;
  assert.equal(team.team.url, 'https://gpu.team.lan:8000/v1');
  assert.equal(team.team.caFile, '');
  assert.equal(team.usageExport.endpoint, 'http://127.0.0.1:4318');
  assert.equal(team.usageExport.enabled, false);
});

test('a bad team URL is a clear problem and no team server', () => {
  const { settings, problems } = parseSettings({ 'team.url': { globalValue: 'gpu box' } });
  assert.equal(settings.team.url, '');
  assert.match(problems[0]?.message ?? '', /switchyard\.team\.url" must be an http/);
});

test('the gate judges a team request by the folders its sources lie in (network-only, never-leave-machine, open)', async () => {
  const folder = (name: string, nlm: boolean, networkOnly: boolean) => ({
    uri: `file:///ws/${name}`,
    policy: resolvePolicy({ neverLeaveMachineSetting: nlm, networkOnlySetting: networkOnly, trusted: true, markers: [], scope: `folder "${name}"` }),
  });
  const folders = [folder('web', false, true), folder('keys', true, false), folder('docs', false, false)];
  const reached: string[] = [];
  const gate = new EgressGate({
    policy: (sources) => policyOfSources(sources, folders, () => strictestPolicy(folders.map((f) => f.policy))),
    classify: async (u) => ({ endpointClass: u.hostname === 'gpu.team.lan' ? 'network' : 'cloud', addresses: [], detail: 'test' }),
    fetch: (async (input: string | URL | Request) => {
      reached.push(String(input));
      return new Response('{}');
    }) as typeof fetch,
  });
  const send = (intent: EgressIntent, url: string) => gate.fetchFor(intent).call(undefined, url).then(() => 'sent', (e: Error) => e.message);
  const sources = (...files: string[]) => files.map((f) => `file:///ws/${f}`);

  // Network-only code may go to the team server, never to the cloud.
  assert.equal(await send({ purpose: 'ask', provider: 'team', sources: sources('web/a.ts') }, 'https://gpu.team.lan/v1/chat/completions'), 'sent');
  assert.match(await send({ purpose: 'ask', provider: 'openai', sources: sources('web/a.ts') }, 'https://api.openai.com/v1/chat/completions'), /network-only \(setting, folder "web"\)/);
  // Mixed with never-leave-machine code: not even the team server.
  assert.match(await send({ purpose: 'ask', provider: 'team', sources: sources('web/a.ts', 'keys/b.ts') }, 'https://gpu.team.lan/v1/chat/completions'), /never-leave-machine \(setting, folder "keys"\)/);
  // Open code may go to the cloud; the team server still has to be a trusted network host.
  assert.equal(await send({ purpose: 'ask', provider: 'openai', sources: sources('docs/c.md') }, 'https://api.openai.com/v1/chat/completions'), 'sent');
  assert.match(await send({ purpose: 'ask', provider: 'team', sources: sources('docs/c.md') }, 'https://team.example.com/v1/chat/completions'), /not a trusted network host/);
  // Unknown origin: the window's strictest (never-leave-machine here).
  assert.match(await send({ purpose: 'ask', provider: 'team' }, 'https://gpu.team.lan/v1/chat/completions'), /never-leave-machine/);
  assert.deepEqual(reached, ['https://gpu.team.lan/v1/chat/completions', 'https://api.openai.com/v1/chat/completions']);
});

test('turning never-leave-machine off keeps a marker\'s network-only marking; the file goes only when nothing remains', () => {
  const both = '# committed on purpose\n{ "networkOnly": true, "neverLeaveMachine": true }\n';
  const kept = markerWithoutNeverLeaveMachine(both);
  assert.ok(kept !== undefined, 'the file must stay: it still says network-only');
  assert.deepEqual(parseMarker(kept), { kind: 'network' });
  assert.match(kept, /^# committed on purpose\n/, 'comments stay');
  assert.equal(markerWithoutNeverLeaveMachine(MARKER_TEMPLATE), undefined, 'only never-leave-machine: delete');
  assert.equal(markerWithoutNeverLeaveMachine(''), undefined, 'an empty marker: delete');
  assert.equal(markerWithoutNeverLeaveMachine('{ "neverLeaveMachine": true, "networkOnly": false }'), undefined);
  assert.equal(markerWithoutNeverLeaveMachine('not json'), undefined);
  // A key this version does not know is kept, and the rest is explicitly not marked.
  const other = markerWithoutNeverLeaveMachine('{ "neverLeaveMachine": true, "owner": "sec-team" }');
  assert.ok(other !== undefined);
  assert.deepEqual(JSON.parse(other), { owner: 'sec-team', neverLeaveMachine: false });
  assert.equal(parseMarker(other).kind, 'unmarked');
});

test('turning never-leave-machine on keeps what an existing marker says, and off again restores it', () => {
  const network = '{ "networkOnly": true }';
  const on = markerWithNeverLeaveMachine(network);
  assert.equal(parseMarker(on).kind, 'marked');
  assert.deepEqual(JSON.parse(on), { networkOnly: true, neverLeaveMachine: true });
  assert.deepEqual(parseMarker(markerWithoutNeverLeaveMachine(on) ?? ''), { kind: 'network' });
  assert.equal(markerWithNeverLeaveMachine(undefined), MARKER_TEMPLATE);
  assert.equal(markerWithNeverLeaveMachine('garbage'), MARKER_TEMPLATE);
});
