// Time to ghost text from the embedded engine with a model of Qwen2.5-Coder-0.5B's shape (random
// weights, q4_0) on this machine: a cold request (~800 prefix + ~200 suffix tokens, 32 out) and the
// next keystroke's request (same prefix plus one typed character, so the KV cache of the shared
// prefix is reused). "engine" figures are the engine process alone, as the extension reaches it
// (IPC included); the others go through the whole completion pipeline (window, template, stops,
// post-processing) with the embedded provider.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { buildTokenizer, ensureModel, SHAPES } from '../../scripts/gguf/write-gguf.mjs';
import { systemClock } from '../../src/core/completion/clock';
import { CompletionPipeline, EMBEDDED_SUFFIX_TOKENS, type PipelineSettings } from '../../src/core/completion/pipeline';
import type { LineSource } from '../../src/core/completion/window';
import { EngineClient } from '../../src/core/providers/embedded/node/engine';
import { resolveThreads } from '../../src/core/providers/embedded/hardware';
import { readMachine } from '../../src/core/providers/embedded/node/machine';
import { EmbeddedProvider } from '../../src/core/providers/embedded/node/provider';
import type { FimRequest } from '../../src/core/providers/types';

const root = join(__dirname, '..', '..');
const PREFIX_TOKENS = 800;
const SUFFIX_TOKENS = 200;
const OUT_TOKENS = 32;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Code text of at least `tokens` tokens under the model's own tokenizer, whole lines. */
function codeOfTokens(encode: (t: string) => number[], corpus: string[], tokens: number, salt: string): string[] {
  const lines = [`// ${salt}`];
  for (let i = 0; encode(lines.join('\n')).length < tokens; i++) lines.push(corpus[i % corpus.length]);
  return lines;
}

class Doc implements LineSource {
  constructor(public lines: string[]) {}
  get lineCount(): number { return this.lines.length; }
  lineText(i: number): string { return this.lines[i] ?? ''; }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const model = ensureModel({ kind: 'qwen-shaped' });
  log(`model: ${model.path} (${model.cached ? 'cached' : `written in ${((performance.now() - t0) / 1000).toFixed(1)} s`})`);
  const tok = buildTokenizer(SHAPES['qwen-shaped']);
  const corpus = tok.text.split('\n').filter((l: string) => l.trim() !== '');
  const machine = readMachine();
  const threads = resolveThreads(Number(process.env.SWITCHYARD_BENCH_THREADS ?? 0), machine.physicalCores);

