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

test('disposing a subscription twice, or after clear(), is harmless and touches no other listener', () => {
  const e = new Emitter<string>();
  const seen: string[] = [];
  const other: string[] = [];
  const sub = e.on((v) => seen.push(v));
  e.on((v) => other.push(v));
  e.emit('x');
  sub.dispose();
  sub.dispose();
  e.emit('y');
  assert.deepEqual(seen, ['x']);
  assert.deepEqual(other, ['x', 'y']);
  e.clear();
  sub.dispose();
  e.emit('z');
  assert.deepEqual(other, ['x', 'y']);
});
