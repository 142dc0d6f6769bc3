// Builds the configured local provider. Every client gets the egress gate's fetch for its purpose.
import type { EgressFetcher } from '../privacy/egress';
import type { LocalProviderId } from '../types';
import { OllamaProvider } from './ollama';
import { OpenAICompatibleProvider } from './openaiCompatible';
import type { ChatProvider, FimProvider, ModelCatalog } from './types';

export type LocalProvider = FimProvider & ChatProvider & ModelCatalog;
export type ServerProviderId = Exclude<LocalProviderId, 'embedded'>;

export interface LocalEndpoints {
  ollamaUrl: string;
  openaiCompatibleUrl: string;
}

export function createServerProvider(id: ServerProviderId, urls: LocalEndpoints, gate: EgressFetcher): LocalProvider {
  if (id === 'ollama') return new OllamaProvider(urls.ollamaUrl, (purpose) => gate.fetchFor({ purpose, provider: 'ollama' }));
  return new OpenAICompatibleProvider(urls.openaiCompatibleUrl, (purpose) => gate.fetchFor({ purpose, provider: 'openai-compatible' }));
}

/**
 * Which provider serves under the `local.provider` setting. 'auto': the first server that answers
 * (Ollama, then OpenAI-compatible), else the embedded engine when one is registered, else Ollama
 * (so the status bar explains how to start it).
 */
export function chooseLocal(
  setting: LocalProviderId | 'auto',
  up: { ollama?: boolean; openaiCompatible?: boolean; embedded: boolean },
): LocalProviderId {
  if (setting !== 'auto') return setting;
  if (up.ollama) return 'ollama';
  if (up.openaiCompatible) return 'openai-compatible';
  if (up.embedded) return 'embedded';
  return 'ollama';
}
