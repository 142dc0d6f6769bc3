// Builds the configured cloud chat provider. Cheap: the SDKs themselves load on the first request.
import type { ProviderSettings } from '../../settings/providers';
import type { CloudProviderId } from '../../types';
import { createAnthropicChat } from './anthropic';
import { createOpenAIChat } from './openai';
import type { ChatProvider } from '../types';

export interface CloudFactoryInput {
  provider: CloudProviderId;
  settings: ProviderSettings['cloud'];
  apiKey: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

export function cloudBaseUrl(provider: CloudProviderId, settings: ProviderSettings['cloud']): string {
  return settings[provider].baseUrl;
}

export function cloudModel(provider: CloudProviderId, settings: ProviderSettings['cloud']): string {
  return settings[provider].model;
}

export function createCloudChat(i: CloudFactoryInput): ChatProvider {
  const opts = { baseUrl: cloudBaseUrl(i.provider, i.settings), apiKey: i.apiKey, fetch: i.fetch, timeoutMs: i.timeoutMs };
  return i.provider === 'openai' ? createOpenAIChat(opts) : createAnthropicChat(opts);
}
