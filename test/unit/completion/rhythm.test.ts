import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypingRhythm } from '../../../src/core/completion/rhythm';
import { ModelSpeed } from '../../../src/core/completion/speed';

function typed(gapMs: number, keys = 40): TypingRhythm {
  const r = new TypingRhythm();
  for (let i = 0; i < keys; i++) r.note(i * gapMs);
  return r;
}

test('the wait follows the typing rhythm, then the model speed: a fast model is asked sooner, a slow one later', () => {
  const r = typed(130);
  const opts = { floorMs: 100, capMs: 450, adaptive: true };
  const rhythmOnly = r.delay(opts);
  const fast = r.delay({ ...opts, modelMs: 450 });
  const slow = r.delay({ ...opts, modelMs: 1600 });
  assert.ok(fast < rhythmOnly && rhythmOnly < slow, `${fast} < ${rhythmOnly} < ${slow}`);
  assert.ok(slow > 450, 'a slow model may wait past the usual cap');
  assert.ok(r.delay({ ...opts, modelMs: 450, midWord: true }) >= rhythmOnly, 'inside a word the wait is not shortened');
  assert.equal(r.delay({ ...opts, adaptive: false, modelMs: 450 }), 100, 'adaptation off: the configured debounce');
});

test('the model speed is measured from served requests', () => {
  const s = new ModelSpeed();
  assert.equal(s.firstLineMs(), undefined, 'nothing known yet');
  s.note(150, 150 + 25 * 19, 20);
  assert.equal(s.firstLineMs(), 150 + 12 * 25);
  s.note(undefined, 1000, 0); // no token: nothing learnt
  assert.equal(s.firstLineMs(), 150 + 12 * 25);
});
