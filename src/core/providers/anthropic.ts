// Anthropic messages, streamed, through the official SDK. Imported on the first call, never at activation;
// reaches the network only through the gate's fetch.
import type Anthropic from '@anthropic-ai/sdk';
import { mergeAnthropicStreamUsage, type AnthropicUsage } from '../cost/usage';
import { IdleAbort, mapCloudError } from './cloudErrors';
import { safeHost, type CloudChatOptions } from './openai';
import { ProviderError, type ChatProvider, type ChatRequest, type OnText, type StreamResult } from './types';

export function createAnthropicChat(opts: CloudChatOptions): ChatProvider {
  let client: Anthropic | undefined;
  let sdk: typeof import('@anthropic-ai/sdk') | undefined;
  const host = safeHost(opts.baseUrl);
  return {
    id: 'anthropic',
    baseUrl: opts.baseUrl,
    async chat(req: ChatRequest, onText: OnText, signal: AbortSignal): Promise<StreamResult> {
      const started = performance.now();
      const idle = new IdleAbort(opts.timeoutMs, signal);
      let text = '';
      let ttftMs: number | undefined;
      let startUsage: AnthropicUsage | undefined;
      let outputTokens: number | undefined;
      let stop: string | null | undefined;
      let ended = false;
      try {
        if (!client) {
          sdk = await import('@anthropic-ai/sdk');
          client = new sdk.Anthropic({
            baseURL: opts.baseUrl, apiKey: opts.apiKey, fetch: opts.fetch,
            maxRetries: opts.maxRetries ?? 1, timeout: opts.timeoutMs + 1000,
          });
        }
        const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
        const messages = req.messages
          .filter((m) => m.role !== 'system')
          .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
        const stream = await client.messages.create({
          model: req.model,
          max_tokens: req.maxTokens,
          ...(system ? { system } : {}),
          messages,
          ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
          stream: true,
        }, { signal: idle.signal });
        for await (const event of stream) {
          idle.touch();
          if (event.type === 'message_start') {
            startUsage = event.message.usage;
          } else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
            ttftMs ??= performance.now() - started;
            text += event.delta.text;
            onText(event.delta.text);
          } else if (event.type === 'message_delta') {
            stop = event.delta.stop_reason;
            outputTokens = event.usage.output_tokens ?? outputTokens;
          } else if (event.type === 'message_stop') {
            ended = true;
          }
        }
      } catch (err) {
        const usage = startUsage ? mergeAnthropicStreamUsage(startUsage, { output_tokens: outputTokens }) : undefined;
        if (signal.aborted) return { text, finishReason: 'cancelled', usage, ttftMs, totalMs: performance.now() - started };
        if (idle.timedOut) throw new ProviderError('timeout', `Anthropic did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, { endpointClass: 'cloud' });
        throw mapCloudError(err, 'anthropic', { host, model: req.model, timeoutMs: opts.timeoutMs }, sdk);
      } finally {
        idle.stop();
      }
      // The SDK ends the stream quietly when aborted.
      const partial = startUsage ? mergeAnthropicStreamUsage(startUsage, { output_tokens: outputTokens }) : undefined;
      if (signal.aborted) return { text, finishReason: 'cancelled', usage: partial, ttftMs, totalMs: performance.now() - started };
      if (idle.timedOut) throw new ProviderError('timeout', `Anthropic did not answer within ${Math.round(opts.timeoutMs / 1000)} s`, { endpointClass: 'cloud' });
      if (!ended) throw new ProviderError('cut', 'the Anthropic answer stopped before it was complete (the stream was cut)');
      return {
        text,
        usage: startUsage ? mergeAnthropicStreamUsage(startUsage, { output_tokens: outputTokens }) : undefined,
        ttftMs,
        totalMs: performance.now() - started,
        finishReason: stop === 'max_tokens' ? 'length' : 'stop',
      };
    },
  };
}
