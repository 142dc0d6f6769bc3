// The fake Ollama against the real `ollama` client.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ollama, type GenerateResponse, type ProgressResponse } from 'ollama';
import { countTokens, startFakeOllama, tokenize, type FakeOllama } from '../../fakes';

describe('fake Ollama with the real ollama client', () => {
  let fake: FakeOllama;
  let client: Ollama;

  before(async () => {
    fake = await startFakeOllama();
    client = new Ollama({ host: fake.baseURL });
  });
  beforeEach(() => {
    fake.reset().setReply(undefined).setDefaults({});
    fake.setModels([
      { name: 'qwen2.5-coder:1.5b-base', family: 'qwen2', fim: true },
      { name: 'llama3.2:latest', family: 'llama', fim: false },
    ]);
  });
  after(() => fake.close());

  it('answers version, tags, show and ps like Ollama', async () => {
    assert.match((await client.version()).version, /^\d+\.\d+\.\d+$/);
    const list = await client.list();
    assert.deepEqual(list.models.map((m) => m.name), ['qwen2.5-coder:1.5b-base', 'llama3.2:latest']);
    assert.equal(list.models[0].details.family, 'qwen2');

    const fim = await client.show({ model: 'qwen2.5-coder:1.5b-base' });
    assert.match(fim.template, /\{\{ \.Suffix \}\}/);
    assert.ok(fim.capabilities.includes('insert'));
    assert.equal(fim.details.family, 'qwen2');
    assert.equal((fim.model_info as unknown as Record<string, unknown>)['general.architecture'], 'qwen2');

    const chat = await client.show({ model: 'llama3.2' });
    assert.doesNotMatch(chat.template, /\.Suffix/);
    assert.ok(!chat.capabilities.includes('insert'));

    await assert.rejects(client.show({ model: 'nope:1b' }), (e: Error & { status_code?: number }) => e.status_code === 404);
    assert.deepEqual((await client.ps()).models, []);
    assert.deepEqual(
      fake.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /api/version', 'GET /api/tags', 'POST /api/show', 'POST /api/show', 'POST /api/show', 'GET /api/ps'],
    );
  });

  it('generates without streaming, honouring suffix, raw, keep_alive and options', async () => {
    fake.setReply('return a + b\n}\n\nfunction sub(a, b) {');
    const prompt = 'function add(a, b) {\n  ';
    const suffix = '\n}';
    const res = await client.generate({
      model: 'qwen2.5-coder:1.5b-base',
      prompt,
      suffix,
      keep_alive: '30m',
      options: { num_predict: 40, temperature: 0.2, stop: ['\n\n'] },
    });
    assert.equal(res.response, 'return a + b\n}');
    assert.equal(res.done, true);
    assert.equal(res.done_reason, 'stop');
    assert.equal(res.prompt_eval_count, countTokens(prompt) + countTokens(suffix));
    assert.equal(res.eval_count, tokenize('return a + b\n}').length);
    assert.ok(res.total_duration > 0 && res.eval_duration > 0 && res.prompt_eval_duration > 0 && res.load_duration > 0);
    assert.equal(res.context.length, res.prompt_eval_count + res.eval_count);

    const [req] = fake.requests;
    assert.equal(req.body.suffix, suffix);
    assert.equal(req.body.keep_alive, '30m');
    assert.equal(req.body.stream, false);
    assert.deepEqual(req.body.options, { num_predict: 40, temperature: 0.2, stop: ['\n\n'] });
    assert.equal(req.completed, true);
    assert.equal(req.aborted, false);

    // num_predict cuts the reply: done_reason "length".
    const short = await client.generate({ model: 'llama3.2', prompt: '<fim_prefix>x', raw: true, options: { num_predict: 3 } });
    assert.equal(short.response, tokenize('return a + b').slice(0, 3).join(''));
    assert.equal(short.done_reason, 'length');
    assert.equal(short.eval_count, 3);
    assert.equal(fake.requests[1].body.raw, true);
  });

  it('streams NDJSON chunks and a final chunk with the stats', async () => {
    fake.setReply('const x = 42;');
    const chunks: GenerateResponse[] = [];
    for await (const chunk of await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'const x', stream: true })) chunks.push(chunk);
    const last = chunks.at(-1) as GenerateResponse;
    assert.equal(chunks.slice(0, -1).map((c) => c.response).join(''), 'const x = 42;');
    assert.ok(chunks.slice(0, -1).every((c) => c.done === false));
    assert.equal(last.done, true);
    assert.equal(last.done_reason, 'stop');
    assert.equal(last.eval_count, tokenize('const x = 42;').length);
    assert.equal(last.prompt_eval_count, countTokens('const x'));
    assert.equal(fake.requests[0].tokensSent, last.eval_count);
  });

  it('chats, streamed and not', async () => {
    fake.setReply(({ messages }) => `You said ${messages.length} things; last: ${messages.at(-1)?.content}`);
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is a monad?' },
    ];
    const whole = await client.chat({ model: 'llama3.2', messages });
    assert.equal(whole.message.role, 'assistant');
    assert.equal(whole.message.content, 'You said 2 things; last: What is a monad?');
    assert.equal(whole.prompt_eval_count, countTokens('Be brief.') + countTokens('What is a monad?'));

    let text = '';
    let final;
    for await (const part of await client.chat({ model: 'llama3.2', messages, stream: true })) {
      text += part.message.content;
      if (part.done) final = part;
    }
    assert.equal(text, whole.message.content);
    assert.equal(final?.eval_count, whole.eval_count);
  });

  it('rejects unknown models and a suffix for a model without FIM', async () => {
    await assert.rejects(client.generate({ model: 'qwen2.5-coder:14b', prompt: 'x' }), (e: Error & { status_code?: number }) => {
      assert.equal(e.status_code, 404);
      assert.equal(e.message, 'model "qwen2.5-coder:14b" not found, try pulling it first');
      return true;
    });
    await assert.rejects(client.generate({ model: 'llama3.2', prompt: 'x', suffix: 'y' }), /does not support insert/);
    await assert.rejects(client.chat({ model: 'missing', messages: [{ role: 'user', content: 'x' }] }), /not found/);
  });

  it('pulls with streamed progress, then lists the model; unknown models fail', async () => {
    const progress: ProgressResponse[] = [];
    for await (const p of await client.pull({ model: 'qwen2.5-coder:0.5b-base', stream: true })) progress.push(p);
    assert.equal(progress[0].status, 'pulling manifest');
    assert.equal(progress.at(-1)?.status, 'success');
    const layer = progress.filter((p) => p.digest === progress[1].digest);
    assert.ok(layer.length > 2);
    assert.ok(layer.every((p, i) => i === 0 || p.completed >= layer[i - 1].completed));
    assert.equal(layer.at(-1)?.completed, layer[0].total);
    assert.match(progress[1].digest, /^sha256:[0-9a-f]{64}$/);
    assert.ok(progress.some((p) => p.status === 'verifying sha256 digest'));
    assert.ok((await client.list()).models.some((m) => m.name === 'qwen2.5-coder:0.5b-base'));
    assert.equal(fake.requests[0].body.name, 'qwen2.5-coder:0.5b-base');

    await assert.rejects(async () => {
      for await (const _ of await client.pull({ model: 'no-such-model', stream: true })) void _;
    }, /file does not exist/);
    assert.deepEqual(await client.pull({ model: 'codellama:7b-code' }), { status: 'success' });
  });

  it('tracks loaded models with keep_alive for /api/ps', async () => {
    await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', keep_alive: -1 });
    await client.generate({ model: 'llama3.2', prompt: 'x', keep_alive: 0 });
    const ps = await client.ps();
    assert.deepEqual(ps.models.map((m) => m.name), ['qwen2.5-coder:1.5b-base']);
    assert.ok(new Date(ps.models[0].expires_at).getFullYear() > 2100);
    const load = await client.generate({ model: 'llama3.2', prompt: '', keep_alive: '10m' });
    assert.equal(load.done_reason, 'load');
    assert.deepEqual(fake.loadedModels.sort(), ['llama3.2:latest', 'qwen2.5-coder:1.5b-base']);
  });

  it('records an aborted stream (ollama.abort) and stops generating', async () => {
    fake.setDefaults({ chunkMs: 5 });
    fake.setReply('word '.repeat(200));
    const stream = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true });
    let seen = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) {
        void _;
        if (++seen === 3) client.abort();
      }
    }, /abort/i);
    const [req] = fake.requests;
    await fake.ended(req);
    assert.equal(req.aborted, true);
    assert.equal(req.completed, false);
    assert.ok(req.tokensGenerated < 200, `generated ${req.tokensGenerated}`);
    assert.ok(req.tokensSent >= 3 && req.tokensSent <= req.tokensGenerated);
  });

  it('a hanging server is cancelled through an injected fetch, and the fake sees the abort', async () => {
    fake.script({ fault: 'hang' });
    const controller = new AbortController();
    const calls: string[] = [];
    const gated = new Ollama({
      host: fake.baseURL,
      fetch: (url, init) => {
        calls.push(String(url));
        return fetch(url, { ...init, signal: controller.signal });
      },
    });
    const pending = gated.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: true });
    const [req] = await fake.waitForRequests(1);
    assert.equal(req.completed, false);
    controller.abort();
    await assert.rejects(pending, /abort/i);
    await fake.ended(req);
    assert.equal(req.aborted, true);
    assert.deepEqual(calls, [`${fake.baseURL}/api/generate`]);
    assert.equal(req.headers['content-type'], 'application/json');
  });

  it('turns scripted faults into client errors, never a hang', async () => {
    const model = 'qwen2.5-coder:1.5b-base';
    const drain = async () => {
      let text = '';
      for await (const part of await client.generate({ model, prompt: 'x', stream: true })) text += part.response;
      return text;
    };
    fake.setReply('one two three four');

    fake.script({ fault: 'truncate', afterTokens: 2 });
    await assert.rejects(drain(), /Did not receive done/);
    assert.equal(fake.requests.at(-1)?.tokensSent, 2);

    fake.script({ fault: 'garbage' });
    await assert.rejects(drain(), /Did not receive done/);

    fake.script({ fault: 'drop' });
    await assert.rejects(drain(), /fetch failed|terminated|socket/i);
    assert.equal(fake.requests.at(-1)?.dropped, true);

    fake.script({ fault: 'drop', afterTokens: 1 });
    await assert.rejects(drain());

    fake.script({ fault: 'stream-error', message: 'llama runner process has terminated' });
    await assert.rejects(drain(), /llama runner process has terminated/);

    fake.script({ status: 500 });
    await assert.rejects(client.generate({ model, prompt: 'x' }), (e: Error & { status_code?: number }) => e.status_code === 500);
    fake.script({ status: 503, message: 'server busy' });
    await assert.rejects(drain(), /server busy/);

    fake.script({ fault: 'truncate' });
    await assert.rejects(client.generate({ model, prompt: 'x' }), SyntaxError);

    // One malformed line is skipped by the client (it warns); the rest of the stream is intact.
    const warn = console.warn;
    const warned: unknown[] = [];
    console.warn = (...args: unknown[]) => void warned.push(args);
    try {
      fake.script({ fault: 'malformed', afterTokens: 2 });
      assert.equal(await drain(), 'one two three four');
      assert.equal(warned.length, 1);
    } finally {
      console.warn = warn;
    }
  });

  it('scripts faults on the model endpoints too', async () => {
    fake.script({ status: 500 }, { match: '/api/tags' });
    await assert.rejects(client.list(), (e: Error & { status_code?: number }) => e.status_code === 500);
    assert.equal((await client.list()).models.length, 2);
    fake.script({ fault: 'garbage' }, { match: /^\/api\/show$/ });
    await assert.rejects(client.show({ model: 'llama3.2' }), SyntaxError);
  });

  it('returns scripted log-probabilities when asked', async () => {
    fake.setReply('a b c');
    const res = await client.generate({ model: 'llama3.2', prompt: 'x', logprobs: true, top_logprobs: 2 });
    assert.equal(res.logprobs?.length, 3);
    assert.ok(res.logprobs?.every((l) => l.logprob < 0 && l.logprob > -0.1 && l.top_logprobs?.length === 2));
    fake.script({ logprobs: [-0.01, -4, -0.2] });
    const low = await client.generate({ model: 'llama3.2', prompt: 'x', logprobs: true });
    assert.deepEqual(low.logprobs?.map((l) => l.logprob), [-0.01, -4, -0.2]);
    assert.equal((await client.generate({ model: 'llama3.2', prompt: 'x' })).logprobs, undefined);
  });
});

