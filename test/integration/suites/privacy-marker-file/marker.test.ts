import * as assert from 'node:assert/strict';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, startFakeOpenAI, type FakeOpenAI } from '../../../fakes';
import { activate, blockedCause, until } from '../privacy-marked-by-settings/shared';

describe('never-leave-machine marked by a committed .switchyard file', () => {
  let api: SwitchyardApi;
  let cloud: FakeOpenAI;
  const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
  const marker = (): vscode.Uri => vscode.Uri.joinPath(root(), '.switchyard');
  const ask = (): Promise<unknown> => new OpenAI({ baseURL: cloud.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: api.services.gate.fetchFor({ purpose: 'ask', provider: 'openai' }) })
    .chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }).then(() => undefined, (e: unknown) => e);

  before(async () => {
    api = await activate();
    // On loopback: the gate refuses cloud providers at any address in a marked workspace.
    cloud = await startFakeOpenAI();
  });
  after(() => closeAll(cloud));

  it('is locked by the marker although the workspace setting says false', () => {
    const p = api.services.privacy.policy();
    assert.equal(p.neverLeaveMachine, true);
    assert.match(p.reason, /\.switchyard/);
    assert.equal(api.services.status.state.locked, true);
  });

  it('blocks the cloud: the fake records nothing', async () => {
    assert.ok(blockedCause(await ask()));
    assertNothingReached(cloud);
  });

  it('notices when the marker is deleted, and the same request then goes out (the setup can see traffic)', async () => {
    await vscode.workspace.fs.delete(marker());
    await until('the marker deletion to be noticed', () => !api.services.privacy.policy().neverLeaveMachine);
    await until('the status bar to unlock', () => !api.services.status.state.locked);
    assert.equal(await ask(), undefined);
    assert.equal(cloud.requests.length, 1);
    cloud.reset();
  });

  it('fails closed on an unparsable marker', async () => {
    await vscode.workspace.fs.writeFile(marker(), new TextEncoder().encode('neverLeaveMachine: maybe?'));
    await until('the new marker to be noticed', () => api.services.privacy.policy().neverLeaveMachine);
    assert.match(api.services.privacy.policy().reason, /fail-closed/);
    await until('the status bar to lock', () => api.services.status.state.locked);
    assert.ok(blockedCause(await ask()));
    assertNothingReached(cloud);
  });

  it('an explicit false marker unmarks, a true one marks again', async () => {
    await vscode.workspace.fs.writeFile(marker(), new TextEncoder().encode('{ "neverLeaveMachine": false }'));
    await until('unmarked', () => !api.services.privacy.policy().neverLeaveMachine);
    await vscode.workspace.fs.writeFile(marker(), new TextEncoder().encode('{ "neverLeaveMachine": true }'));
    await until('marked', () => api.services.privacy.policy().neverLeaveMachine);
    assert.ok(blockedCause(await ask()));
    assertNothingReached(cloud);
  });
});
