import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FAMILIES, cutAtSpecialToken, familyForModel, resolveFamily, stopsFor } from '../../../src/core/completion/templates';

const parts = { prefix: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))', path: 'src/math.py', languageId: 'python' };

test('Qwen2.5-Coder: file path as <|file_sep|>, then prefix/suffix/middle', () => {
  assert.equal(FAMILIES.qwen.build(parts),
    '<|file_sep|>src/math.py\n<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>');
  assert.deepEqual([...FAMILIES.qwen.stop].sort(), ['<|endoftext|>', '<|file_sep|>', '<|fim_pad|>', '<|fim_prefix|>', '<|im_end|>', '<|im_start|>', '<|repo_name|>'].sort());
});

test('Qwen2.5-Coder repo-level format with snippets of other files', () => {
  const p = FAMILIES.qwen.build({ ...parts, repoName: 'calc', snippets: [{ path: 'src/util.py', text: 'def sub(a, b):\n    return a - b' }] });
  assert.equal(p, '<|repo_name|>calc\n<|file_sep|>src/util.py\ndef sub(a, b):\n    return a - b\n<|file_sep|>src/math.py\n'
    + '<|fim_prefix|>def add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>');
});

test('StarCoder2 / StableCode', () => {
  assert.equal(FAMILIES.starcoder.build(parts), '<fim_prefix>def add(a, b):\n    <fim_suffix>\n\nprint(add(1, 2))<fim_middle>');
  assert.ok(FAMILIES.starcoder.stop.includes('<|endoftext|>') && FAMILIES.starcoder.stop.includes('<file_sep>'));
});

test('CodeLlama keeps its spaces and stops on <EOT>', () => {
  assert.equal(FAMILIES.codellama.build(parts), '<PRE> # src/math.py\ndef add(a, b):\n     <SUF>\n\nprint(add(1, 2)) <MID>');
  assert.ok(FAMILIES.codellama.stop.includes('<EOT>'));
});

test('DeepSeek-Coder uses full-width bars', () => {
  assert.equal(FAMILIES.deepseek.build(parts), '<｜fim▁begin｜># src/math.py\ndef add(a, b):\n    <｜fim▁hole｜>\n\nprint(add(1, 2))<｜fim▁end｜>');
  assert.ok(FAMILIES.deepseek.stop.includes('<｜end▁of▁sentence｜>'));
});

test('Codestral puts the suffix first', () => {
  assert.equal(FAMILIES.codestral.build(parts), '[SUFFIX]\n\nprint(add(1, 2))[PREFIX]# src/math.py\ndef add(a, b):\n    ');
  assert.ok(FAMILIES.codestral.stop.includes('[PREFIX]'));
});

test('CodeGemma stops on its file separator and turn markers', () => {
  assert.equal(FAMILIES.codegemma.build({ ...parts, languageId: 'typescript', path: 'a.ts' }), '<|fim_prefix|>// a.ts\ndef add(a, b):\n    <|fim_suffix|>\n\nprint(add(1, 2))<|fim_middle|>');
  for (const s of ['<|file_separator|>', '<end_of_turn>', '<eos>']) assert.ok(FAMILIES.codegemma.stop.includes(s), s);
});

test('family from model name, most specific first', () => {
  const cases: Array<[string, string | undefined]> = [
    ['qwen2.5-coder:1.5b-base', 'qwen'], ['Qwen/Qwen2.5-Coder-7B', 'qwen'], ['codegemma:2b-code', 'codegemma'],
    ['deepseek-coder:6.7b-base', 'deepseek'], ['deepseek-coder-v2:16b-lite-base', 'deepseek'], ['codellama:7b-code', 'codellama'],
    ['starcoder2:3b', 'starcoder'], ['stable-code:3b-code', 'starcoder'], ['codestral:22b', 'codestral'], ['llama3:8b', undefined],
  ];
  for (const [name, fam] of cases) assert.equal(familyForModel(name)?.id, fam, name);
});

test('override wins over the name; none leaves templating to the server', () => {
  assert.equal(resolveFamily('my-custom-model', 'deepseek')?.id, 'deepseek');
  assert.equal(resolveFamily('qwen2.5-coder', 'none'), undefined);
  assert.ok(stopsFor(undefined).includes('<|endoftext|>'));
});

test('special tokens never leak: text is cut at the first one of any family', () => {
  assert.equal(cutAtSpecialToken('return a + b<|endoftext|>junk'), 'return a + b');
  assert.equal(cutAtSpecialToken('x = 1<｜fim▁end｜>'), 'x = 1');
  assert.equal(cutAtSpecialToken('y = [1]<EOT>'), 'y = [1]');
  assert.equal(cutAtSpecialToken('if (a < b) { c[0] = 1 }'), 'if (a < b) { c[0] = 1 }');
});
