import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  balanceBrackets, dropCutLastLine, endsStatement, dropSuffixRepeat, isStreamDone, isUseless, postProcess, singleLine, stopAtBlockEnd, stripMarkdown, type PostContext,
} from '../../../src/core/completion/postprocess';

// Each rule: [input, expected] fixtures.

test('stripMarkdown: fences and prose from instruct models', () => {
  const fixtures: Array<[string, string]> = [
    ['```ts\nreturn a + b;\n```', 'return a + b;'],
    ['Here is the completed code:\n```python\nreturn a + b\n```\nThis adds two numbers.', 'return a + b'],
    ['return a + b;\n```\nExplanation', 'return a + b;'],
    ['return a + b;', 'return a + b;'],
  ];
  for (const [before, after] of fixtures) assert.equal(stripMarkdown(before), after, before);
});

test('singleLine: mid-line the suggestion ends with the line', () => {
  assert.equal(singleLine('a, b);\nfoo();'), 'a, b);');
  assert.equal(singleLine('\nfoo();'), '');
  assert.equal(singleLine('x'), 'x');
});

test('stopAtBlockEnd: indentation and closing brackets', () => {
  const fixtures: Array<[string, string, string]> = [
    // [line prefix, before, after]
    ['    ', 'const x = 1;\n    return x;\n}\n\nfunction g() {', 'const x = 1;\n    return x;'],
    ['function f() {', '\n  return 1;\n}\n\nfunction g() {}', '\n  return 1;\n}'],
    ['def f(x):', '\n    y = x * 2\n    return y\n\ndef g():\n    pass', '\n    y = x * 2\n    return y\n'],
    ['', 'import a\nimport b\n\nclass C:', 'import a\nimport b\n'],
    ['  ', 'a();\n  b();', 'a();\n  b();'],
    // The end of a doc comment sits one column right of the code it documents.
    [' */', '\nexport function f() {}', '\nexport function f() {}'],
    ['   */', '\n  f() {}\n}', '\n  f() {}'],
  ];
  for (const [lp, before, after] of fixtures) assert.equal(stopAtBlockEnd(before, lp), after, JSON.stringify(before));
});

test('stopAtBlockEnd: the enclosing block\'s closer is kept when the file does not close it yet', () => {
  const block = '\n    return x;\n  }\n\n  g() {';
  // At the end of the file, or where the next code is back at the closer's level: the `}` is the next line.
  assert.equal(stopAtBlockEnd(block, '    const x = 1;', ''), '\n    return x;\n  }');
  assert.equal(stopAtBlockEnd(block, '    const x = 1;', '\n\n  h() {\n    return 2;\n  }\n}'), '\n    return x;\n  }');
  assert.equal(stopAtBlockEnd(block, '    const x = 1;', '\n}'), '\n    return x;\n  }');
  // The file closes it (typed, or auto-closed by the editor), or the block's body goes on: stop before it.
  assert.equal(stopAtBlockEnd(block, '    const x = 1;', '\n  }\n}'), '\n    return x;');
  assert.equal(stopAtBlockEnd(block, '    const x = 1;', '\n    more();\n  }'), '\n    return x;');
  // Without the suffix (no knowledge of the file) the old rule holds.
  assert.equal(stopAtBlockEnd(block, '    const x = 1;'), '\n    return x;');
  // Through the whole chain at the end of a finished statement.
  const c = { linePrefix: '    const x = 1;', lineSuffix: '', prefix: 'class A {\n  f() {\n    const x = 1;', multiline: true, nextLine: true, finishReason: 'stop' as const };
  assert.equal(postProcess('\n  }\n\n  g() {', { ...c, suffix: '\n\n  h() {}\n}' }), '\n  }');
  assert.equal(postProcess('\n  }\n\n  g() {', { ...c, suffix: '\n  }\n}' }), '');
});

