// The real engine: node-llama-cpp in a child process, running the tiny GGUF model the writer makes.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSync } from 'esbuild';
import { ensureModel } from '../../../scripts/gguf/write-gguf.mjs';
import { EngineClient, type EngineState } from '../../../src/core/providers/embedded/node/engine';
import { EmbeddedProvider } from '../../../src/core/providers/embedded/node/provider';
import { ProviderError, type FimRequest } from '../../../src/core/providers/types';

const root = join(__dirname, '..', '..', '..');
let installed = true;
try {
  require.resolve('node-llama-cpp');
} catch {
  installed = false;
}

/** Bundles the worker the way esbuild.mjs does, into `dir` (node-llama-cpp resolves upwards from there). */
function buildWorker(dir: string): string {
  const outfile = join(dir, 'worker.js');
  buildSync({ entryPoints: [join(root, 'src/engine/worker.ts')], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['node-llama-cpp'], logLevel: 'error' });
  return outfile;
}

const fimReq = (over: Partial<FimRequest> = {}): FimRequest => ({ model: 'tiny', prefix: 'function add(a, b) {\n  return', suffix: ';\n}\n', maxTokens: 24, temperature: 0.7, stop: [], ...over });
const never = () => new AbortController().signal;

describe('embedded engine with a real model', { skip: !installed && 'node-llama-cpp is not installed' }, () => {
  let engine: EngineClient;
  let provider: EmbeddedProvider;
  let modelPath: string;
  const states: EngineState[] = [];

  before(() => {
    modelPath = ensureModel().path;
    engine = new EngineClient({ workerPath: buildWorker(join(root, 'test-results', 'engine-worker')), cwd: root, restartDelayMs: 100 });
    engine.onState.on((s) => states.push(s));
    provider = new EmbeddedProvider(engine, () => ({ modelPath, threads: 1, contextSize: 2048, gpu: false }));
  });
  after(() => engine.dispose());

  test('streams an infill completion through the model\'s FIM tokens, with token counts', async () => {
    const chunks: string[] = [];
    const r = await provider.complete(fimReq(), (t) => chunks.push(t), never());
    assert.ok(chunks.length > 1, 'the completion was not streamed');
    assert.equal(chunks.join(''), r.text);
    assert.equal(r.finishReason, 'length');
    assert.equal(r.usage?.completionTokens, 24);
    assert.ok((r.usage?.promptTokens ?? 0) > 10);
    const s = await engine.stats();
    assert.equal(s.model?.infill, true, 'the tiny model should expose FIM tokens');
  });

  test('the next keystroke reuses the KV cache of the shared prefix', async () => {
    const prefix = 'export function total(values: number[]): number {\n  let sum = 0;\n  for (const value of values) {\n    sum +=';
    await provider.complete(fimReq({ prefix }), () => undefined, never());
    const next = await provider.complete(fimReq({ prefix: `${prefix} v` }), () => undefined, never());
    assert.ok((next.usage?.cacheReadTokens ?? 0) > 20, `only ${next.usage?.cacheReadTokens} prompt tokens came from the cache`);
  });

  test('cancelling stops the generation in the child', async () => {
    const abort = new AbortController();
    let n = 0;
    const r = await provider.complete(fimReq({ maxTokens: 100_000 }), () => { if (++n === 3) abort.abort(); }, abort.signal);
    assert.equal(r.finishReason, 'cancelled');
    const s1 = await engine.stats();
    assert.equal(s1.active, 0);
    await new Promise((res) => setTimeout(res, 300));
    const s2 = await engine.stats();
    assert.equal(s2.generatedTokens, s1.generatedTokens, 'the child kept generating after the cancel');
    assert.ok((r.usage?.completionTokens ?? 0) < 1000, `${r.usage?.completionTokens} tokens generated before the cancel took effect`);
  });

  test('chat answers through a chat session', async () => {
    const r = await provider.chat({ model: 'tiny', messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: 'What does add do?' }], maxTokens: 12 }, () => undefined, never());
    assert.equal(r.usage?.completionTokens, 12);
    assert.ok(r.text.length > 0);
  });

  test('a killed child rejects what was pending, is reported, and comes back', async () => {
    const pid = engine.pid;
    assert.ok(pid);
    states.length = 0;
    const pending = provider.complete(fimReq({ maxTokens: 100_000 }), () => undefined, never());
    await new Promise((res) => setTimeout(res, 150));
    process.kill(pid, 'SIGKILL');
    await assert.rejects(pending, (e: ProviderError) => e instanceof ProviderError && e.code === 'server' && /stopped unexpectedly \(killed by SIGKILL\)/.test(e.message));
    assert.ok(states.some((s) => s.kind === 'crashed'), 'the crash was not reported');
    const r = await provider.complete(fimReq({ maxTokens: 5 }), () => undefined, never());
    assert.equal(r.usage?.completionTokens, 5);
    assert.notEqual(engine.pid, pid);
    assert.equal(engine.crashes, 1);
  });

  test('stop releases the engine process, not counted as a crash; the next request starts a new one', async () => {
    const pid = engine.pid;
    assert.ok(pid);
    const crashes = engine.crashes;
    engine.stop();
    const alive = () => { try { process.kill(pid, 0); return true; } catch { return false; } };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(alive(), false, 'the engine process is still running');
    assert.equal(engine.state.kind, 'stopped');
    const r = await provider.complete(fimReq({ maxTokens: 3 }), () => undefined, never());
    assert.equal(r.usage?.completionTokens, 3);
    assert.notEqual(engine.pid, pid);
    assert.equal(engine.crashes, crashes);
  });

  test('a missing model file is a clear model-missing error', async () => {
    const p = new EmbeddedProvider(engine, () => ({ modelPath: '/nonexistent/model.gguf', threads: 1, contextSize: 2048, gpu: false }));
    await assert.rejects(p.complete(fimReq(), () => undefined, never()), (e: ProviderError) => e.code === 'model-missing' && /not found/.test(e.message));
  });
});

