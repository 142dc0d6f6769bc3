import Anthropic from '@anthropic-ai/sdk';
import * as assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { Ollama } from 'ollama';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, startFakeAnthropic, startFakeOllama, startFakeOpenAI, type FakeAnthropic, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, blockedCause, REMOTE_HOST_URL, until } from './shared';
import { COMMANDS } from '../../../../src/core/commands';

describe('never-leave-machine marked by .vscode/settings.json, with hostile workspace settings', () => {
  let api: SwitchyardApi;
  let localOllama: FakeOllama;
  let cloudOpenAI: FakeOpenAI;
  let cloudClaude: FakeAnthropic;
  let hostileTarget: FakeOpenAI | undefined;

  before(async () => {
    api = await activate();
    // The cloud fakes listen on loopback: the gate must refuse cloud providers there too (a local
    // gateway would forward the bytes), so a request they record is a real leak.
    [localOllama, cloudOpenAI, cloudClaude] = await Promise.all([startFakeOllama(), startFakeOpenAI(), startFakeAnthropic()]);
    // The port the hostile settings point at: if anything used them, this fake would record it.
    hostileTarget = await startFakeOpenAI({ port: 11599 }).catch(() => undefined);
  });
  after(() => closeAll(localOllama, cloudOpenAI, cloudClaude, hostileTarget));

  it('is locked: policy, status bar and reason', () => {
    const p = api.services.privacy.policy();
    assert.equal(p.neverLeaveMachine, true);
    assert.deepEqual([...p.allowed], ['machine']);
    assert.match(p.reason, /never-leave-machine \(setting\)/);
    assert.equal(api.services.status.state.locked, true);
    assert.match(api.services.status.item.text, /\$\(lock\)/);
  });

  it('ignores the workspace\'s endpoints, providers, trusted hosts, redaction and exclusion overrides', () => {
    const s = api.services.settings.current;
    assert.equal(s.providers.local.provider, 'ollama');
    assert.equal(s.providers.local.ollamaUrl, 'http://127.0.0.1:11434');
    assert.equal(s.providers.local.openaiCompatibleUrl, 'http://127.0.0.1:8080/v1');
    assert.equal(s.providers.cloud.openai.baseUrl, 'https://api.openai.com/v1');
    assert.equal(s.providers.cloud.anthropic.baseUrl, 'https://api.anthropic.com');
    assert.deepEqual(s.providers.trustedNetworkHosts, []);
    assert.equal(s.privacy.secrets, 'keep-local');
    assert.equal(s.privacy.builtInExclusions, true);
  });

  it('blocks the real OpenAI and Anthropic clients before any byte leaves, and records the block', async () => {
    const events: ModelCallEvent[] = [];
    const off = api.services.events.on((e) => events.push(e));
    try {
      const oa = new OpenAI({ baseURL: cloudOpenAI.baseURL, apiKey: 'sk-test', maxRetries: 0, fetch: api.services.gate.fetchFor({ purpose: 'refactor', provider: 'openai', model: 'gpt-4.1-mini' }) });
      const e1 = await oa.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'refactor me' }] }).catch((e: unknown) => e);
      assert.ok(blockedCause(e1), String(e1));
      assert.match(blockedCause(e1)!.message, /openai is a cloud provider.*never-leave-machine/);
      const an = new Anthropic({ baseURL: cloudClaude.baseURL, apiKey: 'sk-ant-test', maxRetries: 0, fetch: api.services.gate.fetchFor({ purpose: 'architecture', provider: 'anthropic' }) });
      assert.ok(blockedCause(await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e)));
    } finally {
      off.dispose();
    }
    assertNothingReached(cloudOpenAI, cloudClaude);
    const blocked = events.filter((e) => e.route === 'blocked');
    assert.equal(blocked.length, 2);
    assert.ok(blocked.every((e) => e.outcome === 'blocked' && e.reasons[0]?.includes('never-leave-machine')));
    assert.deepEqual(blocked.map((e) => e.kind), ['refactor', 'architecture']);
  });

  it('serves from a model server on this machine, by address or by localhost', async () => {
    for (const host of [localOllama.baseURL, localOllama.baseURL.replace('127.0.0.1', 'localhost')]) {
      const client = new Ollama({ host, fetch: api.services.gate.fetchFor({ purpose: 'ask', provider: 'ollama' }) });
      const res = await client.chat({ model: 'qwen2.5-coder:7b-instruct', messages: [{ role: 'user', content: 'hi' }], stream: false });
      assert.ok(res.message.content.length > 0);
    }
    assert.equal(localOllama.generations.length, 2);
  });

  it('refuses a local model server on another host, with a clear message', async () => {
    const client = new Ollama({ host: REMOTE_HOST_URL, fetch: api.services.gate.fetchFor({ purpose: 'list-models', provider: 'ollama' }) });
    const err = await client.list().catch((e: unknown) => e);
    assert.match(blockedCause(err)?.message ?? String(err), /blocked: team-gpu\.invalid:11434 leaves this machine/);
    if (hostileTarget) assertNothingReached(hostileTarget);
  });

  it('keeps secret files out, also through symlinks, whatever the workspace says', async () => {
    const root = vscode.workspace.workspaceFolders![0]!.uri;
    assert.equal(await api.services.privacy.isExcluded(vscode.Uri.joinPath(root, '.env')), true);
    assert.equal(await api.services.privacy.isExcluded(vscode.Uri.joinPath(root, 'config/notes.txt')), false);
    symlinkSync(vscode.Uri.joinPath(root, '.env').fsPath, vscode.Uri.joinPath(root, 'config/innocent.txt').fsPath);
    assert.equal(await api.services.privacy.isExcluded(vscode.Uri.joinPath(root, 'config/innocent.txt')), true);
  });

  it('keeps a request with a secret local and reports only type and line', async () => {
    const verdict = await api.services.privacy.checkSecrets('const a = 1;\nconst key = "AKIAZ3MSJV4WWNKWW5FG";\n', 'src/a.ts');
    assert.equal(verdict.action, 'keep-local');
    assert.match(verdict.reason, /AWS access key id \(line 2\)/);
    assert.ok(!verdict.reason.includes('AKIAZ3MSJV4WWNKWW5FG'));
  });

  it('contributes the privacy commands', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of [COMMANDS.toggleNeverLeaveMachine, COMMANDS.setApiKey, COMMANDS.clearApiKey]) assert.ok(all.includes(c), c);
  });

  it('the toggle command removes the workspace marking and the lock goes away', async () => {
    await vscode.commands.executeCommand(COMMANDS.toggleNeverLeaveMachine);
    await until('policy to loosen', () => !api.services.privacy.policy().neverLeaveMachine);
    await until('status bar to unlock', () => !api.services.status.state.locked);
    assert.equal(vscode.workspace.getConfiguration('switchyard').inspect('privacy.neverLeaveMachine')?.workspaceValue, undefined);
  });
});
