import type { CloudProviderId, LocalProviderId } from '../types';
import type { SettingsReader } from './reader';

// Endpoints, models of record and keys decide where bytes go, so every setting here is read
// from the user's scope only: a repository's .vscode/settings.json cannot redirect them.
export interface ProviderSettings {
  local: {
    /** 'auto': the first local server that answers (Ollama, then OpenAI-compatible), else the embedded engine. */
    provider: LocalProviderId | 'auto';
    ollamaUrl: string;
    openaiCompatibleUrl: string;
    /** Model for local chat requests (ask, refactor, architecture). */
    chatModel: string;
  };
  cloud: {
    provider: CloudProviderId;
    openai: { baseUrl: string; model: string };
    anthropic: { baseUrl: string; model: string };
  };
  /** Host names or addresses of private servers the user trusts as `network` endpoints. */
  trustedNetworkHosts: string[];
}

export function parseProviderSettings(r: SettingsReader): ProviderSettings {
  const user = { resolution: 'user' as const };
  return {
    local: {
      provider: r.oneOf('local.provider', ['ollama', 'openai-compatible', 'embedded', 'auto'] as const, { fallback: 'ollama', ...user }),
      ollamaUrl: r.url('local.ollamaUrl', { fallback: 'http://127.0.0.1:11434', ...user }),
      openaiCompatibleUrl: r.url('local.openaiCompatibleUrl', { fallback: 'http://127.0.0.1:8080/v1', ...user }),
      chatModel: r.string('local.chatModel', { fallback: 'qwen2.5-coder:7b-instruct', nonEmpty: true, ...user }),
    },
    cloud: {
      provider: r.oneOf('cloud.provider', ['openai', 'anthropic'] as const, { fallback: 'openai', ...user }),
      openai: {
        baseUrl: r.url('cloud.openai.baseUrl', { fallback: 'https://api.openai.com/v1', ...user }),
        model: r.string('cloud.openai.model', { fallback: 'gpt-4.1-mini', nonEmpty: true, ...user }),
      },
      anthropic: {
        baseUrl: r.url('cloud.anthropic.baseUrl', { fallback: 'https://api.anthropic.com', ...user }),
        model: r.string('cloud.anthropic.model', { fallback: 'claude-sonnet-4-6', nonEmpty: true, ...user }),
      },
    },
    trustedNetworkHosts: r.stringArray('privacy.trustedNetworkHosts', { fallback: [], ...user }),
  };
}
