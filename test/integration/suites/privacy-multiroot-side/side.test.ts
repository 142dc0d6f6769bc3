import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { closeAll, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, runRecorded, selectAll, startLocalAndCloud, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

const SECRET_TEXT = ['SECRET_FOLDER_TEXT_7f3a', 'sealVault', 'FOLDER_EXCLUDED_TEXT_44aa'];

describe('multi-root: a folder marked by its own settings beside an unmarked one', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let cloud: FakeOpenAI;
  /** What the cloud fake received since the last reset, and over the whole suite. */
  const sentToCloud = (): string => cloud.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
  const everSent: string[] = [];
  const resetCloud = (): void => {
    everSent.push(sentToCloud());
    cloud.reset();
  };

  before(async () => {
    api = await activate();
    ({ ollama, cloud } = await startLocalAndCloud(api, {
      local: { reply: '```ts\nexport const local = 1;\n```' },
      cloud: { reply: '```ts\nexport const cloud = 1;\n```' },
    }));
  });
  after(async () => {
    resetCloud();
    for (const t of SECRET_TEXT) assert.ok(!everSent.join('\n').includes(t), `the cloud received ${t}`);
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, cloud);
  });

  it('Refactor Selection on the marked folder\'s file stays local, with the reason; the lock shows', async () => {
    await selectAll('secret', 'src/vault_logic.ts');
    await until('the lock for the secret folder', () => api.services.status.state.locked);
    assert.match(api.services.status.state.lockReason ?? '', /never-leave-machine \(setting, folder "secret"\)/);
    resetCloud();
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
    assert.equal(r.route, 'local', r.reasons.join('; '));
    assert.ok(r.reasons.some((x) => /never-leave-machine/.test(x)), r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
  });

  it('Explain Architecture of the marked folder stays local', async () => {
    await selectAll('secret', 'src/vault_logic.ts');
    resetCloud();
    const { r } = await runRecorded(api, COMMANDS.explainArchitecture, { budgetTokens: 3000 });
    assert.equal(r.route, 'local', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 0);
    assert.ok(!(r.overview?.included ?? []).some((p) => p.includes('internal/')), 'the folder\'s own exclusions hold');
  });

  it('the unmarked folder beside it is not locked and still uses the cloud', async () => {
    await selectAll('open', 'src/open_only.ts');
    await until('no lock for the open folder', () => !api.services.status.state.locked);
    resetCloud();
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Add types' });
    assert.equal(r.route, 'cloud', r.reasons.join('; '));
    assert.equal(cloud.requests.length, 1);
    assert.match(sentToCloud(), /OPEN_FOLDER_TEXT_5d1e/);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
  });
});
