// Which model the embedded engine runs, named honestly: the GGUF file and the name its metadata
// gives (`general.name`), read from the file's header without loading the model.
import { closeSync, openSync, readSync } from 'node:fs';

export interface EmbeddedIdentity {
  /** The file's name without `.gguf`: what the ledger and the log record as the model. */
  model: string;
  /** The file name, e.g. `qwen2.5-coder-1.5b-q4_k_m.gguf`. */
  file: string;
  /** `general.name` from the GGUF metadata, when the header has one. */
  ggufName?: string;
  /**
   * A model written by Switchyard's own development tools (scripts/gguf): it shows how the extension
   * works, but its output is not meaningful code.
   */
  demo: boolean;
}

/** Names that scripts/gguf/write-gguf.mjs gives the models it writes (`general.name`). */
const DEMO_NAME = /^switchyard-/;
/** general.* keys come first in a GGUF header; more than this is never needed to find the name. */
const HEADER_BYTES = 256 * 1024;

/** The model name recorded for a GGUF file: its name without `.gguf` (cheap: no file access). */
export function embeddedModelName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? '').replace(/\.gguf$/i, '') || 'embedded';
}

export function embeddedIdentity(path: string): EmbeddedIdentity {
  const file = path.split(/[\\/]/).pop() || 'embedded';
  const model = embeddedModelName(path);
  const ggufName = path ? readGgufName(path) : undefined;
  return { model, file, ...(ggufName ? { ggufName } : {}), demo: ggufName !== undefined && DEMO_NAME.test(ggufName) };
}

/** How the model is shown to a user: its GGUF name and file, and "demo model" when it is one. */
export function describeEmbedded(id: EmbeddedIdentity): string {
  const name = id.ggufName && id.ggufName !== id.model ? `${id.ggufName} (${id.file})` : id.file;
  return id.demo ? `${name} — demo model` : name;
}

/** `general.name` from a GGUF file's header, or undefined (no file, not GGUF, no such key). Never throws. */
export function readGgufName(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    return parseGgufName(buf.subarray(0, n));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Fixed sizes of GGUF scalar value types (uint8 .. float64). */
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

/** Reads the metadata key/values in order until `general.name`; undefined when the buffer runs out first. */
export function parseGgufName(buf: Buffer): string | undefined {
  if (buf.length < 24 || buf.toString('latin1', 0, 4) !== 'GGUF') return undefined;
  let at = 8 + 8; // magic + version, tensor count
  const kvCount = Number(buf.readBigUInt64LE(at));
  at += 8;
  const str = (): string => {
    const len = Number(buf.readBigUInt64LE(at));
    at += 8;
    if (at + len > buf.length) throw new RangeError('past the header buffer');
    const s = buf.toString('utf8', at, at + len);
    at += len;
    return s;
  };
  const skip = (type: number): void => {
    if (type === STRING) str();
    else if (type === ARRAY) {
      const itemType = buf.readUInt32LE(at);
      const count = Number(buf.readBigUInt64LE(at + 4));
      at += 12;
      if (itemType === STRING || itemType === ARRAY) for (let i = 0; i < count; i++) skip(itemType);
      else at += count * (SCALAR_BYTES[itemType] ?? Infinity);
    } else at += SCALAR_BYTES[type] ?? Infinity;
  };
  try {
    for (let i = 0; i < kvCount && at < buf.length; i++) {
      const key = str();
      const type = buf.readUInt32LE(at);
      at += 4;
      if (key === 'general.name' && type === STRING) return str().trim() || undefined;
      skip(type);
    }
  } catch {
    return undefined; // truncated or not what it claims to be
  }
  return undefined;
}
