// The embedded engine: a child process that runs llama.cpp (through node-llama-cpp) so that a
// native crash, its threads and its memory never touch the editor. It speaks only the typed
// messages of protocol.ts over the IPC channel and never opens a network connection.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  parseHostMessage, type EngineErrorCode, type EngineMessage, type EngineStats, type GenerationResult, type HostMessage,
  type LoadOptions, type ModelSummary, sameLoadOptions,
} from '../core/providers/embedded/protocol';
import { isRejected } from '../core/protocol';
import { errorMessage } from '../core/errors';

type NodeLlamaCpp = typeof import('node-llama-cpp');
type Llama = import('node-llama-cpp').Llama;
type LlamaModel = import('node-llama-cpp').LlamaModel;
type LlamaContext = import('node-llama-cpp').LlamaContext;
type LlamaContextSequence = import('node-llama-cpp').LlamaContextSequence;
type LlamaCompletion = import('node-llama-cpp').LlamaCompletion;

class EngineError extends Error {
  constructor(readonly code: EngineErrorCode, message: string) {
    super(message);
  }
}

const send = (m: EngineMessage): void => {
  process.send?.(m);
};

let lib: NodeLlamaCpp | undefined;
let llama: Llama | undefined;
let loaded: {
  options: LoadOptions; model: LlamaModel; summary: ModelSummary;
  fim: { context: LlamaContext; sequence: LlamaContextSequence; completion: LlamaCompletion };
  chat?: { context: LlamaContext; sequence: LlamaContextSequence };
} | undefined;
const running = new Map<string, AbortController>();
const stats = { requests: 0, generatedTokens: 0, cancelled: 0 };

async function loadLibrary(gpu: boolean): Promise<{ lib: NodeLlamaCpp; llama: Llama }> {
  if (!lib) {
    try {
      lib = await import('node-llama-cpp');
    } catch (err) {
      // A development build installed without its dependencies (as `npm start` installs it) finds
      // the engine in the checkout it was built from.
      const dev = process.env.SWITCHYARD_ENGINE_MODULES;
      if (!dev) throw new EngineError('engine-missing', `node-llama-cpp is not installed (${(err as Error).message.split('\n')[0]})`);
      try {
        const entry = createRequire(join(dev, 'package.json')).resolve('node-llama-cpp');
        lib = (await import(pathToFileURL(entry).href)) as NodeLlamaCpp;
      } catch (devErr) {
        throw new EngineError('engine-missing', `node-llama-cpp is not installed here nor in ${dev} (${(devErr as Error).message.split('\n')[0]})`);
      }
    }
  }
  if (!llama) {
    try {
      // build: 'never' - only prebuilt binaries; never download or compile anything at run time.
      llama = await lib.getLlama({ gpu: gpu ? 'auto' : false, build: 'never', logLevel: lib.LlamaLogLevel.error, progressLogs: false });
    } catch (err) {
      throw new EngineError('engine-missing', `no llama.cpp binary for ${process.platform}-${process.arch} could be loaded (${errorMessage(err)})`);
    }
  }
  return { lib, llama };
}

async function load(options: LoadOptions): Promise<ModelSummary> {
  if (loaded && sameLoadOptions(loaded.options, options)) return loaded.summary;
  let size: number;
  try {
    size = statSync(options.modelPath).size;
  } catch {
    throw new EngineError('model-missing', `model file not found: ${options.modelPath}`);
  }
  const { lib: l, llama: ll } = await loadLibrary(options.gpu);
  await unload();
  let model: LlamaModel;
  try {
    model = await ll.loadModel({ modelPath: options.modelPath });
  } catch (err) {
    throw new EngineError('model-invalid', `llama.cpp could not load ${basename(options.modelPath)}: ${errorMessage(err)}`);
  }
  const context = await createContext(model, options);
  const sequence = context.getSequence();
  const completion = new l.LlamaCompletion({ contextSequence: sequence });
  const summary: ModelSummary = {
    path: options.modelPath,
    name: basename(options.modelPath).replace(/\.gguf$/i, ''),
    sizeBytes: size,
    infill: completion.infillSupported && model.tokens.infill.middle != null,
    trainContextSize: model.trainContextSize,
    gpu: ll.gpu,
    threads: options.threads,
  };
  loaded = { options, model, summary, fim: { context, sequence, completion } };
  return summary;
}

/** One sequence, no larger than the model was trained for. FIM and chat each get their own. */
function createContext(model: LlamaModel, options: LoadOptions): Promise<LlamaContext> {
  return model.createContext({ contextSize: Math.min(options.contextSize, model.trainContextSize), threads: options.threads, sequences: 1 });
}

async function unload(): Promise<void> {
  const current = loaded;
  loaded = undefined;
  if (!current) return;
  await current.chat?.context.dispose();
  await current.fim.context.dispose();
  await current.model.dispose();
}

function requireModel(): NonNullable<typeof loaded> {
  if (!loaded) throw new EngineError('no-model', 'no model is loaded');
  return loaded;
}

