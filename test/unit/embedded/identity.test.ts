import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { T, encodeHeader } from '../../../scripts/gguf/gguf-format.mjs';
import { ensureModel } from '../../../scripts/gguf/write-gguf.mjs';
import { describeEmbedded, embeddedIdentity, parseGgufName } from '../../../src/core/providers/embedded/node/identity';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-identity-'));

test('the development model is named by its GGUF name and file, and marked as the demo model', () => {
  const { path } = ensureModel();
  const id = embeddedIdentity(path);
  assert.equal(id.ggufName, 'switchyard-tiny-coder');
  assert.equal(id.file, path.split('/').pop());
  assert.equal(id.model, id.file.replace(/\.gguf$/, ''));
  assert.equal(id.demo, true);
  assert.match(describeEmbedded(id), /^switchyard-tiny-coder \(switchyard-tiny-.*\.gguf\) — demo model$/);
});

test('a real model is named by general.name found after a large array, and is not a demo', () => {
  const tokens = Array.from({ length: 5000 }, (_, i) => `tok${i}`);
  const header = encodeHeader({
    'general.architecture': { type: T.STRING, value: 'qwen2' },
    'tokenizer.ggml.tokens': { type: T.ARRAY, itemType: T.STRING, value: tokens },
    'general.file_type': { type: T.U32, value: 15 },
    'general.name': { type: T.STRING, value: 'Qwen2.5 Coder 1.5B' },
  }, []);
  const path = join(dir, 'qwen2.5-coder-1.5b-q4_k_m.gguf');
  writeFileSync(path, header);
  const id = embeddedIdentity(path);
  assert.deepEqual(id, { model: 'qwen2.5-coder-1.5b-q4_k_m', file: 'qwen2.5-coder-1.5b-q4_k_m.gguf', ggufName: 'Qwen2.5 Coder 1.5B', demo: false });
  assert.equal(describeEmbedded(id), 'Qwen2.5 Coder 1.5B (qwen2.5-coder-1.5b-q4_k_m.gguf)');
});

test('a missing, truncated or non-GGUF file gives the file name only, never a throw', () => {
  assert.deepEqual(embeddedIdentity(join(dir, 'nope.gguf')), { model: 'nope', file: 'nope.gguf', demo: false });
  const header = encodeHeader({ 'general.name': { type: T.STRING, value: 'cut short' } }, []);
  assert.equal(parseGgufName(header.subarray(0, 30)), undefined);
  assert.equal(parseGgufName(Buffer.from('not a gguf file at all, just text')), undefined);
  const notGguf = join(dir, 'x.gguf');
  writeFileSync(notGguf, 'hello');
  assert.equal(embeddedIdentity(notGguf).ggufName, undefined);
});
