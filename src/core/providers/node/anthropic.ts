// Anthropic messages, streamed, through the official SDK (loaded on the first call, on the gate's fetch).
import type Anthropic from '@anthropic-ai/sdk';
import { mergeAnthropicStreamUsage, type AnthropicUsage } from '../../cost/usage';
import { createCloudStreamingChat, type CloudChatOptions } from './cloudChat';
import type { ChatProvider } from '../types';

export function createAnthropicChat(opts: CloudChatOptions): ChatProvider {
  return createCloudStreamingChat(opts, {
    id: 'anthropic',
    load: () => import('@anthropic-ai/sdk'),
    client: (sdk, options) => new sdk.Anthropic(options),
    stream: (client: Anthropic, req, signal) => {
      const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
      const messages = req.messages
        .filter((m) => m.role !== 'system')
        .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
      return client.messages.create({
        model: req.model,
        max_tokens: req.maxTokens,
        ...(system ? { system } : {}),
        messages,
        ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
        stream: true,
      }, { signal });
    },
    reading() {
      // message_start carries the input side; each message_delta the running output count.
      let startUsage: AnthropicUsage | undefined;
      let outputTokens: number | undefined;
      let stop: string | null | undefined;
      let ended = false;
      return {
        read(event) {
          if (event.type === 'message_start') startUsage = event.message.usage;
          else if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') return event.delta.text;
          else if (event.type === 'message_delta') {
            stop = event.delta.stop_reason;
            outputTokens = event.usage.output_tokens ?? outputTokens;
          } else if (event.type === 'message_stop') ended = true;
          return undefined;
        },
        usage: () => (startUsage ? mergeAnthropicStreamUsage(startUsage, { output_tokens: outputTokens }) : undefined),
        finish: () => (!ended ? undefined : stop === 'max_tokens' ? 'length' : 'stop'),
      };
    },
  });
}
