import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANCHOR_LINES, buildWindow, estimateTokens, isMultilinePosition, linesOf } from '../../../src/core/completion/window';

const bigFile = Array.from({ length: 10_000 }, (_, i) => `  const value${i} = compute(${i}); // line ${i}`).join('\n');

test('the window stays under its token budget on a 10,000-line file', () => {
  const doc = linesOf(bigFile);
  const w = buildWindow(doc, 5000, 10, { maxTokens: 1024, suffixShare: 0.12 });
  assert.ok(estimateTokens(w.prefix) + estimateTokens(w.suffix) <= 1024 + 2, `${estimateTokens(w.prefix)} + ${estimateTokens(w.suffix)}`);
  assert.ok(w.prefix.length > 2000, 'a large prefix');
  assert.ok(w.suffix.length < w.prefix.length / 4, 'a small suffix');
  assert.ok(w.prefix.endsWith(doc.lineText(5000).slice(0, 10)));
  assert.ok(w.suffix.startsWith(doc.lineText(5000).slice(10)));
});

test('prefix starts on an anchor line that does not move while the cursor moves a little', () => {
  const doc = linesOf(bigFile);
  const a = buildWindow(doc, 5000, 5, { maxTokens: 1024, suffixShare: 0.12 });
  const b = buildWindow(doc, 5003, 20, { maxTokens: 1024, suffixShare: 0.12 });
  assert.equal(a.startLine % ANCHOR_LINES, 0);
  assert.equal(a.startLine, b.startLine, 'same start: the server reuses its prompt cache');
  assert.ok(b.prefix.startsWith(a.prefix.slice(0, 1000)));
});

test('near the top the whole beginning of the file is the prefix', () => {
  const w = buildWindow(linesOf('import x\n\nfunction f() {\n  ret'), 3, 5, { maxTokens: 1024, suffixShare: 0.1 });
  assert.equal(w.prefix, 'import x\n\nfunction f() {\n  ret');
  assert.equal(w.startLine, 0);
});

test('a single huge line keeps the tail of its prefix within budget', () => {
  const line = 'x'.repeat(100_000);
  const w = buildWindow(linesOf(line), 0, 90_000, { maxTokens: 256, suffixShare: 0.1 });
  assert.ok(w.prefix.length <= 256 * 3.2);
  assert.ok(w.suffix.length <= 256 * 3.2 * 0.1 + 1);
});

test('multi-line only where a block can start', () => {
  assert.equal(isMultilinePosition('    ', ''), true, 'blank line');
  assert.equal(isMultilinePosition('function f() {', ''), true, 'after an opener');
  assert.equal(isMultilinePosition('def f(x):', ''), true, 'after a colon');
  assert.equal(isMultilinePosition('const x = foo(', ')'), true, 'only closers follow');
  assert.equal(isMultilinePosition('const x = 1', ''), false, 'end of a statement');
  assert.equal(isMultilinePosition('  ', 'return y;'), false, 'text follows on the line');
});
