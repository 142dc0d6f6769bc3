import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADOPT_GRACE_MS, CompletionPipeline, type CompletionRequest, type PipelineSettings } from '../../../src/core/completion/pipeline';
import { linesOf } from '../../../src/core/completion/window';
import { ProviderError } from '../../../src/core/providers/types';
import type { ModelCallEvent } from '../../../src/core/types';
import { FakeClock, settle } from './fakeClock';
import { ScriptedModel, pieces } from './scriptedModel';

const settings: PipelineSettings = {
  debounceMs: 100, adaptiveDebounce: false, maxTokens: 64, temperature: 0.2, contextTokens: 1024,
  template: 'auto', keepAlive: '30m', multiline: 'auto', timeoutMs: 10_000, slowMs: 3000,
};

function setup(answer: (prefix: string) => string, opts: Partial<PipelineSettings> = {}, speed = { prefillMs: 300, perTokenMs: 25 }) {
  const clock = new FakeClock();
  const model = new ScriptedModel(clock, (req) => pieces(answer(req.prefix)), speed.prefillMs, speed.perTokenMs);
  const events: ModelCallEvent[] = [];
  const errors: ProviderError[] = [];
  const more: string[] = [];
  const pipeline = new CompletionPipeline({
    clock,
    settings: () => ({ ...settings, ...opts }),
    provider: () => ({ id: 'ollama', fim: model, model: 'qwen2.5-coder:1.5b-base', endpointClass: 'machine' }),
    emit: (e) => events.push(e),
    onError: (e) => errors.push(e),
    onMore: (docKey) => more.push(docKey),
  });
  return { clock, model, events, errors, more, pipeline };
}

/** The request for a document whose text is `before` + cursor + `after`. */
function at(before: string, after = '', docKey = 'a.ts'): CompletionRequest {
  const lines = before.split('\n');
  return { docKey, doc: linesOf(before + after), line: lines.length - 1, character: lines[lines.length - 1].length, languageId: 'typescript', path: 'a.ts' };
}

/** A cancellation source like VS Code's token. */
function token() {
  const c = new AbortController();
  return { signal: c.signal, cancel: () => c.abort() };
}

test('debounce: keystrokes closer than the wait make no request; the pause makes one', async () => {
  const { clock, model, pipeline } = setup(() => 'compute(1);');
  const typed = 'const total = ';
  const results: Array<Promise<unknown>> = [];
  let prev = token();
  for (let i = 1; i <= typed.length; i++) {
    prev.cancel(); // VS Code cancels the previous call on each keystroke
    prev = token();
    results.push(pipeline.provide(at(typed.slice(0, i)), prev.signal));
    await clock.advance(60);
  }
  assert.equal(model.calls.length, 0, 'no request while typing');
  await clock.advance(2000);
  assert.equal(model.calls.length, 1, 'one request for the pause');
  const all = await Promise.all(results);
  assert.deepEqual(all.at(-1), { text: 'compute(1);', source: 'model' });
  assert.ok(all.slice(0, -1).every((r) => r === undefined));
  assert.deepEqual(model.calls[0].req.stop.includes('\n'), true, 'single line: the server stops at the newline');
  assert.match(model.calls[0].req.rawPrompt ?? '', /^<\|file_sep\|>a\.ts\n<\|fim_prefix\|>const total = <\|fim_suffix\|><\|fim_middle\|>$/);
});

test('a cancelled token during the debounce makes no request', async () => {
  const { clock, model, pipeline } = setup(() => 'x');
  const t = token();
  const p = pipeline.provide(at('let a = '), t.signal);
  await clock.advance(50);
  t.cancel();
  await clock.advance(1000);
  assert.equal(await p, undefined);
  assert.equal(model.calls.length, 0);
});

