import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as answer from '../../../src/core/tasks/answerProtocol';
import { isAllowedLink, parseFileLink } from '../../../src/core/tasks/answerProtocol';
import { parseTaskArgs } from '../../../src/core/tasks/args';
import { isRejected, type Message, type Parsed } from '../../../src/core/protocol';

// A refused message reads as undefined here: what matters is whether it is accepted, and as what.
const accepted = <T extends Message>(p: Parsed<T>): T | undefined => (isRejected(p) ? undefined : p);
const parseWebviewMessage = (v: unknown) => accepted(answer.parseWebviewMessage(v));
const parseHostMessage = (v: unknown) => accepted(answer.parseHostMessage(v));

test('webview messages are validated; anything else is dropped', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'rerun', override: 'cloud' }), { type: 'rerun', override: 'cloud' });
  assert.equal(parseWebviewMessage({ type: 'rerun', override: 'anywhere' }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'insert', code: 'x()', extra: 1 }), { type: 'insert', code: 'x()' });
  assert.equal(parseWebviewMessage({ type: 'insert', code: 42 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'rendered', seq: -1, chars: 1, codeBlocks: 0 }), undefined);
  assert.equal(parseWebviewMessage({ type: 'runCommand', command: 'workbench.action.terminal.new' }), undefined);
  assert.equal(parseWebviewMessage('ready'), undefined);
  assert.equal(parseWebviewMessage(null), undefined);
  assert.equal(parseWebviewMessage({ type: 'open', href: 'x'.repeat(5000) }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'followUp', question: '  and why?  ' }), { type: 'followUp', question: 'and why?' });
  assert.equal(parseWebviewMessage({ type: 'followUp', question: '   ' }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'show', id: 'a1' }), { type: 'show', id: 'a1' });
  assert.equal(parseWebviewMessage({ type: 'show', id: 7 }), undefined);
  assert.deepEqual(parseWebviewMessage({ type: 'setKey' }), { type: 'setKey' });
});

test('host messages are validated by the webview', () => {
  assert.deepEqual(parseHostMessage({ type: 'append', seq: 3, text: 'hi' }), { type: 'append', seq: 3, text: 'hi' });
  assert.equal(parseHostMessage({ type: 'append', text: 'hi' }), undefined);
  const header = { title: 't', status: 'done', reasons: [], tokensEstimated: true, costEstimated: true };
  const state = { type: 'state', seq: 1, history: [], turns: [{ markdown: '', header }], actions: {}, followUp: true };
  assert.deepEqual(parseHostMessage(state), state);
  assert.equal(parseHostMessage({ ...state, turns: [{ markdown: '', header: { title: 't' } }] }), undefined);
  assert.deepEqual(parseHostMessage({ type: 'header', seq: 2, header }), { type: 'header', seq: 2, header });
  assert.equal(parseHostMessage({ type: 'header', seq: 2, header: {} }), undefined);
});

test('links: web pages and relative workspace paths only', () => {
  for (const ok of ['https://example.com/x', 'http://localhost:3000', 'src/a.ts', './src/a.ts#L3', '#section']) assert.equal(isAllowedLink(ok), true, ok);
  for (const bad of ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html,x', 'command:workbench.action.terminal.new', 'vscode://x', 'file:///etc/passwd', '//evil.example/x', '']) {
    assert.equal(isAllowedLink(bad), false, bad);
  }
});

test('file links resolve to a relative path and line; escapes out of the workspace are refused', () => {
  assert.deepEqual(parseFileLink('src/cart.ts'), { path: 'src/cart.ts' });
  assert.deepEqual(parseFileLink('./src/cart.ts#L12'), { path: 'src/cart.ts', line: 12 });
  assert.deepEqual(parseFileLink('src/cart.ts:7'), { path: 'src/cart.ts', line: 7 });
  assert.deepEqual(parseFileLink('src/my%20file.ts'), { path: 'src/my file.ts' });
  assert.equal(parseFileLink('../outside.ts'), undefined);
  assert.equal(parseFileLink('/etc/passwd'), undefined);
  assert.equal(parseFileLink('https://example.com'), undefined);
  assert.equal(parseFileLink('#anchor'), undefined);
});

test('command arguments: only known fields with valid values; a menu\'s URI argument is ignored', () => {
  assert.deepEqual(parseTaskArgs({ question: 'why?', override: 'cloud', apply: true, budgetTokens: 3000 }), { question: 'why?', override: 'cloud', apply: true, budgetTokens: 3000 });
  assert.deepEqual(parseTaskArgs({ override: 'moon', question: '  ', budgetTokens: 10 }), {});
  assert.deepEqual(parseTaskArgs({ scheme: 'file', path: '/x/a.ts' }), {});
  assert.deepEqual(parseTaskArgs(undefined), {});
});
