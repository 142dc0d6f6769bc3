import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DownloadError, downloadModel } from '../../../src/core/providers/embedded/node/download';
import { EgressGate } from '../../../src/core/privacy/node/gate';
import { ProviderError } from '../../../src/core/providers/types';

const body = randomBytes(300_000);
const sha = createHash('sha256').update(body).digest('hex');
const requests: { url: string; range?: string }[] = [];
/** When set, the next response is cut after this many bytes. */
let cutAfter: number | undefined;
let server: Server;
let base: string;

function handle(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  requests.push({ url: req.url ?? '', range: req.headers.range });
  if (req.url === '/redirect') {
    res.writeHead(302, { location: '/model.gguf', 'x-linked-etag': `"${sha}"` });
    res.end();
    return;
  }
  if (req.url !== '/model.gguf') { res.writeHead(404); res.end(); return; }
  let start = 0;
  const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
  if (m) {
    start = Number(m[1]);
    if (start >= body.length) { res.writeHead(416, { 'content-range': `bytes */${body.length}` }); res.end(); return; }
    res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
  } else {
    res.writeHead(200, { 'content-length': body.length });
  }
  const slice = body.subarray(start);
  if (cutAfter !== undefined) {
    const n = cutAfter;
    cutAfter = undefined;
    res.write(slice.subarray(0, n), () => setTimeout(() => res.socket?.destroy(), 20));
    return;
  }
  res.end(slice);
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const tmp = () => mkdtempSync(join(tmpdir(), 'switchyard-dl-'));

test('downloads and verifies a file, reporting progress', async () => {
  const dest = join(tmp(), 'm.gguf');
  const seen: number[] = [];
  const r = await downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch, onProgress: (p) => seen.push(p.receivedBytes) });
  assert.equal(r.sha256, sha);
  assert.deepEqual(readFileSync(dest), body);
  assert.equal(seen.at(-1), body.length);
  assert.equal(existsSync(`${dest}.part`), false);
});

test('an interrupted download resumes with a Range request and still verifies', async () => {
  const dest = join(tmp(), 'm.gguf');
  cutAfter = 100_000;
  await assert.rejects(downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch }), (e: DownloadError) => e.code === 'io' && /resume/.test(e.message));
  const partial = statSync(`${dest}.part`).size;
  assert.ok(partial > 0 && partial < body.length, `part file has ${partial} bytes`);
  requests.length = 0;
  const r = await downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch });
  assert.equal(requests[0].range, `bytes=${partial}-`);
  assert.equal(r.resumedFromBytes, partial);
  assert.deepEqual(readFileSync(dest), body);
});

test('a complete part file is verified without downloading again', async () => {
  const dest = join(tmp(), 'm.gguf');
  writeFileSync(`${dest}.part`, body);
  const r = await downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch });
  assert.equal(r.sha256, sha);
  assert.deepEqual(readFileSync(dest), body);
});

test('a checksum mismatch deletes the bytes and says so', async () => {
  const dest = join(tmp(), 'm.gguf');
  const wrong = 'a'.repeat(64);
  await assert.rejects(downloadModel({ url: `${base}/model.gguf`, dest, sha256: wrong, fetch }), (e: DownloadError) => e.code === 'checksum' && /corrupt/.test(e.message));
  assert.equal(existsSync(dest), false);
  assert.equal(existsSync(`${dest}.part`), false);
});

test('a corrupted resumed part fails verification instead of producing a bad model', async () => {
  const dest = join(tmp(), 'm.gguf');
  writeFileSync(`${dest}.part`, randomBytes(50_000));
  await assert.rejects(downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch }), (e: DownloadError) => e.code === 'checksum');
  assert.equal(existsSync(dest), false);
});

test('redirects are followed and the advertised checksum is used', async () => {
  const dest = join(tmp(), 'm.gguf');
  const r = await downloadModel({ url: `${base}/redirect`, dest, fetch });
  assert.equal(r.sha256, sha);
});

test('without any known checksum nothing is kept', async () => {
  const dest = join(tmp(), 'm.gguf');
  await assert.rejects(downloadModel({ url: `${base}/model.gguf`, dest, fetch }), (e: DownloadError) => e.code === 'no-checksum');
  assert.equal(existsSync(dest), false);
});

test('HTTP errors are reported with the status', async () => {
  await assert.rejects(downloadModel({ url: `${base}/missing.gguf`, dest: join(tmp(), 'm.gguf'), sha256: sha, fetch }), (e: DownloadError) => e.code === 'http' && /404/.test(e.message));
});

test('through the egress gate, a never-leave-machine workspace refuses the download before any byte leaves', async () => {
  const gate = new EgressGate({
    policy: () => ({ allowed: ['machine'], neverLeaveMachine: true, reason: 'never-leave-machine (test)' }),
    classify: async () => 'cloud',
  });
  requests.length = 0;
  const dest = join(tmp(), 'm.gguf');
  await assert.rejects(downloadModel({ url: `${base}/model.gguf`, dest, sha256: sha, fetch: gate.fetchFor({ purpose: 'pull', provider: 'embedded' }) }),
    (e: ProviderError) => e instanceof ProviderError && e.code === 'blocked');
  assert.equal(requests.length, 0);
  assert.equal(existsSync(dest), false);
});
