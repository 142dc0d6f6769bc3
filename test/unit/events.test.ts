import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { Emitter } from '../../src/core/events';

test('Emitter.on returns a Disposable: dispose() unsubscribes, and only that listener', () => {
  const e = new Emitter<number>();
  const a: number[] = [];
  const b: number[] = [];
  const subA = e.on((v) => a.push(v));
  e.on((v) => b.push(v));
  e.emit(1);
  subA.dispose();
  e.emit(2);
  subA.dispose(); // a second dispose is harmless
  e.emit(3);
  assert.deepEqual(a, [1]);
  assert.deepEqual(b, [1, 2, 3]);
});

test('the subscription is also callable, and unsubscribes the same way', () => {
  const e = new Emitter<string>();
  const seen: string[] = [];
  const off = e.on((v) => seen.push(v));
  e.emit('x');
  off();
  e.emit('y');
  assert.deepEqual(seen, ['x']);
});
