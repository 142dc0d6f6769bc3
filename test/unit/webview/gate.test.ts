import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gate } from '../../../src/core/webview/gate';

test('nothing reaches the page before it is ready; after, everything does, in order', () => {
  const delivered: number[] = [];
  const gate = new Gate<number>((m) => delivered.push(m));
  assert.equal(gate.isOpen, false);
  assert.equal(gate.post(1), false);
  assert.equal(gate.post(2), false);
  assert.deepEqual(delivered, []);
  gate.open();
  assert.equal(gate.post(3), true);
  assert.equal(gate.post(4), true);
  assert.deepEqual(delivered, [3, 4], 'what was posted before "ready" is not replayed: the ready handler posts the whole state');
  assert.equal(gate.dropped, 2);
});

test('a page torn down (hidden, closed, replaced) is gated again until it says ready once more', () => {
  const delivered: string[] = [];
  const gate = new Gate<string>((m) => delivered.push(m));
  gate.open();
  gate.post('a');
  gate.close();
  assert.equal(gate.post('b'), false);
  gate.open();
  gate.post('c');
  assert.deepEqual(delivered, ['a', 'c']);
  assert.equal(gate.dropped, 1);
});
