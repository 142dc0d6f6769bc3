// The fake OpenAI (cloud and OpenAI-compatible local) server against the real `openai` client.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { countTokens, startFakeOpenAI, tokenize, type FakeOpenAI } from '../../fakes';

const user = (content: string) => ({ role: 'user' as const, content });

describe('fake OpenAI with the real openai client', () => {
  let fake: FakeOpenAI;
  let client: OpenAI;

  before(async () => {
    fake = await startFakeOpenAI({ apiKey: 'sk-test-1234' });
    client = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test-1234', maxRetries: 0, logLevel: 'off' });
  });
  beforeEach(() => fake.reset().setReply(undefined).setDefaults({}));
  after(() => fake.close());

  it('lists models', async () => {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, fake.models);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer sk-test-1234');
  });

  it('streams a chat with include_usage: deltas, finish_reason, then a usage chunk with empty choices', async () => {
    fake.setReply('Use a Map for O(1) lookups.');
    const messages = [{ role: 'system' as const, content: 'You are terse.' }, user('How do I speed this up?')];
    const stream = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) {
        usage = chunk.usage;
        assert.deepEqual(chunk.choices, []);
      }
    }
    assert.equal(text, 'Use a Map for O(1) lookups.');
    assert.equal(finish, 'stop');
    assert.equal(usage?.prompt_tokens, countTokens('You are terse.') + countTokens('How do I speed this up?'));
    assert.equal(usage?.completion_tokens, tokenize(text).length);
    assert.equal(usage?.total_tokens, (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
    assert.deepEqual(fake.requests[0].body.stream_options, { include_usage: true });
    assert.equal(fake.requests[0].completed, true);

    // Without include_usage no chunk carries usage.
    const plain = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages, stream: true });
    for await (const chunk of plain) assert.equal(chunk.usage, undefined);
  });

  it('answers a non-streamed chat with usage, honouring max_tokens and stop', async () => {
    fake.setReply('alpha beta gamma delta');
    const long = await client.chat.completions.create({ model: 'gpt-4.1', messages: [user('go')], max_tokens: 2 });
    assert.equal(long.choices[0].message.content, 'alpha beta');
    assert.equal(long.choices[0].finish_reason, 'length');
    assert.equal(long.usage?.completion_tokens, 2);
    const stopped = await client.chat.completions.create({ model: 'gpt-4.1', messages: [user('go')], stop: [' gamma'] });
    assert.equal(stopped.choices[0].message.content, 'alpha beta');
    assert.equal(stopped.choices[0].finish_reason, 'stop');
    fake.script({ usage: { cacheReadTokens: 1 } });
    const cached = await client.chat.completions.create({ model: 'gpt-4.1', messages: [user('go')] });
    assert.equal(cached.usage?.prompt_tokens_details?.cached_tokens, 1);
  });

  it('serves legacy completions with suffix, streamed and not, as a local server would', async () => {
    const local = await startFakeOpenAI({ models: ['qwen2.5-coder-1.5b'], ownedBy: 'llamacpp' });
    try {
      const localClient = new OpenAI({ baseURL: local.baseURL, apiKey: 'none', maxRetries: 0 });
      local.setReply(({ prompt, suffix }) => (suffix === '\n}' && prompt.endsWith('{\n') ? '  return a + b;' : 'wrong'));
      const whole = await localClient.completions.create({ model: 'qwen2.5-coder-1.5b', prompt: 'function add(a, b) {\n', suffix: '\n}', max_tokens: 64 });
      assert.equal(whole.choices[0].text, '  return a + b;');
      assert.equal(whole.choices[0].finish_reason, 'stop');
      assert.equal(whole.usage?.prompt_tokens, countTokens('function add(a, b) {\n') + countTokens('\n}'));

      const stream = await localClient.completions.create({
        model: 'qwen2.5-coder-1.5b',
        prompt: 'function add(a, b) {\n',
        suffix: '\n}',
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.text ?? '';
        usage = chunk.usage ?? usage;
      }
      assert.equal(text, '  return a + b;');
      assert.equal(usage?.completion_tokens, tokenize(text).length);
      assert.deepEqual(local.requests.map((r) => r.body.suffix), ['\n}', '\n}']);
      assert.equal((await localClient.models.list()).data[0].owned_by, 'llamacpp');
    } finally {
      await local.close();
    }
  });

  it('returns log-probabilities for chat and legacy completions when asked', async () => {
    fake.setReply('maybe yes');
    fake.script({ logprobs: [-0.05, -2.3] });
    const chat = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('?')], logprobs: true, top_logprobs: 3 });
    const content = chat.choices[0].logprobs?.content ?? [];
    assert.deepEqual(content.map((c) => [c.token, c.logprob]), [['maybe', -0.05], [' yes', -2.3]]);
    assert.ok(content.every((c) => c.top_logprobs.length === 3));
    assert.ok(content[1].top_logprobs.some((t) => t.logprob > -2.3), 'an alternative is likelier than a doubtful token');

    const stream = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('?')], logprobs: true, stream: true });
    const streamed = [];
    for await (const chunk of stream) streamed.push(...(chunk.choices[0]?.logprobs?.content ?? []));
    assert.deepEqual(streamed.map((c) => c.token), ['maybe', ' yes']);

    const legacy = await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x', logprobs: 2 });
    assert.deepEqual(legacy.choices[0].logprobs?.tokens, ['maybe', ' yes']);
    assert.equal(Object.keys(legacy.choices[0].logprobs?.top_logprobs?.[0] ?? {}).length, 2);

    const none = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('?')] });
    assert.equal(none.choices[0].logprobs, null);
  });

  it('turns 401, 404, 429 and 500 into the SDK typed errors with OpenAI error bodies', async () => {
    const wrongKey = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-wrong-9999', maxRetries: 0, logLevel: 'off' });
    await assert.rejects(wrongKey.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')] }), (e) => {
      assert.ok(e instanceof OpenAI.AuthenticationError);
      assert.equal(e.code, 'invalid_api_key');
      assert.match(e.message, /Incorrect API key provided: sk-\*+9999/);
      return true;
    });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-9', messages: [user('x')] }), (e) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'model_not_found');
      return true;
    });
    fake.script({ status: 429, retryAfter: 7 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')] }), (e) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.headers?.get('retry-after'), '7');
      assert.equal(e.type, 'requests');
      assert.match(String(e.requestID), /^req_/);
      return true;
    });
    fake.script({ status: 500 });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')], stream: true }), OpenAI.InternalServerError);
    fake.script({ status: 503 });
    await assert.rejects(client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }), OpenAI.InternalServerError);
  });

  it('lets the SDK retry after a 429 as the retry headers say', async () => {
    const retrying = new OpenAI({ baseURL: fake.baseURL, apiKey: 'sk-test-1234', maxRetries: 2, logLevel: 'off' });
    fake.script({ status: 429, headers: { 'retry-after-ms': '5' } }, { times: 2 });
    fake.setReply('finally');
    const res = await retrying.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')] });
    assert.equal(res.choices[0].message.content, 'finally');
    assert.deepEqual(fake.requests.map((r) => r.status), [429, 429, 200]);
  });

  it('malformed, truncated, garbage, dropped and errored streams end in an error or a visible cut, never a hang', async () => {
    fake.setReply('one two three four');
    const drain = async () => {
      const stream = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')], stream: true, stream_options: { include_usage: true } });
      const seen = { text: '', finish: null as string | null, usage: false };
      for await (const chunk of stream) {
        seen.text += chunk.choices[0]?.delta.content ?? '';
        seen.finish = chunk.choices[0]?.finish_reason ?? seen.finish;
        seen.usage ||= !!chunk.usage;
      }
      return seen;
    };
    fake.script({ fault: 'malformed', afterTokens: 1 });
    await assert.rejects(drain(), SyntaxError);

    // The SDK ends a cut stream quietly: the missing finish_reason and usage are the only signs.
    fake.script({ fault: 'truncate', afterTokens: 2 });
    assert.deepEqual(await drain(), { text: 'one two', finish: null, usage: false });

    // Lines that are not SSE fields are skipped: an HTML page reads as an empty stream.
    fake.script({ fault: 'garbage' });
    assert.deepEqual(await drain(), { text: '', finish: null, usage: false });

    fake.script({ fault: 'drop' });
    await assert.rejects(drain(), OpenAI.APIConnectionError);

    fake.script({ fault: 'drop', afterTokens: 2 });
    await assert.rejects(drain());

    fake.script({ fault: 'stream-error', message: 'The server had an error' });
    await assert.rejects(drain(), (e) => e instanceof OpenAI.APIError && /The server had an error/.test(e.message));

    fake.script({ fault: 'truncate' });
    await assert.rejects(client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')] }));

    fake.script({ fault: 'malformed' });
    await assert.rejects(client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'x' }));
  });

  it('a hang is ended by the caller abort; the fake records it, also through an injected fetch', async () => {
    fake.script({ fault: 'hang' });
    const seen: string[] = [];
    const gated = new OpenAI({
      baseURL: fake.baseURL,
      apiKey: 'sk-test-1234',
      maxRetries: 0,
      fetch: (url, init) => {
        seen.push(`${init?.method} ${String(url)}`);
        return fetch(url, init);
      },
    });
    const controller = new AbortController();
    const pending = gated.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')], stream: true }, { signal: controller.signal });
    const [req] = await fake.waitForRequests(1);
    controller.abort();
    await assert.rejects(pending, OpenAI.APIUserAbortError);
    await fake.ended(req);
    assert.equal(req.aborted, true);
    assert.deepEqual(seen, [`POST ${fake.baseURL}/chat/completions`]);
  });

  it('stops generating when a streaming client breaks off', async () => {
    fake.setDefaults({ chunkMs: 5 });
    fake.setReply('tok '.repeat(100));
    const stream = await client.chat.completions.create({ model: 'gpt-4.1-mini', messages: [user('x')], stream: true });
    let n = 0;
    for await (const chunk of stream) if (chunk.choices[0]?.delta.content && ++n === 3) break;
    const [req] = fake.requests;
    await fake.ended(req);
    assert.equal(req.aborted, true);
    assert.ok(req.tokensGenerated < 100 && req.tokensSent >= 3);
  });
});