test('typing something else aborts the running request; one event per call', async () => {
  const { clock, model, events, more, pipeline } = setup(() => 'compute(1, 2, 3, 4, 5)');
  const t1 = token();
  const p1 = pipeline.provide(at('let a = '), t1.signal);
  await clock.advance(100 + 350); // debounce, prefill, two pieces
  assert.equal(model.calls.length, 1);
  t1.cancel();
  const t2 = token();
  const p2 = pipeline.provide(at('let a = x'), t2.signal); // the stream says "compute"
  await settle();
  assert.equal(model.calls[0].aborted, true, 'the HTTP request is aborted');
  assert.equal(await p1, undefined);
  await clock.advance(2000);
  // The line is slow to finish: its words so far first, then all of it from the same request.
  assert.deepEqual(await p2, { text: 'compute(1, 2, 3,', source: 'model' });
  assert.deepEqual(more, ['a.ts']);
  assert.deepEqual(await pipeline.provide({ ...at('let a = x'), immediate: true }, token().signal), { text: 'compute(1, 2, 3, 4, 5)', source: 'cache' });
  assert.equal(model.calls.length, 2);
  assert.deepEqual(events.map((e) => e.outcome), ['cancelled', 'served']);
  const served = events[1];
  assert.equal(served.kind, 'completion');
  assert.equal(served.route, 'local');
  assert.equal(served.endpointClass, 'machine');
  assert.deepEqual(served.usage, { promptTokens: 100, completionTokens: pieces('compute(1, 2, 3, 4, 5)').length });
  assert.equal(served.ttftMs, 300);
  assert.equal(events[0].usage, undefined);
});

test('an edit stops a request streaming behind a suggestion already shown, unless the next call adopts it', async () => {
  const line = Array.from({ length: 30 }, (_, i) => `arg${i}`).join(', ');
  const { clock, model, events, pipeline } = setup(() => `call(${line})`, {}, { prefillMs: 100, perTokenMs: 60 });
  const p = pipeline.provide(at('const r = '), token().signal);
  for (let i = 0; i < 100 && !model.calls[0]?.emitted; i++) await clock.advance(20);
  await clock.advance(600);
  const words = await p;
  assert.ok(words && words.text.startsWith('call(arg0'), 'its words so far are shown');
  assert.equal(model.calls[0].aborted, false, 'the line streams on behind them');
  // A key the editor does not (yet) ask about: the request stops after the grace period.
  pipeline.edited('a.ts');
  await clock.advance(ADOPT_GRACE_MS + 10);
  assert.equal(model.calls[0].aborted, true);
  assert.deepEqual(events.map((e) => e.outcome), ['cancelled']);
  // The same, adopted in time by a call that types through the suggestion: it goes on.
  const q = pipeline.provide(at('const s = '), token().signal);
  for (let i = 0; i < 100 && !model.calls[1]?.emitted; i++) await clock.advance(20);
  await clock.advance(600);
  const shown = await q;
  assert.ok(shown);
  pipeline.edited('a.ts');
  const typed = pipeline.provide(at('const s = ' + shown.text.slice(0, 3)), token().signal);
  await clock.advance(2000);
  assert.ok((await typed)?.text.startsWith(shown.text.slice(3)));
  assert.deepEqual(events.map((e) => e.outcome), ['cancelled', 'served'], 'adopted: it ran to its end');
});

test('an edit stops a request whose caller still waits, when the editor does not call for the new text in time', async () => {
  const { clock, model, events, pipeline } = setup(() => 'compute(1, 2, 3, 4, 5)', {}, { prefillMs: 100, perTokenMs: 200 });
  const stale = pipeline.provide(at('let a = '), token().signal); // the editor never cancels this call
  for (let i = 0; i < 100 && !model.calls[0]?.emitted; i++) await clock.advance(20);
  pipeline.edited('a.ts');
  await clock.advance(ADOPT_GRACE_MS + 10);
  assert.equal(model.calls[0].aborted, true);
  assert.equal(await stale, undefined);
  assert.deepEqual(events.map((e) => e.outcome), ['cancelled']);
  // Called in time, the editor's call decides: here it types what the model streams, so it goes on.
  const next = pipeline.provide(at('let b = '), token().signal);
  for (let i = 0; i < 100 && !model.calls[1]?.emitted; i++) await clock.advance(20);
  pipeline.edited('a.ts');
  const typed = pipeline.provide(at('let b = c'), token().signal);
  await clock.advance(ADOPT_GRACE_MS + 10);
  assert.equal(model.calls[1].aborted, false, 'kept');
  await clock.advance(5000);
  assert.ok((await typed)?.text.startsWith('ompute(1'), 'the rest of what the model wrote');
  await next;
  assert.equal(model.calls.length, 2);
});

