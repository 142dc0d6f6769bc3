import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GGML, decodeHeader, encodeTensor, toHalf } from '../../../scripts/gguf/gguf-format.mjs';
import { SPECIAL_TOKENS, ensureModel, writeModel } from '../../../scripts/gguf/write-gguf.mjs';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-gguf-'));
const first = join(dir, 'a.gguf');
const written = writeModel({ out: first });
// The cached model of the same writer version: written by another process, usually on another day.
const second = ensureModel().path;
const file = readFileSync(first);
const h = decodeHeader(file);

test('the tiny model is a GGUF v3 llama model', () => {
  assert.equal(h.version, 3);
  assert.equal(h.metadata['general.architecture'], 'llama');
  assert.equal(h.metadata['llama.block_count'], 2);
  assert.equal(h.metadata['llama.embedding_length'] % h.metadata['llama.attention.head_count'], 0);
  assert.equal(h.metadata['llama.rope.dimension_count'], h.metadata['llama.embedding_length'] / h.metadata['llama.attention.head_count']);
});

test('its tokenizer is byte-level BPE with Qwen2 pre-tokenization and FIM special tokens', () => {
  const tokens: string[] = h.metadata['tokenizer.ggml.tokens'];
  const types: number[] = h.metadata['tokenizer.ggml.token_type'];
  const merges: string[] = h.metadata['tokenizer.ggml.merges'];
  assert.equal(h.metadata['tokenizer.ggml.model'], 'gpt2');
  assert.equal(h.metadata['tokenizer.ggml.pre'], 'qwen2');
  assert.equal(tokens.length, types.length);
  assert.equal(tokens.length, written.vocab);
  assert.ok(merges.length > 100, `only ${merges.length} merges learned`);
  // Every merge joins two tokens that exist into one that exists.
  const set = new Set(tokens);
  for (const m of merges) {
    const [a, b] = m.split(' ');
    assert.ok(set.has(a) && set.has(b) && set.has(a + b), `merge "${m}" refers to a missing token`);
  }
  // Learned from code: common keywords are single tokens (Ġ is the byte-level space).
  assert.ok(set.has('Ġreturn') && set.has('const'), 'code keywords were not learned');
  for (const s of SPECIAL_TOKENS) assert.equal(types[tokens.indexOf(s)], 3, `${s} is not a control token`);
  const id = (s: string) => tokens.indexOf(s);
  assert.equal(h.metadata['tokenizer.ggml.fim_pre_token_id'], id('<|fim_prefix|>'));
  assert.equal(h.metadata['tokenizer.ggml.fim_suf_token_id'], id('<|fim_suffix|>'));
  assert.equal(h.metadata['tokenizer.ggml.fim_mid_token_id'], id('<|fim_middle|>'));
  assert.equal(h.metadata['tokenizer.ggml.prefix_token_id'], id('<|fim_prefix|>'));
  assert.equal(h.metadata['tokenizer.ggml.suffix_token_id'], id('<|fim_suffix|>'));
  assert.equal(h.metadata['tokenizer.ggml.middle_token_id'], id('<|fim_middle|>'));
  assert.equal(h.metadata['tokenizer.ggml.eos_token_id'], id('<|endoftext|>'));
});

test('tensor infos describe every llama tensor, aligned and inside the file', () => {
  const names = h.tensors.map((t: { name: string }) => t.name);
  assert.equal(names.length, 2 + 9 * 2 + 1);
  for (const n of ['token_embd.weight', 'output_norm.weight', 'output.weight', 'blk.1.attn_q.weight', 'blk.1.ffn_down.weight']) assert.ok(names.includes(n), n);
  const embd = h.metadata['llama.embedding_length'];
  const tok = h.tensors.find((t: { name: string }) => t.name === 'token_embd.weight');
  assert.deepEqual(tok?.dims, [embd, written.vocab]);
  const kv = h.tensors.find((t: { name: string }) => t.name === 'blk.0.attn_k.weight');
  assert.deepEqual(kv?.dims, [embd, (embd / h.metadata['llama.attention.head_count']) * h.metadata['llama.attention.head_count_kv']]);
  assert.equal(h.dataOffset % 32, 0);
  let end = 0;
  for (const t of h.tensors) {
    assert.equal(t.offset % 32, 0, `${t.name} is not aligned`);
    const elements = t.dims.reduce((a: number, b: number) => a * b, 1);
    const type = (GGML as Record<string, { block: number; bytes: number }>)[t.type];
    end = Math.max(end, t.offset + (elements / type.block) * type.bytes);
  }
  assert.ok(h.dataOffset + end <= statSync(first).size);
  assert.ok(statSync(first).size - (h.dataOffset + end) < 32);
});

test('the same writer writes the same bytes every time', () => {
  const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  assert.equal(hash(first), hash(second));
});

test('half floats and quantized blocks encode values recoverably', () => {
  assert.equal(toHalf(1), 0x3c00);
  assert.equal(toHalf(-2), 0xc000);
  assert.equal(toHalf(0.5), 0x3800);
  assert.equal(toHalf(65504), 0x7bff);
  const values = Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 8);
  const q8 = encodeTensor(GGML.Q8_0, values);
  assert.equal(q8.length, 34);
  const d = halfToFloat(q8.readUInt16LE(0));
  for (let i = 0; i < 32; i++) assert.ok(Math.abs(q8.readInt8(2 + i) * d - values[i]) < 0.02, `q8_0 element ${i}`);
  const q4 = encodeTensor(GGML.Q4_0, values);
  assert.equal(q4.length, 18);
  const d4 = halfToFloat(q4.readUInt16LE(0));
  for (let i = 0; i < 16; i++) {
    const byte = q4[2 + i];
    assert.ok(Math.abs(((byte & 15) - 8) * d4 - values[i]) <= Math.abs(d4) / 2 + 1e-6, `q4_0 element ${i}`);
    assert.ok(Math.abs(((byte >> 4) - 8) * d4 - values[i + 16]) <= Math.abs(d4) / 2 + 1e-6, `q4_0 element ${i + 16}`);
  }
});

test('a truncated file is reported, not misread', () => {
  assert.throws(() => decodeHeader(file.subarray(0, 200)), /truncated/);
  assert.throws(() => decodeHeader(Buffer.from('GGML0000')), /bad magic/);
});

test('node-llama-cpp\'s own GGUF reader agrees', async (t) => {
  let lib: typeof import('node-llama-cpp');
  try {
    lib = await import('node-llama-cpp');
  } catch {
    t.skip('node-llama-cpp is not installed');
    return;
  }
  const info = await lib.readGgufFileInfo(first, { readTensorInfo: true });
  assert.equal(info.version, 3);
  assert.equal(info.metadata.general.architecture, 'llama');
  assert.equal(info.tensorInfo?.length, h.tensors.length);
});

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
