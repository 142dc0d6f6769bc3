#!/usr/bin/env node
// Writes a small, deterministic GGUF model (llama architecture) that llama.cpp loads and runs:
// a byte-level BPE tokenizer trained on code, Qwen2.5-Coder-style FIM special tokens, seeded
// weights, and an output layer fitted to the corpus's next-token statistics so that what it
// writes looks like code. With --qwen-shaped it writes a model with Qwen2.5-Coder-0.5B's shape
// (random weights) for realistic speed measurements. No dependencies.
//
//   node scripts/gguf/write-gguf.mjs                      tiny model into the cache, prints its path
//   node scripts/gguf/write-gguf.mjs --qwen-shaped [--quant q4_0|q8_0]
//   node scripts/gguf/write-gguf.mjs --out model.gguf     write to a given path
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEncoder, trainBpe, byteToUnicode } from './bpe.mjs';
import { ALIGNMENT, FILE_TYPE, GGML, T, align, encodeHeader, encodeTensor, prng, toHalf } from './gguf-format.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Bumped whenever the bytes written change for the same options; part of the cache key. */
export const WRITER_VERSION = 2;

/** Qwen2.5-Coder's special tokens, in its order. */
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>', '<|fim_prefix|>', '<|fim_middle|>', '<|fim_suffix|>', '<|fim_pad|>', '<|repo_name|>', '<|file_sep|>'];

const CHATML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export const SHAPES = {
  tiny: { embd: 256, layers: 2, heads: 4, kvHeads: 2, ff: 512, merges: 700, ctx: 4096, vocab: undefined, quant: 'f16' },
  // Qwen2.5-Coder-0.5B: n_embd 896, 24 layers, 14 heads, 2 KV heads, ff 4864, vocab 151,936.
  'qwen-shaped': { embd: 896, layers: 24, heads: 14, kvHeads: 2, ff: 4864, merges: 700, ctx: 32768, vocab: 151936, quant: 'q4_0' },
};

const TYPES = { f32: GGML.F32, f16: GGML.F16, q4_0: GGML.Q4_0, q8_0: GGML.Q8_0 };

