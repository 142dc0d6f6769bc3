// GGUF v3 encoding and decoding primitives (no dependencies). Layout of a file:
//   magic "GGUF" | u32 version (3) | u64 tensor count | u64 metadata count
//   metadata: { string key, u32 value type, value }*
//   tensor infos: { string name, u32 n_dims, u64 dims[n_dims] (innermost first), u32 ggml type, u64 offset }*
//   padding to `general.alignment` (32), then the tensor data, each tensor aligned too.
// Strings are a u64 byte length followed by UTF-8 bytes; everything is little-endian.

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const ALIGNMENT = 32;

/** Metadata value types. */
export const T = { U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9, U64: 10, I64: 11, F64: 12 };

/** ggml tensor types used here, with their block size (elements) and bytes per block. */
export const GGML = {
  F32: { id: 0, block: 1, bytes: 4 },
  F16: { id: 1, block: 1, bytes: 2 },
  Q4_0: { id: 2, block: 32, bytes: 18 },
  Q8_0: { id: 8, block: 32, bytes: 34 },
};
export const GGML_BY_ID = new Map(Object.entries(GGML).map(([name, t]) => [t.id, { name, ...t }]));

/** general.file_type for a model whose big tensors use `type`. */
export const FILE_TYPE = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 7 };

export function tensorBytes(type, elements) {
  if (elements % type.block !== 0) throw new Error(`${elements} elements is not a whole number of ${type.block}-element blocks`);
  return (elements / type.block) * type.bytes;
}

export const align = (n, a = ALIGNMENT) => Math.ceil(n / a) * a;

/** Grows a byte buffer as values are appended. */
export class ByteWriter {
  constructor(size = 1 << 16) {
    this.buf = Buffer.alloc(size);
    this.pos = 0;
  }
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v) { this.ensure(1); this.buf.writeUInt8(v, this.pos); this.pos += 1; }
  i8(v) { this.ensure(1); this.buf.writeInt8(v, this.pos); this.pos += 1; }
  u32(v) { this.ensure(4); this.buf.writeUInt32LE(v, this.pos); this.pos += 4; }
  i32(v) { this.ensure(4); this.buf.writeInt32LE(v, this.pos); this.pos += 4; }
  f32(v) { this.ensure(4); this.buf.writeFloatLE(v, this.pos); this.pos += 4; }
  u64(v) { this.ensure(8); this.buf.writeBigUInt64LE(BigInt(v), this.pos); this.pos += 8; }
  string(s) {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.ensure(bytes.length);
    bytes.copy(this.buf, this.pos);
    this.pos += bytes.length;
  }
  pad(to) { const n = align(this.pos, to) - this.pos; this.ensure(n); this.buf.fill(0, this.pos, this.pos + n); this.pos += n; }
  bytes() { return this.buf.subarray(0, this.pos); }
}

/**
 * A metadata value with its GGUF type. Numbers need an explicit type, so values are written as
 * { type, value } or, for arrays, { type: T.ARRAY, itemType, value: [...] }.
 */
export function writeValue(w, { type, value, itemType }) {
  switch (type) {
    case T.U8: return w.u8(value);
    case T.I8: return w.i8(value);
    case T.U32: return w.u32(value);
    case T.I32: return w.i32(value);
    case T.F32: return w.f32(value);
    case T.BOOL: return w.u8(value ? 1 : 0);
    case T.STRING: return w.string(value);
    case T.U64: return w.u64(value);
    case T.ARRAY:
      w.u32(itemType);
      w.u64(value.length);
      for (const v of value) writeValue(w, { type: itemType, value: v });
      return undefined;
    default: throw new Error(`unsupported metadata type ${type}`);
  }
}

/** Header, metadata and tensor infos (offsets assigned here), padded to the data section. */
export function encodeHeader(metadata, tensors) {
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(GGUF_VERSION);
  w.u64(tensors.length);
  w.u64(Object.keys(metadata).length);
  for (const [key, v] of Object.entries(metadata)) {
    w.string(key);
    w.u32(v.type);
    writeValue(w, v);
  }
  let offset = 0;
  for (const t of tensors) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type.id);
    w.u64(offset);
    t.offset = offset;
    t.size = tensorBytes(t.type, t.dims.reduce((a, b) => a * b, 1));
    offset = align(offset + t.size);
  }
  w.pad(ALIGNMENT);
  return w.bytes();
}

