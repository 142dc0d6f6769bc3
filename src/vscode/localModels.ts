import type { LocalModels, Services } from './services';

/** Builds the configured local provider (Ollama / OpenAI-compatible / embedded) through the gate. */
export function registerLocalModels(_s: Services): LocalModels {
  const unavailable = (): never => { throw new Error('No local model provider is available yet.'); };
  return {
    current: () => ({ id: _s.settings.current.providers.local.provider, baseUrl: _s.settings.current.providers.local.ollamaUrl,
      completionModel: _s.settings.current.completion.model, chatModel: _s.settings.current.providers.local.chatModel }),
    fim: unavailable,
    chat: unavailable,
    catalog: unavailable,
    healthy: () => undefined,
    setEmbedded: () => undefined,
  };
}