test('in-flight reuse: typing what the model streams keeps the request', async () => {
  const { clock, model, pipeline } = setup(() => 'compute(1, 2)');
  const t1 = token();
  void pipeline.provide(at('let a = '), t1.signal);
  await clock.advance(100 + 300 + 30); // two pieces streamed: "comp", "ute"
  t1.cancel();
  const p2 = pipeline.provide(at('let a = co'), token().signal);
  await clock.advance(2000);
  assert.equal(model.calls.length, 1, 'not restarted');
  assert.equal(model.calls[0].aborted, false);
  assert.deepEqual(await p2, { text: 'mpute(1, 2)', source: 'reuse' });
  assert.equal(pipeline.stats.reuseHits, 1);
});

test('in-flight reuse before the first token: what was typed is checked against the stream', async () => {
  const { clock, model, pipeline } = setup(() => 'compute(1);');
  const t1 = token();
  void pipeline.provide(at('let a = '), t1.signal);
  await clock.advance(150); // in prefill
  t1.cancel();
  const p2 = pipeline.provide(at('let a = c'), token().signal);
  await clock.advance(2000);
  assert.equal(model.calls.length, 1);
  assert.deepEqual(await p2, { text: 'ompute(1);', source: 'reuse' });
});

test('a request nobody adopts is aborted after the grace period', async () => {
  const { clock, model, events, pipeline } = setup(() => 'compute(1, 2, 3, 4, 5, 6, 7, 8, 9);');
  const t = token();
  const p = pipeline.provide(at('let a = '), t.signal);
  await clock.advance(100 + 320);
  t.cancel(); // e.g. Escape
  assert.equal(await p, undefined);
  await clock.advance(ADOPT_GRACE_MS - 10);
  assert.equal(model.calls[0].aborted, false, 'still adoptable');
  await clock.advance(20);
  assert.equal(model.calls[0].aborted, true);
  assert.equal(events.at(-1)?.outcome, 'cancelled');
});

test('typing through the shown suggestion shows the rest without a request', async () => {
  const { clock, model, pipeline, events } = setup(() => 'compute(1, 2);');
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(2000);
  assert.equal((await p)?.text, 'compute(1, 2);');
  for (const [typed, rest] of [['c', 'ompute(1, 2);'], ['co', 'mpute(1, 2);'], ['comp', 'ute(1, 2);']] as const) {
    assert.deepEqual(await pipeline.provide(at(`let a = ${typed}`), token().signal), { text: rest, source: 'typing-through' });
  }
  assert.equal(model.calls.length, 1);
  assert.equal(pipeline.stats.typingThroughHits, 3);
  // Hits are reported as one coalesced 'cached' event after a quiet period.
  assert.equal(events.filter((e) => e.outcome === 'cached').length, 0);
  await clock.advance(6000);
  const cached = events.filter((e) => e.outcome === 'cached');
  assert.equal(cached.length, 1);
  assert.match(cached[0].reasons[0], /^3 suggestions from cache/);
});

test('cache: the same window again (backspace, retype) is served without a request', async () => {
  const { clock, model, pipeline } = setup(() => 'compute(1);');
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(2000);
  await p;
  const q = pipeline.provide(at('let a ='), token().signal); // backspace: a new window
  await clock.advance(2000);
  await q;
  assert.equal(model.calls.length, 2);
  assert.deepEqual(await pipeline.provide(at('let a = '), token().signal), { text: 'compute(1);', source: 'cache' });
  assert.equal(model.calls.length, 2);
});

