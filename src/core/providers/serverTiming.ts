// The time split a model server reports about its own work, read from where each one puts it.
// Only reported figures are kept; the one derived figure (the wait before the prompt) is marked `~`.
import type { ServerTiming } from '../types';

const ms = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined);

function compact(t: ServerTiming): ServerTiming | undefined {
  const kept = Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as ServerTiming;
  return Object.keys(kept).length > 0 ? kept : undefined;
}

/** llama.cpp server's `timings` (in its final stream chunk and in whole responses). */
export function llamaCppTiming(timings: unknown): ServerTiming | undefined {
  if (!timings || typeof timings !== 'object') return undefined;
  const t = timings as Record<string, unknown>;
  return compact({ prefillMs: ms(t.prompt_ms), generationMs: ms(t.predicted_ms) });
}

/** TGI's timing headers (whole ms): `x-queue-time`, `x-inference-time`. TGI sends them on whole (not streamed) responses. */
export function tgiTiming(headers: Headers | undefined): ServerTiming | undefined {
  if (!headers) return undefined;
  const header = (name: string): number | undefined => {
    const v = headers.get(name);
    return v === null || v.trim() === '' ? undefined : ms(Number(v));
  };
  return compact({ queueMs: header('x-queue-time'), inferenceMs: header('x-inference-time') });
}

/** Ollama's final message: `load_duration`, `prompt_eval_duration`, `eval_duration` in nanoseconds. */
export function ollamaTiming(part: { load_duration?: unknown; prompt_eval_duration?: unknown; eval_duration?: unknown }): ServerTiming | undefined {
  const fromNs = (v: unknown): number | undefined => {
    const n = ms(v);
    return n === undefined ? undefined : n / 1e6;
  };
  return compact({ loadMs: fromNs(part.load_duration), prefillMs: fromNs(part.prompt_eval_duration), generationMs: fromNs(part.eval_duration) });
}

/**
 * The split in words for the log, e.g. `server: queue 310 ms, inference 95 ms` or
 * `server: prefill 120 ms, generation 800 ms, waited ~300 ms`. Where the server reports its prefill
 * but no queue, the rest of the time to first token was waiting (in its queue and on the network):
 * an estimate, marked `~`.
 */
export function describeTiming(t: ServerTiming | undefined, ttftMs?: number): string | undefined {
  if (!t) return undefined;
  const r = (n: number) => `${Math.round(n)} ms`;
  const parts: string[] = [];
  if (t.queueMs !== undefined) parts.push(`queue ${r(t.queueMs)}`);
  if (t.loadMs !== undefined) parts.push(`load ${r(t.loadMs)}`);
  if (t.prefillMs !== undefined) parts.push(`prefill ${r(t.prefillMs)}`);
  if (t.generationMs !== undefined) parts.push(`generation ${r(t.generationMs)}`);
  if (t.inferenceMs !== undefined) parts.push(`inference ${r(t.inferenceMs)}`);
  if (t.queueMs === undefined && t.prefillMs !== undefined && ttftMs !== undefined) {
    const wait = ttftMs - t.prefillMs - (t.loadMs ?? 0);
    if (wait >= 0) parts.push(`waited ~${r(wait)}`);
  }
  return parts.length > 0 ? `server: ${parts.join(', ')}` : undefined;
}