/** Reads a GGUF file's header, metadata and tensor infos (not the data). */
export function decodeHeader(buf) {
  let pos = 0;
  const need = (n) => { if (pos + n > buf.length) throw new Error(`GGUF truncated at byte ${pos}`); };
  const u32 = () => { need(4); const v = buf.readUInt32LE(pos); pos += 4; return v; };
  const u64 = () => { need(8); const v = buf.readBigUInt64LE(pos); pos += 8; return Number(v); };
  const str = () => { const n = u64(); need(n); const s = buf.toString('utf8', pos, pos + n); pos += n; return s; };
  const value = (type) => {
    switch (type) {
      case T.U8: need(1); return buf.readUInt8(pos++);
      case T.I8: need(1); return buf.readInt8(pos++);
      case T.U16: { need(2); const v = buf.readUInt16LE(pos); pos += 2; return v; }
      case T.I16: { need(2); const v = buf.readInt16LE(pos); pos += 2; return v; }
      case T.U32: return u32();
      case T.I32: { need(4); const v = buf.readInt32LE(pos); pos += 4; return v; }
      case T.F32: { need(4); const v = buf.readFloatLE(pos); pos += 4; return v; }
      case T.BOOL: need(1); return buf.readUInt8(pos++) !== 0;
      case T.STRING: return str();
      case T.U64: return u64();
      case T.I64: { need(8); const v = Number(buf.readBigInt64LE(pos)); pos += 8; return v; }
      case T.F64: { need(8); const v = buf.readDoubleLE(pos); pos += 8; return v; }
      case T.ARRAY: {
        const itemType = u32();
        const n = u64();
        const out = new Array(n);
        for (let i = 0; i < n; i++) out[i] = value(itemType);
        return out;
      }
      default: throw new Error(`unknown metadata type ${type} at byte ${pos}`);
    }
  };
  if (u32() !== GGUF_MAGIC) throw new Error('not a GGUF file (bad magic)');
  const version = u32();
  const tensorCount = u64();
  const kvCount = u64();
  const metadata = {};
  for (let i = 0; i < kvCount; i++) {
    const key = str();
    metadata[key] = value(u32());
  }
  const tensors = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = str();
    const nDims = u32();
    const dims = [];
    for (let d = 0; d < nDims; d++) dims.push(u64());
    const typeId = u32();
    const offset = u64();
    tensors.push({ name, dims, type: GGML_BY_ID.get(typeId)?.name ?? `type${typeId}`, offset });
  }
  const dataOffset = align(pos, metadata['general.alignment'] ?? ALIGNMENT);
  return { version, metadata, tensors, dataOffset };
}

// --- numbers -------------------------------------------------------------------------------

const f32buf = new Float32Array(1);
const u32view = new Uint32Array(f32buf.buffer);

/** IEEE half-precision bits of a float (round to nearest even; enough for weights and scales). */
export function toHalf(v) {
  f32buf[0] = v;
  const x = u32view[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    if ((mant >>> (shift - 1)) & 1 && ((mant & ((1 << (shift - 1)) - 1)) || (half & 1))) half++;
    return sign | half;
  }
  let half = sign | (e << 10) | (mant >>> 13);
  if ((mant & 0x1000) && ((mant & 0x2fff) !== 0)) half++;
  return half;
}

/** Encodes float values as a tensor of `type`. */
export function encodeTensor(type, values) {
  const out = Buffer.alloc(tensorBytes(type, values.length));
  if (type === GGML.F32) {
    for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i], i * 4);
  } else if (type === GGML.F16) {
    for (let i = 0; i < values.length; i++) out.writeUInt16LE(toHalf(values[i]), i * 2);
  } else if (type === GGML.Q8_0) {
    for (let b = 0; b < values.length / 32; b++) {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[b * 32 + j]));
      const d = amax / 127;
      const id = d ? 1 / d : 0;
      out.writeUInt16LE(toHalf(d), b * 34);
      for (let j = 0; j < 32; j++) out.writeInt8(Math.round(values[b * 32 + j] * id), b * 34 + 2 + j);
    }
  } else if (type === GGML.Q4_0) {
    for (let b = 0; b < values.length / 32; b++) {
      let max = 0;
      for (let j = 0; j < 32; j++) { const v = values[b * 32 + j]; if (Math.abs(v) > Math.abs(max)) max = v; }
      const d = max / -8;
      const id = d ? 1 / d : 0;
      out.writeUInt16LE(toHalf(d), b * 18);
      for (let j = 0; j < 16; j++) {
        const lo = Math.min(15, Math.trunc(values[b * 32 + j] * id + 8.5));
        const hi = Math.min(15, Math.trunc(values[b * 32 + j + 16] * id + 8.5));
        out.writeUInt8(lo | (hi << 4), b * 18 + 2 + j);
      }
    }
  } else {
    throw new Error(`cannot encode tensor type ${type.id}`);
  }
  return out;
}

/** A seeded PRNG (mulberry32): the same seed gives the same model bytes on every machine. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare;
  const gauss = () => {
    if (spare !== undefined) { const s = spare; spare = undefined; return s; }
    const u = Math.max(next(), 1e-12), v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  return { next, gauss };
}