test('without node-llama-cpp the engine says how to get it', async () => {
  // A worker bundled outside the project cannot resolve node-llama-cpp, like a lean VSIX.
  const engine = new EngineClient({ workerPath: buildWorker(mkdtempSync(join(tmpdir(), 'switchyard-worker-'))), cwd: tmpdir() });
  try {
    const p = new EmbeddedProvider(engine, () => ({ modelPath: join(root, 'package.json'), threads: 1, contextSize: 2048, gpu: false }));
    await assert.rejects(p.complete(fimReq(), () => undefined, never()), (e: ProviderError) => e.code === 'unreachable' && /not installed/.test(e.message) && /platform/.test(e.message));
  } finally {
    engine.dispose();
  }
});

test('an engine that keeps dying is restarted with growing delays, and a bad message is only logged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-crashy-'));
  const script = join(dir, 'crashy.js');
  writeFileSync(script, "process.send({ type: 'ready', pid: process.pid }); process.send({ type: 'chunk' }); setTimeout(() => process.exit(3), 20);\n");
  const engine = new EngineClient({ workerPath: script, restartDelayMs: 20, maxRestartDelayMs: 80 });
  const delays: number[] = [];
  const logs: string[] = [];
  engine.onState.on((s) => { if (s.kind === 'crashed') delays.push(s.restartInMs); });
  engine.onLog.on((l) => logs.push(l));
  try {
    await engine.start();
    for (let i = 0; i < 200 && delays.length < 4; i++) await new Promise((res) => setTimeout(res, 25));
    assert.deepEqual(delays.slice(0, 4), [20, 40, 80, 80]);
    assert.ok(logs.some((l) => /bad message: malformed "chunk"/.test(l)), logs.join('\n'));
    assert.ok(logs.some((l) => /stopped \(exit code 3\)/.test(l)));
  } finally {
    engine.dispose();
  }
});
