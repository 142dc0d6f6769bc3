// The cloud chat providers with the real openai / @anthropic-ai/sdk clients against the fake servers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, startFakeAnthropic, startFakeOpenAI } from '../../fakes';
import { countTokens as fakeTokens } from '../../fakes/tokens';
import { createCloudChat } from '../../../src/core/providers/node/cloud';
import { ProviderError, type ChatRequest } from '../../../src/core/providers/types';
import { parseProviderSettings } from '../../../src/core/providers/../settings/providers';
import { SettingsReader } from '../../../src/core/settings/reader';

type Fake = Awaited<ReturnType<typeof startFakeOpenAI>> | Awaited<ReturnType<typeof startFakeAnthropic>>;

const req = (model: string, maxTokens = 200): ChatRequest => ({
  model,
  maxTokens,
  messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'What does add do?' }],
});

for (const kind of ['openai', 'anthropic'] as const) {
  describe(`${kind} chat provider`, () => {
    let fake: Fake;
    const model = kind === 'openai' ? 'gpt-4.1-mini' : 'claude-sonnet-4-5';
    const urls: string[] = [];
    const make = (timeoutMs = 5000) => {
      const settings = parseProviderSettings(new SettingsReader({})).cloud;
      settings.openai.baseUrl = (fake as { baseURL: string }).baseURL;
      settings.anthropic.baseUrl = (fake as { baseURL: string }).baseURL;
      // Stands in for the egress gate's fetch: records what leaves, then sends it.
      const gated: typeof fetch = (input, init) => { urls.push(String(input instanceof Request ? input.url : input)); return fetch(input, init); };
      return createCloudChat({ provider: kind, settings, apiKey: 'sk-test-key-123456', fetch: gated, timeoutMs });
    };

    before(async () => {
      fake = kind === 'openai'
        ? await startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: 'sk-test-key-123456' })
        : await startFakeAnthropic({ models: ['claude-sonnet-4-5'], apiKey: 'sk-test-key-123456' });
    });
    after(() => closeAll(fake));

    test('streams the answer and reports the provider\'s usage', async () => {
      fake.reset();
      fake.script({ text: 'It adds two numbers.' });
      const pieces: string[] = [];
      const r = await make().chat(req(model), (d) => pieces.push(d), new AbortController().signal);
      assert.equal(r.text, 'It adds two numbers.');
      assert.ok(pieces.length > 1, 'streamed in pieces');
      assert.equal(pieces.join(''), r.text);
      assert.equal(r.finishReason, 'stop');
      assert.equal(r.usage?.completionTokens, fakeTokens('It adds two numbers.'));
      const sent = fake.requests[0];
      const promptTokens = kind === 'openai' ? fakeTokens('Be brief.') + fakeTokens('What does add do?') : fakeTokens('Be brief.') + fakeTokens('What does add do?');
      assert.equal(r.usage?.promptTokens, promptTokens);
      assert.ok(r.ttftMs !== undefined && r.ttftMs <= r.totalMs);
      assert.ok(urls.length > 0, 'the request went through the given fetch');
      if (kind === 'openai') {
        assert.deepEqual((sent.body as { stream_options?: unknown }).stream_options, { include_usage: true });
      } else {
        assert.equal((sent.body as { system?: string }).system, 'Be brief.');
      }
      assert.equal(JSON.stringify(sent.body).includes('sk-test'), false);
    });

    test('cache reads and writes are reported as parts of the prompt', async () => {
      fake.reset();
      fake.script({ text: 'ok', usage: { promptTokens: 100, completionTokens: 1, cacheReadTokens: 60, ...(kind === 'anthropic' ? { cacheWriteTokens: 5 } : {}) } });
      const r = await make().chat(req(model), () => undefined, new AbortController().signal);
      assert.equal(r.usage?.cacheReadTokens, 60);
      // promptTokens is every input token, cache parts included (OpenAI reports it so; Anthropic's parts are added).
      if (kind === 'openai') assert.equal(r.usage?.promptTokens, 100);
      else {
        assert.equal(r.usage?.promptTokens, 165);
        assert.equal(r.usage?.cacheWriteTokens, 5);
      }
    });

    test('the token limit shows as finishReason "length"', async () => {
      fake.reset();
      fake.script({ text: 'one two three four five six seven eight nine ten' });
      const r = await make().chat(req(model, 3), () => undefined, new AbortController().signal);
      assert.equal(r.finishReason, 'length');
    });

    test('401 is an auth error naming the fix, without the key', async () => {
      fake.reset();
      fake.script({ status: 401 }, { times: 2 });
      const err = await make().chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'auth');
      assert.match(err.message, /key was rejected \(401\) — set it with Switchyard: Set Cloud API Key/);
      assert.doesNotMatch(err.message, /sk-test/);
    });

    test('429 reports retry-after; 500 is a server error (after one retry)', async () => {
      fake.reset();
      fake.script({ status: 429, retryAfter: 0 }, { times: 2 });
      const rate = await make().chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(rate instanceof ProviderError);
      assert.equal(rate.code, 'rate-limit');
      assert.equal(rate.options.retryAfterMs, 0);
      fake.reset();
      fake.script({ status: 500 }, { times: 2 });
      const server = await make().chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(server instanceof ProviderError);
      assert.equal(server.code, 'server');
      assert.equal(fake.generations.length, 2, 'one retry, then the error');
    });

    test('a server that never answers times out in plain words and the connection is closed', async () => {
      fake.reset();
      fake.script({ fault: 'hang' }, { times: 3 });
      const err = await make(300).chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'timeout');
      assert.match(err.message, /did not answer within 0 s|did not answer within/);
      await fake.settled();
      assert.equal(fake.requests[0].aborted, true);
    });

    test('a cut stream is reported as cut', async () => {
      fake.reset();
      fake.script({ text: 'one two three four', fault: 'truncate', afterTokens: 2 });
      const err = await make().chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(err instanceof ProviderError, String(err));
      assert.ok(['cut', 'malformed'].includes(err.code), err.code);
    });

    test('cancelling mid-stream returns what came and closes the connection', async () => {
      fake.reset();
      fake.script({ text: 'one two three four five six seven eight', chunkMs: 50 });
      const ac = new AbortController();
      const r = await make().chat(req(model), () => ac.abort(), ac.signal);
      assert.equal(r.finishReason, 'cancelled');
      assert.ok(r.text.length < 'one two three four five six seven eight'.length);
      const [sent] = fake.requests;
      await fake.ended(sent);
      assert.equal(sent.aborted, true);
    });

    test('an unreachable server is "unreachable"', async () => {
      const settings = parseProviderSettings(new SettingsReader({})).cloud;
      settings.openai.baseUrl = 'http://127.0.0.1:9/v1';
      settings.anthropic.baseUrl = 'http://127.0.0.1:9';
      const p = createCloudChat({ provider: kind, settings, apiKey: 'k', fetch, timeoutMs: 5000 });
      const err = await p.chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'unreachable');
      assert.match(err.message, /cannot reach (OpenAI|Anthropic) at 127\.0\.0\.1:9/);
    });

    test('the gate\'s refusal reaches the caller as "blocked" and nothing is sent', async () => {
      fake.reset();
      const settings = parseProviderSettings(new SettingsReader({})).cloud;
      settings.openai.baseUrl = (fake as { baseURL: string }).baseURL;
      settings.anthropic.baseUrl = (fake as { baseURL: string }).baseURL;
      const refuse = (async () => { throw new ProviderError('blocked', 'blocked: never-leave-machine'); }) as unknown as typeof fetch;
      const p = createCloudChat({ provider: kind, settings, apiKey: 'k', fetch: refuse, timeoutMs: 5000 });
      const err = await p.chat(req(model), () => undefined, new AbortController().signal).catch((e: unknown) => e);
      assert.ok(err instanceof ProviderError);
      assert.equal(err.code, 'blocked');
      assert.equal(fake.requests.length, 0);
    });
  });
}
