// The gate passes failures on as they are (an abort stays an abort, a timeout a timeout), pins https
// endpoints given by name to the checked address while TLS checks the name, refuses model pulls in a
// never-leave-machine workspace, and no error text carries a configured key value.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EgressGate, undiciPinnedHttps } from '../../../src/core/privacy/node/gate';
import { rememberKey, redactKnownKeys } from '../../../src/core/privacy/knownKeys';
import { ALL_CLASSES, resolvePolicy, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { mapCloudError } from '../../../src/core/providers/cloudErrors';
import { mapLocalError } from '../../../src/core/providers/local';
import { OllamaProvider } from '../../../src/core/providers/ollama';
import { closeAll, startFakeOllama, type FakeOllama } from '../../fakes';
import { blockedCause, fakeDns, rig } from './simnet';

const NLM: PrivacyPolicy = resolvePolicy({ neverLeaveMachineSetting: true, markers: [], trusted: true });
const HYBRID: PrivacyPolicy = { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid' };
const TLS = join(__dirname, '../../fixtures/tls');

describe('the gate keeps the original abort and timeout errors', () => {
  const failingWith = (err: unknown) => new EgressGate({
    policy: () => HYBRID,
    classify: async () => ({ endpointClass: 'machine', addresses: ['127.0.0.1'], detail: 'loopback' }),
    fetch: (async () => { throw err; }) as typeof fetch,
  });

  for (const make of [
    () => new DOMException('This operation was aborted', 'AbortError'),
    () => new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
  ]) {
    const original = make();
    it(`${original.name} passes through unchanged`, async () => {
      const gate = failingWith(original);
      const thrown = await gate.fetchFor({ purpose: 'health', provider: 'ollama' })('http://127.0.0.1:9/api/version').catch((e: unknown) => e);
      assert.equal(thrown, original, 'the very same error object');
      assert.equal((thrown as Error).name, original.name);
      assert.notEqual((thrown as Error).name, 'TypeError');
    });
  }

  it('a hung Ollama is "did not answer in time", not "is Ollama running?"', async () => {
    const ollama: FakeOllama = await startFakeOllama();
    try {
      ollama.script({ fault: 'hang' }, { match: () => true, times: 5 });
      const gate = new EgressGate({ policy: () => HYBRID, classify: async () => 'machine' });
      const provider = new OllamaProvider(ollama.url, (purpose) => gate.fetchFor({ purpose, provider: 'ollama' }));
      const health = await provider.health(new AbortController().signal);
      assert.equal(health.ok, false);
      assert.match(health.detail, /did not answer in time/);
      assert.doesNotMatch(health.detail, /running\?/);
    } finally {
      await closeAll(ollama);
    }
  });
});

describe('model pulls in a never-leave-machine workspace', () => {
  it('are refused by the gate at a loopback Ollama too (it would download from the internet)', async () => {
    const ollama = await startFakeOllama();
    try {
      const { gate } = rig(() => NLM, fakeDns({}));
      const provider = new OllamaProvider(ollama.url, (purpose) => gate.fetchFor({ purpose, provider: 'ollama' }));
      const err = await provider.pull('qwen2.5-coder:0.5b-base', () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.match(blockedCause(err)?.message ?? String(err), /pulling a model downloads it from the internet.*never-leave-machine/);
      assert.equal(ollama.requests.length, 0);
      // Listing the installed models is fine: nothing leaves the machine.
      assert.ok((await provider.listModels(new AbortController().signal)).length > 0);
    } finally {
      await closeAll(ollama);
    }
  });
});

describe('https endpoints given by name are pinned to the checked address', () => {
  let server: Server;
  let port: number;
  const seen: Array<{ sni: string | false; path: string }> = [];
  before(async () => {
    server = createServer({ key: readFileSync(join(TLS, 'pinned.test.key')), cert: readFileSync(join(TLS, 'pinned.test.crt')) }, (req, res) => {
      seen.push({ sni: (req.socket as unknown as { servername: string | false }).servername, path: req.url ?? '' });
      res.setHeader('content-type', 'application/json');
      res.end('{"version":"0.9.0"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  // The name resolves to loopback when the gate checks it, to a public address on any later lookup,
  // and the operating system's resolver does not know it at all: only the checked address can work.
  const gateFor = (ca: Buffer) => {
    const dns = fakeDns({ 'pinned.test': [['127.0.0.1'], ['203.0.113.9']], 'other.test': [['127.0.0.1'], ['203.0.113.9']] });
    return rig(() => NLM, dns, [], { pinnedHttps: undiciPinnedHttps({ ca }) }).gate;
  };

  it('connects to the checked address, sends the name as SNI and verifies the certificate for the name', async () => {
    const gate = gateFor(readFileSync(join(TLS, 'pinned.test.crt')));
    const res = await gate.fetchFor({ purpose: 'health', provider: 'ollama' })(`https://pinned.test:${port}/api/version`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { version: '0.9.0' });
    assert.deepEqual(seen.at(-1), { sni: 'pinned.test', path: '/api/version' });
  });

  it('a certificate for another name is refused: the check is on the name, not the address', async () => {
    const gate = gateFor(readFileSync(join(TLS, 'other.test.crt')));
    const before = seen.length;
    const err = await gate.fetchFor({ purpose: 'health', provider: 'ollama' })(`https://pinned.test:${port}/api/version`).catch((e: unknown) => e);
    assert.ok(err instanceof Error, 'refused');
    assert.match(String((err as Error & { cause?: unknown }).cause ?? err), /self.signed|certificate|altnames/i);
    assert.equal(seen.length, before, 'no request was answered');
  });
});

describe('configured key values are redacted from every error text', () => {
  // An Azure-style key: 32 hex characters, a shape no key pattern recognises.
  const KEY = '3f9c0a7be1d24c6a8b5e9f0d1c2b3a4e';
  rememberKey(KEY);

  it('in a cloud 4xx body that echoes the key', () => {
    const err = Object.assign(new Error(`400 invalid key ${KEY}`), {
      status: 400, headers: {}, error: { error: { message: `The key '${KEY}' is not valid for deployment gpt-4o (key ${KEY.toUpperCase()})` } },
    });
    const mapped = mapCloudError(err, 'openai', { host: 'gateway.example', model: 'gpt-4o', timeoutMs: 1000 });
    assert.ok(!mapped.message.toLowerCase().includes(KEY), mapped.message);
    assert.match(mapped.message, /<redacted:key>/);
  });

  it('in a local server error, and in the key\'s URL-encoded and base64 forms', () => {
    const local = mapLocalError(Object.assign(new Error(`bad header x-api-key=${KEY}`), { status: 400 }), { server: 'The local server', baseUrl: 'http://127.0.0.1:1', startHint: '' });
    assert.ok(!local.message.includes(KEY), local.message);
    const b64 = Buffer.from(KEY).toString('base64').replace(/=+$/, '');
    assert.equal(redactKnownKeys(`Basic ${b64} / ${encodeURIComponent(KEY)}`).includes(KEY), false);
    assert.equal(redactKnownKeys(`Basic ${b64}`).includes(b64), false);
  });

  it('in an error the gate passes on', async () => {
    const gate = new EgressGate({
      policy: () => HYBRID,
      classify: async () => 'cloud',
      fetch: (async () => { throw new TypeError(`fetch failed: proxy said ${KEY}`); }) as typeof fetch,
    });
    const err = await gate.fetchFor({ purpose: 'ask', provider: 'openai' })('https://gateway.example/v1/chat').catch((e: unknown) => e);
    assert.ok(!(err as Error).message.includes(KEY), (err as Error).message);
    assert.equal((err as Error).name, 'TypeError');
  });
});
