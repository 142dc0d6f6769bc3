import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildArchitecturePrompt, buildAskPrompt, buildRefactorPrompt, COMMON_REFACTORS, extractCode, fenceFor, promptText } from '../../../src/core/tasks/prompts';

const sel = { path: 'src/util/sum.ts', languageId: 'typescript', startLine: 3, endLine: 5, text: 'function sum(a, b) {\n  return a + b;\n}' };

test('the ask prompt carries the selection, where it is from, and the question', () => {
  const m = buildAskPrompt(sel, '  What does this do?  ');
  assert.equal(m.length, 2);
  assert.equal(m[0].role, 'system');
  assert.equal(m[1].role, 'user');
  assert.match(m[1].content, /src\/util\/sum\.ts \(typescript\), lines 3-5/);
  assert.match(m[1].content, /```typescript\nfunction sum\(a, b\) \{\n {2}return a \+ b;\n\}\n```/);
  assert.match(m[1].content, /Question: What does this do\?$/);
});

test('a selection containing a fence gets a longer fence so it cannot break out', () => {
  const md = { ...sel, languageId: 'markdown', text: 'Example:\n```js\nx()\n```' };
  assert.equal(fenceFor(md.text), '````');
  const m = buildAskPrompt(md, 'q');
  assert.match(m[1].content, /````markdown\nExample:\n```js\nx\(\)\n```\n````/);
});

test('the refactor prompt asks for code only and carries the instruction', () => {
  const m = buildRefactorPrompt(sel, COMMON_REFACTORS[0].instruction);
  assert.match(m[0].content, /ONLY the complete rewritten code/);
  assert.match(m[1].content, /Request: Simplify this code without changing its behaviour\./);
  assert.ok(promptText(m).includes(sel.text));
});

test('extractCode takes the first fenced block, or the whole answer without a fence', () => {
  assert.equal(extractCode('Here you go:\n```ts\nconst a = 1;\nconst b = 2;\n```\nDone.', 'x'), 'const a = 1;\nconst b = 2;');
  assert.equal(extractCode('const a = 1;\n', 'x\n'), 'const a = 1;\n');
  assert.equal(extractCode('```\nfoo()\n```\n\n```\nbar()\n```', 'x'), 'foo()');
  assert.equal(extractCode('```python\nprint(1)\n', 'x'), 'print(1)', 'an unclosed fence (cut answer) still yields its code');
  assert.equal(extractCode('```\nfoo()\n```', 'orig\n'), 'foo()\n', 'keeps the selection\'s trailing newline');
});

test('the architecture prompt asks for relative file links and carries the overview', () => {
  const m = buildArchitecturePrompt('## File tree\nsrc/a.ts', 'demo');
  assert.match(m[0].content, /\[src\/main\.ts\]\(src\/main\.ts\)/);
  assert.match(m[1].content, /Workspace "demo":\n\n## File tree/);
});
