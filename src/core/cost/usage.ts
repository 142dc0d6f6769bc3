// Provider-reported usage, normalized to one TokenUsage shape, and the cost of a usage at a price.
//
// Convention (what every field of TokenUsage means in Switchyard; the providers report it this way):
//   promptTokens      EVERY input token, cached ones included
//   cacheReadTokens   the part of promptTokens served from the provider's prompt cache
//   cacheWriteTokens  the part of promptTokens written to the provider's prompt cache
//   completionTokens  output tokens (for reasoning models this includes the hidden reasoning tokens)
// so the tokens billed at the full input rate are promptTokens - cacheReadTokens - cacheWriteTokens.
//
// Providers report these differently, which is where peer tools get their bills wrong:
//   OpenAI     `prompt_tokens` already INCLUDES `prompt_tokens_details.cached_tokens`: take it as is and
//              never add the cached tokens again. Streaming reports usage only with
//              `stream_options: { include_usage: true }`, in a final chunk whose `choices` is empty.
//   Anthropic  `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`: add
//              them to get promptTokens. Streaming: `message_start` carries the input and cache counts,
//              each `message_delta` the cumulative `output_tokens`.
//   Ollama     `prompt_eval_count` / `eval_count` on the final (done) message; `prompt_eval_count` is
//              absent when the whole prompt came from the model's KV cache, which counts as 0.
import type { TokenUsage } from '../types';
import type { ModelPrice } from './prices';

/** OpenAI chat completions (and OpenAI-compatible local servers) `usage`; also the Responses API shape. */
export interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
}

export function fromOpenAIUsage(u: OpenAIUsage): TokenUsage {
  const prompt = count(u.prompt_tokens ?? u.input_tokens);
  const cached = Math.min(prompt, count(u.prompt_tokens_details?.cached_tokens ?? u.input_tokens_details?.cached_tokens));
  const usage: TokenUsage = { promptTokens: prompt, completionTokens: count(u.completion_tokens ?? u.output_tokens) };
  if (cached > 0) usage.cacheReadTokens = cached;
  return usage;
}

/** Anthropic Messages `usage` (from a message, or `message_start` merged with the last `message_delta`). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

export function fromAnthropicUsage(u: AnthropicUsage): TokenUsage {
  const read = count(u.cache_read_input_tokens);
  const write = count(u.cache_creation_input_tokens);
  const usage: TokenUsage = { promptTokens: count(u.input_tokens) + read + write, completionTokens: count(u.output_tokens) };
  if (read > 0) usage.cacheReadTokens = read;
  if (write > 0) usage.cacheWriteTokens = write;
  return usage;
}

/**
 * Usage of a streamed Anthropic message: the counts of `message_start` with the output count of the last
 * `message_delta` (which is cumulative; some gateways also repeat input counts there, and those win).
 */
export function mergeAnthropicStreamUsage(start: AnthropicUsage, lastDelta: AnthropicUsage | undefined): TokenUsage {
  const d = lastDelta ?? {};
  return fromAnthropicUsage({
    input_tokens: d.input_tokens ?? start.input_tokens,
    output_tokens: d.output_tokens ?? start.output_tokens,
    cache_creation_input_tokens: d.cache_creation_input_tokens ?? start.cache_creation_input_tokens,
    cache_read_input_tokens: d.cache_read_input_tokens ?? start.cache_read_input_tokens,
  });
}

/** Ollama's final `/api/generate` or `/api/chat` message. Durations are nanoseconds. */
export interface OllamaStats {
  prompt_eval_count?: number;
  eval_count?: number;
  total_duration?: number;
  load_duration?: number;
  prompt_eval_duration?: number;
  eval_duration?: number;
}

export function fromOllamaStats(s: OllamaStats): TokenUsage {
  return { promptTokens: count(s.prompt_eval_count), completionTokens: count(s.eval_count) };
}

/** Time the model spent computing (prompt evaluation + generation), ms; excludes model load time. */
export function ollamaInferenceMs(s: OllamaStats): number | undefined {
  if (s.prompt_eval_duration === undefined && s.eval_duration === undefined) return undefined;
  return (count(s.prompt_eval_duration) + count(s.eval_duration)) / 1e6;
}

/** USD for a usage at a price. Cache tokens fall back to the input price when the model has no cache price. */
export function usageCostUsd(price: ModelPrice, u: TokenUsage): number {
  const totalInput = count(u.promptTokens);
  // Cache parts can never exceed the input they are part of (a malformed usage must not bill extra).
  const cacheRead = Math.min(count(u.cacheReadTokens), totalInput);
  const cacheWrite = Math.min(count(u.cacheWriteTokens), totalInput - cacheRead);
  const uncached = totalInput - cacheRead - cacheWrite;
  const p = price.longContext && totalInput > price.longContext.thresholdTokens ? price.longContext : price;
  return (uncached * p.input
    + count(u.completionTokens) * p.output
    + cacheRead * (p.cacheRead ?? p.input)
    + cacheWrite * (p.cacheWrite ?? p.input)) / 1e6;
}

/** Local inference cost: the time the machine spent on the call at the configured hourly rate. */
export function localCostUsd(inferenceMs: number, ratePerHourUsd: number): number {
  return (Math.max(0, inferenceMs) / 3_600_000) * ratePerHourUsd;
}

function count(n: number | null | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}
