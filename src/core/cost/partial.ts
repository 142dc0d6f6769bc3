// A cloud stream that fails after the provider accepted the request (cut, timed out, errored mid-way) is
// still billed by the provider. The cloud provider attaches what it had received to its error; the task
// runner turns that into a usage the ledger bills and flags as estimated.
import type { TokenUsage } from '../types';

/** What a failed stream had delivered: the usage the provider reported so far, and the text received. */
export interface StreamSoFar {
  reported?: TokenUsage;
  text: string;
}

// Keyed by the error object: nothing is added to the error's shape, and nothing outlives it.
const soFar = new WeakMap<object, StreamSoFar>();

export function attachStreamSoFar<E extends object>(err: E, s: StreamSoFar): E {
  soFar.set(err, s);
  return err;
}

/** What the failed stream behind `err` had delivered; undefined when the provider never answered. */
export function streamSoFar(err: unknown): StreamSoFar | undefined {
  return typeof err === 'object' && err !== null ? soFar.get(err) : undefined;
}

/**
 * The usage to bill for a failed stream. Input: the provider's count when it sent one (Anthropic does in
 * `message_start`), else the pre-call estimate. Output: the larger of the reported count and the
 * tokens of the text received (the provider may have generated more than arrived; never less).
 */
export function failedStreamUsage(s: StreamSoFar, estimatedPromptTokens: number, receivedTokens: number): TokenUsage {
  const r = s.reported;
  const usage: TokenUsage = {
    promptTokens: r && r.promptTokens > 0 ? r.promptTokens : estimatedPromptTokens,
    completionTokens: Math.max(r?.completionTokens ?? 0, receivedTokens),
  };
  if (r?.cacheReadTokens) usage.cacheReadTokens = r.cacheReadTokens;
  if (r?.cacheWriteTokens) usage.cacheWriteTokens = r.cacheWriteTokens;
  return usage;
}
