import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMarker, policyOfSources, readMarker, resolvePolicy, strictestPolicy, type MarkerState } from '../../../src/core/privacy/policy';
import { parseSettings } from '../../../src/core/settings';

const absent: MarkerState = { kind: 'absent' };

describe('marker file', () => {
  it('marks when empty, commented, or set true', () => {
    for (const t of ['', '\n  \n', '# this repository never leaves the machine\n', '{}', '{"neverLeaveMachine": true}', '# c\n{ "neverLeaveMachine": true }']) {
      assert.equal(parseMarker(t).kind, 'marked', JSON.stringify(t));
    }
  });
  it('does not mark when explicitly false', () => {
    assert.equal(parseMarker('{"neverLeaveMachine": false}').kind, 'unmarked');
  });
  it('fails closed on anything it cannot understand', () => {
    for (const t of ['yes', '{"neverLeaveMachine": "no"}', '[]', 'null', '{"neverLeaveMachine": false', '\u0000\u0001']) {
      const m = parseMarker(t);
      assert.equal(m.kind, 'marked', t);
      assert.match(m.kind === 'marked' ? m.why : '', /fail-closed/);
    }
  });
  it('reads: missing is absent, other read errors mark', async () => {
    const missing = Object.assign(new Error('nope'), { code: 'ENOENT' });
    const isMissing = (e: unknown): boolean => (e as { code?: string }).code === 'ENOENT';
    assert.equal((await readMarker('/r', () => Promise.reject(missing), isMissing)).kind, 'absent');
    assert.equal((await readMarker('/r', () => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' })), isMissing)).kind, 'marked');
    let asked = '';
    await readMarker('/repo/', async (p) => { asked = p; return ''; }, isMissing);
    assert.equal(asked, '/repo/.switchyard');
  });
});

describe('resolvePolicy', () => {
  it('allows everything by default', () => {
    const p = resolvePolicy({ neverLeaveMachineSetting: false, markers: [{ folder: 'a', state: absent }], trusted: true });
    assert.deepEqual([...p.allowed], ['machine', 'network', 'cloud']);
    assert.equal(p.neverLeaveMachine, false);
  });
  it('the setting marks the window', () => {
    const p = resolvePolicy({ neverLeaveMachineSetting: true, markers: [], trusted: true });
    assert.deepEqual([...p.allowed], ['machine']);
    assert.equal(p.source, 'setting');
  });
  it('one marked folder marks the whole multi-root window', () => {
    const p = resolvePolicy({
      neverLeaveMachineSetting: false, trusted: true,
      markers: [{ folder: 'web', state: absent }, { folder: 'billing', state: { kind: 'marked', why: 'marker file' } }, { folder: 'docs', state: { kind: 'unmarked' } }],
    });
    assert.deepEqual([...p.allowed], ['machine']);
    assert.match(p.reason, /billing/);
  });
  it('an unparsable marker fails closed', () => {
    const p = resolvePolicy({ neverLeaveMachineSetting: false, trusted: true, markers: [{ folder: 'a', state: parseMarker('garbage') }] });
    assert.equal(p.neverLeaveMachine, true);
    assert.equal(p.source, 'fail-closed');
  });
  it('untrusted workspaces never reach the cloud', () => {
    const p = resolvePolicy({ neverLeaveMachineSetting: false, markers: [], trusted: false });
    assert.equal(p.allowed.includes('cloud'), false);
    assert.equal(p.source, 'untrusted');
  });
  it('a bad inputs object fails closed rather than throwing', () => {
    const p = resolvePolicy({ neverLeaveMachineSetting: false, markers: null as never, trusted: true });
    assert.deepEqual([...p.allowed], ['machine']);
    assert.equal(p.source, 'fail-closed');
  });
});

describe('privacy settings resolution', () => {
  it('true in any scope wins: a workspace cannot turn off a user true', () => {
    const s = parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, globalValue: true, workspaceValue: false, workspaceFolderValue: false } }).settings;
    assert.equal(s.privacy.neverLeaveMachine, true);
  });
  it('a workspace can turn it on', () => {
    const s = parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, workspaceValue: true } }).settings;
    assert.equal(s.privacy.neverLeaveMachine, true);
  });
  it('a non-boolean value counts as true (fail closed) and is reported', () => {
    const parsed = parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, workspaceValue: 'no' } });
    assert.equal(parsed.settings.privacy.neverLeaveMachine, true);
    assert.ok(parsed.problems.some((p) => p.setting === 'switchyard.privacy.neverLeaveMachine'));
  });
  it('a workspace cannot choose redaction, turn off built-in exclusions, nor drop exclusions', () => {
    const s = parseSettings({
      'privacy.secrets': { defaultValue: 'keep-local', workspaceValue: 'redact' },
      'privacy.builtInExclusions': { defaultValue: true, workspaceValue: false },
      'privacy.exclude': { defaultValue: [], globalValue: ['*.sql'], workspaceValue: [] },
      'privacy.trustedNetworkHosts': { defaultValue: [], workspaceValue: ['8.8.8.8'] },
    }).settings;
    assert.equal(s.privacy.secrets, 'keep-local');
    assert.equal(s.privacy.builtInExclusions, true);
    assert.deepEqual(s.privacy.exclude, ['*.sql']);
    assert.deepEqual(s.providers.trustedNetworkHosts, []);
  });
  it('the user can choose redaction', () => {
    const s = parseSettings({ 'privacy.secrets': { defaultValue: 'keep-local', globalValue: 'redact' } }).settings;
    assert.equal(s.privacy.secrets, 'redact');
  });
});