test('multi-line: the request stops at the end of the block and only the block is shown', async () => {
  const body = '\n  const y = x * 2;\n  return y;\n}\n\nfunction next() {\n  return 0;\n}\n';
  const { clock, model, more, pipeline } = setup(() => body, {}, { prefillMs: 100, perTokenMs: 10 });
  const p = pipeline.provide(at('function f(x) {', '\n'), token().signal);
  await clock.advance(5000);
  assert.deepEqual(await p, { text: '\n  const y = x * 2;', source: 'model' }, 'the first line at once');
  assert.deepEqual(more, ['a.ts'], 'the editor is asked to show the whole block');
  assert.deepEqual(await pipeline.provide({ ...at('function f(x) {', '\n'), immediate: true }, token().signal), { text: '\n  const y = x * 2;\n  return y;\n}', source: 'cache' });
  assert.equal(model.calls[0].aborted, true, 'stopped early: the server generated no more');
  assert.ok(model.calls[0].emitted < pieces(body).length);
  assert.equal(pipeline.stats.generatedTokens, model.calls[0].emitted);
});

test('multi-line: a first line slow to finish shows its words so far, then the line, then the whole block', async () => {
  const body = '\n  const total = values.reduce((sum, v) => sum + v, 0);\n  return total;\n}\n';
  const firstLine = body.slice(0, body.indexOf('\n', 1));
  const { clock, model, more, pipeline } = setup(() => body, {}, { prefillMs: 400, perTokenMs: 40 });
  const ask = () => pipeline.provide({ ...at('function f(values) {', '\n'), immediate: true }, token().signal);
  const p = pipeline.provide(at('function f(values) {', '\n'), token().signal);
  for (let i = 0; i < 100 && !more.length; i++) await clock.advance(20);
  const words = await p;
  assert.ok(words && firstLine.startsWith(words.text) && words.text.length < firstLine.length, JSON.stringify(words));
  assert.match(words.text, /^\n {2}const total[^\n]*[^\w\s]$/, 'ends at a punctuation boundary of the first line');
  // The first line is complete: the editor is asked to show it while the block streams on.
  assert.deepEqual(more, ['a.ts']);
  assert.deepEqual(await ask(), { text: firstLine, source: 'reuse' });
  await clock.advance(5000);
  assert.deepEqual(more, ['a.ts', 'a.ts'], 'then the whole block');
  assert.deepEqual(await ask(), { text: body.slice(0, body.lastIndexOf('}') + 1), source: 'cache' });
  assert.equal(model.calls.length, 1, 'one request');
});

test('single line: the request stops once the statement is finished, without waiting for the newline', async () => {
  const { clock, model, events, pipeline } = setup(() => 'compute(1);\nlet b = 2;\n');
  const p = pipeline.provide(at('let a = ', '\n'), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await p, { text: 'compute(1);', source: 'model' });
  assert.equal(model.calls[0].aborted, true, 'aborted after the `;`');
  assert.equal(model.calls[0].emitted, pieces('compute(1);').length, 'no token after the statement');
  assert.deepEqual(events.map((e) => e.outcome), ['served']);
  assert.equal(pipeline.stats.shownTokens, pipeline.stats.generatedTokens);
});

