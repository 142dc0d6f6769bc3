import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INTERRUPTED, SAVED_CHARS, restoreHistory, toSaved, type HistoryEntry } from '../../../src/core/tasks/answerHistory';
import type { AnswerStatus } from '../../../src/core/tasks/answerProtocol';

const turn = (status: AnswerStatus, markdown = 'text') => ({
  header: { title: 'Ask', status, reasons: ['r'], tokensEstimated: true, costEstimated: true }, markdown,
});
const entry = (id: string, ...turns: ReturnType<typeof turn>[]): HistoryEntry => ({ id, title: id, time: '2026-12-01T10:00:00Z', turns, actions: { stop: true } });

test('a saved history comes back as it was, without actions, text cut to the saved size', () => {
  const long = 'x'.repeat(SAVED_CHARS + 10);
  const back = restoreHistory(JSON.parse(JSON.stringify(toSaved([entry('a', turn('done', long)), entry('b', turn('failed'))]))));
  assert.deepEqual(back.map((e) => [e.id, e.turns[0].header.status, e.turns[0].markdown.length, e.actions]), [
    ['a', 'done', SAVED_CHARS, {}],
    ['b', 'failed', 4, {}],
  ]);
});

test('a turn saved mid-answer comes back cancelled with the reason, not as a running spinner', () => {
  const [back] = restoreHistory(toSaved([entry('a', turn('done'), turn('streaming', 'half an ans'), turn('routing', ''))]));
  assert.deepEqual(back.turns.map((t) => [t.header.status, t.header.error, t.markdown]), [
    ['done', undefined, 'text'],
    ['cancelled', INTERRUPTED, 'half an ans'],
    ['cancelled', INTERRUPTED, ''],
  ]);
});

test('malformed saved entries and turns are dropped, never trusted', () => {
  const saved: unknown = [null, 'x', { id: 1, title: 't', time: 't', turns: [] }, { id: 'ok', title: 't', time: 't', turns: [{ markdown: 3 }, turn('done')] },
    { id: 'empty', title: 't', time: 't', turns: [{ header: { title: 't' }, markdown: '' }] }];
  assert.deepEqual(restoreHistory(saved).map((e) => [e.id, e.turns.length]), [['ok', 1]]);
  assert.deepEqual(restoreHistory({ not: 'an array' }), []);
});
