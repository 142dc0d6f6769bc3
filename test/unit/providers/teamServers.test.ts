// Server specifics of the team tier for each kind of server, with the real `openai` client through the
// real egress gate against protocol-faithful fakes: the context length each server reports (vLLM
// /v1/models, llama.cpp /props, TGI /info, Ollama /api/show) sizes the prompt window, and the time
// split each one reports (llama.cpp `timings`, TGI's timing headers, Ollama's durations) is kept.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import {
  closeAll, startFakeLlamaServer, startFakeOllama, startFakeTgi, startFakeVllm,
  type FakeLlamaServer, type FakeOllama, type FakeTgi, type FakeVllm,
} from '../../fakes';
import { EgressGate, type EgressPurpose } from '../../../src/core/privacy/node/gate';
import { ALL_CLASSES } from '../../../src/core/privacy/policy';
import { memoryBackoffStore, SharedBackoff } from '../../../src/core/providers/backoff';
import { OllamaProvider } from '../../../src/core/providers/ollama';
import { describeTiming, tgiTiming } from '../../../src/core/providers/serverTiming';
import { teamWindowTokens, TeamProvider, type TeamKind } from '../../../src/core/providers/team';
import { formatLogLine } from '../../../src/core/log/format';
import { toRecord } from '../../../src/core/cost/record';

const TOKEN = 'team-token-kinds-42';
const gate = new EgressGate({
  policy: () => ({ allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'test' }),
  classify: async () => 'machine',
});
const signal = () => AbortSignal.timeout(10_000);

function team(baseUrl: string, kind: TeamKind, token: string | null = TOKEN): TeamProvider {
  return new TeamProvider({
    baseUrl, kind, token: async () => token ?? undefined,
    fetchFor: (purpose: EgressPurpose) => gate.fetchFor({ purpose, provider: 'team' }),
    backoff: new SharedBackoff(memoryBackoffStore()),
  });
}

let vllm: FakeVllm;
let llama: FakeLlamaServer;
let tgi: FakeTgi;
let legacyTgi: FakeTgi;
let ollama: FakeOllama;

before(async () => {
  [vllm, llama, tgi, legacyTgi, ollama] = await Promise.all([
    startFakeVllm({ apiKey: TOKEN, maxModelLen: 4096 }),
    startFakeLlamaServer({ apiKey: TOKEN, nCtx: 8192, totalSlots: 4 }),
    startFakeTgi({ maxInputTokens: 1024, maxTotalTokens: 2048 }),
    startFakeTgi({ maxInputTokens: 3000, maxTotalTokens: 4096, legacyInfo: true }),
    startFakeOllama({ models: [{ name: 'qwen2.5-coder:7b', numCtx: 16384 }, { name: 'qwen2.5-coder:1.5b-base', fim: true, contextLength: 32768 }] }),
  ]);
});
after(() => closeAll(vllm, llama, tgi, legacyTgi, ollama));

