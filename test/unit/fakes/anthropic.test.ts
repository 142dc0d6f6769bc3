// The fake Anthropic Messages API against the real `@anthropic-ai/sdk` client.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { countTokens, startFakeAnthropic, tokenize, type FakeAnthropic } from '../../fakes';

const MODEL = 'claude-sonnet-4-6';
const user = (content: string) => ({ role: 'user' as const, content });

describe('fake Anthropic with the real @anthropic-ai/sdk client', () => {
  let fake: FakeAnthropic;
  let client: Anthropic;

  before(async () => {
    fake = await startFakeAnthropic({ apiKey: 'test-key' });
    client = new Anthropic({ baseURL: fake.baseURL, apiKey: 'test-key', maxRetries: 0, logLevel: 'off' });
  });
  beforeEach(() => fake.reset().clearCache().setReply(undefined).setDefaults({}));
  after(() => fake.close());

  it('streams text deltas and a final message whose usage includes cache writes, then cache reads', async () => {
    fake.setReply('Here is the refactor.');
    const system = [{ type: 'text' as const, text: 'You are a careful code reviewer who explains briefly.', cache_control: { type: 'ephemeral' as const } }];
    const params = { model: MODEL, max_tokens: 256, system, messages: [user('Refactor this loop please.')] };

    const deltas: string[] = [];
    const stream = client.messages.stream(params);
    stream.on('text', (t) => deltas.push(t));
    const first = await stream.finalMessage();
    assert.deepEqual(deltas, tokenize('Here is the refactor.'));
    assert.equal(first.content[0].type === 'text' && first.content[0].text, 'Here is the refactor.');
    assert.equal(first.stop_reason, 'end_turn');
    const cached = countTokens(system[0].text);
    assert.deepEqual(
      { ...first.usage },
      {
        ...first.usage,
        input_tokens: countTokens('Refactor this loop please.'),
        cache_creation_input_tokens: cached,
        cache_read_input_tokens: 0,
        output_tokens: deltas.length,
      },
    );

    const second = await client.messages.create(params);
    assert.equal(second.usage.cache_creation_input_tokens, 0);
    assert.equal(second.usage.cache_read_input_tokens, cached);
    assert.equal(second.usage.input_tokens, countTokens('Refactor this loop please.'));

    const [req] = fake.requests;
    assert.ok(req.headers['x-api-key'] === 'test-key' || req.headers.authorization === 'Bearer test-key');
    assert.ok(req.headers['anthropic-version']);
    assert.equal(req.body.stream, true);
    assert.equal(req.completed, true);
  });

  it('sends the documented SSE event sequence', async () => {
    fake.setReply('ok then');
    const types: string[] = [];
    const stream = await client.messages.create({ model: MODEL, max_tokens: 10, messages: [user('hi')], stream: true });
    for await (const event of stream) types.push(event.type);
    assert.deepEqual(types, [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('honours max_tokens and stop_sequences', async () => {
    fake.setReply('first second third fourth');
    const cut = await client.messages.create({ model: MODEL, max_tokens: 2, messages: [user('x')] });
    assert.equal(cut.stop_reason, 'max_tokens');
    assert.equal(cut.usage.output_tokens, 2);
    const stopped = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [user('x')], stop_sequences: [' third'] });
    assert.equal(stopped.stop_reason, 'stop_sequence');
    assert.equal(stopped.stop_sequence, ' third');
    assert.equal(stopped.content[0].type === 'text' && stopped.content[0].text, 'first second');
    assert.equal((await client.messages.countTokens({ model: MODEL, messages: [user('one two')] })).input_tokens, 2);
  });

  it('turns 401, 429 and 529 into the SDK typed errors with request ids', async () => {
    const wrong = new Anthropic({ baseURL: fake.baseURL, apiKey: 'nope', maxRetries: 0, logLevel: 'off' });
    await assert.rejects(wrong.messages.create({ model: MODEL, max_tokens: 5, messages: [user('x')] }), (e) => {
      assert.ok(e instanceof Anthropic.AuthenticationError);
      assert.equal(e.status, 401);
      assert.match(String(e.requestID), /^req_/);
      assert.deepEqual((e.error as { error: unknown }).error, { type: 'authentication_error', message: 'invalid x-api-key' });
      return true;
    });
    fake.script({ status: 429, retryAfter: 30 });
    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 5, messages: [user('x')] }), (e) => {
      assert.ok(e instanceof Anthropic.RateLimitError);
      assert.equal(e.headers?.get('retry-after'), '30');
      return true;
    });
    fake.script({ status: 529 });
    await assert.rejects(client.messages.stream({ model: MODEL, max_tokens: 5, messages: [user('x')] }).finalMessage(), Anthropic.OverloadedError);
    fake.script({ status: 500 });
    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 5, messages: [user('x')] }), Anthropic.InternalServerError);
    await assert.rejects(client.messages.create({ model: 'claude-unknown', max_tokens: 5, messages: [user('x')] }), Anthropic.NotFoundError);
    assert.equal(fake.requests.at(-1)?.status, 404);
  });

  it('malformed, truncated, dropped and errored streams end in a client error or a visible cut, never a hang', async () => {
    fake.setReply('one two three four');
    const final = () => client.messages.stream({ model: MODEL, max_tokens: 50, messages: [user('x')] }).finalMessage();

    fake.script({ fault: 'malformed', afterTokens: 1 });
    await assert.rejects(final(), (e) => e instanceof Anthropic.AnthropicError && /JSON/.test(e.message));

    // Without message_stop the helper never completes a Message.
    fake.script({ fault: 'truncate', afterTokens: 2 });
    await assert.rejects(final(), /stream ended without producing a Message/);
    assert.equal(fake.requests.at(-1)?.tokensSent, 2);

    fake.script({ fault: 'garbage' });
    await assert.rejects(final(), /stream ended without producing a Message/);

    fake.script({ fault: 'drop' });
    await assert.rejects(final(), Anthropic.APIConnectionError);

    fake.script({ fault: 'stream-error', errorType: 'overloaded_error', message: 'Overloaded' });
    await assert.rejects(final(), (e) => e instanceof Anthropic.APIError && /overloaded/i.test(e.message));

    fake.script({ fault: 'truncate' });
    await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 5, messages: [user('x')] }));
  });

  it('a hang is ended by the caller abort through an injected fetch; the fake records the abort', async () => {
    fake.script({ fault: 'hang' });
    const urls: string[] = [];
    const gated = new Anthropic({
      baseURL: fake.baseURL,
      apiKey: 'test-key',
      maxRetries: 0,
      fetch: (url, init) => {
        urls.push(String(url));
        return fetch(url, init);
      },
    });
    const controller = new AbortController();
    const pending = gated.messages.create({ model: MODEL, max_tokens: 5, messages: [user('x')] }, { signal: controller.signal });
    const [req] = await fake.waitForRequests(1);
    controller.abort();
    await assert.rejects(pending, Anthropic.APIUserAbortError);
    await fake.ended(req);
    assert.equal(req.aborted, true);
    assert.deepEqual(urls, [`${fake.baseURL}/v1/messages`]);
  });

  it('lists models', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.deepEqual(ids, fake.models);
  });
});
