import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { createPrivacyService } from '../../../../src/vscode/privacy';
import { closeAll, startFakeOllama, type FakeOllama } from '../../../fakes';
import { acceptSuggestion, activate, setUserSettings, until } from '../tasks/helpers';

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const at = (rel: string): vscode.Uri => vscode.Uri.joinPath(root(), rel);
const write = (rel: string, text: string): Thenable<void> => vscode.workspace.fs.writeFile(at(rel), new TextEncoder().encode(text));

/** Whether an inline suggestion is shown within 2.5 s. */
const suggested = async (editor: vscode.TextEditor): Promise<boolean> => (await acceptSuggestion(editor, 2500)) !== '';

describe('.switchyardignore: known from the first moment, never stale', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;

  before(async () => {
    api = await activate();
  });
  after(() => closeAll(ollama));

  it('a privacy service applies the ignore file from the moment it exists, before any re-read', async () => {
    // A fresh service, built as activation builds it, asked synchronously: no window where the file does not apply.
    const fresh = createPrivacyService(api.services.settings);
    assert.equal(fresh.isExcludedPath(at('private/keys.ts')), true);
    assert.equal(fresh.isExcludedPath('private/keys.ts'), true);
    assert.equal(await fresh.isExcluded(at('private/keys.ts')), true);
    assert.equal(fresh.isExcludedPath(at('src/money.ts')), false);
    // And the running extension's own service.
    assert.equal(await api.services.privacy.isExcluded(at('private/keys.ts')), true);
  });

  it('while the ignore file is being re-read, a file is answered from the new contents, not the old', async () => {
    await write('.switchyardignore', 'private/\nsrc/cart.ts\n');
    // Whatever the watcher does, an explicit re-read started now is waited for by the next question.
    const refresh = (api.services.privacy as unknown as { refresh(): Promise<void> }).refresh();
    assert.equal(await api.services.privacy.isExcluded(at('src/cart.ts')), true);
    await refresh;
    await write('.switchyardignore', 'private/\n');
    await until('src/cart.ts usable again', async () => !(await api.services.privacy.isExcluded(at('src/cart.ts'))));
  });

  describe('completions follow an edited ignore file', () => {
    let editor: vscode.TextEditor;
    before(async () => {
      ollama = await startFakeOllama({ reply: 'a + b' });
      await setUserSettings(api, { 'local.ollamaUrl': ollama.url });
      await until('the local server to be healthy', () => api.local.healthy() === true);
      editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(at('src/later.ts')));
      editor.selection = new vscode.Selection(1, 9, 1, 9);
    });

    const generations = (): number => ollama.requests.filter((r) => r.path === '/api/generate').length;
    let n = 0;
    /** A new line to complete each time, so no cache (ours or the editor's) can answer. */
    const freshLine = async (): Promise<void> => {
      const text = `  const v${++n} = `;
      await editor.edit((b) => b.insert(new vscode.Position(1, 0), `${text}\n`));
      editor.selection = new vscode.Selection(1, text.length, 1, text.length);
    };

    it('serves the file while it is not excluded (the setup can see a request)', async () => {
      ollama.reset();
      await freshLine();
      assert.equal(await suggested(editor), true);
      assert.ok(generations() > 0);
    });

    it('stops at once when the ignore file on disk starts excluding it', async () => {
      await write('.switchyardignore', 'private/\nsrc/later.ts\n');
      await until('the exclusion to be known', () => api.services.privacy.isExcludedPath(at('src/later.ts')));
      ollama.reset();
      await freshLine();
      assert.equal(await suggested(editor), false);
      assert.equal(generations(), 0, 'no request for an excluded file');
    });

    it('an edit made in the editor and saved applies too: the file is served again', async () => {
      const ignore = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(at('.switchyardignore')));
      await ignore.edit((b) => b.replace(new vscode.Range(0, 0, ignore.document.lineCount, 0), 'private/\n'));
      await ignore.document.save();
      await until('the exclusion to be lifted', () => !api.services.privacy.isExcludedPath(at('src/later.ts')));
      editor = await vscode.window.showTextDocument(editor.document);
      ollama.reset();
      await freshLine();
      assert.equal(await suggested(editor), true);
      assert.ok(generations() > 0);
    });
  });
});
