import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import {
  assertNothingReached, closeAll, makeTestCa, startFakeCollector, startFakeLlamaServer, startFakeOllama, startFakeOpenAI, startFakeVllm,
  type FakeOllama, type FakeOpenAI, type FakeVllm, type TestCa,
} from '../../../fakes';
import { activate, KEY, runRecorded, select, setUserSettings, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

const TOKEN = 'team-token-integration-5c2e91';
const CHAT = 'Qwen/Qwen2.5-Coder-32B-Instruct';

/** Every file under a folder, as text (the extension's global storage: ledger, back-off file). */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (statSync(path).size < 5_000_000) out.push({ path, text: readFileSync(path, 'utf8') });
  }
  return out;
}

async function setWorkspace(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('switchyard').update(key, value, vscode.ConfigurationTarget.Workspace);
}

describe('the team tier', () => {
  let api: SwitchyardApi;
  let ca: TestCa;
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let openai: FakeOpenAI;

  before(async () => {
    api = await activate();
    ca = makeTestCa();
    [ollama, vllm, openai] = await Promise.all([
      startFakeOllama({ reply: 'From this machine: it formats cents.' }),
      startFakeVllm({ apiKey: TOKEN, maxModelLen: 16384, tls: { key: ca.key, cert: ca.cert }, reply: 'From the team server: it formats cents.' }),
      startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY, reply: 'From the cloud.' }),
    ]);
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    // What Switchyard: Set Team Server Token stores.
    await api.services.context.secrets.store('switchyard.team.token', TOKEN);
    await setUserSettings(api, {
      'local.provider': 'ollama', 'local.ollamaUrl': ollama.url,
      'cloud.provider': 'openai', 'cloud.openai.baseUrl': openai.baseURL, 'cloud.openai.model': 'gpt-4.1-mini',
      'team.url': vllm.baseURL, 'team.kind': 'vllm', 'team.caFile': ca.caFile, 'team.chatModel': CHAT,
    });
    await until('the team settings to apply', () => api.services.settings.current.team.caFile === ca.caFile);
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await setWorkspace('privacy.networkOnly', undefined);
    await setWorkspace('privacy.neverLeaveMachine', undefined);
    await vscode.workspace.getConfiguration('switchyard').update('usageExport.enabled', undefined, vscode.ConfigurationTarget.Global);
    await closeAll(ollama, vllm, openai);
    ca.dispose();
  });

  it('the team server is up over TLS with the extra CA, and counts as a network endpoint', async () => {
    const health = await until('the team health check', async () => (await api.services.team!.checkNow())?.ok && api.services.team!.health(), 10_000);
    assert.equal(health.ok, true, health.detail);
    await until('the team server to be classified', () => api.services.team!.endpointClass());
    assert.equal(api.services.team!.endpointClass(), 'network');
    assert.ok(vllm.requests.some((r) => r.path === '/health'));
  });

  it('hybrid: while this machine\'s server is up, an ask runs on the machine tier', async () => {
    await select('src/money.ts', 'export function formatCents', '}');
    const { r } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.provider, 'ollama');
    assert.equal(vllm.generations.length, 0);
  });

  it('hybrid: with this machine\'s server down, the team server answers before the cloud, saying why; the token goes as a bearer', async () => {
    await ollama.close();
    const local = api.local as unknown as { checkNow(): Promise<unknown> };
    await until('the machine tier to be reported down', async () => { await local.checkNow(); return api.local.healthy() === false; }, 15_000);
    const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'team');
    assert.equal(r.model, CHAT);
    assert.match(r.reasons.join('; '), /using the team server/);
    assert.deepEqual(events.map((e) => `${e.provider}/${e.endpointClass}/${e.outcome}`), ['team/network/served']);
    const [chat] = vllm.generations;
    assert.equal(chat.path, '/v1/chat/completions');
    assert.equal(chat.headers.authorization, `Bearer ${TOKEN}`);
    assertNothingReached(openai);
  });

  it('completions: with this machine\'s server down, ghost text comes from the team server as a raw FIM template without suffix', async () => {
    vllm.setReply(({ endpoint }) => (endpoint === '/v1/completions' ? 'a + b;' : 'From the team server: it formats cents.'));
    const doc = await vscode.workspace.openTextDocument({ language: 'typescript', content: 'export function add(a: number, b: number): number {\n  return \n}\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 9, 1, 9);
    const before = doc.getText();
    let inserted = '';
    await until('a suggestion from the team server', async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await new Promise((r) => setTimeout(r, 300));
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      if (doc.getText() === before) return false;
      inserted = doc.getText().slice(before.indexOf('return ') + 7, before.indexOf('return ') + 7 + doc.getText().length - before.length);
      return true;
    }, 15_000, 500);
    assert.equal(inserted, 'a + b;');
    const fim = vllm.generations.filter((g) => g.path === '/v1/completions');
    assert.ok(fim.length > 0);
    assert.equal(fim[0].body.suffix, undefined);
    assert.equal(fim[0].body.model, 'Qwen/Qwen2.5-Coder-7B');
    assert.match(fim[0].body.prompt, /<\|fim_prefix\|>[\s\S]*return <\|fim_suffix\|>[\s\S]*<\|fim_middle\|>$/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('the token is only in SecretStorage: not in settings, not in the ledger or any stored file', async () => {
    const config = JSON.stringify(vscode.workspace.getConfiguration('switchyard'));
    assert.ok(!config.includes(TOKEN), 'the token is in the settings');
    await (api.cost as { flushed?: () => Promise<void> }).flushed?.();
    const files = filesUnder(api.services.context.globalStorageUri.fsPath);
    assert.ok(files.length > 0, 'the ledger was written');
    for (const f of files) assert.ok(!f.text.includes(TOKEN), `the token is in ${f.path}`);
    assert.equal(await api.services.context.secrets.get('switchyard.team.token'), TOKEN);
  });

  it('usage export is off by default: nothing is sent', async () => {
    assert.equal(api.services.settings.current.usageExport.enabled, false);
    assert.equal(api.usageExport.current(), undefined);
  });

  it('usage export on: the calls made are exported as metrics by tier and model, and log records carry no prompt text', async () => {
    const collector = await startFakeCollector();
    try {
      const config = vscode.workspace.getConfiguration('switchyard');
      await config.update('usageExport.endpoint', collector.url, vscode.ConfigurationTarget.Global);
      await config.update('usageExport.logRecords', true, vscode.ConfigurationTarget.Global);
      await config.update('usageExport.headers', { 'x-team': 'platform' }, vscode.ConfigurationTarget.Global);
      await config.update('usageExport.enabled', true, vscode.ConfigurationTarget.Global);
      await until('the export to start', () => api.usageExport.current());
      const question = 'QUESTION_TEXT_MARKER what does it do?';
      await select('src/money.ts', 'export function formatCents', '}');
      const { r } = await runRecorded(api, COMMANDS.askAboutSelection, { question });
      assert.equal(r.provider, 'team', r.error);
      await api.usageExport.current()!.flush();
      await until('metrics at the collector', () => collector.points('switchyard.requests').length > 0);
      const teamPoints = collector.points('switchyard.requests').filter((p) => p.attributes['switchyard.tier'] === 'team');
      assert.ok(teamPoints.length > 0);
      assert.equal(teamPoints[0].attributes['gen_ai.request.model'], CHAT);
      await until('log records at the collector', () => collector.logRecords().length > 0, 10_000);
      assert.equal(collector.exports[0].headers['x-team'], 'platform');
      for (const e of collector.exports) {
        assert.ok(!e.raw.includes('QUESTION_TEXT_MARKER'), 'prompt text was exported');
        assert.ok(!e.raw.includes('formatCents'), 'code was exported');
      }
    } finally {
      await collector.close();
    }
  });

  it('network-only (a workspace setting): a refactor that wants the cloud goes to the team server, never the cloud', async () => {
    await setWorkspace('privacy.networkOnly', true);
    await until('the network-only policy', () => /network-only/.test(api.services.privacy.policy().reason));
    assert.deepEqual([...api.services.privacy.policy().allowed], ['machine', 'network']);
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const { r } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Simplify' });
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    assert.equal(r.provider, 'team', `${r.outcome}: ${r.error} ${r.reasons.join('; ')}`);
    assert.match(r.reasons.join('; '), /kept on the team server: cloud endpoints are not allowed \(network-only/);
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const forced = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does it do?', override: 'cloud' });
    assert.equal(forced.r.outcome, 'blocked');
    assertNothingReached(openai);
  });

  it('never-leave-machine: the team server is never used, not even for a health check; the request fails instead', async () => {
    await setWorkspace('privacy.networkOnly', undefined);
    await setWorkspace('privacy.neverLeaveMachine', true);
    await until('the never-leave-machine policy', () => api.services.privacy.policy().neverLeaveMachine);
    const before = { requests: vllm.requests.length, connections: vllm.connections };
    await select('src/money.ts', 'export function formatCents', '}');
    const { r } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.notEqual(r.outcome, 'served');
    assert.notEqual(r.provider, 'openai');
    assert.match(r.reasons.join('; '), /the team server is another machine and this workspace never leaves the machine/);
    const health = await api.services.team!.checkNow();
    assert.equal(health?.ok, false);
    assert.match(health?.detail ?? '', /was not asked: no content here may use it \(never-leave-machine/);
    assert.deepEqual({ requests: vllm.requests.length, connections: vllm.connections }, before);
    assertNothingReached(openai);
    await setWorkspace('privacy.neverLeaveMachine', undefined);
    await until('the policy to loosen again', () => !api.services.privacy.policy().neverLeaveMachine);
  });

  it('without the extra CA the team server is not trusted, and the health says which setting fixes it', async () => {
    await setWorkspace('privacy.neverLeaveMachine', undefined);
    await until('a policy that allows the team server', () => api.services.privacy.policy().allowed.includes('network'));
    await setUserSettings(api, { 'team.caFile': undefined });
    await until('the CA setting to clear', () => api.services.settings.current.team.caFile === '');
    const health = await api.services.team!.checkNow();
    assert.equal(health?.ok, false);
    assert.match(health?.detail ?? '', /certificate/);
    assert.match(health?.detail ?? '', /switchyard\.team\.caFile/);
    await setUserSettings(api, { 'team.caFile': ca.caFile });
    await until('the CA setting to apply', () => api.services.settings.current.team.caFile === ca.caFile);
  });

  it('a llama.cpp team server: the prompt window from its /props n_ctx, and the ledger keeps the prefill and generation it reports', async () => {
    const llama = await startFakeLlamaServer({ apiKey: TOKEN, nCtx: 6144, models: [CHAT, 'Qwen/Qwen2.5-Coder-7B'], defaults: { speed: { prefillMs: 80, perTokenMs: 3 } } });
    try {
      await setUserSettings(api, { 'team.url': llama.baseURL, 'team.kind': 'llamacpp', 'team.caFile': undefined });
      await until('the llama.cpp settings to apply', () => api.services.settings.current.team.url === llama.baseURL && api.services.settings.current.team.kind === 'llamacpp');
      // Half of the slot's 6144 tokens less the answer's 64.
      await until('the window from /props', async () => { await api.services.team!.checkNow(); return api.services.team!.windowTokens(64) === 3008; });
      assert.ok(llama.requests.some((r) => r.path === '/props' && r.headers.authorization === `Bearer ${TOKEN}`));

      await select('src/money.ts', 'export function formatCents', '}');
      const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
      assert.equal(r.provider, 'team', `${r.outcome}: ${r.error}`);
      const timing = events[0]?.timing;
      assert.ok(timing && (timing.prefillMs ?? 0) >= 60 && (timing.generationMs ?? 0) > 0, JSON.stringify(events[0]));
      await (api.cost as { flushed?: () => Promise<void> }).flushed?.();
      const ledger = filesUnder(api.services.context.globalStorageUri.fsPath).filter((f) => /ledger.*\.jsonl$/.test(f.path));
      const line = ledger.flatMap((f) => f.text.split('\n')).find((l) => l.includes(events[0].id));
      assert.ok(line, 'the call is not in the ledger');
      const kept = JSON.parse(line).timing as Record<string, number>;
      assert.deepEqual(kept, Object.fromEntries(Object.entries(timing).map(([k, v]) => [k, Math.round(v as number)])));
    } finally {
      await setUserSettings(api, { 'team.url': vllm.baseURL, 'team.kind': 'vllm', 'team.caFile': ca.caFile });
      await llama.close();
    }
  });
});