/** Code the tokenizer is trained on and the output layer is fitted to: the corpus folder plus this writer. */
function corpusText() {
  const dir = join(HERE, 'corpus');
  const files = readdirSync(dir).sort().map((f) => join(dir, f));
  files.push(join(HERE, 'bpe.mjs'), join(HERE, 'gguf-format.mjs'));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

/** Tokens, types and merges: 256 byte tokens, learned merges, padding up to `vocab`, then the specials. */
export function buildTokenizer(shape) {
  const text = corpusText();
  const merges = trainBpe(text, shape.merges);
  const tokens = [...byteToUnicode()].sort((a, b) => a.codePointAt(0) - b.codePointAt(0));
  const types = tokens.map(() => 1); // normal
  for (const [a, b] of merges) { tokens.push(a + b); types.push(1); }
  const vocab = shape.vocab ?? tokens.length + SPECIAL_TOKENS.length;
  for (let i = 0; tokens.length < vocab - SPECIAL_TOKENS.length; i++) { tokens.push(`[PAD${i}]`); types.push(5); } // unused
  const special = {};
  for (const s of SPECIAL_TOKENS) { special[s] = tokens.length; tokens.push(s); types.push(3); } // control
  const ids = new Map(tokens.map((t, i) => [t, i]));
  return { tokens, types, merges, special, encode: makeEncoder(ids, merges), text };
}

function metadata(shape, tok, quant, name) {
  const u32 = (value) => ({ type: T.U32, value });
  const f32 = (value) => ({ type: T.F32, value });
  const str = (value) => ({ type: T.STRING, value });
  const s = tok.special;
  return {
    'general.architecture': str('llama'),
    'general.name': str(name),
    'general.alignment': u32(ALIGNMENT),
    'general.file_type': u32(FILE_TYPE[quant.toUpperCase()]),
    'llama.context_length': u32(shape.ctx),
    'llama.embedding_length': u32(shape.embd),
    'llama.block_count': u32(shape.layers),
    'llama.feed_forward_length': u32(shape.ff),
    'llama.attention.head_count': u32(shape.heads),
    'llama.attention.head_count_kv': u32(shape.kvHeads),
    'llama.rope.dimension_count': u32(shape.embd / shape.heads),
    'llama.rope.freq_base': f32(1000000),
    'llama.attention.layer_norm_rms_epsilon': f32(1e-6),
    'llama.vocab_size': u32(tok.tokens.length),
    'tokenizer.ggml.model': str('gpt2'),
    'tokenizer.ggml.pre': str('qwen2'),
    'tokenizer.ggml.tokens': { type: T.ARRAY, itemType: T.STRING, value: tok.tokens },
    'tokenizer.ggml.token_type': { type: T.ARRAY, itemType: T.I32, value: tok.types },
    'tokenizer.ggml.merges': { type: T.ARRAY, itemType: T.STRING, value: tok.merges.map(([a, b]) => `${a} ${b}`) },
    'tokenizer.ggml.bos_token_id': u32(s['<|endoftext|>']),
    'tokenizer.ggml.eos_token_id': u32(s['<|endoftext|>']),
    'tokenizer.ggml.padding_token_id': u32(s['<|endoftext|>']),
    'tokenizer.ggml.add_bos_token': { type: T.BOOL, value: false },
    'tokenizer.ggml.fim_pre_token_id': u32(s['<|fim_prefix|>']),
    'tokenizer.ggml.fim_suf_token_id': u32(s['<|fim_suffix|>']),
    'tokenizer.ggml.fim_mid_token_id': u32(s['<|fim_middle|>']),
    'tokenizer.ggml.fim_pad_token_id': u32(s['<|fim_pad|>']),
    'tokenizer.ggml.fim_rep_token_id': u32(s['<|repo_name|>']),
    'tokenizer.ggml.fim_sep_token_id': u32(s['<|file_sep|>']),
    // Older llama.cpp builds read FIM tokens from these keys.
    'tokenizer.ggml.prefix_token_id': u32(s['<|fim_prefix|>']),
    'tokenizer.ggml.suffix_token_id': u32(s['<|fim_suffix|>']),
    'tokenizer.ggml.middle_token_id': u32(s['<|fim_middle|>']),
    'tokenizer.chat_template': str(CHATML),
  };
}

function tensorList(shape, vocab, big) {
  const kv = (shape.embd / shape.heads) * shape.kvHeads;
  const list = [{ name: 'token_embd.weight', dims: [shape.embd, vocab], type: big }];
  for (let l = 0; l < shape.layers; l++) {
    const p = `blk.${l}.`;
    list.push(
      { name: `${p}attn_norm.weight`, dims: [shape.embd], type: GGML.F32, init: 'ones' },
      { name: `${p}attn_q.weight`, dims: [shape.embd, shape.embd], type: big },
      { name: `${p}attn_k.weight`, dims: [shape.embd, kv], type: big },
      { name: `${p}attn_v.weight`, dims: [shape.embd, kv], type: big },
      { name: `${p}attn_output.weight`, dims: [shape.embd, shape.embd], type: big },
      { name: `${p}ffn_norm.weight`, dims: [shape.embd], type: GGML.F32, init: 'ones' },
      { name: `${p}ffn_gate.weight`, dims: [shape.embd, shape.ff], type: big },
      { name: `${p}ffn_up.weight`, dims: [shape.embd, shape.ff], type: big },
      { name: `${p}ffn_down.weight`, dims: [shape.ff, shape.embd], type: big },
    );
  }
  list.push({ name: 'output_norm.weight', dims: [shape.embd], type: GGML.F32, init: 'ones' },
    { name: 'output.weight', dims: [shape.embd, vocab], type: big });
  return list;
}

/**
 * Output weights W (vocab x embd) such that W · rmsnorm(embedding[t]) approximates the log-probability
 * of each next token after t in the corpus: a least-squares fit, W = Lᵀ Ê (ÊᵀÊ)⁻¹.
 * The layers add only small seeded noise, so the model behaves like a code bigram model.
 */
function fitOutput(tok, emb, V, d) {
  const ids = tok.encode(tok.text);
  const s = tok.special;
  const counts = new Float64Array(V * V);
  const unigram = new Float64Array(V).fill(0.01);
  for (let i = 0; i + 1 < ids.length; i++) { counts[ids[i] * V + ids[i + 1]]++; unigram[ids[i + 1]]++; }
  // After <|fim_middle|> (and the other specials) comes what starts a line.
  const nl = ids.map((id, i) => (tok.tokens[id]?.includes('Ċ') && i + 1 < ids.length ? ids[i + 1] : -1)).filter((x) => x >= 0);
  for (const sp of Object.values(s)) for (const next of nl) counts[sp * V + next]++;
  for (const sp of Object.values(s)) unigram[sp] = 1e-6; // never predict specials on their own
  const uniSum = unigram.reduce((a, b) => a + b, 0);
  // Normalised embeddings (rows), as the final RMS norm will present them.
  const E = new Float64Array(V * d);
  for (let t = 0; t < V; t++) {
    let ss = 0;
    for (let k = 0; k < d; k++) ss += emb[t * d + k] ** 2;
    const r = 1 / Math.sqrt(ss / d + 1e-6);
    for (let k = 0; k < d; k++) E[t * d + k] = emb[t * d + k] * r;
  }
  // Weighted least squares: tokens seen often in code matter more than rare ones (weight = count + 1).
  const weight = new Float64Array(V);
  for (let t = 0; t < V; t++) { let total = 1; for (let u = 0; u < V; u++) total += counts[t * V + u]; weight[t] = total; }
  // B = Lᵀ W Ê, with L[t][u] = centred log p(u | t), smoothed towards the unigram distribution.
  const B = new Float64Array(V * d);
  const row = new Float64Array(V);
  for (let t = 0; t < V; t++) {
    const total = weight[t] - 1;
    const beta = 2;
    let mean = 0;
    for (let u = 0; u < V; u++) { row[u] = Math.log((counts[t * V + u] + beta * unigram[u] / uniSum) / (total + beta)); mean += row[u]; }
    mean /= V;
    for (let u = 0; u < V; u++) {
      const l = (row[u] - mean) * weight[t];
      for (let k = 0; k < d; k++) B[u * d + k] += l * E[t * d + k];
    }
  }
  // M = Êᵀ W Ê (plus a little ridge so it always inverts), inverted by Gauss-Jordan.
  const M = new Float64Array(d * d);
  for (let t = 0; t < V; t++) for (let i = 0; i < d; i++) { const e = E[t * d + i] * weight[t]; for (let j = 0; j < d; j++) M[i * d + j] += e * E[t * d + j]; }
  for (let i = 0; i < d; i++) M[i * d + i] += 1e-3 * V;
  const inv = invert(M, d);
  const W = new Float32Array(V * d);
  for (let u = 0; u < V; u++) for (let j = 0; j < d; j++) { let acc = 0; for (let k = 0; k < d; k++) acc += B[u * d + k] * inv[k * d + j]; W[u * d + j] = acc; }
  return W;
}

function invert(M, n) {
  const a = Float64Array.from(M);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[p * n + c])) p = r;
    for (let k = 0; k < n; k++) { [a[c * n + k], a[p * n + k]] = [a[p * n + k], a[c * n + k]]; [inv[c * n + k], inv[p * n + k]] = [inv[p * n + k], inv[c * n + k]]; }
    const piv = a[c * n + c];
    for (let k = 0; k < n; k++) { a[c * n + k] /= piv; inv[c * n + k] /= piv; }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r * n + c];
      if (f === 0) continue;
      for (let k = 0; k < n; k++) { a[r * n + k] -= f * a[c * n + k]; inv[r * n + k] -= f * inv[c * n + k]; }
    }
  }
  return inv;
}

