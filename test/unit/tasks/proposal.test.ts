import assert from 'node:assert/strict';
import { test } from 'node:test';
import { proposalWarnings } from '../../../src/core/tasks/proposal';

const fn = 'function add(a, b) {\n  return a + b;\n}\n';

test('a proposal of the same size has nothing to flag', () => {
  assert.deepEqual(proposalWarnings(fn, 'const add = (a, b) => {\n  return a + b;\n};\n'), []);
});

test('a 4-line function that comes back as 150 lines is flagged with both sizes', () => {
  const big = Array.from({ length: 150 }, (_, i) => `const x${i} = ${i};`).join('\n');
  assert.deepEqual(proposalWarnings('function f() {\n  a();\n  b();\n}', big), ['it is 150 lines for a 4-line selection (38× the size)']);
});

test('a small growth of a short selection is not flagged (extracting a helper is normal)', () => {
  assert.deepEqual(proposalWarnings(fn, `${fn}\n`.repeat(4)), []);
});

test('a long selection that comes back mostly gone is flagged', () => {
  const long = Array.from({ length: 60 }, (_, i) => `call${i}();`).join('\n');
  assert.deepEqual(proposalWarnings(long, 'callAll();'), ['it is 1 line for a 60-line selection: most of the code is gone']);
});
