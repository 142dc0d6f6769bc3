import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newProblemCount, problemsWarning, proposalWarnings } from '../../../src/core/tasks/proposal';

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

test('problems the file already has are not new: only the ones the proposal adds count', () => {
  const before = ['0:Cannot find module \'./money\'.', '1:\'x\' is declared but never used.'];
  const after = ['0:Cannot find module \'./money\'.', '0:Cannot find name \'missingHelper\'.', '1:\'x\' is declared but never used.'];
  assert.equal(newProblemCount(before, after), 1);
  assert.equal(newProblemCount(before, before), 0);
});

test('a problem fixed by the proposal does not offset one it adds', () => {
  assert.equal(newProblemCount(['0:Type \'string\' is not assignable to type \'number\'.'], ['0:Cannot find name \'y\'.']), 1);
});

test('the same problem twice in the proposal where the file had it once is one new problem', () => {
  const p = '0:Cannot find name \'y\'.';
  assert.equal(newProblemCount([p], [p, p]), 1);
  assert.equal(newProblemCount([p, p], [p]), 0);
});

test('the same message at another severity is a different problem', () => {
  assert.equal(newProblemCount(['1:Unreachable code detected.'], ['0:Unreachable code detected.']), 1);
});

test('the problems flag counts in plain words, and says nothing when there are none', () => {
  assert.deepEqual(problemsWarning(0), []);
  assert.deepEqual(problemsWarning(1), ['1 new problem (errors or warnings) in the proposed code']);
  assert.deepEqual(problemsWarning(156), ['156 new problems (errors or warnings) in the proposed code']);
});