test('balanceBrackets: a closer that closes nothing is cut', () => {
  assert.equal(balanceBrackets('a, b)', 'foo('), 'a, b)', 'closes the prefix\'s open bracket');
  assert.equal(balanceBrackets('a, b))', 'foo('), 'a, b)');
  assert.equal(balanceBrackets('x[0]}', 'let y = '), 'x[0]');
  assert.equal(balanceBrackets('(a]', ''), '(a');
  assert.equal(balanceBrackets('")" + x', 'f('), '")" + x', 'brackets inside strings do not count');
});

test('balanceBrackets: brackets in comments, regex literals and the string the cursor is in are text', () => {
  const fixtures: Array<[string, string, string, string]> = [
    // [why, prefix, suggestion, kept]
    ['inside a template literal', 'throw new Error(`blocked (via ', '${host}) and more`);', '${host}) and more`);'],
    ['inside a quoted string', "log('a (", "b) c');", "b) c');"],
    ['inside a block comment', '/**\n * Stops early (', 'see below) to save time.', 'see below) to save time.'],
    ['inside a line comment', '// a list (', 'of things) here', 'of things) here'],
    ['a regex literal', 'const CLOSER = ', '/^\\s*([)\\]}]|end\\b)/;', '/^\\s*([)\\]}]|end\\b)/;'],
    ['division is not a regex', 'const x = ', '(a) / 2) + 1', '(a) / 2'],
    ['a comment ends in the suggestion', '/* open (', 'x) */ y)', 'x) */ y'],
    ['a string ends in the suggestion', "f('(", "', 1)]", "', 1)"],
  ];
  for (const [why, prefix, text, kept] of fixtures) assert.equal(balanceBrackets(text, prefix), kept, why);
});

test('endsStatement: a finished statement at the end of the line', () => {
  assert.equal(endsStatement('  foo(1);', ''), true);
  assert.equal(endsStatement('  foo(1);  ', '  '), true, 'trailing blanks');
  assert.equal(endsStatement('/** Doc. */', ''), true);
  assert.equal(endsStatement('   */', ''), true, 'the last line of a block comment');
  assert.equal(endsStatement('*/', ''), true);
  assert.equal(endsStatement('  foo(1);', ' // note'), false, 'text follows');
  assert.equal(endsStatement('for (let i = 0;', ''), false, 'an open bracket: the statement goes on');
  assert.equal(endsStatement('if (x) { return 1;', ''), false);
  assert.equal(endsStatement("const s = ';", ''), false, 'the `;` is in a string');
  assert.equal(endsStatement('  foo(1)', ''), false);
});

test('dropSuffixRepeat: text already after the cursor is not repeated', () => {
  const fixtures: Array<[string, string, string, string]> = [
    // [before, lineSuffix, suffix, after]
    ['a, b)', ')', ')\nnext();', 'a, b'],
    ['a, b);', ');', ');', 'a, b'],
    ['x = 1;\n  return x;\n}', '', '\n}\n', 'x = 1;\n  return x;'],
    ['alpha', 'beta', 'beta', 'alpha'],
  ];
  for (const [before, ls, suffix, after] of fixtures) assert.equal(dropSuffixRepeat(before, ls, suffix), after, before);
});

test('isUseless: whitespace-only or a copy of the neighbouring line', () => {
  const ctx = { linePrefix: '  ', prefix: 'function f() {\n  const total = a + b;\n  ', suffix: '\n  return total;\n}' };
  assert.equal(isUseless('   \n ', ctx), true);
  assert.equal(isUseless('const total = a + b;', ctx), true, 'same as the line above');
  assert.equal(isUseless('return total;', ctx), true, 'same as the line below');
  assert.equal(isUseless('const diff = a - b;', ctx), false);
});

test('dropCutLastLine: a token-limit cut drops the broken last line', () => {
  assert.equal(dropCutLastLine('a();\nb(x, ', 'length'), 'a();');
  assert.equal(dropCutLastLine('a();\nb(x, ', 'stop'), 'a();\nb(x, ');
});