describe('fake Ollama speed mode', () => {
  let fake: FakeOllama;
  before(async () => {
    fake = await startFakeOllama({ defaults: { speed: { prefillMs: 5, perTokenMs: 4, loadMs: 15 } } });
  });
  after(() => fake.close());

  it('charges the load once, reports it, and stops a non-streamed generation when the client leaves', async () => {
    const client = new Ollama({ host: fake.baseURL });
    fake.setReply('tok '.repeat(5));
    const cold = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x' });
    assert.ok(cold.load_duration >= 10e6, `load ${cold.load_duration}`);
    const warm = await client.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x' });
    assert.ok(warm.load_duration < cold.load_duration);
    assert.ok(warm.eval_duration >= 4 * 4e6 * 0.9);

    fake.setReply('tok '.repeat(500));
    const controller = new AbortController();
    const gated = new Ollama({ host: fake.baseURL, fetch: (u, init) => fetch(u, { ...init, signal: controller.signal }) });
    const pending = gated.generate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x' });
    const [, , req] = await fake.waitForRequests(3);
    while (req.tokensGenerated < 3) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await assert.rejects(pending);
    await fake.ended(req);
    const afterAbort = req.tokensGenerated;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(req.tokensGenerated, afterAbort, 'generation stopped');
    assert.ok(afterAbort < 500);
    assert.equal(req.tokensSent, 0);
    assert.equal(req.aborted, true);
    assert.ok(req.modelMs > 0);
  });

  it('queues requests beyond `parallel`', async () => {
    const client = new Ollama({ host: fake.baseURL });
    // Long enough (~400 ms) that the second request arrives while the first holds the slot, even on a loaded machine.
    fake.reset().setReply('tok '.repeat(100));
    await Promise.all([client.generate({ model: 'llama3.2', prompt: 'x' }), client.generate({ model: 'llama3.2', prompt: 'y' })]);
    const [first, second] = fake.requests;
    assert.equal(Math.min(first.queuedMs, second.queuedMs), 0);
    assert.ok(Math.max(first.queuedMs, second.queuedMs) > 0);
  });
});
