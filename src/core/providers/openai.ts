// OpenAI chat completions, streamed, through the official SDK. The SDK is imported on the first call
// (never at activation) and reaches the network only through the gate's fetch.
import type OpenAI from 'openai';
import { fromOpenAIUsage } from '../cost/usage';
import type { TokenUsage } from '../types';
import { IdleAbort, mapCloudError } from './cloudErrors';
import { ProviderError, type ChatProvider, type ChatRequest, type OnText, type StreamResult } from './types';

export interface CloudChatOptions {
  baseUrl: string;
  apiKey: string;
  /** The egress gate's fetch for this request kind. */
  fetch: typeof fetch;
  /** No response, or no streamed text, for this long fails the call as a timeout. */
  timeoutMs: number;
  /** One retry covers a dropped connection or a brief 5xx/429 without keeping the user waiting long. */
  maxRetries?: number;
}

export function createOpenAIChat(opts: CloudChatOptions): ChatProvider {
  let client: OpenAI | undefined;
  let sdk: typeof import('openai') | undefined;
  const host = safeHost(opts.baseUrl);
  return {
    id: 'openai',
    baseUrl: opts.baseUrl,
    async chat(req: ChatRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
      const started = performance.now();
      const idle = new IdleAbort(opts.timeoutMs, signal);
      let text = '';
      let ttftMs: number | undefined;
      let usage: TokenUsage | undefined;
      let finish: string | undefined;
      try {
        if (!client) {
          sdk = await import('openai');
          client = new sdk.OpenAI({
            baseURL: opts.baseUrl, apiKey: opts.apiKey, fetch: opts.fetch,
            maxRetries: opts.maxRetries ?? 1, timeout: opts.timeoutMs + 1000,
          });
        }
        const stream = await client.chat.completions.create({
          model: req.model,
          messages: req.messages,
          max_completion_tokens: req.maxTokens,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          stream: true,
          stream_options: { include_usage: true },
        }, { signal: idle.signal });
        for await (const chunk of stream) {
          idle.touch();
          const choice = chunk.choices[0];
          const delta = choice?.delta?.content;
          if (delta) {
            ttftMs ??= performance.now() - started;
            text += delta;
            onText(delta);
          }
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) usage = fromOpenAIUsage(chunk.usage); // cached input is split out of promptTokens
        }
      } catch (err) {
        if (signal.aborted) return { text, finishReason: 'cancelled', usage, ttftMs, totalMs: performance.now() - started };
        if (idle.timedOut) throw new ProviderError('timeout', `OpenAI did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, { endpointClass: 'cloud' });
        throw mapCloudError(err, 'openai', { host, model: req.model, timeoutMs: opts.timeoutMs }, sdk);
      } finally {
        idle.stop();
      }
      // The SDK ends the stream quietly when aborted.
      if (signal.aborted) return { text, finishReason: 'cancelled', usage, ttftMs, totalMs: performance.now() - started };
      if (idle.timedOut) throw new ProviderError('timeout', `OpenAI did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, { endpointClass: 'cloud' });
      if (!finish) throw new ProviderError('cut', 'the OpenAI answer stopped before it was complete (the stream was cut)');
      return { text, usage, ttftMs, totalMs: performance.now() - started, finishReason: finish === 'length' ? 'length' : 'stop' };
    },
  };
}

export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an invalid address';
  }
}