/** Random quantized blocks written straight from the PRNG: fast for hundreds of MB of weights. */
function randomQuantized(type, elements, rand, scale) {
  const out = Buffer.alloc((elements / type.block) * type.bytes);
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length >>> 2);
  for (let i = 0; i < words.length; i++) words[i] = (rand.next() * 4294967296) >>> 0;
  const half = toHalf(type === GGML.Q4_0 ? scale / 4.6 : scale / 73);
  for (let b = 0; b < out.length; b += type.bytes) out.writeUInt16LE(half, b);
  return out;
}

/** Writes the model to `out`. Returns a summary. */
export function writeModel({ out, kind = 'tiny', quant, seed = 1234 }) {
  const shape = SHAPES[kind];
  if (!shape) throw new Error(`unknown model kind "${kind}" (tiny, qwen-shaped)`);
  const q = quant ?? shape.quant;
  const big = TYPES[q];
  if (!big) throw new Error(`unknown quantization "${q}" (f32, f16, q4_0, q8_0)`);
  const tok = buildTokenizer(shape);
  const V = tok.tokens.length;
  const d = shape.embd;
  const tensors = tensorList(shape, V, big);
  const rand = prng(seed);
  const header = encodeHeader(metadata(shape, tok, q, kind === 'tiny' ? 'switchyard-tiny-coder' : 'switchyard-qwen2.5-coder-0.5b-shaped'), tensors);
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(dirname(out), { recursive: true });
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, header);
    let written = 0;
    let emb;
    for (const t of tensors) {
      const n = t.dims.reduce((a, b) => a * b, 1);
      let data;
      if (t.init === 'ones') {
        data = encodeTensor(t.type, new Float32Array(n).fill(1));
      } else if (kind === 'tiny' && t.name === 'token_embd.weight') {
        // Dimension 0 is constant: through the output layer it acts as a per-token bias.
        emb = Float32Array.from({ length: n }, (_, i) => (i % d === 0 ? 4 : rand.gauss()));
        data = encodeTensor(t.type, emb);
      } else if (kind === 'tiny' && t.name === 'output.weight') {
        data = encodeTensor(t.type, fitOutput(tok, emb, V, d));
      } else if (kind === 'tiny') {
        data = encodeTensor(t.type, Float32Array.from({ length: n }, () => rand.gauss() * 0.02));
      } else {
        data = t.type.block > 1 ? randomQuantized(t.type, n, rand, 0.02) : encodeTensor(t.type, Float32Array.from({ length: n }, () => rand.gauss() * 0.02));
      }
      writeSync(fd, data);
      const padded = align(data.length);
      if (padded > data.length) writeSync(fd, Buffer.alloc(padded - data.length));
      written += padded;
    }
    closeSync(fd);
    renameSync(tmp, out);
    return { path: out, vocab: V, merges: tok.merges.length, tensors: tensors.length, bytes: header.length + written };
  } catch (err) {
    try { closeSync(fd); } catch { /* already closed */ }
    throw err;
  }
}

