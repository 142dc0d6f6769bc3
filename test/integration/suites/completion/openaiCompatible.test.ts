import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import type { ModelCallEvent } from '../../../../src/core/types';
import { startFakeOpenAI, type FakeOpenAI } from '../../../fakes';
import { until } from '../../until';

const MODEL = 'qwen2.5-coder:1.5b-base';

async function setUser(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('switchyard').update(key, value, vscode.ConfigurationTarget.Global);
}

// The shipped bundle loads the OpenAI SDK from its own CommonJS file; this runs that path end to end.
describe('completion on an OpenAI-compatible local server', () => {
  let api: SwitchyardApi;
  let fake: FakeOpenAI;
  const events: ModelCallEvent[] = [];

  before(async () => {
    api = await vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard')!.activate();
    api.services.events.on((e) => events.push(e));
    fake = await startFakeOpenAI({ models: [MODEL], ownedBy: 'llamacpp' });
    await setUser('local.openaiCompatibleUrl', `${fake.url}/v1`);
    await setUser('local.provider', 'openai-compatible');
    await until('healthy', () => api.local.healthy() === true);
  });

  after(async () => {
    await setUser('local.provider', undefined);
    await setUser('local.openaiCompatibleUrl', undefined);
    await fake.close();
  });

  it('serves a suggestion through /v1/completions and records it', async () => {
    events.length = 0;
    fake.setReply(() => 'a * b');
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: '// oai\nfunction mul(a: number, b: number): number {\n  return \n}\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(2, 9, 2, 9);
    const before = doc.getText();
    const end = Date.now() + 5000;
    let inserted = '';
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    while (Date.now() < end && !inserted) {
      await new Promise((r) => setTimeout(r, 100));
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      if (doc.getText() !== before) inserted = doc.getText().slice(before.indexOf('return ') + 7).split('\n')[0];
    }
    assert.equal(inserted, 'a * b');
    assert.ok(fake.requests.some((r) => r.path === '/v1/completions'), 'the request went to /v1/completions');
    const served = await until('served event', () => events.find((e) => e.kind === 'completion' && e.outcome === 'served'));
    assert.equal(served.provider, 'openai-compatible');
    await vscode.commands.executeCommand('undo');
  });
});
