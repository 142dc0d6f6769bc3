import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import type { ModelCallEvent } from '../../../../src/core/types';
import { startFakeOllama, countTokens, type FakeOllama } from '../../../fakes';
import { until } from '../../until';
import { acceptSuggestion } from '../tasks/helpers';

const MODEL = 'qwen2.5-coder:1.5b-base';

/** Sets a user setting and waits until the extension has read it. */
async function setUser(api: SwitchyardApi, key: string, value: unknown): Promise<void> {
  const changed = new Promise<void>((resolve) => {
    const off = api.services.settings.onDidChange.on(() => { off.dispose(); resolve(); });
  });
  await vscode.workspace.getConfiguration('switchyard').update(key, value, vscode.ConfigurationTarget.Global);
  await changed;
}

describe('completion', () => {
  let api: SwitchyardApi;
  let fake: FakeOllama;
  const events: ModelCallEvent[] = [];
  let editor!: vscode.TextEditor;

  before(async () => {
    api = await vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard')!.activate();
    api.services.events.on((e) => events.push(e));
    fake = await startFakeOllama();
    await setUser(api, 'local.ollamaUrl', fake.url);
    await until('healthy', () => api.local.healthy() === true);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('switchyard').update('local.ollamaUrl', undefined, vscode.ConfigurationTarget.Global);
    await fake.close();
  });

  const cursorAt = (line: number, ch: number) => { editor.selection = new vscode.Selection(line, ch, line, ch); };
  /** A new document per case, so no case is served from another's cache; cursor after `return `. */
  const fresh = async (tag: string) => {
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: `// ${tag}\nfunction add(a: number, b: number): number {\n  return \n}\n` });
    editor = await vscode.window.showTextDocument(doc);
    cursorAt(2, 9);
  };

  it('returns the expected suggestion at a position, and records one served call with the server\'s usage', async () => {
    fake.reset();
    events.length = 0;
    fake.setReply(({ suffix }) => (suffix !== undefined ? 'a + b' : 'wrong'));
    await fresh('served');
    assert.equal(await acceptSuggestion(editor), 'a + b');
    const gen = fake.requests.find((r) => r.path === '/api/generate')!;
    assert.equal(gen.body.model, MODEL);
    assert.equal(gen.body.suffix, '\n}\n');
    assert.equal(gen.body.keep_alive, '30m');
    const served = await until('served event', () => events.find((e) => e.outcome === 'served'));
    assert.equal(served.kind, 'completion');
    assert.equal(served.route, 'local');
    assert.equal(served.endpointClass, 'machine');
    assert.equal(served.usage?.completionTokens, countTokens('a + b'));
    await until('status ready', () => api.services.status.state.completion === 'ready');
  });

  it('a line that finishes its statement closes the request at the `;`, so the server generates nothing more', async () => {
    fake.reset();
    events.length = 0;
    // A model that would go on after the statement, at a model's pace so the close lands mid-stream.
    const reply = 'a + b; // the sum of both numbers, as a number';
    fake.setReply(() => ({ text: reply, speed: { prefillMs: 100, perTokenMs: 40 } }));
    await fresh('statement');
    assert.equal(await acceptSuggestion(editor), 'a + b;');
    const gen = fake.requests.find((r) => r.path === '/api/generate')!;
    await fake.ended(gen);
    assert.equal(gen.aborted, true, 'the client closed the stream after the `;`');
    assert.ok(gen.tokensGenerated <= countTokens('a + b;') + 1, `${gen.tokensGenerated} of ${countTokens(reply)} tokens generated`);
    const served = await until('served event', () => events.find((e) => e.outcome === 'served'));
    assert.equal(served.estimated.completionTokens, countTokens('a + b;'));
  });

  it('a block is shown line-first while it streams, then whole once it is complete', async () => {
    fake.reset();
    const block = 'const sum = a + b;\n  console.log(sum);\n  return sum;';
    const firstLineTokens = countTokens('const sum = a + b;\n');
    // At a CPU model's pace: the first line is complete long before the block.
    fake.setReply(() => ({ text: block, speed: { prefillMs: 100, perTokenMs: 120 } }));
    const blank = async (tag: string) => {
      const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: `// ${tag}\nfunction add(a: number, b: number): number {\n  \n}\n` });
      editor = await vscode.window.showTextDocument(doc);
      cursorAt(2, 2);
      return (r: { path: string; body: unknown }) => r.path === '/api/generate' && JSON.stringify(r.body).includes(`// ${tag}`);
    };

    // Mid-stream, Tab takes the first line: it was shown (after its first words) before the block was complete.
    const early = await blank('line-first');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const [streaming] = await fake.waitForRequests(1, { match: early, timeoutMs: 5000 });
    await until('first line streamed', () => streaming.tokensSent >= firstLineTokens + 1);
    await new Promise((r) => setTimeout(r, 400)); // the editor is asked to show the complete line
    assert.equal(streaming.endedAt, undefined, 'the block is still streaming');
    assert.equal(await acceptSuggestion(editor, 1500), 'const sum = a + b;');

    // Left alone until the stream ends, the ghost text grows to the whole block (the editor is asked again).
    fake.reset();
    const late = await blank('whole-block');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const [whole] = await fake.waitForRequests(1, { match: late, timeoutMs: 5000 });
    await fake.ended(whole, 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // the editor is asked to show all of it
    assert.equal(await acceptSuggestion(editor, 1500), block);
  });

  it('a hanging request is aborted at the server and reported, with no exception', async () => {
    fake.reset();
    events.length = 0;
    const mine = (r: { path: string; body: unknown }) => r.path === '/api/generate' && JSON.stringify(r.body).includes('// hang');
    fake.script({ fault: 'hang' }, { match: mine });
    await fresh('hang');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await fake.waitForRequests(1, { match: mine, timeoutMs: 5000 });
    const req = fake.requests.find(mine)!;
    await fake.ended(req);
    assert.equal(req.aborted, true, 'the HTTP request was closed, so the server stops generating');
    const failed = await until('failed event', () => events.find((e) => e.outcome === 'failed'));
    assert.match(failed.error ?? '', /timed out after 3000 ms/);
  });

  for (const [fault, code] of [['malformed', 'malformed'], ['truncate', 'cut']] as const) {
    it(`a ${fault} stream gives a failed call and no exception`, async () => {
      fake.reset();
      events.length = 0;
      // Only this document's requests get the fault (another editor may still be asking).
      fake.script({ fault, afterTokens: 1 }, { match: (r) => r.path === '/api/generate' && JSON.stringify(r.body).includes(`// ${fault}`), times: 5 });
      await fresh(fault);
      assert.equal(await acceptSuggestion(editor, 1500), '');
      const failed = await until('failed event', () => events.find((e) => e.outcome === 'failed'));
      assert.ok(failed.error && failed.error.length > 0, code);
      assert.notEqual(api.services.status.state.completion, 'unreachable');
    });
  }

  it('a missing model is reported with the pull in the tooltip', async () => {
    fake.reset();
    await setUser(api, 'completion.model', 'not-installed:1b');
    await fresh('missing');
    assert.equal(await acceptSuggestion(editor, 1500), '');
    await until('model-missing status', () => api.services.status.state.completion === 'unreachable'
      && /not-installed:1b.*Pull Model/.test(api.services.status.state.completionDetail ?? ''));
    await setUser(api, 'completion.model', undefined);
  });

  it('server down: unreachable with the fix in the tooltip, and no request per keystroke', async () => {
    const port = fake.port;
    await fake.close();
    events.length = 0;
    await fresh('down');
    assert.equal(await acceptSuggestion(editor, 1500), '');
    await until('unreachable status', () => api.services.status.state.completion === 'unreachable');
    assert.match(api.services.status.state.completionDetail ?? '', new RegExp(`127\\.0\\.0\\.1:${port}.*ollama serve`));
    const calls = () => events.filter((e) => e.outcome !== 'cached').length;
    const before = calls();
    for (let i = 0; i < 3; i++) {
      await editor.edit((e) => e.insert(editor.selection.active, 'x'));
      assert.equal(await acceptSuggestion(editor, 500), '');
    }
    assert.equal(calls(), before, 'no model call while the server is known to be down');
    fake = await startFakeOllama({ port });
  });
});
