// The local providers with the real `ollama` and `openai` clients against the fake servers,
// through the real egress gate.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeOllama, startFakeOpenAI, closeAll, countTokens, type FakeOllama, type FakeOpenAI } from '../../fakes';
import { EgressGate } from '../../../src/core/privacy/node/gate';
import { ALL_CLASSES } from '../../../src/core/privacy/policy';
import { OllamaProvider } from '../../../src/core/providers/ollama';
import { OpenAICompatibleProvider } from '../../../src/core/providers/openaiCompatible';
import { createServerProvider, chooseLocal } from '../../../src/core/providers/registry';
import { ProviderError, type FimRequest } from '../../../src/core/providers/types';

const gate = new EgressGate({
  policy: () => ({ allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'test' }),
  classify: async (u) => (u.hostname === '127.0.0.1' ? 'machine' : 'cloud'),
});
const purposes: string[] = [];
const fetchFor = (provider: 'ollama' | 'openai-compatible') => (purpose: Parameters<EgressGate['fetchFor']>[0]['purpose']) => {
  purposes.push(`${provider}:${purpose}`);
  return gate.fetchFor({ purpose, provider });
};

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let ollama: FakeOllama;
let local: FakeOpenAI;
before(async () => {
  ollama = await startFakeOllama();
  local = await startFakeOpenAI({ models: ['qwen2.5-coder-1.5b'], ownedBy: 'llamacpp' });
});
after(() => closeAll(ollama, local));

const fim = (model: string, extra: Partial<FimRequest> = {}): FimRequest => ({
  model, prefix: 'function add(a, b) {\n  return ', suffix: ';\n}', rawPrompt: '<fim_prefix>function add(a, b) {\n  return <fim_suffix>;\n}<fim_middle>',
  maxTokens: 32, temperature: 0.2, stop: ['<|endoftext|>', '\n'], keepAlive: '30m', ...extra,
});

test('Ollama: a FIM model gets the native suffix, streamed, with keep_alive, options and server usage', async () => {
  ollama.reset();
  ollama.setReply('a + b');
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  const pieces: string[] = [];
  const r = await p.complete(fim('qwen2.5-coder:1.5b-base'), (d) => pieces.push(d), new AbortController().signal);
  assert.equal(r.text, 'a + b');
  assert.equal(pieces.join(''), 'a + b');
  assert.ok(pieces.length > 1, 'streamed');
  assert.equal(r.finishReason, 'stop');
  const gen = ollama.requests.find((q) => q.path === '/api/generate')!;
  assert.equal(gen.body.suffix, ';\n}');
  assert.equal(gen.body.raw, undefined);
  assert.equal(gen.body.keep_alive, '30m');
  assert.deepEqual(gen.body.options, { num_predict: 32, temperature: 0.2, stop: ['<|endoftext|>', '\n'] });
  assert.deepEqual(r.usage, { promptTokens: countTokens('function add(a, b) {\n  return ') + countTokens(';\n}'), completionTokens: countTokens('a + b') });
  // /api/show is asked once per model.
  await p.complete(fim('qwen2.5-coder:1.5b-base'), () => undefined, new AbortController().signal);
  assert.equal(ollama.requests.filter((q) => q.path === '/api/show').length, 1);
  assert.ok(purposes.includes('ollama:show-model') && purposes.includes('ollama:completion'));
});

test('Ollama: a model whose template takes no suffix gets the family raw prompt', async () => {
  ollama.reset();
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  await p.complete(fim('starcoder2:3b'), () => undefined, new AbortController().signal);
  const gen = ollama.requests.find((q) => q.path === '/api/generate')!;
  assert.equal(gen.body.raw, true);
  assert.equal(gen.body.suffix, undefined);
  assert.equal(gen.body.prompt, fim('x').rawPrompt);
});

test('Ollama: abort closes the HTTP request at the server and resolves cancelled', async () => {
  ollama.reset();
  ollama.script({ fault: 'hang' });
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  await p.supportsSuffix('qwen2.5-coder:1.5b-base');
  const c = new AbortController();
  const pending = p.complete(fim('qwen2.5-coder:1.5b-base'), () => undefined, c.signal);
  await ollama.waitForRequests(1, { match: '/api/generate', timeoutMs: 2000 });
  c.abort();
  const r = await pending;
  assert.equal(r.finishReason, 'cancelled');
  const req = ollama.requests.find((q) => q.path === '/api/generate')!;
  await ollama.ended(req);
  assert.equal(req.aborted, true);
});

test('Ollama: cancelling the request that asked /api/show does not cancel the next one waiting for the same answer', async () => {
  ollama.reset();
  ollama.setReply('a + b');
  ollama.script({ firstByteMs: 200 }, { match: '/api/show' });
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  const first = new AbortController();
  const stale = p.complete(fim('qwen2.5-coder:1.5b-base'), () => undefined, first.signal);
  await ollama.waitForRequests(1, { match: '/api/show', timeoutMs: 2000 });
  const next = p.complete(fim('qwen2.5-coder:1.5b-base'), () => undefined, new AbortController().signal);
  first.abort();
  assert.equal((await stale).finishReason, 'cancelled');
  const r = await next;
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.text, 'a + b');
  assert.equal(ollama.requests.filter((q) => q.path === '/api/show').length, 1);
});

