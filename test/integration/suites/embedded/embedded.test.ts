import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { EmbeddedProvider } from '../../../../src/core/providers/embedded/node/provider';
import type { FimRequest, ProviderError } from '../../../../src/core/providers/types';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { SwitchyardApi } from '../../../../src/extension';
import { until } from '../../until';
import { COMMANDS } from '../../../../src/core/commands';

const fim = (over: Partial<FimRequest> = {}): FimRequest => ({ model: 'tiny', prefix: 'function add(a, b) {\n  return', suffix: ';\n}\n', maxTokens: 16, temperature: 0.7, stop: [], ...over });

describe('embedded engine in VS Code', () => {
  let api: SwitchyardApi;
  let provider: EmbeddedProvider;
  const events: ModelCallEvent[] = [];

  before(async () => {
    const ext = vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard')!;
    api = await ext.activate();
    api.services.events.on((e) => events.push(e));
    // The same writer the tests and `npm start` use; the model is cached between runs.
    const modelPath = execFileSync(process.execPath, [join(ext.extensionPath, 'scripts/gguf/write-gguf.mjs')], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }).toString().trim();
    const config = vscode.workspace.getConfiguration('switchyard');
    await config.update('embedded.threads', 1, vscode.ConfigurationTarget.Global);
    await config.update('embedded.modelPath', modelPath, vscode.ConfigurationTarget.Global);
    await config.update('local.provider', 'embedded', vscode.ConfigurationTarget.Global);
    await until('the embedded provider to serve', () => api.local.current().id === 'embedded' && api.services.settings.current.embedded.modelPath === modelPath && api.local.fim().id === 'embedded', 20_000);
    provider = api.local.fim() as unknown as EmbeddedProvider;
    assert.equal(provider.endpointClass, 'machine');
  });

  it('serves ghost text typed in the editor', async () => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'src/money.ts'));
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const end = doc.lineAt(doc.lineCount - 1).range.end;
    await editor.edit((b) => b.insert(end, '\nexport function addCents(a: number, b: number) {\n  const total = '));
    const pos = doc.lineAt(doc.lineCount - 1).range.end;
    editor.selection = new vscode.Selection(pos, pos);
    const before = events.length;
    const lengthBefore = doc.getText().length;
    // The health check starts the engine and loads the model; then one trigger, as a user's pause in typing.
    await until('the embedded engine to be healthy', () => api.local.healthy() === true, 45000);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await until('a served completion from the embedded engine', () => events.slice(before).some((e) => e.kind === 'completion' && e.outcome === 'served'), 30000)
      .catch((err: Error) => {
        throw new Error(`${err.message}; events ${JSON.stringify(events.slice(before).map((x) => [x.provider, x.outcome, x.error]))}`);
      });
    const e = events.slice(before).find((x) => x.kind === 'completion' && x.outcome === 'served')!;
    assert.equal(e.provider, 'embedded');
    assert.match(e.model, /^switchyard-tiny-/, 'the ledger names the GGUF model the engine ran');
    assert.equal(e.endpointClass, 'machine');
    assert.equal(e.route, 'local');
    assert.ok((e.usage?.completionTokens ?? 0) > 0, 'the engine reported no generated tokens');
    assert.ok((e.usage?.promptTokens ?? 0) > 0, 'the engine reported no prompt tokens');
    // Accepting the ghost text puts the engine's text into the document.
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    await until('the ghost text to be accepted', () => doc.getText().length > lengthBefore, 5000);
    console.log(`embedded ghost text: ${JSON.stringify(doc.getText().slice(lengthBefore, lengthBefore + 60))}`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('cancelling stops the generation in the engine process', async () => {
    // No editor open, so no ghost-text request of the editor's own runs beside this one.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the engine to be idle', async () => (await provider.engine.stats()).active === 0, 20_000);
    const abort = new AbortController();
    let chunks = 0;
    const r = await provider.complete(fim({ maxTokens: 100_000 }), () => { if (++chunks === 3) abort.abort(); }, abort.signal);
    assert.equal(r.finishReason, 'cancelled');
    const s1 = await provider.engine.stats();
    assert.equal(s1.active, 0);
    await new Promise((res) => setTimeout(res, 400));
    const s2 = await provider.engine.stats();
    assert.equal(s2.generatedTokens, s1.generatedTokens, 'the engine kept generating after the cancel');
    assert.ok(s2.cancelled >= 1);
  });

  it('a killed engine process is restarted and reported, and the extension carries on', async () => {
    const pid = provider.engine.pid;
    assert.ok(pid, 'the engine is running');
    const pending = provider.complete(fim({ maxTokens: 100_000 }), () => undefined, new AbortController().signal);
    await new Promise((res) => setTimeout(res, 200));
    process.kill(pid, 'SIGKILL');
    await assert.rejects(pending, (err: ProviderError) => err.name === 'ProviderError' && err.code === 'server' && /stopped unexpectedly/.test(err.message));
    assert.match(api.services.status.state.completionDetail ?? '', /embedded engine stopped/i);
    await until('the engine to come back', () => provider.engine.pid !== undefined && provider.engine.pid !== pid && provider.engine.state.kind === 'ready', 20_000);
    const r = await provider.complete(fim({ maxTokens: 4 }), () => undefined, new AbortController().signal);
    assert.equal(r.usage?.completionTokens, 4);
    assert.equal(provider.engine.crashes, 1);
    // Still alive: commands run as before.
    await vscode.commands.executeCommand(COMMANDS.showLog);
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('switchyard');
    await config.update('local.provider', undefined, vscode.ConfigurationTarget.Global);
    await config.update('embedded.modelPath', undefined, vscode.ConfigurationTarget.Global);
    await config.update('embedded.threads', undefined, vscode.ConfigurationTarget.Global);
  });
});