  const workerDir = join(root, 'test-results', 'engine-worker');
  buildSync({ entryPoints: [join(root, 'src/engine/worker.ts')], outfile: join(workerDir, 'worker.js'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['node-llama-cpp'], logLevel: 'error' });
  const engine = new EngineClient({ workerPath: join(workerDir, 'worker.js'), cwd: root });
  const provider = new EmbeddedProvider(engine, () => ({ modelPath: model.path, threads, contextSize: 4096, gpu: false }));
  const figures: Record<string, number> = {};
  try {
    const loadStart = performance.now();
    await engine.load({ modelPath: model.path, threads, contextSize: 4096, gpu: false });
    figures['embedded.loadMs'] = performance.now() - loadStart;
    // Other processes on the same cores slow llama.cpp down a lot: say how busy the machine was.
    figures['embedded.loadAverage1m'] = loadavg()[0];
    log(`engine started and model loaded in ${figures['embedded.loadMs'].toFixed(0)} ms (${threads} thread${threads > 1 ? 's' : ''}, ${machine.physicalCores} physical cores, load average ${loadavg()[0].toFixed(1)})`);

    // Engine alone.
    const prefix = codeOfTokens(tok.encode, corpus, PREFIX_TOKENS, 'engine').join('\n');
    const suffix = codeOfTokens(tok.encode, corpus.slice(7), SUFFIX_TOKENS, 'suffix').join('\n');
    const req = (p: string): FimRequest => ({ model: 'qwen-shaped', prefix: p, suffix, maxTokens: OUT_TOKENS, temperature: 0.2, stop: [] });
    const none = new AbortController().signal;
    let t = performance.now();
    const cold = await provider.complete(req(prefix), () => undefined, none);
    figures['embedded.engineColdMs'] = performance.now() - t;
    t = performance.now();
    const next = await provider.complete(req(`${prefix} x`), () => undefined, none);
    figures['embedded.engineNextKeystrokeMs'] = performance.now() - t;
    log(`engine: cold ${figures['embedded.engineColdMs'].toFixed(0)} ms (${cold.usage?.promptTokens} prompt tokens, ${cold.usage?.completionTokens} out), next keystroke ${figures['embedded.engineNextKeystrokeMs'].toFixed(0)} ms (${next.usage?.cacheReadTokens} of ${next.usage?.promptTokens} prompt tokens from the KV cache)`);

    // Whole pipeline: a document whose window holds the same amounts of prefix and suffix.
    const before = codeOfTokens(tok.encode, corpus.slice(3), PREFIX_TOKENS, 'pipeline');
    before.push('export function total(values: number[]): number {', '  const sum = ');
    const after = ['', ...codeOfTokens(tok.encode, corpus.slice(11), SUFFIX_TOKENS, 'after')];
    const doc = new Doc([...before, ...after]);
    const line = before.length - 1;
    const settings: PipelineSettings = {
      debounceMs: 0, adaptiveDebounce: false, maxTokens: OUT_TOKENS, temperature: 0.2, contextTokens: 4096,
      template: 'auto', keepAlive: '30m', multiline: 'never', timeoutMs: 120_000, slowMs: 30_000,
    };
    type Served = { outcome: string; usage?: { cacheReadTokens?: number; promptTokens: number } };
    /** Cold request, then the next keystroke's, through the whole pipeline; `suffixShare` overrides the embedded one. */
    const measure = async (suffixShare?: number) => {
      const events: Served[] = [];
      const pipeline = new CompletionPipeline({
        clock: systemClock, settings: () => settings, suffixShare,
        provider: () => ({ id: 'embedded', fim: provider, model: 'qwen2.5-coder:0.5b-base', endpointClass: 'machine' }),
        emit: (e) => events.push(e),
      });
      const ask = async (): Promise<number> => {
        const start = performance.now();
        await pipeline.provide({ docKey: 'bench.ts', doc, line, character: doc.lines[line].length, languageId: 'typescript', path: 'src/bench.ts', immediate: true }, new AbortController().signal);
        return performance.now() - start;
      };
      const typedAt = doc.lines[line];
      const coldMs = await ask();
      // A keystroke that does not match the suggestion on screen, so a new model request is needed.
      doc.lines[line] += '§';
      const nextMs = await ask();
      doc.lines[line] = typedAt;
      pipeline.dispose();
      const served = events.filter((e) => e.outcome === 'served');
      const last = served.at(-1)?.usage;
      return { coldMs, nextMs, served: served.length, cached: last?.cacheReadTokens ?? 0, prompt: last?.promptTokens ?? 0 };
    };
    // The suffix share every other provider gets (12 % of the window) against the embedded engine's own.
    const long = await measure(0.12);
    const short = await measure();
    figures['embedded.coldMs'] = short.coldMs;
    figures['embedded.nextKeystrokeMs'] = short.nextMs;
    figures['embedded.nextKeystrokeLongSuffixMs'] = long.nextMs;
    figures['embedded.nextKeystrokeShortVsLongSuffix'] = short.nextMs / long.nextMs;
    figures['embedded.nextKeystrokeReevaluatedTokens'] = short.prompt - short.cached;
    figures['embedded.nextKeystrokeReevaluatedTokensLongSuffix'] = long.prompt - long.cached;
    for (const [label, r] of [[`suffix 12 % of the window`, long], [`embedded suffix (${EMBEDDED_SUFFIX_TOKENS} tokens)`, short]] as const) {
      log(`pipeline, ${label}: cold ${r.coldMs.toFixed(0)} ms, next keystroke ${r.nextMs.toFixed(0)} ms (${r.served} served; ${r.cached} of ${r.prompt} prompt tokens from the KV cache, ${r.prompt - r.cached} evaluated)`);
    }
    log(`next keystroke with the embedded suffix: ${(100 * figures['embedded.nextKeystrokeShortVsLongSuffix']).toFixed(0)} % of the time with the usual suffix share`);
    figures['embedded.engineKvReuseSpeedup'] = figures['embedded.engineColdMs'] / figures['embedded.engineNextKeystrokeMs'];
    figures['embedded.threads'] = threads;
  } finally {
    engine.dispose();
  }
  log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

void main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