test('Ollama: failures in plain words with the right code', async () => {
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  await p.supportsSuffix('qwen2.5-coder:1.5b-base');
  const cases: Array<[Parameters<FakeOllama['script']>[0], string]> = [
    [{ fault: 'malformed', afterTokens: 2 }, 'malformed'],
    [{ fault: 'truncate', afterTokens: 2 }, 'cut'],
    [{ fault: 'drop', afterTokens: 2 }, 'cut'],
    [{ status: 500, message: 'out of memory' }, 'server'],
  ];
  for (const [script, code] of cases) {
    ollama.script(script);
    await assert.rejects(p.complete(fim('qwen2.5-coder:1.5b-base'), () => undefined, new AbortController().signal),
      (e: unknown) => e instanceof ProviderError && e.code === code, `${JSON.stringify(script)} -> ${code}`);
  }
  await assert.rejects(p.complete(fim('not-installed:7b'), () => undefined, new AbortController().signal),
    (e: unknown) => e instanceof ProviderError && e.code === 'model-missing' && /not-installed:7b/.test(e.message));
  const port = await closedPort();
  const down = new OllamaProvider(`http://127.0.0.1:${port}`, fetchFor('ollama'));
  await assert.rejects(down.complete(fim('x'), () => undefined, new AbortController().signal),
    (e: unknown) => e instanceof ProviderError && e.code === 'unreachable' && /ollama serve/.test(e.message));
  const h = await down.health(new AbortController().signal);
  assert.equal(h.ok, false);
  assert.equal(h.detail, `nothing answers at http://127.0.0.1:${port} — is Ollama running? Start it with \`ollama serve\` or check switchyard.local.ollamaUrl`);
});

test('Ollama: health, list, chat and pull', async () => {
  ollama.reset();
  const p = new OllamaProvider(ollama.baseURL, fetchFor('ollama'));
  const h = await p.health(new AbortController().signal);
  assert.equal(h.ok, true);
  assert.equal(ollama.requests[0].path, '/api/version');
  const models = await p.listModels(new AbortController().signal);
  assert.ok(models.some((m) => m.name === 'qwen2.5-coder:1.5b-base'));
  ollama.setReply('Hello there');
  const r = await p.chat({ model: 'qwen2.5-coder:7b-instruct', messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 }, () => undefined, new AbortController().signal);
  assert.equal(r.text, 'Hello there');
  assert.equal(r.usage?.completionTokens, countTokens('Hello there'));
  const progress: string[] = [];
  const pullable = (await import('../../fakes')).DEFAULT_OLLAMA_REGISTRY.find((m) => !models.some((x) => x.name === (typeof m === 'string' ? m : m.name)));
  const name = typeof pullable === 'string' ? pullable : pullable!.name;
  await p.pull(name, (x) => progress.push(x.status), new AbortController().signal);
  assert.equal(progress.at(-1), 'success');
  assert.ok((await p.listModels(new AbortController().signal)).some((m) => m.name.startsWith(name.split(':')[0])));
});

test('OpenAI-compatible: raw template on /v1/completions, streamed with usage; suffix when no template', async () => {
  local.reset();
  local.setReply('a + b');
  const p = new OpenAICompatibleProvider(local.baseURL, fetchFor('openai-compatible'));
  const r = await p.complete(fim('qwen2.5-coder-1.5b'), () => undefined, new AbortController().signal);
  assert.equal(r.text, 'a + b');
  assert.equal(r.usage?.completionTokens, countTokens('a + b'));
  const [req] = local.requests;
  assert.equal(req.path, '/v1/completions');
  assert.equal(req.body.prompt, fim('x').rawPrompt);
  assert.equal(req.body.suffix, undefined);
  assert.equal(req.body.stream, true);
  assert.notEqual(req.headers['authorization'], `Bearer ${process.env.OPENAI_API_KEY ?? 'unset'}`);
  local.reset();
  await p.complete(fim('qwen2.5-coder-1.5b', { rawPrompt: undefined }), () => undefined, new AbortController().signal);
  assert.equal(local.requests[0].body.suffix, ';\n}');
});

test('OpenAI-compatible: a truncated stream is "cut", abort is recorded, server down is "unreachable"', async () => {
  const p = new OpenAICompatibleProvider(local.baseURL, fetchFor('openai-compatible'));
  local.script({ fault: 'truncate', afterTokens: 2 });
  await assert.rejects(p.complete(fim('qwen2.5-coder-1.5b'), () => undefined, new AbortController().signal),
    (e: unknown) => e instanceof ProviderError && e.code === 'cut');
  local.reset();
  local.script({ fault: 'hang' });
  const c = new AbortController();
  const pending = p.complete(fim('qwen2.5-coder-1.5b'), () => undefined, c.signal);
  await local.waitForRequests(1, { timeoutMs: 2000 });
  c.abort();
  assert.equal((await pending).finishReason, 'cancelled');
  await local.ended(local.requests[0]);
  assert.equal(local.requests[0].aborted, true);
  const down = createServerProvider('openai-compatible', { ollamaUrl: '', openaiCompatibleUrl: `http://127.0.0.1:${await closedPort()}/v1` }, gate);
  assert.equal((await down.health(new AbortController().signal)).ok, false);
  const ok = await p.health(new AbortController().signal);
  assert.equal(ok.ok, true);
});

test('auto picks the first server that answers, then the embedded engine', () => {
  assert.equal(chooseLocal('auto', { ollama: true, embedded: true }), 'ollama');
  assert.equal(chooseLocal('auto', { ollama: false, openaiCompatible: true, embedded: true }), 'openai-compatible');
  assert.equal(chooseLocal('auto', { ollama: false, openaiCompatible: false, embedded: true }), 'embedded');
  assert.equal(chooseLocal('auto', { ollama: false, openaiCompatible: false, embedded: false }), 'ollama');
  assert.equal(chooseLocal('openai-compatible', { ollama: true, embedded: false }), 'openai-compatible');
});
