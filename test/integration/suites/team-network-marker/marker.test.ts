import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, startFakeOllama, startFakeOpenAI, startFakeVllm, type FakeOllama, type FakeOpenAI, type FakeVllm } from '../../../fakes';
import { activate, KEY, runRecorded, select, setUserSettings, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

const TOKEN = 'team-token-marker-11aa';

describe('a repository marked network-only by its .switchyard file', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let openai: FakeOpenAI;

  before(async () => {
    api = await activate();
    [ollama, vllm, openai] = await Promise.all([
      startFakeOllama({ reply: '```ts\nexport const x = 1;\n```' }),
      // Plain http at a loopback address, as through an SSH tunnel: still the team server, still `network`.
      startFakeVllm({ apiKey: TOKEN, reply: '```ts\nexport const fromTeam = 1;\n```' }),
      startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY }),
    ]);
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    await api.services.context.secrets.store('switchyard.team.token', TOKEN);
    await setUserSettings(api, {
      'local.provider': 'ollama', 'local.ollamaUrl': ollama.url,
      'cloud.provider': 'openai', 'cloud.openai.baseUrl': openai.baseURL, 'cloud.openai.model': 'gpt-4.1-mini',
      'team.url': vllm.baseURL, 'team.kind': 'vllm', 'team.chatModel': 'Qwen/Qwen2.5-Coder-32B-Instruct',
      'routing.autoEscalate': true,
    });
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, vllm, openai);
  });

  it('the policy is network-only from the marker file: machine and network, not the cloud', () => {
    const p = api.services.privacy.policy();
    assert.deepEqual([...p.allowed], ['machine', 'network']);
    assert.equal(p.neverLeaveMachine, false);
    assert.match(p.reason, /network-only \(\.switchyard\)/);
  });

  it('refactor and explain architecture go to the team server instead of the cloud, saying why', async () => {
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const { r, events } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Simplify' });
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    assert.equal(r.provider, 'team', `${r.outcome}: ${r.error}`);
    assert.deepEqual(r.reasons, ['refactor goes to the cloud by default', 'kept on the team server: cloud endpoints are not allowed (network-only (.switchyard): the team server, never the cloud)']);
    assert.deepEqual(events.map((e) => `${e.route}/${e.provider}/${e.endpointClass}`), ['local/team/network']);
    const a = await runRecorded(api, COMMANDS.explainArchitecture, { budgetTokens: 2000 });
    assert.equal(a.r.provider, 'team', a.r.error);
    assert.equal(vllm.generations.length, 2);
    assert.equal(vllm.generations[0].headers.authorization, `Bearer ${TOKEN}`);
    assertNothingReached(openai);
  });

  it('a small ask stays on this machine while its server is up; forcing the cloud is blocked', async () => {
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const { r } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does it do?' });
    assert.equal(r.provider, 'ollama', r.error);
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const forced = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does it do?', override: 'cloud' });
    assert.equal(forced.r.outcome, 'blocked');
    assert.match(forced.r.reasons.join('; '), /cloud endpoints are not allowed \(network-only/);
    assertNothingReached(openai);
  });

  it('Toggle Never-Leave-Machine on and off again keeps the file\'s network-only marking', async () => {
    const marker = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.switchyard');
    const read = async () => JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(marker))) as Record<string, unknown>;
    await select('src/cart.ts', 'remove(sku: string)', '}');
    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine, { how: 'marker' });
    assert.deepEqual(await read(), { networkOnly: true, neverLeaveMachine: true });
    await until('never-leave-machine', () => api.services.privacy.policy().neverLeaveMachine);

    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine, { deleteMarker: true });
    assert.deepEqual(await read(), { networkOnly: true }, 'the marker file stays, saying network-only');
    await until('network-only again', () => !api.services.privacy.policy().neverLeaveMachine);
    assert.deepEqual([...api.services.privacy.policy().allowed], ['machine', 'network']);
    assert.match(api.services.privacy.policy().reason, /network-only \(\.switchyard\)/);
  });
});