/** Runs one generation with cancellation, streaming and token accounting around it. */
async function generate(
  id: string,
  sequence: LlamaContextSequence,
  promptTokens: number,
  run: (opts: { signal: AbortSignal; onTextChunk: (t: string) => void; onToken: (t: readonly unknown[]) => void }) => Promise<{ text: string; stopReason: string }>,
  maxTokens: number,
): Promise<GenerationResult> {
  const abort = new AbortController();
  running.set(id, abort);
  stats.requests++;
  const started = performance.now();
  let ttftMs: number | undefined;
  let generated = 0;
  const inputBefore = sequence.tokenMeter.usedInputTokens;
  try {
    const { text, stopReason } = await run({
      signal: abort.signal,
      onTextChunk: (t) => {
        ttftMs ??= performance.now() - started;
        send({ type: 'chunk', id, text: t });
      },
      onToken: (tokens) => {
        generated += tokens.length;
        stats.generatedTokens += tokens.length;
      },
    });
    const cancelled = abort.signal.aborted || stopReason === 'abort';
    if (cancelled) stats.cancelled++;
    // The meter counts a decoded token as output when its logits are read (one per step, the prompt's
    // last token included) and as input otherwise: so the prompt evaluated now is the input + 1.
    const evaluated = Math.min(promptTokens, sequence.tokenMeter.usedInputTokens - inputBefore + 1);
    return {
      text,
      finishReason: cancelled ? 'cancelled' : stopReason === 'maxTokens' || generated >= maxTokens ? 'length' : 'stop',
      promptTokens,
      cachedTokens: Math.max(0, promptTokens - evaluated),
      completionTokens: generated,
      ttftMs,
      totalMs: performance.now() - started,
    };
  } catch (err) {
    if (abort.signal.aborted) {
      stats.cancelled++;
      return { text: '', finishReason: 'cancelled', promptTokens, cachedTokens: 0, completionTokens: generated, totalMs: performance.now() - started };
    }
    throw new EngineError('failed', errorMessage(err));
  } finally {
    running.delete(id);
  }
}

async function fim(m: Extract<HostMessage, { type: 'fim' }>): Promise<GenerationResult> {
  const { model, fim: f, summary } = requireModel();
  const stop = m.stop.filter((s) => s !== '');
  const common = { maxTokens: m.maxTokens, temperature: m.temperature, stopOnAbortSignal: true, customStopTriggers: stop.length ? stop : undefined };
  // A model without FIM tokens can still continue the text before the cursor. The infill prompt
  // is the prefix and suffix plus the three FIM tokens.
  const promptTokens = summary.infill ? model.tokenize(m.prefix).length + model.tokenize(m.suffix).length + 3 : model.tokenize(m.prefix).length;
  return generate(m.id, f.sequence, promptTokens, async (o) => {
    const r = summary.infill
      ? await f.completion.generateInfillCompletionWithMeta(m.prefix, m.suffix, { ...common, ...o })
      : await f.completion.generateCompletionWithMeta(m.prefix, { ...common, ...o });
    return { text: r.response, stopReason: r.metadata.stopReason };
  }, m.maxTokens);
}

async function chat(m: Extract<HostMessage, { type: 'chat' }>): Promise<GenerationResult> {
  const current = requireModel();
  const l = lib as NodeLlamaCpp;
  if (!current.chat) {
    const context = await createContext(current.model, current.options);
    current.chat = { context, sequence: context.getSequence() };
  }
  const { sequence } = current.chat;
  const last = m.messages[m.messages.length - 1];
  if (last.role !== 'user') throw new EngineError('bad-request', 'the last chat message must be from the user');
  const history = m.messages.slice(0, -1).map((msg) => msg.role === 'system' ? { type: 'system' as const, text: msg.content }
    : msg.role === 'user' ? { type: 'user' as const, text: msg.content } : { type: 'model' as const, response: [msg.content] });
  const promptTokens = m.messages.reduce((n, msg) => n + current.model.tokenize(msg.content).length + 4, 0);
  return generate(m.id, sequence, promptTokens, async (o) => {
    const session = new l.LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
    try {
      session.setChatHistory(history);
      const r = await session.promptWithMeta(last.content, { maxTokens: m.maxTokens, temperature: m.temperature, stopOnAbortSignal: true, ...o });
      return { text: r.responseText, stopReason: r.stopReason };
    } finally {
      session.dispose({ disposeSequence: false });
    }
  }, m.maxTokens);
}

async function currentStats(): Promise<EngineStats> {
  let vram: EngineStats['vram'];
  if (llama?.gpu) {
    const v = await llama.getVramState();
    vram = { totalBytes: v.total, freeBytes: v.free };
  }
  return { pid: process.pid, model: loaded?.summary, requests: stats.requests, active: running.size, generatedTokens: stats.generatedTokens, cancelled: stats.cancelled, rssBytes: process.memoryUsage.rss(), vram };
}

async function handle(m: HostMessage): Promise<void> {
  try {
    switch (m.type) {
      case 'load': send({ type: 'loaded', id: m.id, model: await load(m.options) }); return;
      case 'fim': send({ type: 'result', id: m.id, result: await fim(m) }); return;
      case 'chat': send({ type: 'result', id: m.id, result: await chat(m) }); return;
      case 'cancel': running.get(m.target)?.abort(); send({ type: 'stats', id: m.id, stats: await currentStats() }); return;
      case 'stats': send({ type: 'stats', id: m.id, stats: await currentStats() }); return;
    }
  } catch (err) {
    const code = err instanceof EngineError ? err.code : 'failed';
    send({ type: 'error', id: m.id, code, message: errorMessage(err) });
  }
}

process.on('message', (raw: unknown) => {
  const m = parseHostMessage(raw);
  if (isRejected(m)) {
    const id = typeof (raw as { id?: unknown } | null)?.id === 'string' ? (raw as { id: string }).id : '';
    send({ type: 'error', id, code: 'bad-request', message: m.error });
    return;
  }
  void handle(m);
});

// The engine lives only as long as the editor that started it.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
