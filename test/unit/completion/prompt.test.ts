// What reaches the model on each prompt path, with the real pipeline and the real `ollama` and
// `openai` clients against the fake servers: the file-path header and the snippets of other open
// files travel on every path, and the ledger counts the prompt that was sent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, countTokens, startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../../fakes';
import { systemClock } from '../../../src/core/completion/clock';
import { CompletionPipeline, type PipelineSettings } from '../../../src/core/completion/pipeline';
import { estimateTokens, linesOf } from '../../../src/core/completion/window';
import { OllamaProvider } from '../../../src/core/providers/ollama';
import { OpenAICompatibleProvider } from '../../../src/core/providers/openaiCompatible';
import type { FimProvider } from '../../../src/core/providers/types';
import type { ModelCallEvent } from '../../../src/core/types';

const settings: PipelineSettings = {
  debounceMs: 0, adaptiveDebounce: false, maxTokens: 32, temperature: 0.2, contextTokens: 1024,
  template: 'auto', keepAlive: '30m', multiline: 'auto', timeoutMs: 10_000, slowMs: 3000,
};
const SNIPPET = { path: 'src/cart.ts', text: 'export interface LineItem {\n  quantity: number;\n}' };
const BEFORE = 'export function total(items: LineItem[]): number {\n  return ';
const AFTER = ';\n}\n';

let ollama: FakeOllama;
let local: FakeOpenAI;
before(async () => {
  ollama = await startFakeOllama({ reply: 'items.length' });
  local = await startFakeOpenAI({ models: ['my-local-model'], ownedBy: 'llamacpp', reply: 'items.length' });
});
after(() => closeAll(ollama, local));

async function run(fim: FimProvider, model: string, template: PipelineSettings['template'] = 'auto'): Promise<ModelCallEvent[]> {
  const events: ModelCallEvent[] = [];
  const pipeline = new CompletionPipeline({
    clock: systemClock, settings: () => ({ ...settings, template }),
    provider: () => ({ id: fim.id as 'ollama', fim, model, endpointClass: 'machine' }),
    emit: (e) => events.push(e),
  });
  const lines = BEFORE.split('\n');
  const r = await pipeline.provide({
    docKey: 'k', doc: linesOf(BEFORE + AFTER), line: lines.length - 1, character: lines[lines.length - 1].length,
    languageId: 'typescript', path: 'src/total.ts', snippets: [SNIPPET], immediate: true,
  }, new AbortController().signal);
  assert.equal(r?.text, 'items.length');
  pipeline.dispose();
  return events;
}

const HEADER = '// from src/cart.ts:\n// export interface LineItem {\n//   quantity: number;\n// }\n// src/total.ts\n';

test('Ollama native suffix: the path header and the snippets come before the prefix; the ledger counts what was sent', async () => {
  ollama.reset();
  const events = await run(new OllamaProvider(ollama.baseURL, () => fetch), 'qwen2.5-coder:1.5b-base');
  const gen = ollama.requests.find((q) => q.path === '/api/generate')!;
  assert.equal(gen.body.raw, undefined, 'the native path: Ollama applies the template');
  assert.equal(gen.body.prompt, HEADER + BEFORE);
  assert.equal(gen.body.suffix, AFTER);
  const served = events.find((e) => e.outcome === 'served')!;
  assert.equal(served.estimated.promptTokens, estimateTokens(String(gen.body.prompt) + String(gen.body.suffix)));
  assert.equal(served.usage?.promptTokens, countTokens(String(gen.body.prompt)) + countTokens(String(gen.body.suffix)), "the server's own count of the same prompt");
});

test('Ollama raw template (a model whose template takes no suffix): the family format carries the context', async () => {
  ollama.reset();
  const events = await run(new OllamaProvider(ollama.baseURL, () => fetch), 'starcoder2:3b');
  const gen = ollama.requests.find((q) => q.path === '/api/generate')!;
  assert.equal(gen.body.raw, true);
  assert.match(String(gen.body.prompt), /^<file_sep>src\/cart\.ts\nexport interface LineItem[\s\S]*<file_sep>src\/total\.ts\n<fim_prefix>/);
  assert.equal(events.find((e) => e.outcome === 'served')!.estimated.promptTokens, estimateTokens(String(gen.body.prompt)));
});

test('OpenAI-compatible suffix (no template): the path header and the snippets come before the prefix', async () => {
  local.reset();
  const events = await run(new OpenAICompatibleProvider(local.baseURL, () => fetch), 'my-local-model', 'none');
  const req = local.requests.find((q) => q.path === '/v1/completions')!;
  assert.equal(req.body.prompt, HEADER + BEFORE);
  assert.equal(req.body.suffix, AFTER);
  assert.equal(events.find((e) => e.outcome === 'served')!.estimated.promptTokens, estimateTokens(String(req.body.prompt) + String(req.body.suffix)));
});
