// The OpenAI SDK as the OpenAI-compatible servers (this machine's, the team's) use it: loaded on
// first use (nothing heavy on activation) and one way to start each streamed request.
import type OpenAI from 'openai';
import type { ChatRequest, FimRequest } from './types';

let sdk: Promise<typeof import('openai')> | undefined;

/**
 * The client class. The named export: in the bundle the SDK is a separate CommonJS file, whose
 * `default` under import() is the module object, not the class.
 */
export async function openAIClientClass(): Promise<typeof OpenAI> {
  sdk ??= import('openai');
  return (await sdk).OpenAI;
}

/** A streamed chat completion, with the usage in its last chunk. */
export function streamChat(client: OpenAI, req: ChatRequest, signal: AbortSignal) {
  return client.chat.completions.create({
    model: req.model,
    messages: req.messages,
    max_tokens: req.maxTokens,
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.logprobs ? { logprobs: true } : {}),
    stream: true,
    stream_options: { include_usage: true },
  }, { signal });
}

/** A streamed text completion (FIM as `prompt` + `suffix`, or a raw template), with the usage at the end. */
export function streamCompletion(client: OpenAI, req: FimRequest, prompt: { prompt: string; suffix?: string }, signal: AbortSignal) {
  return client.completions.create({
    model: req.model,
    ...prompt,
    max_tokens: req.maxTokens,
    temperature: req.temperature,
    stop: req.stop,
    stream: true,
    stream_options: { include_usage: true },
  }, { signal });
}
