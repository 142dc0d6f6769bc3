// Health checks of the local servers end in time against a hung server (also on Node 20, where a
// timeout signal held only through AbortSignal.any could be collected before it fired), and a web
// page on the model port is "not a model server", never a healthy one.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, it } from 'node:test';
import { OllamaProvider } from '../../../src/core/providers/ollama';
import { OpenAICompatibleProvider } from '../../../src/core/providers/openaiCompatible';
import { closeAll, startFakeOpenAI, type FakeOpenAI } from '../../fakes';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('health check of a hung OpenAI-compatible server', () => {
  let server: FakeOpenAI;
  before(async () => {
    server = await startFakeOpenAI({ ownedBy: 'llamacpp' });
    server.script({ fault: 'hang' }, { match: () => true, times: 100 });
  });
  after(() => closeAll(server));

  it(`ends with "did not answer in time" (Node ${process.versions.node}), even with garbage collection running meanwhile`, async () => {
    const provider = new OpenAICompatibleProvider(server.baseURL, () => fetch);
    const collecting = setInterval(gc, 50);
    const started = Date.now();
    try {
      const outcome = await Promise.race([
        provider.health(new AbortController().signal),
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 10_000).unref()),
      ]);
      assert.notEqual(outcome, 'still waiting', 'the 3 s health timeout never fired');
      if (outcome === 'still waiting') return;
      assert.equal(outcome.ok, false);
      assert.match(outcome.detail, /did not answer in time/);
      assert.ok(Date.now() - started < 9000);
    } finally {
      clearInterval(collecting);
    }
  });
});

describe('a web page on the model port', () => {
  let web: Server;
  let url: string;
  before(async () => {
    web = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html><body><h1>Router login</h1></body></html>');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => web.close(() => r())));

  it('is not a healthy OpenAI-compatible server', async () => {
    const health = await new OpenAICompatibleProvider(`${url}/v1`, () => fetch).health(new AbortController().signal);
    assert.equal(health.ok, false);
    assert.match(health.detail, /this is not a model server/);
  });

  it('is not a healthy Ollama either, and a chat there fails with the same words', async () => {
    const ollama = new OllamaProvider(url, () => fetch);
    const health = await ollama.health(new AbortController().signal);
    assert.equal(health.ok, false);
    assert.match(health.detail, /this is not a model server/);
    const err = await new OpenAICompatibleProvider(`${url}/v1`, () => fetch)
      .chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], maxTokens: 5 }, () => undefined, new AbortController().signal)
      .catch((e: unknown) => e);
    assert.match(String((err as Error).message), /this is not a model server/);
  });
});
