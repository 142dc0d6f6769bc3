import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { closeAll, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, answerState, folder, folderFile as file, KEY, runRecorded, selectAll, setUserSettings, startLocalAndCloud, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

/** Text that appears only in the files of a marked folder: no cloud request may carry any of it. */
const MARKED_TEXT = ['SECRET_FOLDER_TEXT_7f3a', 'MARKED_FOLDER_TEXT_91c2', 'sealVault', 'postLedger'];
const EXCLUDED_TEXT = ['ENV_FILE_TEXT_0b7c', 'KEY_FILE_TEXT_c4a2', 'IGNORED_FILE_TEXT_8e31'];

describe('multi-root: privacy belongs to the folder the content comes from', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let cloud: FakeOpenAI;
  /** Every byte the cloud fake received, across the suite. */
  const cloudBodies = (): string => cloud.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
  const everSent: string[] = [];
  const resetCloud = (): void => {
    everSent.push(cloudBodies());
    cloud.reset();
  };

  before(async () => {
    api = await activate();
    assert.equal(vscode.workspace.workspaceFolders?.length, 4, 'a multi-root window with four folders');
    assert.ok(vscode.workspace.workspaceFile, 'opened from a .code-workspace file');
    ({ ollama, cloud } = await startLocalAndCloud(api, {
      local: { reply: '```ts\nexport const local = 1;\n```' },
      cloud: { reply: '```ts\nexport const cloud = 1;\n```' },
    }));
  });
  after(async () => {
    // The suite-wide property: nothing of a marked folder and nothing excluded ever reached the cloud.
    resetCloud();
    const sent = everSent.join('\n');
    for (const t of [...MARKED_TEXT, ...EXCLUDED_TEXT]) assert.ok(!sent.includes(t), `the cloud received ${t}`);
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, cloud);
  });

  it('reads each folder\'s own settings and marker: the policy of each folder, and the window\'s strictest', () => {
    const p = (name: string) => api.services.privacy.policyFor([folder(name).uri.toString()]);
    assert.equal(p('secret').neverLeaveMachine, true);
    assert.equal(p('secret').reason, 'never-leave-machine (setting, folder "secret")');
    assert.equal(p('marked').neverLeaveMachine, true);
    assert.match(p('marked').reason, /\.switchyard in folder "marked"/);
    assert.equal(p('open').neverLeaveMachine, false);
    assert.deepEqual([...p('open').allowed], ['machine', 'network', 'cloud']);
    assert.equal(p('localonly').neverLeaveMachine, false);
    assert.equal(api.services.settings.forFolder(folder('localonly').uri).routing.mode, 'local-only');
    assert.equal(api.services.settings.forFolder(folder('open').uri).routing.mode, 'hybrid');
    // Content of unknown origin gets the strictest policy of the window.
    assert.equal(api.services.privacy.policy().neverLeaveMachine, true);
    assert.equal(api.services.privacy.policyFor(['untitled:Untitled-1']).neverLeaveMachine, true);
  });

  it('the status bar lock follows the active editor\'s folder, with the reason', async () => {
    await selectAll('secret', 'src/vault_logic.ts');
    await until('locked for the secret folder', () => api.services.status.state.locked);
    assert.match(api.services.status.item.text, /\$\(lock\)/);
    assert.match(api.services.status.state.lockReason ?? '', /folder "secret"/);
    await selectAll('open', 'src/open_only.ts');
    await until('unlocked for the open folder', () => !api.services.status.state.locked);
    assert.doesNotMatch(api.services.status.item.text, /\$\(lock\)/);
    await selectAll('marked', 'src/ledger_core.ts');
    await until('locked for the marked folder', () => api.services.status.state.locked);
    assert.match(api.services.status.state.lockReason ?? '', /folder "marked"/);
  });

  it('Refactor Selection on a file of the folder marked by its settings stays on this machine', async () => {
    resetCloud();
    ollama.reset();
    await selectAll('secret', 'src/vault_logic.ts');
    const { r, events } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
    assert.equal(r.route, 'local', r.reasons.join('; '));
    assert.ok(r.reasons.some((x) => /never-leave-machine/.test(x)), r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    assert.equal(ollama.generations.length, 1);
    assert.match(JSON.stringify(ollama.generations[0].body), /SECRET_FOLDER_TEXT_7f3a/);
    assert.ok(events.every((e) => e.route !== 'cloud'));
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
  });

  it('"ask the cloud instead" for a marked folder\'s code is refused, by the router and by the gate', async () => {
    resetCloud();
    await selectAll('marked', 'src/ledger_core.ts');
    const { r } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?', override: 'cloud' });
    assert.equal(r.route, 'blocked', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    // The gate on its own: a cloud request whose content comes from the marked folder.
    const fetch = api.services.gate.fetchFor({ purpose: 'ask', provider: 'openai', sources: [file('marked', 'src/ledger_core.ts').toString()] });
    const res = await fetch(`${cloud.baseURL}/chat/completions`, { method: 'POST', body: '{}' }).catch((e: unknown) => e);
    assert.match(String((res as Error).message), /blocked: openai is a cloud provider.*never-leave-machine/);
    assert.equal(cloud.requests.length, 0);
  });

  it('the unmarked folder beside them still reaches the cloud (the setup can see a leak), with only its own code', async () => {
    resetCloud();
    await selectAll('open', 'src/open_only.ts');
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
    assert.equal(r.route, 'cloud', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 1);
    assert.match(cloudBodies(), /OPEN_FOLDER_TEXT_5d1e/);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
  });

  it('a folder-level routing.mode local-only keeps that folder\'s refactor local', async () => {
    resetCloud();
    await selectAll('localonly', 'src/team_notes.ts');
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
    assert.equal(r.route, 'local', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
  });

  it('Explain Architecture of a marked folder sends none of its files off the machine', async () => {
    resetCloud();
    ollama.reset();
    await selectAll('secret', 'src/vault_logic.ts');
    const { r } = await runRecorded(api, COMMANDS.explainArchitecture, { budgetTokens: 3000 });
    assert.equal(r.route, 'local', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    assert.match(JSON.stringify(ollama.generations[0]?.body ?? ''), /vault_logic/);
    // The open folder's architecture may go to the cloud, and carries nothing of the others.
    await selectAll('open', 'src/open_only.ts');
    const open = await runRecorded(api, COMMANDS.explainArchitecture, { budgetTokens: 3000 });
    assert.equal(open.r.route, 'cloud', open.r.reasons.join('; '));
    assert.equal(cloud.requests.length, 1);
  });

  it('`!` patterns from the workspace, the folder settings and .switchyardignore re-include nothing', async () => {
    for (const rel of ['.env', 'id_rsa', 'internal/plan.ts']) {
      assert.equal(await api.services.privacy.isExcluded(file('open', rel)), true, rel);
      assert.equal(api.services.privacy.isExcludedPath(file('open', rel)), true, rel);
    }
    assert.equal(await api.services.privacy.isExcluded(file('open', 'src/open_only.ts')), false, 'ordinary files stay usable');
    resetCloud();
    await selectAll('open', '.env');
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types', override: 'cloud' });
    assert.notEqual(r.route, 'cloud', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
  });

  it('a .code-workspace setting marks every folder; removing it frees the open folder again', async () => {
    const ws = vscode.workspace.getConfiguration('switchyard');
    await ws.update('privacy.neverLeaveMachine', true, vscode.ConfigurationTarget.Workspace);
    try {
      await until('the workspace setting to mark the open folder', () => api.services.privacy.policyFor([folder('open').uri.toString()]).neverLeaveMachine);
      resetCloud();
      await selectAll('open', 'src/open_only.ts');
      await until('the lock to show', () => api.services.status.state.locked);
      const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
      assert.equal(r.route, 'local', r.reasons.join('; '));
      assert.equal(cloud.requests.length, 0);
      await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    } finally {
      await ws.update('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until('unmarked again', () => !api.services.privacy.policyFor([folder('open').uri.toString()]).neverLeaveMachine);
  });

  it('Toggle Never-Leave-Machine writes the folder\'s own setting, where it takes effect, and removes it again', async () => {
    await selectAll('localonly', 'src/team_notes.ts');
    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine, { how: 'setting' });
    const inspect = () => vscode.workspace.getConfiguration('switchyard', folder('localonly').uri).inspect<boolean>('privacy.neverLeaveMachine');
    assert.equal(inspect()?.workspaceFolderValue, true, 'written to the folder\'s .vscode/settings.json');
    assert.equal(inspect()?.workspaceValue, undefined, 'not to the .code-workspace file');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file('localonly', '.vscode/settings.json')));
    assert.match(text, /"switchyard\.privacy\.neverLeaveMachine": true/);
    assert.equal(api.services.privacy.policyFor([folder('localonly').uri.toString()]).neverLeaveMachine, true);
    await until('the lock to show', () => api.services.status.state.locked);
    assert.equal(api.services.privacy.policyFor([folder('open').uri.toString()]).neverLeaveMachine, false, 'the other folders are untouched');

    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine);
    assert.equal(inspect()?.workspaceFolderValue, undefined);
    await until('unlocked', () => !api.services.status.state.locked);
  });

  it('the marker file is written into the active editor\'s folder', async () => {
    await selectAll('localonly', 'src/team_notes.ts');
    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine, { how: 'marker' });
    await vscode.workspace.fs.stat(file('localonly', '.switchyard'));
    assert.match(api.services.privacy.policyFor([folder('localonly').uri.toString()]).reason, /\.switchyard in folder "localonly"/);
    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine, { deleteMarker: true });
    await until('unmarked', () => !api.services.privacy.policyFor([folder('localonly').uri.toString()]).neverLeaveMachine);
  });

  it('a gateway that echoes the configured key in a 4xx body: the key reaches neither the ledger, nor the answer view', async () => {
    // A 32-hex Azure-style key: no key pattern knows this shape; only its value can be recognised.
    const hexKey = '3f9c0a7be1d24c6a8b5e9f0d1c2b3a4e';
    const gateway = await startFakeOpenAI({ models: ['gpt-4.1-mini'] });
    try {
      await api.services.context.secrets.store('switchyard.apiKey.openai', hexKey);
      await setUserSettings(api, { 'cloud.openai.baseUrl': gateway.baseURL });
      gateway.script({ status: 400, message: `The api-key ${hexKey} is not valid for this deployment (${hexKey.toUpperCase()})` }, { times: 3 });
      await selectAll('open', 'src/open_only.ts');
      const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What is this?', override: 'cloud' });
      assert.equal(r.outcome, 'failed', r.reasons.join('; '));
      assert.equal(gateway.requests.length, 1, 'the request did reach the gateway with the key');
      const seen = JSON.stringify({ r, events, answer: await answerState() }).toLowerCase();
      assert.ok(!seen.includes(hexKey), 'the key value reached what the user or the ledger sees');
      assert.match(seen, /redacted/);
    } finally {
      await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
      await setUserSettings(api, { 'cloud.openai.baseUrl': cloud.baseURL });
      await gateway.close();
    }
  });
});