test('single line: a long line shows its words so far at a punctuation boundary once the time budget is spent', async () => {
  const { SINGLE_LINE_BUDGET_MS } = await import('../../../src/core/completion/pipeline');
  const line = Array.from({ length: 40 }, (_, i) => `arg${i}`).join(', ');
  const { clock, model, pipeline } = setup(() => `call(${line})`);
  const p = pipeline.provide(at('const r = '), token().signal);
  await clock.advance(10_000);
  const r = await p;
  assert.ok(r && r.source === 'model');
  assert.match(r.text, /^call\(arg0, arg1, .*,$/, 'ends at a comma, not mid-word');
  assert.ok(r.text.length < `call(${line})`.length);
  assert.equal(model.calls[0].aborted, true);
  assert.ok(model.calls[0].emitted <= Math.ceil((SINGLE_LINE_BUDGET_MS - 300) / 25) + 3, `${model.calls[0].emitted} tokens`);
  assert.equal(pipeline.stats.shownTokens, pipeline.stats.generatedTokens, 'every generated token is shown');
});

test('after a finished statement at the end of a line: the suggestion is the next lines, never more on that line', async () => {
  const { clock, model, more, pipeline } = setup((prefix) => {
    const answers: Record<string, string> = { 'let a = 1;': '\nlet b = 2;\nlet c = 3;\n', 'next(); ': ' bar();', 'call(x); ': ' // why', '/** Doc. */': '.then(f);', 'call(x); \n  ': 'foo();', 'Doc. */\n': 'foo();' };
    return Object.entries(answers).find(([end]) => prefix.endsWith(end))?.[1] ?? ' foo();';
  });
  const p = pipeline.provide(at('let a = 1;', '\n'), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await p, { text: '\nlet b = 2;', source: 'model' }, 'the next line, at once');
  assert.deepEqual(more, ['a.ts']);
  assert.deepEqual(await pipeline.provide({ ...at('let a = 1;', '\n'), immediate: true }, token().signal), { text: '\nlet b = 2;\nlet c = 3;', source: 'cache' });
  assert.equal(model.calls[0].req.stop.includes('\n'), false, 'the server may write lines');
  // A model that starts the next statement without its newline: it is shown on the next line.
  const n = pipeline.provide(at('  next(); ', ''), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await n, { text: '\n  bar();', source: 'model' });
  // A model that goes on on the finished line (a comment, a chained call): that request stops at its
  // first token, and one more asks with the prompt ending on the next line, at the line's indentation.
  for (const [before, lead] of [['  call(x); ', '\n  '], ['/** Doc. */', '\n']]) {
    const calls = model.calls.length;
    const q = pipeline.provide(at(before, '', before), token().signal);
    await clock.advance(4000);
    assert.equal(model.calls[calls].emitted, 1, 'stopped at once');
    assert.equal(model.calls.length, calls + 2, 'asked once more');
    assert.ok(model.calls[calls + 1].req.prefix.endsWith(before + lead), JSON.stringify(model.calls[calls + 1].req.prefix.slice(-20)));
    assert.deepEqual(await q, { text: lead + 'foo();', source: 'model' }, 'shown from the next line');
  }
  const r = pipeline.provide(at('for (let i = 0;'), token().signal); // the statement goes on
  await clock.advance(2000);
  assert.equal((await r)?.text, ' foo();');
});

test('mid-word: no request', async () => {
  const { clock, model, pipeline } = setup(() => 'x');
  const p = pipeline.provide(at('let va', 'lue = 1'), token().signal);
  await clock.advance(1000);
  assert.equal(await p, undefined);
  assert.equal(model.calls.length, 0);
});

test('server failure: no exception, one failed event, the error is reported', async () => {
  const { clock, model, events, errors, pipeline } = setup(() => 'x');
  model.fail = new ProviderError('unreachable', 'nothing answers at http://127.0.0.1:11434');
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(1000);
  assert.equal(await p, undefined);
  assert.deepEqual(events.map((e) => [e.outcome, e.error]), [['failed', 'nothing answers at http://127.0.0.1:11434']]);
  assert.equal(errors[0].code, 'unreachable');
});

test('timeout: a request that runs too long is stopped and reported as failed', async () => {
  const { clock, model, events, errors, pipeline } = setup(() => 'a'.repeat(10).split('').join(' '), { timeoutMs: 500 });
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(3000);
  assert.equal(await p, undefined);
  assert.equal(model.calls[0].aborted, true);
  assert.equal(events[0].outcome, 'failed');
  assert.equal(errors[0].code, 'timeout');
});

test('multi-line: a block shows its first complete line as soon as it exists; the rest streams behind it', async () => {
  const long = Array.from({ length: 12 }, (_, i) => `  step${i}();`).join('\n');
  const { clock, model, more, pipeline } = setup(() => `\n${long}\n}\n`, { maxTokens: 200 });
  const p = pipeline.provide(at('function f() {', '\n}'), token().signal);
  await clock.advance(100 + 300 + 25 * 8); // debounce, prefill, the first line and a bit
  const first = await p;
  assert.deepEqual(first, { text: '\n  step0();', source: 'model' });
  assert.equal(model.calls[0].aborted, false, 'the block keeps streaming after the caller left');
  // The user types through the first line and goes on: the running request is reused.
  await clock.advance(10);
  const typed = pipeline.provide(at('function f() {\n  step0();\n  st', '\n}'), token().signal);
  await clock.advance(10_000);
  const r = await typed;
  assert.deepEqual(r, { text: 'ep1();', source: 'reuse' }, 'the rest of the line streamed so far');
  assert.equal(model.calls.length, 1);
  assert.deepEqual(more, ['a.ts'], 'the block completed while the user looked at it: the editor asks again');
  const all = await pipeline.provide({ ...at('function f() {\n  step0();\n  st', '\n}'), immediate: true }, token().signal);
  assert.equal(all?.text, `ep1();\n${long.split('\n').slice(2).join('\n')}`);
});

test('multi-line: a block completed while the user waits is shown whole (the editor is asked again)', async () => {
  const block = '\n  const a = 1;\n  const b = 2;\n  return a + b;\n}\n';
  const { clock, model, more, pipeline } = setup(() => block);
  const p = pipeline.provide(at('function f() {', '\n'), token().signal);
  await clock.advance(5000);
  assert.deepEqual(await p, { text: '\n  const a = 1;', source: 'model' });
  assert.deepEqual(more, ['a.ts']);
  const again = await pipeline.provide({ ...at('function f() {', '\n'), immediate: true }, token().signal);
  assert.deepEqual(again, { text: '\n  const a = 1;\n  const b = 2;\n  return a + b;\n}', source: 'cache' });
  assert.equal(model.calls.length, 1);
  assert.equal(pipeline.stats.shownTokens, model.calls[0].emitted - 1, 'every generated token was shown but the final newline');
});

// The editor does not always cancel its previous call (it may debounce, or move on without
// cancelling): the pipeline itself keeps at most one request per editor, and only a useful one.
test('a call at another position aborts the running request even when the editor never cancelled it', async () => {
  const { clock, model, events, pipeline } = setup(() => 'compute(1, 2, 3, 4, 5, 6, 7, 8);');
  const p1 = pipeline.provide(at('let a = ', '\nlet b = \n'), token().signal);
  await clock.advance(100 + 350);
  void pipeline.provide(at('let a = \nlet b = ', '\n'), token().signal);
  await settle();
  assert.equal(model.calls[0].aborted, true, 'the first HTTP request is aborted');
  assert.equal(await p1, undefined);
  assert.deepEqual(events.map((e) => e.outcome), ['cancelled']);
  await clock.advance(100 + 300);
  assert.equal(model.calls.length, 2);
});

test('typing through an earlier suggestion aborts a request made for text the user replaced', async () => {
  const { clock, model, events, pipeline } = setup((prefix) => (prefix.endsWith('z') ? 'zoom(1, 2, 3, 4, 5, 6, 7, 8);' : 'compute(1);'));
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(2000);
  assert.equal((await p)?.text, 'compute(1);');
  const stale = pipeline.provide(at('let a = z'), token().signal); // never cancelled by the editor
  await clock.advance(100 + 350);
  assert.equal(model.calls.length, 2);
  // "z" replaced by "c" in one edit: the shown suggestion is typed through.
  assert.deepEqual(await pipeline.provide(at('let a = c'), token().signal), { text: 'ompute(1);', source: 'typing-through' });
  await settle();
  assert.equal(model.calls[1].aborted, true, 'the request for "z" no longer runs');
  assert.equal(await stale, undefined);
  assert.equal(events.at(-1)?.outcome, 'cancelled');
});

test('a request the egress gate refuses is recorded once, by the gate, not again as a failed call', async () => {
  const { EgressGate } = await import('../../../src/core/privacy/node/gate');
  const { failClosedPolicy } = await import('../../../src/core/privacy/policy');
  const gateEvents: string[] = [];
  const gate = new EgressGate({
    policy: () => failClosedPolicy('never-leave-machine'), classify: async () => 'cloud',
    fetch: (() => { throw new Error('must not be called'); }) as never,
    onBlocked: (intent) => gateEvents.push(intent.purpose),
  });
  const { clock, model, events, errors, pipeline } = setup(() => 'x');
  model.complete = async () => gate.fetchFor({ purpose: 'completion', provider: 'ollama' })('http://ollama.example:11434/api/generate') as never;
  const p = pipeline.provide(at('let a = '), token().signal);
  await clock.advance(1000);
  assert.equal(await p, undefined);
  assert.deepEqual(gateEvents, ['completion'], 'the gate reported the refusal');
  assert.deepEqual(events, [], 'no second record of the same refusal');
  assert.equal(errors[0].code, 'blocked', 'the status bar still hears of it');
  assert.equal(pipeline.stats.failed, 1);
});

test('mid-line after a space a request is made: a value fits before the next word', async () => {
  const { clock, model, pipeline } = setup(() => '8');
  const p = pipeline.provide(at('.card {\n  radius: ', 'px;\n}'), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await p, { text: '8', source: 'model' });
  assert.equal(model.calls.length, 1);
  // Inside a word nothing fits: no request.
  const q = pipeline.provide(at('.card {\n  rad', 'ius: 8px;\n}', 'b.css'), token().signal);
  await clock.advance(2000);
  assert.equal(await q, undefined);
  assert.equal(model.calls.length, 1);
});

test('the result says which auto-closed closers after the cursor the suggestion replaces', async () => {
  const { clock, pipeline } = setup(() => 'value, max), min);');
  const p = pipeline.provide(at('const v = Math.max(Math.min(', '))'), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await p, { text: 'value, max), min);', source: 'model', replace: 2 });
});

test('the embedded engine gets a short suffix (each keystroke re-evaluates it on the CPU); servers the usual share', async () => {
  const { EMBEDDED_SUFFIX_TOKENS } = await import('../../../src/core/completion/pipeline');
  const after = `);\n${Array.from({ length: 200 }, (_, i) => `  line${i}();`).join('\n')}`;
  const suffixes: Record<string, string> = {};
  for (const id of ['embedded', 'ollama'] as const) {
    const clock = new FakeClock();
    const model = new ScriptedModel(clock, () => pieces('x'));
    const pipeline = new CompletionPipeline({
      clock, settings: () => settings, emit: () => undefined,
      provider: () => ({ id, fim: model, model: 'qwen2.5-coder:0.5b-base', endpointClass: 'machine' }),
    });
    const p = pipeline.provide({ ...at('function f() {\n  call(', after), immediate: true }, token().signal);
    await clock.advance(2000);
    await p;
    suffixes[id] = model.calls[0].req.suffix;
  }
  assert.ok(suffixes.embedded.startsWith(');\n  line0();'), 'the rest of the line and the next lines');
  assert.ok(suffixes.embedded.length <= EMBEDDED_SUFFIX_TOKENS * 3.2, `${suffixes.embedded.length} chars`);
  assert.ok(suffixes.ollama.length > 2 * suffixes.embedded.length, `${suffixes.ollama.length} chars`);
});

test('after accepting a block the model ended at code already there, the end of it asks nothing', async () => {
  const after = '\n\nfunction next() {\n  return 0;\n}\n';
  const body = '\n  const y = x * 2;\n  return y;\n}\n\nfunction next() {\n  return 0;\n}\n';
  const { clock, model, pipeline } = setup(() => body, {}, { prefillMs: 100, perTokenMs: 10 });
  const p = pipeline.provide(at('function f(x) {', after), token().signal);
  await clock.advance(5000);
  assert.ok(await p);
  assert.equal(model.calls.length, 1);
  assert.ok(model.calls[0].emitted < pieces(body).length - 6, 'stopped inside the repeat of the next line');
  // Tab: the block is in the document; the editor asks at its end.
  const q = pipeline.provide(at('function f(x) {\n  const y = x * 2;\n  return y;\n}', after), token().signal);
  await clock.advance(5000);
  assert.equal(await q, undefined);
  assert.equal(model.calls.length, 1, 'no request: the model already said what follows');
  // Typing on asks again.
  const r = pipeline.provide(at('function f(x) {\n  const y = x * 2;\n  return y;\n}\n', after), token().signal);
  await clock.advance(5000);
  await r;
  assert.equal(model.calls.length, 2);
});

test('right after Tab takes a suggestion to the end of its line, the next lines are asked for almost at once', async () => {
  const { clock, model, pipeline } = setup((prefix) => (prefix.endsWith('const x = ') ? 'compute(1);' : '\nreturn x;\n'), { debounceMs: 300 });
  const p = pipeline.provide(at('const x = ', '\n'), token().signal);
  await clock.advance(2000);
  assert.deepEqual(await p, { text: 'compute(1);', source: 'model' });
  // Tab: the document now holds the suggestion; a tenth of a second (no key came), not the debounce.
  const q = pipeline.provide(at('const x = compute(1);', '\n'), token().signal);
  await clock.advance(101);
  assert.equal(model.calls.length, 2, 'asked after 100 ms');
  await clock.advance(2000);
  assert.equal((await q)?.text, '\nreturn x;');
  // The same position typed by hand (nothing was accepted there) waits for the debounce.
  const r = pipeline.provide(at('const y = compute(1);', '\n', 'b.ts'), token().signal);
  await clock.advance(101);
  assert.equal(model.calls.length, 2, 'typed: waits');
  await clock.advance(2000);
  assert.equal(model.calls.length, 3);
  await r;
});

test('the prompt window is the one of the provider serving this request (the team server says its own), and errors and successes name that provider', async () => {
  const clock = new FakeClock();
  const model = new ScriptedModel(clock, () => pieces('x;'), 10, 5);
  const errors: string[] = [];
  const ok: string[] = [];
  let team = false;
  const pipeline = new CompletionPipeline({
    clock,
    settings: () => settings,
    provider: () => (team
      ? { id: 'team', fim: model, model: 'qwen', endpointClass: 'network', contextTokens: 200 }
      : { id: 'ollama', fim: model, model: 'qwen', endpointClass: 'machine' }),
    emit: () => undefined,
    onError: (_e, p) => errors.push(p.id),
    onSuccess: (p) => ok.push(p.id),
  });
  const long = Array.from({ length: 400 }, (_, i) => `const v${i} = ${i};`).join('\n') + '\nconst next = ';
  const ask = async () => {
    const r = pipeline.provide(at(long), token().signal);
    await clock.advance(2000);
    await r;
  };
  await ask();
  team = true; // the machine's server went down: the first team request already gets the team's window
  pipeline.reset();
  await ask();
  const [machine, teamReq] = model.calls;
  assert.ok(machine.req.prefix.length > 2000, `machine window ${machine.req.prefix.length} chars`);
  assert.ok(teamReq.req.prefix.length < 200 * 3.2, `team window ${teamReq.req.prefix.length} chars`);
  assert.deepEqual(ok, ['ollama', 'team']);
  assert.deepEqual(errors, []);
});
