import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as protocol from '../../../src/core/providers/embedded/protocol';
import { isRejected, type Message, type Parsed } from '../../../src/core/protocol';

// A refused message reads as its reason here (a string), an accepted one as the message.
const reasonOr = <T extends Message>(p: Parsed<T>): T | string => (isRejected(p) ? p.error : p);
const parseHostMessage = (v: unknown) => reasonOr(protocol.parseHostMessage(v));
const parseEngineMessage = (v: unknown) => reasonOr(protocol.parseEngineMessage(v));

const load = { type: 'load', id: 'r1', options: { modelPath: '/m.gguf', threads: 1, contextSize: 4096, gpu: false } };
const fim = { type: 'fim', id: 'r2', prefix: 'a', suffix: 'b', maxTokens: 32, temperature: 0.2, stop: ['\n\n'] };
const chat = { type: 'chat', id: 'r3', messages: [{ role: 'user', content: 'hi' }], maxTokens: 64, temperature: 0 };

test('well-formed requests pass unchanged', () => {
  for (const m of [load, fim, chat, { type: 'cancel', id: 'c1', target: 'r2' }, { type: 'stats', id: 's1' }]) {
    assert.deepEqual(parseHostMessage(m), m);
  }
});

test('malformed requests are described, never accepted', () => {
  const bad: unknown[] = [
    null, 'load', 42, { id: 'x' }, { type: 'shutdown', id: 'x' },
    { ...fim, maxTokens: 0 }, { ...fim, maxTokens: 1.5 }, { ...fim, temperature: -1 }, { ...fim, stop: [1] }, { ...fim, prefix: undefined },
    { ...chat, messages: [] }, { ...chat, messages: [{ role: 'tool', content: 'x' }] },
    { ...load, options: { ...load.options, threads: 0 } }, { ...load, options: { ...load.options, modelPath: 7 } },
    { type: 'cancel', id: 'c' },
  ];
  for (const m of bad) {
    const r = parseHostMessage(m);
    assert.equal(typeof r, 'string', `accepted ${JSON.stringify(m)}`);
  }
  assert.match(parseHostMessage({ type: 'shutdown', id: 'x' }) as string, /unknown message type "shutdown"/);
  assert.match(parseHostMessage({ ...fim, maxTokens: 0 }) as string, /malformed "fim"/);
});

test('engine messages are validated too', () => {
  const result = { type: 'result', id: 'r2', result: { text: 'x', finishReason: 'length', promptTokens: 10, cachedTokens: 4, completionTokens: 32, totalMs: 12 } };
  assert.deepEqual(parseEngineMessage(result), result);
  assert.deepEqual(parseEngineMessage({ type: 'chunk', id: 'r2', text: 'abc' }), { type: 'chunk', id: 'r2', text: 'abc' });
  assert.equal(typeof parseEngineMessage({ ...result, result: { ...result.result, finishReason: 'eog' } }), 'string');
  assert.equal(typeof parseEngineMessage({ ...result, result: { ...result.result, completionTokens: -1 } }), 'string');
  assert.equal(typeof parseEngineMessage({ type: 'error', id: 'r', code: 'boom', message: 'x' }), 'string');
  const stats = { pid: 1, requests: 0, active: 0, generatedTokens: 0, cancelled: 0, rssBytes: 1 };
  assert.equal(typeof parseEngineMessage({ type: 'stats', id: 's', stats }), 'object');
  assert.equal(typeof parseEngineMessage({ type: 'stats', id: 's', stats: { ...stats, vram: { totalBytes: 8, freeBytes: 4 } } }), 'object');
  assert.equal(typeof parseEngineMessage({ type: 'stats', id: 's', stats: { ...stats, vram: { totalBytes: 8 } } }), 'string');
});