describe('the prompt window from the server\'s context length, for every kind of server', () => {
  it('vLLM: max_model_len from /v1/models', async () => {
    const c = await team(vllm.baseURL, 'vllm').serverContext('Qwen/Qwen2.5-Coder-7B', signal());
    assert.deepEqual(c, { contextTokens: 4096, source: 'GET /v1/models max_model_len' });
    assert.equal(teamWindowTokens(c, 64), 1984);
  });

  it('llama.cpp server: default_generation_settings.n_ctx from GET /props, with the token', async () => {
    llama.reset();
    const c = await team(llama.baseURL, 'llamacpp').serverContext('qwen2.5-coder-7b-q4_k_m.gguf', signal());
    assert.deepEqual(c, { contextTokens: 8192, source: 'GET /props n_ctx' });
    assert.equal(teamWindowTokens(c, 64), 4032);
    const props = llama.requests.find((r) => r.path === '/props');
    assert.equal(props?.headers.authorization, `Bearer ${TOKEN}`);
    // Without the token /props is refused (401): no context, no throw.
    assert.equal(await team(llama.baseURL, 'llamacpp', null).serverContext('x', signal()), undefined);
  });

  it('TGI: max_total_tokens and max_input_tokens from GET /info; the prompt limit caps the window', async () => {
    const c = await team(tgi.baseURL, 'tgi').serverContext('bigcode/starcoder2-15b', signal());
    assert.deepEqual(c, { contextTokens: 2048, maxInputTokens: 1024, source: 'GET /info max_total_tokens' });
    // Half of 2048 less the answer would be 960; the server's own prompt limit (with headroom for token-count drift) is lower.
    assert.equal(teamWindowTokens(c, 64), 921);
    const legacy = await team(legacyTgi.baseURL, 'tgi').serverContext('bigcode/starcoder2-15b', signal());
    assert.deepEqual(legacy, { contextTokens: 4096, maxInputTokens: 3000, source: 'GET /info max_total_tokens' });
  });

  it('Ollama: num_ctx from /api/show parameters, else the architecture\'s context_length', async () => {
    const run = await team(`${ollama.baseURL}/v1`, 'ollama').serverContext('qwen2.5-coder:7b', signal());
    assert.deepEqual(run, { contextTokens: 16384, source: 'POST /api/show num_ctx' });
    const trained = await team(`${ollama.baseURL}/v1`, 'ollama').serverContext('qwen2.5-coder:1.5b-base', signal());
    assert.deepEqual(trained, { contextTokens: 32768, source: 'POST /api/show qwen2.context_length' });
    assert.equal(await team(`${ollama.baseURL}/v1`, 'ollama').serverContext('not-installed:1b', signal()), undefined);
  });

  it('a server that does not say (wrong kind set, a web page) leaves the window as set', async () => {
    assert.equal(await team(vllm.baseURL, 'tgi').serverContext('Qwen/Qwen2.5-Coder-7B', signal()), undefined);
    assert.equal(await team(tgi.baseURL, 'llamacpp').serverContext('m', signal()), undefined);
  });
});

