// Shared behaviour of the fakes: tokenization, scripting, recording, the recorder and the no-traffic check.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertNothingReached, countTokens, startFakeOpenAI, startRecorder, tokenize, type FakeOpenAI, type Recorder } from '../../fakes';

describe('tokenize', () => {
  it('splits text into tokens that join back to the text', () => {
    for (const text of ['', 'hello world', '  x = foo(bar, 42);\n', 'déjà vu — ok?', 'a'.repeat(20), 'trailing  \n']) {
      assert.equal(tokenize(text).join(''), text);
    }
    assert.deepEqual(tokenize('const x = 42;'), ['const', ' x', ' =', ' 42', ';']);
    assert.equal(countTokens('abcdefghijkl'), 2, 'long words split every 8 characters');
    assert.equal(countTokens(undefined), 0);
  });
});

describe('scripting and recording', () => {
  let fake: FakeOpenAI;
  const post = (body: object, path = '/v1/chat/completions') =>
    fetch(`${fake.baseURL}${path.replace(/^\/v1/, '')}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const chat = (content = 'hi') => post({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content }] });

  before(async () => {
    fake = await startFakeOpenAI();
  });
  after(() => fake.close());

  it('uses queued scripts in order, `times` over, then falls back to the reply', async () => {
    fake.setReply('default');
    fake.script([{ status: 503 }, { text: 'second' }]).script({ status: 429 }, { times: 2 });
    assert.equal(fake.pendingScripts, 4);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat()).status);
    assert.deepEqual(statuses, [503, 200, 429, 429, 200]);
    assert.equal(fake.pendingScripts, 0);
    assert.equal(fake.requests[1].reply, 'second');
    assert.equal(fake.requests[4].reply, 'default');
  });

  it('matches scripts to paths, leaves other endpoints alone, and lets the reply function script faults', async () => {
    fake.reset();
    fake.script({ status: 500 }, { match: '/v1/models' });
    assert.equal((await chat()).status, 200, 'a path-matched script does not touch generations');
    assert.equal((await fetch(`${fake.baseURL}/models`)).status, 500);
    fake.setReply(({ prompt }) => (prompt === 'boom' ? { status: 400, message: 'no booms' } : `echo ${prompt}`));
    const bad = await chat('boom');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { message: string } }).error.message, 'no booms');
    const ok = (await (await chat('ping')).json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(ok.choices[0].message.content, 'echo ping');
  });

  it('records method, path, query, headers, raw and parsed body; rejects bad JSON the OpenAI way', async () => {
    fake.reset().setReply(undefined);
    await fetch(`${fake.baseURL}/models?limit=2`, { headers: { authorization: 'Bearer sk-x' } });
    const res = await fetch(`${fake.baseURL}/chat/completions`, { method: 'POST', body: '{not json' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { type: string } };
    assert.equal(body.error.type, 'invalid_request_error');
    const [list, broken] = fake.requests;
    assert.deepEqual([list.method, list.path, list.query, list.headers.authorization], ['GET', '/v1/models', { limit: '2' }, 'Bearer sk-x']);
    assert.deepEqual([broken.rawBody, broken.body], ['{not json', undefined]);
    assert.ok(list.receivedAt <= broken.receivedAt);
    await fake.settled();
    assert.deepEqual(fake.requests.map((r) => [r.completed, r.aborted, typeof r.endedAt]), [[true, false, "number"], [true, false, "number"]]);
  });

  it('waitForRequests times out with a clear message', async () => {
    fake.reset();
    await assert.rejects(fake.waitForRequests(1, { timeoutMs: 20 }), /expected 1 request\(s\) at http:\/\/127\.0\.0\.1:\d+, got 0/);
  });
});

describe('recorder and assertNothingReached', () => {
  let recorder: Recorder;
  let quiet: Recorder;
  before(async () => {
    recorder = await startRecorder({ status: 204, body: {} });
    quiet = await startRecorder();
  });
  after(async () => {
    await recorder.close();
    await quiet.close();
  });

  it('records any request and the assertion names what reached it', async () => {
    assertNothingReached(recorder, quiet);
    await fetch(`${recorder.url}/any/path?q=1`, { method: 'PUT', body: 'secret=1' });
    assert.deepEqual(
      recorder.requests.map((r) => [r.method, r.path, r.rawBody]),
      [['PUT', '/any/path', 'secret=1']],
    );
    assert.throws(() => assertNothingReached(quiet, recorder), (e: Error) => /1 request\(s\): PUT \/any\/path/.test(e.message));
    assertNothingReached(quiet);
  });

  it('counts a bare connection as traffic even without an HTTP request', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(quiet.port, '127.0.0.1', () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 20));
    assert.throws(() => assertNothingReached(quiet), /1 connection\(s\), 0 request\(s\)/);
    quiet.reset();
    assertNothingReached(quiet);
  });
});
