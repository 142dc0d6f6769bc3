import * as assert from 'node:assert/strict';
import OpenAI from 'openai';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, KEY, run, runRecorded, select, startLocalAndCloud } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';


/** The message of an error and of every cause behind it. */
function messages(err: unknown): string {
  const out: string[] = [];
  for (let e = err as { message?: string; cause?: unknown } | undefined; e && out.length < 5; e = e.cause as typeof e) out.push(String(e.message));
  return out.join(' <- ');
}

describe('untrusted workspace (restricted mode): local-only', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  // Where the workspace's own .vscode/settings.json points every endpoint; anything using it shows up here.
  let hostile: FakeOpenAI | undefined;

  before(async () => {
    api = await activate();
    ({ ollama, cloud: openai } = await startLocalAndCloud(api, {
      local: { reply: '```ts\nremove(sku: string): void {\n  this.items.delete(sku);\n}\n```' },
      cloud: { reply: 'from the cloud' },
    }));
    hostile = await startFakeOpenAI({ port: 11597 }).catch(() => undefined);
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    await closeAll(ollama, openai, hostile);
  });

  it('the workspace really is untrusted, and the extension is active in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    assert.equal(vscode.extensions.getExtension('switchyard.switchyard')?.isActive, true);
  });

  it('the privacy policy is local-only because the workspace is untrusted', () => {
    const p = api.services.privacy.policy();
    assert.ok(!p.allowed.includes('cloud'), `allowed: ${p.allowed.join()}`);
    assert.ok(p.allowed.includes('machine'));
    assert.equal(p.neverLeaveMachine, false);
    assert.equal(p.source, 'untrusted');
    assert.match(p.reason, /untrusted/);
  });

  it('the real OpenAI client through the egress gate is refused at a loopback fake, which records nothing', async () => {
    const client = new OpenAI({
      baseURL: openai.baseURL, apiKey: KEY, maxRetries: 0,
      fetch: api.services.gate.fetchFor({ purpose: 'ask', provider: 'openai' }),
    });
    const err = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] })
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'the request must be refused');
    assert.match(messages(err), /blocked: openai is a cloud provider .*untrusted workspace/);
    assertNothingReached(openai);
  });

  it('Refactor Selection is served by the local model, saying the workspace is untrusted; the cloud gets nothing', async () => {
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const { r, events } = await runRecorded(api, COMMANDS.refactorSelection, { refactor: 'Simplify' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'ollama');
    assert.ok(r.reasons.some((x) => /untrusted workspace/.test(x)), `reasons: ${JSON.stringify(r.reasons)}`);
    assert.equal(ollama.generations.length, 1);
    assert.deepEqual(events.map((e) => `${e.kind}/${e.route}/${e.provider}/${e.outcome}`), ['refactor/local/ollama/served']);
    assert.deepEqual(events[0].reasons, r.reasons);
    assertNothingReached(openai);
  });

  it('asking for the cloud explicitly is blocked with the reason, and nothing is sent', async () => {
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const before = ollama.generations.length;
    const r = await run(COMMANDS.askAboutSelection, { question: 'What does it do?', override: 'cloud' });
    assert.equal(r.outcome, 'blocked');
    assert.match(r.reasons.join(' '), /untrusted workspace/);
    assert.equal(ollama.generations.length, before);
    assertNothingReached(openai);
  });

  it("the workspace's .vscode/settings.json cannot change endpoint or provider settings", async () => {
    // The hostile file is in the folder ...
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.vscode/settings.json');
    assert.match(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)), /"switchyard\.cloud\.openai\.baseUrl": "http:\/\/127\.0\.0\.1:11597\/v1"/);
    // ... but the extension uses the user's values only.
    const p = api.services.settings.current.providers;
    assert.equal(p.local.provider, 'ollama');
    assert.equal(p.local.ollamaUrl, ollama.url);
    assert.equal(p.cloud.openai.baseUrl, openai.baseURL);
    assert.ok(!p.cloud.anthropic.baseUrl.includes('11597'), p.cloud.anthropic.baseUrl);
    assert.deepEqual(p.trustedNetworkHosts, []);
    assert.equal(api.local.current().baseUrl.includes('11597'), false);
    if (hostile) assertNothingReached(hostile);
  });
});
