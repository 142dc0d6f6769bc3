import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { closeAll, startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, KEY, runRecorded, select, setUserSettings, until } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

/** A loopback port nothing listens on: bound once to get it, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('local model down in a hybrid workspace: the cloud takes over, with the reason, until the local model is back', () => {
  let api: SwitchyardApi;
  let openai: FakeOpenAI;
  let ollama: FakeOllama | undefined;
  let port: number;

  before(async () => {
    api = await activate();
    assert.equal(vscode.workspace.isTrusted, true);
    assert.equal(api.services.privacy.policy().allowed.includes('cloud'), true);
    openai = await startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY, reply: 'From the cloud: it formats cents.' });
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    port = await closedPort();
    await setUserSettings(api, {
      'local.provider': 'ollama', 'local.ollamaUrl': `http://127.0.0.1:${port}`,
      'cloud.provider': 'openai', 'cloud.openai.baseUrl': openai.baseURL, 'cloud.openai.model': 'gpt-4.1-mini',
    });
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(openai, ollama);
  });

  it('the health monitor reports the local model unreachable', async () => {
    await until('the local model to be reported unreachable', () => api.local.healthy() === false, 15_000);
    await until('the status bar to show it', () => api.services.status.state.completion === 'unreachable', 5_000);
  });

  it('a small ask goes to the cloud, saying the local model is unreachable; the cloud gets exactly one request', async () => {
    await select('src/money.ts', 'export function formatCents', '}');
    const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'cloud');
    assert.equal(r.provider, 'openai');
    assert.equal(r.text, 'From the cloud: it formats cents.');
    assert.match(r.reasons[0], /^ask is small \(\d+ tokens\), so it stays local$/);
    assert.equal(r.reasons[1], 'local model unreachable, using the cloud (allowed in this workspace)');
    assert.equal(events.length, 1);
    const [e] = events;
    assert.deepEqual([e.kind, e.route, e.provider, e.outcome, e.endpointClass], ['ask', 'cloud', 'openai', 'served', 'machine']);
    assert.deepEqual(e.reasons, r.reasons);
    assert.equal(openai.requests.length, 1);
    assert.equal(openai.requests[0].path, '/v1/chat/completions');
  });

  it('with a server back at the same address, health recovers and the next ask stays local', async () => {
    ollama = await startFakeOllama({ port, reply: 'Locally: it formats cents.' });
    await until('the local model to be reported healthy again', () => api.local.healthy() === true, 40_000);
    await until('the status bar to stop showing it unreachable', () => api.services.status.state.completion !== 'unreachable', 5_000);
    openai.reset();
    await select('src/money.ts', 'export function formatCents', '}');
    const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'ollama');
    assert.equal(r.text, 'Locally: it formats cents.');
    assert.deepEqual(r.reasons.length, 1, JSON.stringify(r.reasons));
    assert.match(r.reasons[0], /^ask is small \(\d+ tokens\), so it stays local$/);
    assert.deepEqual(events.map((x) => `${x.route}/${x.provider}/${x.outcome}`), ['local/ollama/served']);
    assert.equal(ollama.generations.length, 1);
    assert.equal(openai.requests.length, 0);
  });
});
