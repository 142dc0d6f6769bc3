// Downloads a model file with resume (HTTP Range) and SHA-256 verification. The fetch passed in
// is the egress gate's (purpose 'pull'), so a never-leave-machine workspace refuses it.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync, createWriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import { errorMessage } from '../../../errors';

/** A code model the extension offers to download. */
export interface ModelOffer {
  id: string;
  label: string;
  url: string;
  /** Hex SHA-256 of the file; when absent, the server's advertised hash (Hugging Face's X-Linked-Etag) is required. */
  sha256?: string;
  sizeBytes: number;
  fileName: string;
}

/** Base (FIM-trained) Qwen2.5-Coder models, the family whose FIM tokens the engine uses. */
export const MODEL_OFFERS: readonly ModelOffer[] = [
  {
    id: 'qwen2.5-coder-0.5b',
    label: 'Qwen2.5-Coder 0.5B (Q8_0, ~530 MB) - fast on any laptop',
    url: 'https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q8_0.gguf',
    sizeBytes: 531_000_000,
    fileName: 'qwen2.5-coder-0.5b-instruct-q8_0.gguf',
  },
  {
    id: 'qwen2.5-coder-1.5b',
    label: 'Qwen2.5-Coder 1.5B (Q4_K_M, ~1.1 GB) - better completions, needs 4+ cores',
    url: 'https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
    sizeBytes: 1_120_000_000,
    fileName: 'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf',
  },
];

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes?: number;
  resumedFromBytes: number;
}

export interface DownloadOptions {
  url: string;
  dest: string;
  /** Expected hex SHA-256; if absent, the server must advertise one. */
  sha256?: string;
  fetch: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}

export class DownloadError extends Error {
  constructor(readonly code: 'http' | 'checksum' | 'no-checksum' | 'cancelled' | 'io', message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The SHA-256 a server advertises for a file: Hugging Face's X-Linked-Etag or an ETag that is one. */
function advertisedSha256(res: Response): string | undefined {
  for (const h of ['x-linked-etag', 'x-checksum-sha256', 'etag']) {
    const v = res.headers.get(h)?.replace(/^W\//, '').replace(/"/g, '').toLowerCase();
    if (v && HEX64.test(v)) return v;
  }
  return undefined;
}

const cancelled = (): DownloadError => new DownloadError('cancelled', 'The download was cancelled; it will resume where it stopped.');

async function hashFile(path: string, hash: Hash): Promise<void> {
  const s = createReadStream(path);
  for await (const chunk of s) hash.update(chunk as Buffer);
}

/**
 * Downloads `url` to `dest`. Bytes arrive in `dest + ".part"`; an interrupted download resumes from
 * there with a Range request. The file is renamed into place only when its SHA-256 matches.
 * Redirects are followed by hand so that every hop goes through the gate and so that the first
 * hop's advertised checksum is seen.
 */
export async function downloadModel(o: DownloadOptions): Promise<{ path: string; sha256: string; bytes: number; resumedFromBytes: number }> {
  const part = `${o.dest}.part`;
  mkdirSync(dirname(o.dest), { recursive: true });
  const have = existsSync(part) ? statSync(part).size : 0;
  let url = o.url;
  let expected = o.sha256?.toLowerCase();
  let res: Response | undefined;
  for (let hop = 0; hop < 6; hop++) {
    try {
      res = await o.fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {}, redirect: 'manual', signal: o.signal });
    } catch (err) {
      if (o.signal?.aborted) throw cancelled();
      throw err;
    }
    expected ??= advertisedSha256(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      url = new URL(location, url).href;
      continue;
    }
    break;
  }
  if (!res) throw new DownloadError('http', 'no response');
  // 416 to a Range request: the part file is already complete (or longer than the file); it is verified as it is.
  const partComplete = res.status === 416 && have > 0;
  if (!partComplete && res.status !== 200 && res.status !== 206) {
    await res.body?.cancel();
    throw new DownloadError('http', `The server answered ${res.status} ${res.statusText} for ${new URL(url).host}.`);
  }
  if (!expected) {
    await res.body?.cancel();
    throw new DownloadError('no-checksum', 'No SHA-256 is known for this file, so it cannot be verified; not downloading it.');
  }
  const resume = res.status === 206 && have > 0;
  const resumedFromBytes = resume ? have : 0;
  // The bytes already in the part file count towards the hash and the size.
  let received = resume || partComplete ? have : 0;
  const hash = createHash('sha256');
  if (received > 0) await hashFile(part, hash);
  if (partComplete) {
    await res.body?.cancel();
  } else if (res.body) {
    const length = Number(res.headers.get('content-length'));
    const totalBytes = Number.isFinite(length) && length > 0 ? received + length : undefined;
    const out = createWriteStream(part, { flags: resume ? 'a' : 'w' });
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        hash.update(value);
        received += value.length;
        if (!out.write(value)) await new Promise<void>((r) => out.once('drain', () => r()));
        o.onProgress?.({ receivedBytes: received, totalBytes, resumedFromBytes });
      }
    } catch (err) {
      out.end();
      await finished(out).catch(() => undefined);
      if (o.signal?.aborted) throw cancelled();
      throw new DownloadError('io', `The download was interrupted after ${received} bytes (${errorMessage(err)}); run it again to resume.`);
    }
    out.end();
    await finished(out);
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== expected) {
    unlinkSync(part);
    throw new DownloadError('checksum', `The downloaded file is corrupt: its SHA-256 is ${sha256.slice(0, 12)}…, expected ${expected.slice(0, 12)}…. It was deleted; download it again.`);
  }
  renameSync(part, o.dest);
  return { path: o.dest, sha256, bytes: received, resumedFromBytes };
}
