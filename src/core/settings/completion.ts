import type { SettingsReader } from './reader';

export interface CompletionSettings {
  enabled: boolean;
  /** Language ids for which completions are off. */
  disabledLanguages: string[];
  /** Model name on the local server; empty means "pick the first code model the server lists". */
  model: string;
}

export function parseCompletionSettings(r: SettingsReader): CompletionSettings {
  return {
    enabled: r.boolean('completion.enabled', { fallback: true }),
    disabledLanguages: r.stringArray('completion.disabledLanguages', { fallback: [] }),
    model: r.string('completion.model', { fallback: 'qwen2.5-coder:1.5b-base', resolution: 'user' }),
  };
}
