import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapCloudError, retryAfterMs, scrubKey } from '../../../src/core/providers/cloudErrors';
import { ProviderError } from '../../../src/core/providers/types';

const ctx = { host: 'api.openai.com', model: 'gpt-4.1-mini', timeoutMs: 30_000 };
const apiError = (status: number, headers: Record<string, string> = {}, body?: unknown) =>
  Object.assign(new Error(`${status} status`), { name: 'APIError', status, headers: new Headers(headers), error: body });

test('401 and 403 are auth errors that say how to fix the key, and never echo it', () => {
  const e = mapCloudError(apiError(401, {}, { error: { message: 'Incorrect API key provided: sk-proj-abcdefghijklmnop' } }), 'openai', ctx);
  assert.equal(e.code, 'auth');
  assert.equal(e.message, 'the OpenAI key was rejected (401) — set it with Switchyard: Set Cloud API Key');
  assert.doesNotMatch(e.message, /sk-/);
  const f = mapCloudError(apiError(403), 'anthropic', ctx);
  assert.equal(f.code, 'auth');
  assert.match(f.message, /the Anthropic key is not allowed to do this \(403\)/);
});

test('429 carries retry-after (seconds, milliseconds or a date)', () => {
  const e = mapCloudError(apiError(429, { 'retry-after': '20' }), 'openai', ctx);
  assert.equal(e.code, 'rate-limit');
  assert.equal(e.options.retryAfterMs, 20_000);
  assert.match(e.message, /rate limiting requests \(429\); try again in 20 s/);
  assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '1500' })), 1500);
  assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(61_000).toUTCString() }), 1_000), 60_000);
  assert.match(mapCloudError(apiError(429), 'openai', ctx).message, /try again shortly/);
});

test('5xx, 404, other 4xx, timeouts, connection failures', () => {
  assert.equal(mapCloudError(apiError(503), 'openai', ctx).code, 'server');
  assert.match(mapCloudError(apiError(500), 'anthropic', ctx).message, /^Anthropic had a server error \(500\)/);
  const missing = mapCloudError(apiError(404), 'openai', ctx);
  assert.equal(missing.code, 'model-missing');
  assert.match(missing.message, /does not know the model "gpt-4.1-mini".*switchyard\.cloud\.openai\.model/);
  const bad = mapCloudError(apiError(400, {}, { error: { message: 'max_tokens too large; key sk-abcdefghijkl' } }), 'openai', ctx);
  assert.equal(bad.code, 'bad-request');
  assert.match(bad.message, /rejected the request \(400\): max_tokens too large; key \[key\]/);
  const timeout = mapCloudError(Object.assign(new Error('timed out'), { name: 'APIConnectionTimeoutError' }), 'openai', ctx);
  assert.equal(timeout.code, 'timeout');
  assert.equal(timeout.message, 'OpenAI did not answer within 30 s');
  const offline = mapCloudError(Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' }), 'anthropic', ctx);
  assert.equal(offline.code, 'unreachable');
  assert.match(offline.message, /cannot reach Anthropic at api\.openai\.com/);
});

test('the egress gate\'s refusal keeps its own words, even wrapped by the SDK', () => {
  const gate = new ProviderError('blocked', 'blocked: api.openai.com is a cloud endpoint and this workspace is never-leave-machine');
  const wrapped = Object.assign(new Error('Connection error.'), { name: 'APIConnectionError', cause: gate });
  assert.equal(mapCloudError(wrapped, 'openai', ctx), gate);
});

test('scrubKey removes key-shaped text and shortens', () => {
  assert.equal(scrubKey('Bearer abc.def and sk-ant-api03-xyzxyzxyz'), 'Bearer [key] and [key]');
  assert.equal(scrubKey('x'.repeat(500)).length, 200);
  assert.doesNotMatch(scrubKey('quota for AIzaSyA1234567890abcdefghijklmnopqrstuv and https://me:hunter2secret@proxy.example/'), /AIza|hunter2/, 'every key shape the redactor knows');
});
