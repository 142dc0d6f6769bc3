// The typed messages between the extension and the embedded engine's child process.
// Both sides validate what they receive (the convention of src/core/protocol.ts): a malformed message is
// reported, never acted upon.

import { isObject, reject, type Message, type Parsed } from '../../protocol';
import type { ChatMessage } from '../types';

/** How the engine should load a model. */
export interface LoadOptions {
  modelPath: string;
  /** CPU threads for inference (already resolved: never 0). */
  threads: number;
  contextSize: number;
  /** Let llama.cpp use a GPU when one is available. */
  gpu: boolean;
}

/** Whether two loads would give the same loaded model; the extension and the engine both skip a repeated load. */
export function sameLoadOptions(a: LoadOptions, b: LoadOptions): boolean {
  return a.modelPath === b.modelPath && a.threads === b.threads && a.contextSize === b.contextSize && a.gpu === b.gpu;
}

/** Extension -> engine. Every request carries an id that its chunks and answer repeat. */
export type HostMessage =
  | { type: 'load'; id: string; options: LoadOptions }
  | { type: 'fim'; id: string; prefix: string; suffix: string; maxTokens: number; temperature: number; stop: string[] }
  | { type: 'chat'; id: string; messages: ChatMessage[]; maxTokens: number; temperature: number }
  | { type: 'cancel'; id: string; target: string }
  | { type: 'stats'; id: string };

export interface ModelSummary {
  path: string;
  name: string;
  sizeBytes: number;
  /** The model has FIM special tokens (prefix, suffix, middle). */
  infill: boolean;
  trainContextSize: number;
  gpu: string | false;
  threads: number;
}

export interface GenerationResult {
  text: string;
  finishReason: 'stop' | 'length' | 'cancelled';
  /** Tokens in the prompt as sent to the model. */
  promptTokens: number;
  /** Prompt tokens served from the KV cache (shared with the previous request) rather than evaluated. */
  cachedTokens: number;
  completionTokens: number;
  ttftMs?: number;
  totalMs: number;
}

/** What the engine has done so far; used by the status view and by tests to observe generation. */
export interface EngineStats {
  pid: number;
  model?: ModelSummary;
  requests: number;
  /** Generations running now. */
  active: number;
  /** Tokens generated since the process started. */
  generatedTokens: number;
  cancelled: number;
  rssBytes: number;
  /** GPU memory, when llama.cpp runs on a GPU. */
  vram?: { totalBytes: number; freeBytes: number };
}

export type EngineMessage =
  | { type: 'ready'; pid: number }
  | { type: 'chunk'; id: string; text: string }
  | { type: 'loaded'; id: string; model: ModelSummary }
  | { type: 'result'; id: string; result: GenerationResult }
  | { type: 'stats'; id: string; stats: EngineStats }
  | { type: 'error'; id: string; code: EngineErrorCode; message: string }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

/**
 * - `engine-missing`: node-llama-cpp (or its binary for this platform) is not installed.
 * - `model-missing`: the GGUF file does not exist or cannot be read.
 * - `model-invalid`: llama.cpp could not load the file.
 * - `no-model`: a generation was asked for before a model was loaded.
 * - `bad-request`: the message was malformed.
 * - `failed`: inference failed.
 */
const ENGINE_ERROR_CODES = ['engine-missing', 'model-missing', 'model-invalid', 'no-model', 'bad-request', 'failed'] as const;
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const bool: Check = (v) => typeof v === 'boolean';
const count: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const strings: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const obj = (shape: Record<string, Check>, optional: readonly string[] = []): Check => (v) =>
  isObject(v) && Object.entries(shape).every(([k, check]) => ((v as Record<string, unknown>)[k] === undefined && optional.includes(k)) || check((v as Record<string, unknown>)[k]));
const oneOf = (...values: string[]): Check => (v) => typeof v === 'string' && values.includes(v);
const messages: Check = (v) => Array.isArray(v) && v.length > 0 && v.every(obj({ role: oneOf('system', 'user', 'assistant'), content: str }));

const loadOptions = obj({ modelPath: str, threads: (v) => count(v) && (v as number) > 0, contextSize: (v) => count(v) && (v as number) >= 256, gpu: bool });
const model = obj({ path: str, name: str, sizeBytes: count, infill: bool, trainContextSize: count, gpu: (v) => v === false || str(v), threads: count });
const result = obj({ text: str, finishReason: oneOf('stop', 'length', 'cancelled'), promptTokens: count, cachedTokens: count, completionTokens: count, ttftMs: num, totalMs: num }, ['ttftMs']);
const stats = obj({ pid: count, model, requests: count, active: count, generatedTokens: count, cancelled: count, rssBytes: count, vram: obj({ totalBytes: count, freeBytes: count }) }, ['model', 'vram']);

const HOST: Record<HostMessage['type'], Check> = {
  load: obj({ id: str, options: loadOptions }),
  fim: obj({ id: str, prefix: str, suffix: str, maxTokens: (v) => count(v) && (v as number) > 0, temperature: (v) => num(v) && (v as number) >= 0, stop: strings }),
  chat: obj({ id: str, messages, maxTokens: (v) => count(v) && (v as number) > 0, temperature: (v) => num(v) && (v as number) >= 0 }),
  cancel: obj({ id: str, target: str }),
  stats: obj({ id: str }),
};

const ENGINE: Record<EngineMessage['type'], Check> = {
  ready: obj({ pid: count }),
  chunk: obj({ id: str, text: str }),
  loaded: obj({ id: str, model }),
  result: obj({ id: str, result }),
  stats: obj({ id: str, stats }),
  error: obj({ id: str, code: oneOf(...ENGINE_ERROR_CODES), message: str }),
  log: obj({ level: oneOf('info', 'warn'), message: str }),
};

function parse<M extends Message>(table: Record<string, Check>, raw: unknown): Parsed<M> {
  if (typeof raw !== 'object' || raw === null) return reject('message is not an object');
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(table, type)) return reject(`unknown message type ${JSON.stringify(type)}`);
  return table[type](raw) ? (raw as M) : reject(`malformed "${type}" message`);
}

/** A message from the extension, or why it was refused. */
export function parseHostMessage(raw: unknown): Parsed<HostMessage> {
  return parse<HostMessage>(HOST, raw);
}

/** A message from the engine, or why it was refused. */
export function parseEngineMessage(raw: unknown): Parsed<EngineMessage> {
  return parse<EngineMessage>(ENGINE, raw);
}
