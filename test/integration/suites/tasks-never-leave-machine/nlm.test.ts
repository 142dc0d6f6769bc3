import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { assertNothingReached, closeAll, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, answerState, run, runRecorded, select, startLocalAndCloud } from '../tasks/helpers';
import { COMMANDS } from '../../../../src/core/commands';

describe('tasks in a never-leave-machine workspace', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let openai: FakeOpenAI;

  before(async () => {
    api = await activate();
    assert.equal(api.services.privacy.policy().neverLeaveMachine, true);
    ({ ollama, cloud: openai } = await startLocalAndCloud(api, {
      local: { reply: '```ts\nexport const x = 1;\n```' },
      settings: { 'routing.autoEscalate': true },
    }));
  });
  after(() => closeAll(ollama, openai));

  it('refactor and explain architecture stay local, saying why', async () => {
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const r = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
    assert.equal(r.route, 'local', r.error);
    assert.deepEqual(r.reasons, ['refactor goes to the cloud by default', 'kept local: never-leave-machine workspace']);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor);
    const a = await run(COMMANDS.explainArchitecture, { budgetTokens: 2000 });
    assert.equal(a.route, 'local', a.error);
    assert.match(a.reasons.join(), /kept local: never-leave-machine workspace/);
    assert.equal(ollama.generations.length, 2);
    assertNothingReached(openai);
  });

  it('an unsure local answer is not escalated, and "Ask the cloud instead" is not offered', async () => {
    ollama.setReply(() => "I'm not sure. It might be removing an item, perhaps.");
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const r = await run(COMMANDS.askAboutSelection, { question: 'What does it do?' });
    assert.equal(r.route, 'local');
    assert.equal(r.offers.askCloud, undefined);
    const state = await answerState();
    assert.equal(state.actions.askCloud, undefined);
    assert.equal(state.actions.setKey, undefined, 'a key would not help');
    assert.equal(state.header.cloudWhyNot, 'never-leave-machine workspace', 'the reason is shown instead');
    assert.equal(state.header.locked, true, 'the answer carries the never-leave-machine lock');
    assertNothingReached(openai);
  });

  it('forcing the cloud is blocked with the reason; one blocked event, nothing sent', async () => {
    const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does it do?', override: 'cloud' });
    assert.equal(r.outcome, 'blocked');
    assert.match(r.reasons[0], /blocked: the cloud is not available: never-leave-machine workspace/);
    assert.deepEqual(events.map((e) => `${e.route}/${e.outcome}`), ['blocked/blocked']);
    assert.equal((await answerState()).header.route, 'blocked');
    assertNothingReached(openai);
  });

  it('with the local model down, requests fail instead of falling back to the cloud', async () => {
    await ollama.close();
    const r = await run(COMMANDS.askAboutSelection, { question: 'What does it do?' });
    assert.notEqual(r.outcome, 'served');
    assert.notEqual(r.route, 'cloud');
    assertNothingReached(openai);
  });
});