describe('time to first token split where the server reports it', () => {
  it('llama.cpp server: prefill and generation from the timings of its last chunk, for chat and completions', async () => {
    llama.setDefaults({ speed: { prefillMs: 120, perTokenMs: 5 } });
    try {
      const p = team(llama.baseURL, 'llamacpp');
      const chat = await p.chat({ model: 'qwen2.5-coder-7b-q4_k_m.gguf', messages: [{ role: 'user', content: 'hi' }], maxTokens: 20 }, () => undefined, signal());
      assert.ok(chat.timing, 'no timing');
      assert.ok(chat.timing.prefillMs! >= 100 && chat.timing.prefillMs! < 1000, `prefill ${chat.timing.prefillMs}`);
      assert.ok(chat.timing.generationMs! > 0);
      assert.equal(chat.timing.queueMs, undefined, 'llama.cpp does not report a queue time');
      // The server's prefill is part of the time to first token the client saw.
      assert.ok(chat.ttftMs! >= chat.timing.prefillMs! - 5, `ttft ${chat.ttftMs} < prefill ${chat.timing.prefillMs}`);
      const fim = await p.complete({ model: 'qwen2.5-coder-7b-q4_k_m.gguf', prefix: 'const a = ', suffix: ';\n', maxTokens: 8, temperature: 0, stop: ['\n'] }, () => undefined, signal());
      assert.ok((fim.timing?.prefillMs ?? 0) >= 100, JSON.stringify(fim.timing));
    } finally {
      llama.setDefaults({});
    }
  });

  it('TGI: queue and inference time from its headers on a whole response; a stream carries none, so none is made up', async () => {
    tgi.setDefaults({ speed: { prefillMs: 60, perTokenMs: 2, parallel: 1 } });
    try {
      const client = new OpenAI({ baseURL: tgi.baseURL, apiKey: 'none', maxRetries: 0 });
      const ask = () => client.chat.completions.create({ model: 'bigcode/starcoder2-15b', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 }).withResponse();
      // Two at once on one slot: the second waits in TGI's queue.
      const [a, b] = await Promise.all([ask(), ask()]);
      const timings = [tgiTiming(a.response.headers), tgiTiming(b.response.headers)];
      for (const t of timings) assert.ok(t && t.inferenceMs! >= 50, JSON.stringify(t));
      assert.ok(Math.max(...timings.map((t) => t!.queueMs!)) >= 50, JSON.stringify(timings));

      const streamed = await team(tgi.baseURL, 'tgi').chat({ model: 'bigcode/starcoder2-15b', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }, () => undefined, signal());
      assert.equal(streamed.timing, undefined);
    } finally {
      tgi.setDefaults({});
    }
  });

  it('vLLM reports no split: none is recorded', async () => {
    const r = await team(vllm.baseURL, 'vllm').chat({ model: 'Qwen/Qwen2.5-Coder-32B-Instruct', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }, () => undefined, signal());
    assert.equal(r.timing, undefined);
  });

  it('Ollama (this machine\'s server): load, prefill and generation from its final message', async () => {
    ollama.setDefaults({ speed: { loadMs: 80, prefillMs: 60, perTokenMs: 2 } });
    try {
      const p = new OllamaProvider(ollama.baseURL, (purpose) => gate.fetchFor({ purpose, provider: 'ollama' }));
      const r = await p.chat({ model: 'qwen2.5-coder:7b', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 }, () => undefined, signal());
      assert.ok(r.timing, 'no timing');
      assert.ok(r.timing.prefillMs! >= 50, JSON.stringify(r.timing));
      assert.ok(r.timing.generationMs! > 0);
      assert.ok(r.timing.loadMs !== undefined);
    } finally {
      ollama.setDefaults({});
    }
  });

  it('the log line shows the split after the dash, the wait before the prompt marked as an estimate, and keeps its fixed shape', () => {
    assert.equal(describeTiming({ prefillMs: 120.4, generationMs: 800 }, 430), 'server: prefill 120 ms, generation 800 ms, waited ~310 ms');
    assert.equal(describeTiming({ queueMs: 300, inferenceMs: 95 }, 420), 'server: queue 300 ms, inference 95 ms');
    assert.equal(describeTiming(undefined, 420), undefined);
    const line = formatLogLine({
      id: 'x', time: '2026-12-03T12:00:00.000Z', kind: 'ask', route: 'local', reasons: ['using the team server'], provider: 'team', model: 'm',
      endpointClass: 'network', estimated: { promptTokens: 10, completionTokens: 5 }, usage: { promptTokens: 10, completionTokens: 5 },
      ttftMs: 430, timing: { prefillMs: 120, generationMs: 800 }, totalMs: 1300, outcome: 'served',
    });
    assert.match(line, / ttft=430ms total=1300ms \$- served — server: prefill 120 ms, generation 800 ms, waited ~310 ms; using the team server$/);
  });

  it('the ledger keeps the split in whole ms, its known fields only', () => {
    const e = {
      id: 'x', time: '2026-12-03T12:00:00.000Z', kind: 'ask' as const, route: 'local' as const, reasons: [], provider: 'team' as const, model: 'm',
      endpointClass: 'network' as const, estimated: { promptTokens: 1, completionTokens: 1 }, totalMs: 10, outcome: 'served' as const,
    };
    const timing = { prefillMs: 120.6, generationMs: 7.2, queueMs: Number.NaN, prompt: 'secret text' } as unknown as import('../../../src/core/types').ServerTiming;
    assert.deepEqual(toRecord({ ...e, timing }, 'w', {}).timing, { prefillMs: 121, generationMs: 7 });
    assert.equal('timing' in toRecord(e, 'w', {}), false);
  });
});