const ctx = (linePrefix: string, lineSuffix: string, multiline: boolean, prefix = linePrefix, suffix = lineSuffix): PostContext =>
  ({ linePrefix, lineSuffix, prefix, suffix, multiline });

test('postProcess chains the rules', () => {
  assert.equal(postProcess('a, b));<|endoftext|>garbage', ctx('sum(', ')', false)), 'a, b');
  assert.equal(postProcess('```js\n  return a;\n}\n```', ctx('  ', '', true, 'function f(a) {\n  ', '\n}')), 'return a;');
  assert.equal(postProcess('   ', ctx('x = ', '', false)), '');
});

test('isStreamDone: stop early once the rest would be cut', () => {
  assert.equal(isStreamDone('foo(a)', ctx('x = ', '', false)), false);
  assert.equal(isStreamDone('foo(a)\nbar', ctx('x = ', '', false)), true);
  assert.equal(isStreamDone('foo(a);', ctx('x = ', '', false)), true, 'a finished statement: no need for the newline');
  assert.equal(isStreamDone('foo(a);', ctx('x = ', ')', false)), false, 'text follows on the line');
  assert.equal(isStreamDone('a();\n  b();\n', ctx('  ', '', true)), false, 'indent of the next line not known yet');
  assert.equal(isStreamDone('a();\n  b();\n}', ctx('  ', '', true, '  ', '\n}')), true, 'dedent: block ended');
  assert.equal(isStreamDone('a();\n  b();\n}', ctx('  ', '', true)), false, 'at the end of the file the closer is the next line');
  assert.equal(isStreamDone('a();\n  b();\n}\n\nfoo', ctx('  ', '', true)), true, '... and the block ends after it');
  assert.equal(isStreamDone('a()<|file_sep|>', ctx('  ', '', true)), true);
});

test('dropDoubledIndent: indentation the line already has is not repeated', async () => {
  const { dropDoubledIndent } = await import('../../../src/core/completion/postprocess');
  assert.equal(dropDoubledIndent('    return x;', '    '), 'return x;');
  assert.equal(dropDoubledIndent('return x;', '    '), 'return x;');
  assert.equal(dropDoubledIndent('  x', 'a = '), '  x', 'only on a blank line');
});

test('endsLine: a complete line, so what comes next is on the next line', async () => {
  const { endsLine } = await import('../../../src/core/completion/postprocess');
  assert.equal(endsLine('  foo(1);', ''), true);
  assert.equal(endsLine('  }', ''), true, 'a closed block');
  assert.equal(endsLine('    addresses,', ''), true, 'an item of a list');
  assert.equal(endsLine('/**', ''), true, 'a doc comment starts');
  assert.equal(endsLine('  foo(a,', ''), false, 'an argument list goes on on the same line');
  assert.equal(endsLine("  const s = 'a,", ''), false, 'the comma is in a string');
  assert.equal(endsLine('  foo(1)', ''), false);
  assert.equal(endsLine('  }', ' else {'), false, 'text follows');
});

test('postProcess after a finished statement: the next lines only', () => {
  const c: PostContext = { linePrefix: '  a();', lineSuffix: '', prefix: 'function f() {\n  a();', suffix: '\n}\n', multiline: true, nextLine: true };
  assert.equal(postProcess('\n  b();\n  c();\n}', c), '\n  b();\n  c();');
  assert.equal(postProcess(' // and more\n  b();', c), '', 'more on the finished line');
  assert.equal(postProcess('.then(g);', c), '', 'a chained call on the finished line');
  // The next statement without its newline goes on the next line, at the line's indentation.
  assert.equal(postProcess('b();\n  c();', c), '\n  b();\n  c();');
  assert.equal(postProcess(' b();', c), '\n  b();');
  assert.equal(isStreamDone('b();', c), false, 'the moved statement streams on');
  assert.equal(isStreamDone(' //', c), true);
  assert.equal(isStreamDone('', c), false);
});
