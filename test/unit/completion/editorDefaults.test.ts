// Post-processing as VS Code's default editor settings leave the document: auto-closed brackets and
// quotes after the cursor, blocks the suggestion opens, the file's next lines. Each fixture checks the
// document after Tab: the suggestion inserted at the cursor, replacing the closers it supplies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isMidWord, postProcess, suppliedClosers } from '../../../src/core/completion/postprocess';
import { buildWindow, linesOf } from '../../../src/core/completion/window';

/** The document after Tab: `doc` has `|` at the cursor, `raw` is what the model streamed. */
function afterTab(doc: string, raw: string): string {
  const at = doc.indexOf('|');
  const before = doc.slice(0, at);
  const after = doc.slice(at + 1);
  const lines = before.split('\n');
  const win = buildWindow(linesOf(before + after), lines.length - 1, lines[lines.length - 1].length, { maxTokens: 1000, suffixShare: 0.12 });
  const text = postProcess(raw, { linePrefix: win.linePrefix, lineSuffix: win.lineSuffix, prefix: win.prefix, suffix: win.suffix, multiline: win.multiline, finishReason: 'stop' });
  if (!text) return '(nothing shown)';
  const replace = suppliedClosers(text, win.prefix, win.lineSuffix);
  return before + text + after.slice(replace);
}

test('auto-closed closers after the cursor are not doubled', () => {
  const fixtures: Array<[string, string, string, string]> = [
    // [what, document with the cursor, model output, document after Tab]
    ['nested calls, the model closes both and ends the statement',
      'const v = Math.max(Math.min(|))\n', 'value, max), min);', 'const v = Math.max(Math.min(value, max), min);\n'],
    ['a string the model closes with the call',
      'db.insert("|")\n', 'users");', 'db.insert("users");\n'],
    ['the model closes only the inner call',
      'const v = Math.max(Math.min(|))\n', 'value, max), min', 'const v = Math.max(Math.min(value, max), min)\n'],
    ['the model closes nothing: the auto-closed ones stay',
      'const v = Math.max(Math.min(|))\n', 'value, max', 'const v = Math.max(Math.min(value, max))\n'],
    ['a function whose body closes after the auto-closed parenthesis',
      'fn f(|)\n', 'x: i32) -> i32 {\n    x + 1\n}', 'fn f(x: i32) -> i32 {\n    x + 1\n}\n'],
    ['a callback block that ends with `})`',
      'items.forEach(|)\n', '(item) => {\n  total += item.price;\n});', 'items.forEach((item) => {\n  total += item.price;\n});\n'],
    ['an array the model closes',
      'const xs = [|]\n', '1, 2, 3];', 'const xs = [1, 2, 3];\n'],
    ['a quote inside brackets, closed by the model with a trailing comma',
      'log(\'|\')\n', "done', 1);", "log('done', 1);\n"],
  ];
  for (const [what, doc, raw, expected] of fixtures) assert.equal(afterTab(doc, raw), expected, what);
});

test('a block the suggestion opens keeps its closing brace; the enclosing block still ends it', () => {
  const fixtures: Array<[string, string, string, string]> = [
    ['a method on a blank line of a Java class',
      'class A {\n  int x;\n  |\n}\n', 'void f() {\n    x++;\n  }\n}\n\nclass B {}',
      'class A {\n  int x;\n  void f() {\n    x++;\n  }\n}\n'],
    ['a method in a TypeScript class, then the model runs on past the class',
      'export class Cart {\n  private items: Item[] = [];\n  |\n}\n', 'add(item: Item): void {\n    this.items.push(item);\n  }\n}\n\nexport const cart = new Cart();',
      'export class Cart {\n  private items: Item[] = [];\n  add(item: Item): void {\n    this.items.push(item);\n  }\n}\n'],
    ['an if block inside a function',
      'function f(x) {\n  |\n  return x;\n}\n', 'if (x < 0) {\n    x = -x;\n  }\n  return x;\n}',
      'function f(x) {\n  if (x < 0) {\n    x = -x;\n  }\n  return x;\n}\n'],
  ];
  for (const [what, doc, raw, expected] of fixtures) assert.equal(afterTab(doc, raw), expected, what);
});

test('a copy of the next lines is not shown, whatever their order and semicolons', () => {
  const fixtures: Array<[string, string, string, string]> = [
    ['the first two lines equal the next two, one without `;`',
      'function f() {\n  |\n  const a = 1;\n  const b = 2;\n}\n', 'const a = 1\n  const b = 2;\n  return a + b;', '(nothing shown)'],
    ['the next two lines in the other order',
      'function f() {\n  |\n  const a = 1;\n  const b = 2;\n}\n', 'const b = 2;\n  const a = 1;', '(nothing shown)'],
    ['new lines that run into the next line are cut there',
      'function f() {\n  |\n  return a + b;\n}\n', 'const a = 1;\n  return a + b', 'function f() {\n  const a = 1;\n  return a + b;\n}\n'],
  ];
  for (const [what, doc, raw, expected] of fixtures) assert.equal(afterTab(doc, raw), expected, what);
});

test('suffix repetition is found whatever the whitespace; no doubled space after `return `', () => {
  const fixtures: Array<[string, string, string, string]> = [
    ['the model repeats the rest of the line with a trailing space', 'const x = |total;\n', 'a + total; ', 'const x = a + total;\n'],
    ['the rest of the line has inner spaces the model left out', 'if (|) {\n', 'a && b){', 'if (a && b) {\n'],
    ['a leading space after `return `', 'function f() {\n  return |\n}\n', ' total;', 'function f() {\n  return total;\n}\n'],
  ];
  for (const [what, doc, raw, expected] of fixtures) assert.equal(afterTab(doc, raw), expected, what);
});

test('mid-line after a space a value fits before the next word', () => {
  assert.equal(isMidWord('  radius: ', 'px;'), false);
  assert.equal(isMidWord('  rad', 'ius: 8px;'), true);
  assert.equal(isMidWord('foo(', 'bar)'), false);
  assert.equal(afterTab('.card {\n  radius: |px;\n}\n', '8'), '.card {\n  radius: 8px;\n}\n');
  assert.equal(afterTab('.card {\n  radius: |px;\n}\n', '8px;'), '.card {\n  radius: 8px;\n}\n');
});
