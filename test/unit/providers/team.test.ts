// The team tier's provider with the real `openai` client against the fake vLLM server (TLS with a
// CA made for this run), through the real egress gate and the real shared back-off file.
import { after, before, beforeEach, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { closeAll, makeTestCa, startFakeVllm, type FakeVllm, type TestCa } from '../../fakes';
import { EgressGate, undiciPinnedHttps, type EgressPurpose, type GateTransport } from '../../../src/core/privacy/node/gate';
import { ALL_CLASSES, NEVER_LEAVE_MACHINE, type PrivacyPolicy } from '../../../src/core/privacy/policy';
import { caFetch, pemCertificates, systemCertificates } from '../../../src/core/net/node/caFetch';
import { memoryBackoffStore, parseRetryAfter, SharedBackoff } from '../../../src/core/providers/backoff';
import { fileBackoffStore } from '../../../src/core/providers/node/backoffFile';
import { TeamProvider, teamWindowTokens } from '../../../src/core/providers/team';
import { ProviderError, type FimRequest } from '../../../src/core/providers/types';
import { FAMILIES } from '../../../src/core/completion/templates';

const TOKEN = 'team-token-7f3a9c';
const MODEL = 'Qwen/Qwen2.5-Coder-7B';
const CHAT_MODEL = 'Qwen/Qwen2.5-Coder-32B-Instruct';

let ca: TestCa;
let vllm: FakeVllm;
let dir: string;
let policy: PrivacyPolicy = { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'test' };
const blocked: string[] = [];
const gate = new EgressGate({
  policy: () => policy,
  classify: async (u) => (u.hostname === '127.0.0.1' ? 'machine' : 'cloud'),
  onBlocked: (_i, _u, d) => blocked.push(d.reason),
});
const transport = () => caFetch([...systemCertificates(), ca.caCert]);
/** What team.ts puts under the gate: plain requests and https pinned to the checked address trust the same CAs. */
const gateTransport = (certs = [...systemCertificates(), ca.caCert]): GateTransport => ({ fetch: caFetch(certs), pinnedHttps: undiciPinnedHttps({ ca: certs }) });

function provider(opts: { backoff?: SharedBackoff; token?: string | undefined; transport?: GateTransport; now?: () => number } = {}): TeamProvider {
  const t = opts.transport ?? gateTransport();
  return new TeamProvider({
    baseUrl: vllm.baseURL,
    kind: 'vllm',
    token: async () => ('token' in opts ? opts.token : TOKEN),
    fetchFor: (purpose: EgressPurpose) => gate.fetchFor({ purpose, provider: 'team' }, t),
    backoff: opts.backoff ?? new SharedBackoff(memoryBackoffStore()),
    now: opts.now,
  });
}

const fim = (over: Partial<FimRequest> = {}): FimRequest => ({
  model: MODEL, prefix: 'function add(a, b) {\n  return ', suffix: '\n}\n', maxTokens: 16, temperature: 0.1, stop: ['\n'], ...over,
});
const signal = () => new AbortController().signal;

before(async () => {
  ca = makeTestCa();
  vllm = await startFakeVllm({ apiKey: TOKEN, maxModelLen: 4096, tls: { key: ca.key, cert: ca.cert } });
  dir = mkdtempSync(join(tmpdir(), 'switchyard-team-'));
});
beforeEach(() => {
  vllm.reset().setReply(undefined).setDefaults({});
  vllm.clearPrefixCache();
  policy = { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'test' };
  blocked.length = 0;
});
after(async () => {
  await closeAll(vllm);
  ca.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('fake vLLM with the real openai client', () => {
  it('refuses a completion with a suffix as vLLM does, and lists max_model_len', async () => {
    const client = new OpenAI({ baseURL: vllm.baseURL, apiKey: TOKEN, maxRetries: 0, fetch: transport(), logLevel: 'off' });
    await assert.rejects(client.completions.create({ model: MODEL, prompt: 'a', suffix: 'b', max_tokens: 4 }), (e: { status?: number; message?: string }) => e.status === 400 && /suffix is not currently supported/.test(e.message ?? ''));
    const page = await client.models.list();
    assert.deepEqual(page.data.map((m) => [m.id, (m as { max_model_len?: number }).max_model_len, m.owned_by]), [[MODEL, 4096, 'vllm'], [CHAT_MODEL, 4096, 'vllm']]);
  });

  it('needs the bearer token on /v1 but not on /health', async () => {
    const res = await transport()(`${vllm.url}/health`);
    assert.equal(res.status, 200);
    const bad = await transport()(`${vllm.baseURL}/models`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), { error: 'Unauthorized' });
  });

  it('refuses a prompt longer than max_model_len with vLLM\'s message', async () => {
    const client = new OpenAI({ baseURL: vllm.baseURL, apiKey: TOKEN, maxRetries: 0, fetch: transport(), logLevel: 'off' });
    await assert.rejects(client.completions.create({ model: MODEL, prompt: 'word '.repeat(5000), max_tokens: 4 }), /maximum context length is 4096 tokens/);
  });
});

describe('TLS with the team CA', () => {
  it('the built-in fetch (system CAs only) does not trust the team server; the CA fetch does', async () => {
    await assert.rejects(fetch(`${vllm.url}/health`), (e: Error & { cause?: { code?: string } }) => /CERT|SIGN|self/i.test(String(e.cause?.code ?? e.cause)));
    const res = await transport()(`${vllm.url}/health`);
    assert.equal(res.status, 200);
  });

  it('without the extra CA the provider says the certificate is not trusted and names the setting', async () => {
    const p = provider({ transport: gateTransport(systemCertificates()) });
    const h = await p.health(signal());
    assert.equal(h.ok, false);
    assert.match(h.detail, /certificate/);
    assert.match(h.detail, /switchyard\.team\.caFile/);
  });

  it('a team server given by name is reached at the checked address over TLS that trusts the team CA', async () => {
    // A trusted network host by name: the gate connects to the address it checked (no second lookup)
    // and the TLS check still uses the name, against the team's CA as well as the system's.
    const byName = new EgressGate({
      policy: () => policy,
      classify: async (u) => ({ endpointClass: u.hostname === 'localhost' ? 'network' : 'cloud', addresses: ['127.0.0.1'], detail: 'test' }),
    });
    const p = new TeamProvider({
      baseUrl: vllm.baseURL.replace('127.0.0.1', 'localhost'), kind: 'vllm', token: async () => TOKEN, backoff: new SharedBackoff(memoryBackoffStore()),
      fetchFor: (purpose: EgressPurpose) => byName.fetchFor({ purpose, provider: 'team' }, gateTransport()),
    });
    const h = await p.health(signal());
    assert.equal(h.ok, true, h.detail);
    assert.deepEqual(vllm.requests.map((r) => r.path), ['/health']);
  });

  it('a kept-alive connection the server closed is retried once on a new one (the built-in fetch does too)', async () => {
    const { createServer } = await import('node:net');
    let connections = 0;
    const sockets = new Set<import('node:net').Socket>();
    // Answers the first request of each connection, then cuts the connection when a second one arrives on it.
    const server = createServer((socket) => {
      connections++;
      sockets.add(socket);
      let served = 0;
      socket.on('data', () => {
        if (served++ === 0) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
        else socket.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    try {
      const f = caFetch(systemCertificates());
      assert.equal(await (await f(url)).text(), 'ok');
      assert.equal(await (await f(url, { method: 'POST', body: '{"a":1}' })).text(), 'ok');
      assert.equal(connections, 2);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('reads every certificate of a PEM bundle', () => {
    assert.equal(pemCertificates(`${ca.caCert}\n${ca.cert}`).length, 2);
    assert.equal(pemCertificates('not a certificate').length, 0);
  });
});

describe('team provider against vLLM', () => {
  it('sends FIM as the raw family template without a suffix, with the bearer token', async () => {
    vllm.setReply('a + b;');
    const res = await provider().complete(fim(), () => undefined, signal());
    assert.equal(res.text, 'a + b;');
    assert.equal(res.finishReason, 'stop');
    const [req] = vllm.generations;
    assert.equal(req.path, '/v1/completions');
    assert.equal(req.body.suffix, undefined);
    assert.equal(req.body.prompt, FAMILIES.qwen.build({ prefix: fim().prefix, suffix: fim().suffix, path: '', languageId: '' }));
    assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  });

  it('keeps the pipeline\'s raw prompt as it is, and reports the prefix-cache hit of a stable prefix', async () => {
    const head = `<|file_sep|>src/a.ts\n<|fim_prefix|>${'const value = compute(input);\n'.repeat(20)}`;
    const p = provider();
    await p.complete(fim({ rawPrompt: `${head}ret<|fim_suffix|>\n<|fim_middle|>` }), () => undefined, signal());
    const second = await p.complete(fim({ rawPrompt: `${head}retu<|fim_suffix|>\n<|fim_middle|>` }), () => undefined, signal());
    assert.equal(vllm.generations[1].body.prompt, `${head}retu<|fim_suffix|>\n<|fim_middle|>`);
    assert.ok((second.usage?.cacheReadTokens ?? 0) >= 100, `cached ${second.usage?.cacheReadTokens}`);
  });

  it('streams a chat', async () => {
    vllm.setReply('Use a Map.');
    let streamed = '';
    const res = await provider().chat({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'speed?' }], maxTokens: 50 }, (d) => { streamed += d; }, signal());
    assert.equal(res.text, 'Use a Map.');
    assert.equal(streamed, 'Use a Map.');
    assert.ok(res.usage && res.usage.completionTokens > 0);
  });

  it('reads max_model_len and sizes the prompt window from it', async () => {
    assert.equal(await provider().maxModelLen(MODEL, signal()), 4096);
    assert.equal(teamWindowTokens(4096, 64), 1984);
    assert.equal(teamWindowTokens(131072, 64), 8192);
    assert.equal(teamWindowTokens(undefined, 64), undefined);
  });

  it('a wrong or missing token is an auth error that names the command', async () => {
    await assert.rejects(provider({ token: 'nope' }).complete(fim(), () => undefined, signal()),
      (e: ProviderError) => e.code === 'auth' && /Set Team Server Token/.test(e.message) && !e.message.includes('nope'));
    await assert.rejects(provider({ token: undefined }).complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'auth');
  });

  it('health comes from /health', async () => {
    const h = await provider().health(signal());
    assert.equal(h.ok, true, h.detail);
    assert.deepEqual(vllm.requests.map((r) => r.path), ['/health']);
  });

  it('the gate refuses a team server that is not a trusted network host, even where the cloud is allowed', async () => {
    const p = new TeamProvider({
      baseUrl: vllm.baseURL.replace('127.0.0.1', 'localhost'), kind: 'vllm', token: async () => TOKEN, backoff: new SharedBackoff(memoryBackoffStore()),
      fetchFor: (purpose: EgressPurpose) => gate.fetchFor({ purpose, provider: 'team' }, gateTransport()),
    });
    await assert.rejects(p.complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'blocked' && /trustedNetworkHosts/.test(e.message));
    assert.equal(vllm.requests.length, 0, 'nothing reached the server');
  });

  it('the gate refuses the team server in a never-leave-machine workspace, even at a loopback address', async () => {
    policy = { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: 'never-leave-machine (setting)' };
    await assert.rejects(provider().complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'blocked');
    assert.equal(vllm.requests.length, 0);
    assert.match(blocked[0] ?? '', /network/);
  });
});

describe('back-off shared by every editor on the machine', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('3', 0), 3000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
    assert.equal(parseRetryAfter(null, 0), undefined);
  });

  it('a 429 with Retry-After seen by one editor keeps a second editor (own provider, same file) from asking', async () => {
    const file = join(dir, 'backoff-a.json');
    let now = Date.now();
    const clock = () => now;
    const editorA = provider({ backoff: new SharedBackoff(fileBackoffStore(file), clock, () => 0), now: clock });
    const editorB = provider({ backoff: new SharedBackoff(fileBackoffStore(file), clock, () => 0), now: clock });
    vllm.script({ status: 429, retryAfter: 5 });
    await assert.rejects(editorA.complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'rate-limit' && e.options.retryAfterMs === 5000);
    await assert.rejects(editorB.complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'rate-limit' && (e.options.retryAfterMs ?? 0) > 4000);
    assert.equal(vllm.generations.length, 1, 'the second editor sent nothing');
    now += 5001;
    const ok = await editorB.complete(fim(), () => undefined, signal());
    assert.equal(ok.finishReason, 'stop');
    assert.equal(vllm.generations.length, 2);
  });

  it('without the shared file each editor learns on its own (the second one also gets a 429)', async () => {
    vllm.script([{ status: 503, retryAfter: 5 }, { status: 503, retryAfter: 5 }]);
    const a = provider({ backoff: new SharedBackoff(memoryBackoffStore()) });
    const b = provider({ backoff: new SharedBackoff(memoryBackoffStore()) });
    await assert.rejects(a.complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'rate-limit');
    await assert.rejects(b.complete(fim(), () => undefined, signal()), (e: ProviderError) => e.code === 'rate-limit');
    assert.equal(vllm.generations.length, 2);
  });

  it('editors resume spread over a second after a shared wait, not all at once', () => {
    let now = 1_000_000;
    const store = memoryBackoffStore();
    const first = new SharedBackoff(store, () => now, () => 0);
    const late = new SharedBackoff(store, () => now, () => 0.9);
    first.note('https://team', 2000);
    assert.deepEqual([first.waitMs('https://team'), late.waitMs('https://team')], [2000, 2900]);
    now += 2000;
    assert.deepEqual([first.waitMs('https://team'), late.waitMs('https://team')], [0, 900]);
    now += 900;
    assert.equal(late.waitMs('https://team'), 0);
  });

  it('a corrupt back-off file counts as no back-off and is rewritten on the next 429', async () => {
    const file = join(dir, 'backoff-b.json');
    writeFileSync(file, '{"https://x": ');
    const b = new SharedBackoff(fileBackoffStore(file));
    assert.equal(b.waitMs('https://x'), 0);
    b.note('https://x', 1000);
    assert.ok(new SharedBackoff(fileBackoffStore(file)).waitMs('https://x') > 0);
  });
});

test('a file back-off store with maxAgeMs reads the file once per that long, and sees its own writes at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-backoff-cache-'));
  const file = join(dir, 'backoff.json');
  let t = 1000;
  const store = fileBackoffStore(file, { maxAgeMs: 1000, now: () => t });
  assert.deepEqual(store.read(), {});
  writeFileSync(file, JSON.stringify({ a: 5 })); // another window
  assert.deepEqual(store.read(), {}, 'within maxAgeMs the last read stands');
  t += 1000;
  assert.deepEqual(store.read(), { a: 5 }, 'then the file is read again');
  store.write({ a: 5, b: 7 });
  writeFileSync(file, JSON.stringify({}));
  assert.deepEqual(store.read(), { a: 5, b: 7 }, 'its own write is known without a read');
  rmSync(dir, { recursive: true, force: true });
});
