// The reason a request stayed local names the detector rule that fired, in the route decision (the
// answer view) and in the ledger record, and never the secret itself. Runs the real scanner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkSecretsForCloud } from '../../../src/core/privacy/secrets';
import type { ChatProvider, ChatRequest } from '../../../src/core/providers/types';
import { buildAskPrompt } from '../../../src/core/tasks/prompts';
import { TaskRunner, type TaskRequest } from '../../../src/core/tasks/runner';
import type { ModelCallEvent } from '../../../src/core/types';
import { hybridContext } from '../tasks/routingContext';

const KEY = ['gh', 'p_', 'Zr8Qm2Lx7Vt4Kp9Wn3Bc6Hy1Fd5Gs0Ja8Uez'].join('');

function run(mode: 'keep-local' | 'redact') {
  const sent: ChatRequest[] = [];
  const chat = (id: ChatProvider['id']): ChatProvider => ({
    id, baseUrl: `http://127.0.0.1/${id}`,
    async chat(req, onText) {
      sent.push(req);
      onText('ok');
      return { text: 'ok', finishReason: 'stop', usage: { promptTokens: 10, completionTokens: 1 }, totalMs: 1 };
    },
  });
  const events: ModelCallEvent[] = [];
  const ctx = hybridContext();
  const runner = new TaskRunner({
    context: async () => ctx,
    localChat: () => chat('ollama'),
    cloudChat: async () => chat('openai'),
    countTokens: async (t) => Math.ceil(t.length / 4),
    checkSecrets: (t) => checkSecretsForCloud(t, mode),
    price: () => 0,
    emit: (e) => events.push(e),
  });
  const sel = { path: 'deploy.ts', languageId: 'typescript', startLine: 1, endLine: 2, text: `const token = "${KEY}";\nexport default token;` };
  const req: TaskRequest = { kind: 'refactor', messages: buildAskPrompt(sel, 'simplify'), maxTokens: 256, expectedOutputTokens: 100, selectionLines: 2, files: 1, excludedContent: false };
  return { result: runner.run(req, { onRoute: () => {}, onText: () => {} }, new AbortController().signal), events, sent };
}

test('keep-local: the route reason and the ledger record name the rule, not the secret', async () => {
  const { result, events } = run('keep-local');
  const r = await result;
  assert.equal(r.decision.target, 'local');
  const why = r.decision.reasons.join('; ');
  assert.match(why, /kept local: the prompt contains what looks like a secret \(rule github-token\)/);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]!.reasons, r.decision.reasons, 'the ledger records the same reasons');
  assert.ok(!JSON.stringify(events).includes(KEY) && !why.includes(KEY), 'the secret is in no record');
});

test('redact: the cloud gets the prompt with the rule-named placeholder, and the reason says which rule', async () => {
  const { result, events, sent } = run('redact');
  const r = await result;
  assert.equal(r.decision.target, 'cloud');
  assert.match(r.decision.reasons.join('; '), /secrets redacted before sending \(rule github-token\)/);
  const body = sent.flatMap((s) => s.messages.map((m) => m.content)).join('\n');
  assert.ok(!body.includes(KEY));
  assert.match(body, /const token = "<redacted:github-token>";/);
  assert.ok(!JSON.stringify(events).includes(KEY));
});
