// OpenAI chat completions, streamed, through the official SDK (loaded on the first call, on the gate's fetch).
import type OpenAI from 'openai';
import { fromOpenAIUsage } from '../../cost/usage';
import type { TokenUsage } from '../../types';
import { createCloudStreamingChat, type CloudChatOptions } from './cloudChat';
import type { ChatProvider } from '../types';

export function createOpenAIChat(opts: CloudChatOptions): ChatProvider {
  return createCloudStreamingChat(opts, {
    id: 'openai',
    load: () => import('openai'),
    client: (sdk, options) => new sdk.OpenAI(options),
    stream: (client: OpenAI, req, signal) => client.chat.completions.create({
      model: req.model,
      messages: req.messages,
      max_completion_tokens: req.maxTokens,
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      stream: true,
      stream_options: { include_usage: true },
    }, { signal }),
    reading() {
      let usage: TokenUsage | undefined;
      let finish: string | undefined;
      return {
        read(chunk) {
          const choice = chunk.choices[0];
          if (choice?.finish_reason) finish = choice.finish_reason;
          if (chunk.usage) usage = fromOpenAIUsage(chunk.usage); // cached input is split out of promptTokens
          return choice?.delta?.content;
        },
        usage: () => usage,
        finish: () => (finish === undefined ? undefined : finish === 'length' ? 'length' : 'stop'),
      };
    },
  });
}
