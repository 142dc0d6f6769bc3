import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionCache, typedThrough } from '../../../src/core/completion/cache';
import { TypingRhythm } from '../../../src/core/completion/rhythm';

const entry = (prefix: string, text: string, suffix = '') => ({ prefix, suffix, text });

test('LRU: bounded in entries, least recently used goes first', () => {
  const c = new CompletionCache({ maxEntries: 3, maxBytes: 1e9 });
  c.set('a', entry('a', '1'));
  c.set('b', entry('b', '2'));
  c.set('c', entry('c', '3'));
  assert.ok(c.get('a')); // a is now the most recent
  c.set('d', entry('d', '4'));
  assert.equal(c.size, 3);
  assert.equal(c.get('b'), undefined, 'b was least recently used');
  assert.ok(c.get('a') && c.get('c') && c.get('d'));
});

test('LRU: bounded in bytes', () => {
  const c = new CompletionCache({ maxEntries: 1000, maxBytes: 10_000 });
  for (let i = 0; i < 100; i++) c.set(`k${i}`, entry('p'.repeat(1000), `t${i}`));
  assert.ok(c.totalBytes <= 10_000, `${c.totalBytes}`);
  assert.ok(c.size >= 1 && c.size < 10);
  assert.ok(c.get('k99'), 'the newest survives');
  c.set('huge', entry('x'.repeat(20_000), 'y'));
  assert.equal(c.get('huge'), undefined, 'an entry larger than the cache is not stored');
});

test('typing through: the rest of the suggestion while the user types its start', () => {
  const shown = entry('let x = ', 'compute(1);', '\n');
  assert.equal(typedThrough(shown, 'let x = comp', '\n'), 'ute(1);');
  assert.equal(typedThrough(shown, 'let x = cop', '\n'), undefined, 'diverged');
  assert.equal(typedThrough(shown, 'let x = comp', '\nother'), undefined, 'suffix changed');
  assert.equal(typedThrough(shown, 'let x = compute(1);', '\n'), undefined, 'fully typed');
  assert.equal(typedThrough(shown, 'let y = comp', '\n'), undefined, 'prefix changed before the suggestion');
});

test('findTypedThrough looks at recent cached completions', () => {
  const c = new CompletionCache({ maxEntries: 10, maxBytes: 1e6 });
  c.set('k', entry('a.', 'map(f)'));
  assert.equal(c.findTypedThrough('a.ma', ''), 'p(f)');
  assert.equal(c.findTypedThrough('a.x', ''), undefined);
});

test('adaptive debounce follows the typing rhythm within its bounds', () => {
  const opts = { floorMs: 80, capMs: 400, adaptive: true };
  const fast = new TypingRhythm();
  for (let t = 0; t < 3000; t += 90) fast.note(t);
  const slow = new TypingRhythm();
  for (let t = 0; t < 6000; t += 280) slow.note(t);
  assert.ok(fast.delay(opts) < slow.delay(opts), `${fast.delay(opts)} < ${slow.delay(opts)}`);
  assert.ok(fast.delay(opts) >= 80 && slow.delay(opts) <= 400);
  assert.equal(slow.delay({ ...opts, adaptive: false }), 80);
});