export function cacheDir() {
  return process.env.SWITCHYARD_MODEL_CACHE ?? join(homedir(), '.cache', 'switchyard-test', 'models');
}

/** A hash of the writer's own files: a changed writer or corpus never reuses a stale model. */
function sourceHash() {
  const h = createHash('sha256').update(String(WRITER_VERSION));
  for (const f of [...readdirSync(join(HERE, 'corpus')).sort().map((f) => join('corpus', f)), 'bpe.mjs', 'gguf-format.mjs', 'write-gguf.mjs']) {
    h.update(f).update(readFileSync(join(HERE, f)));
  }
  return h.digest('hex').slice(0, 12);
}

/** The cached model for these options, written first if missing. */
export function ensureModel({ kind = 'tiny', quant } = {}) {
  const q = quant ?? SHAPES[kind]?.quant;
  const name = `switchyard-${kind}-${q}-v${WRITER_VERSION}-${sourceHash()}.gguf`;
  const out = join(cacheDir(), name);
  if (existsSync(out)) return { path: out, cached: true };
  const written = writeModel({ out, kind, quant: q });
  // Models from older writers are never used again (the 0.5B-shaped one is ~350 MB).
  for (const f of readdirSync(cacheDir())) {
    if (f !== name && f.startsWith(`switchyard-${kind}-${q}-v`) && f.endsWith('.gguf')) rmSync(join(cacheDir(), f), { force: true });
  }
  return { ...written, cached: false };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
  const kind = args.includes('--qwen-shaped') ? 'qwen-shaped' : 'tiny';
  const started = Date.now();
  const result = opt('--out') ? writeModel({ out: opt('--out'), kind, quant: opt('--quant') }) : ensureModel({ kind, quant: opt('--quant') });
  process.stderr.write(`${result.cached ? 'cached' : 'wrote'} ${kind} model in ${Date.now() - started} ms\n`);
  process.stdout.write(`${result.path}\n`);
}