describe('strictestPolicy: content from several folders', () => {
  const open = resolvePolicy({ neverLeaveMachineSetting: false, markers: [], trusted: true });
  const marked = resolvePolicy({ neverLeaveMachineSetting: true, markers: [], trusted: true, scope: 'folder "secret"' });
  const untrusted = resolvePolicy({ neverLeaveMachineSetting: false, markers: [], trusted: false });

  it('allows only what every source allows, with the strictest reason', () => {
    const p = strictestPolicy([open, marked, untrusted]);
    assert.deepEqual([...p.allowed], ['machine']);
    assert.equal(p.neverLeaveMachine, true);
    assert.equal(p.reason, 'never-leave-machine (setting, folder "secret")');
    assert.deepEqual([...strictestPolicy([open, untrusted]).allowed], ['machine', 'network']);
    assert.equal(strictestPolicy([open]).reason, open.reason);
  });

  it('network-only sits between: stricter than an open folder, looser than a never-leave-machine one', () => {
    const networkBySetting = resolvePolicy({ neverLeaveMachineSetting: false, networkOnlySetting: true, markers: [], trusted: true, scope: 'folder "web"' });
    const networkByMarker = resolvePolicy({ neverLeaveMachineSetting: false, markers: [{ folder: 'api', state: { kind: 'network' } }], trusted: true, scope: 'folder "api"' });
    assert.equal(networkBySetting.reason, 'network-only (setting, folder "web"): the team server, never the cloud');
    assert.equal(networkByMarker.reason, 'network-only (.switchyard in folder "api"): the team server, never the cloud');
    for (const network of [networkBySetting, networkByMarker]) {
      const withOpen = strictestPolicy([open, network]);
      assert.deepEqual([...withOpen.allowed], ['machine', 'network']);
      assert.equal(withOpen.neverLeaveMachine, false);
      assert.equal(withOpen.reason, network.reason);
      const withMarked = strictestPolicy([network, marked, open]);
      assert.deepEqual([...withMarked.allowed], ['machine']);
      assert.equal(withMarked.neverLeaveMachine, true);
      assert.equal(withMarked.reason, marked.reason);
    }
  });

  it('fails closed with no policy at all', () => {
    const p = strictestPolicy([]);
    assert.equal(p.neverLeaveMachine, true);
    assert.equal(p.source, 'fail-closed');
  });
});

describe('policyOfSources: network-only folders in a multi-root window', () => {
  const folder = (name: string, p: { nlm?: boolean; networkOnly?: boolean; marker?: MarkerState }) => ({
    uri: `file:///ws/${name}`,
    policy: resolvePolicy({
      neverLeaveMachineSetting: p.nlm ?? false, networkOnlySetting: p.networkOnly, trusted: true, scope: `folder "${name}"`,
      markers: [{ folder: name, state: p.marker ?? { kind: 'absent' } }],
    }),
  });
  const folders = [
    folder('docs', {}),
    folder('web', { networkOnly: true }),
    folder('api', { marker: { kind: 'network' } }),
    folder('keys', { nlm: true }),
  ];
  const window = () => strictestPolicy(folders.map((f) => f.policy));
  const of = (...files: string[]) => policyOfSources(files.map((f) => `file:///ws/${f}`), folders, window);

  it('a request gets the strictest of its sources: never-leave-machine > network-only > cloud allowed', () => {
    assert.deepEqual([...of('docs/a.md').allowed], ['machine', 'network', 'cloud']);
    assert.deepEqual([...of('web/app.ts').allowed], ['machine', 'network']);
    assert.match(of('web/app.ts').reason, /network-only \(setting, folder "web"\)/);
    assert.deepEqual([...of('api/main.go').allowed], ['machine', 'network']);
    assert.match(of('api/main.go').reason, /network-only \(\.switchyard in folder "api"\)/);
    // Mixed sources: a network-only file pulls an open one down to no cloud ...
    const docsAndWeb = of('docs/a.md', 'web/app.ts');
    assert.deepEqual([...docsAndWeb.allowed], ['machine', 'network']);
    assert.equal(docsAndWeb.neverLeaveMachine, false);
    // ... and a never-leave-machine file pulls a network-only one down to the machine.
    const webAndKeys = of('web/app.ts', 'keys/id.pem', 'docs/a.md');
    assert.deepEqual([...webAndKeys.allowed], ['machine']);
    assert.equal(webAndKeys.neverLeaveMachine, true);
    assert.match(webAndKeys.reason, /folder "keys"/);
  });

  it('content of unknown origin, or from outside every folder, gets the window\'s strictest', () => {
    assert.deepEqual([...policyOfSources(undefined, folders, window).allowed], ['machine']);
    assert.deepEqual([...policyOfSources(['untitled:Untitled-1'], folders, window).allowed], ['machine']);
    const noKeys = folders.filter((f) => !f.uri.endsWith('/keys'));
    const windowWithoutKeys = () => strictestPolicy(noKeys.map((f) => f.policy));
    assert.deepEqual([...policyOfSources(undefined, noKeys, windowWithoutKeys).allowed], ['machine', 'network']);
  });
});
