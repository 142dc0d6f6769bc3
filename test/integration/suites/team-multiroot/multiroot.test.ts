import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, startFakeOllama, startFakeOpenAI, startFakeVllm, type FakeOllama, type FakeOpenAI, type FakeVllm } from '../../../fakes';
import { activate, KEY, runRecorded, setUserSettings, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

const TOKEN = 'team-token-multiroot-7d41';

function folder(name: string): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.name === name);
  assert.ok(f, `folder ${name} not open`);
  return f;
}

async function open(name: string, rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder(name).uri, rel));
  return vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
}

async function selectFunction(name: string): Promise<void> {
  const editor = await open(name, 'src/money.ts');
  const lines = editor.document.getText().split('\n');
  const start = lines.findIndex((l) => l.includes('export function formatCents'));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('}'));
  editor.selection = new vscode.Selection(start, 0, end, 1);
}

/** Asks for ghost text at the end of the file's first line a few times; true when some text was inserted. */
async function tryCompletion(name: string): Promise<boolean> {
  const editor = await open(name, 'src/money.ts');
  const doc = editor.document;
  await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\nexport function add(a: number, b: number): number {\n  return \n}\n'));
  const line = doc.lineCount - 3;
  editor.selection = new vscode.Selection(line, 9, line, 9);
  const before = doc.getText();
  let inserted = false;
  for (let i = 0; i < 6 && !inserted; i++) {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await new Promise((r) => setTimeout(r, 400));
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    inserted = doc.getText() !== before;
  }
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  return inserted;
}

describe('the team server in a multi-root window: never-leave-machine and network-only folders side by side', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let openai: FakeOpenAI;

  before(async () => {
    api = await activate();
    [ollama, vllm, openai] = await Promise.all([
      startFakeOllama({ reply: 'From this machine.' }),
      startFakeVllm({ apiKey: TOKEN, reply: ({ endpoint }) => (endpoint === '/v1/completions' ? 'a + b;' : 'From the team server.') }),
      startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY }),
    ]);
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    await api.services.context.secrets.store('switchyard.team.token', TOKEN);
    await setUserSettings(api, {
      'local.provider': 'ollama', 'local.ollamaUrl': ollama.url,
      'cloud.provider': 'openai', 'cloud.openai.baseUrl': openai.baseURL, 'cloud.openai.model': 'gpt-4.1-mini',
      'team.url': vllm.baseURL, 'team.kind': 'vllm',
    });
    await until('the team settings to apply', () => api.services.settings.current.team.url === vllm.baseURL);
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, vllm, openai);
  });

  it('the window is never-leave-machine, yet the team server is asked how it is, for the network-only folder', async () => {
    assert.equal(api.services.privacy.policy().neverLeaveMachine, true);
    assert.deepEqual([...api.services.privacy.policyFor([folder('net').uri.toString()]).allowed], ['machine', 'network']);
    const health = await until('the team health check', () => api.services.team!.health(), 10_000);
    assert.equal(health.ok, true, health.detail);
    assert.ok(vllm.requests.some((r) => r.path === '/health'));
    const locked = await api.services.team!.checkNow([folder('locked').uri.toString()]);
    assert.equal(locked?.ok, false);
    assert.match(locked?.detail ?? '', /was not asked/);
  });

  it('with this machine\'s server down: the locked folder\'s ask never reaches the team server, the network-only folder\'s does', async () => {
    await ollama.close();
    const local = api.local as unknown as { checkNow(): Promise<unknown> };
    await until('the machine tier to be reported down', async () => { await local.checkNow(); return api.local.healthy() === false; }, 15_000);

    const before = vllm.requests.length;
    await selectFunction('locked');
    const locked = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.notEqual(locked.r.provider, 'team', locked.r.reasons.join('; '));
    assert.match(locked.r.reasons.join('; '), /never leaves the machine/);
    assert.equal(vllm.requests.length, before, 'a request from the locked folder reached the team server');

    await selectFunction('net');
    const net = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(net.r.provider, 'team', `${net.r.outcome}: ${net.r.error}`);
    assert.equal(net.r.outcome, 'served');
    assertNothingReached(openai);
  });

  it('completions with this machine\'s server down: ghost text from the team server in the network-only folder, none in the locked one', async () => {
    const fim = () => vllm.generations.filter((g) => g.path === '/v1/completions').length;
    assert.equal(await tryCompletion('locked'), false);
    assert.equal(fim(), 0, 'a completion from the locked folder reached the team server');
    assert.equal(await tryCompletion('net'), true, 'no ghost text from the team server in the network-only folder');
    assert.ok(fim() > 0);
    assertNothingReached(openai);
  });
});
