import { FAMILY_IDS, type FamilyId } from '../completion/templates';
import type { SettingsReader } from './reader';

export type TemplateChoice = 'auto' | 'none' | FamilyId;
export const TEMPLATE_CHOICES: readonly TemplateChoice[] = ['auto', 'none', ...FAMILY_IDS];

export interface CompletionSettings {
  enabled: boolean;
  /** Language ids for which completions are off. */
  disabledLanguages: string[];
  /** Model name on the local server. */
  model: string;
  /** Shortest wait after a keystroke before asking the model, ms. */
  debounceMs: number;
  /** Lengthen the wait to the user's typing rhythm (up to 450 ms). */
  adaptiveDebounce: boolean;
  /** Most tokens generated per suggestion (Ollama num_predict / max_tokens). */
  maxTokens: number;
  temperature: number;
  /** Token budget of the prompt window (prefix, suffix and snippets). */
  contextTokens: number;
  /** FIM template: picked from the model name ('auto'), a family, or left to the server ('none'). */
  template: TemplateChoice;
  /** How long the server keeps the model loaded after a request (Ollama keep_alive). */
  keepAlive: string;
  /** Use short snippets of other open files of the same language as context. */
  openFilesContext: boolean;
  /** 'auto': multi-line suggestions where a block can start; 'never': always one line. */
  multiline: 'auto' | 'never';
  /** A request running longer than this is stopped, ms. */
  timeoutMs: number;
  /** Requests slower than this on average show "slow" in the status bar, ms. */
  slowMs: number;
}

export function parseCompletionSettings(r: SettingsReader): CompletionSettings {
  return {
    enabled: r.boolean('completion.enabled', { fallback: true }),
    disabledLanguages: r.stringArray('completion.disabledLanguages', { fallback: [] }),
    model: r.string('completion.model', { fallback: 'qwen2.5-coder:1.5b-base', nonEmpty: true, resolution: 'user' }),
    debounceMs: r.number('completion.debounceMs', { fallback: 120, min: 0, max: 2000, integer: true }),
    adaptiveDebounce: r.boolean('completion.adaptiveDebounce', { fallback: true }),
    maxTokens: r.number('completion.maxTokens', { fallback: 96, min: 1, max: 1024, integer: true }),
    temperature: r.number('completion.temperature', { fallback: 0.2, min: 0, max: 2 }),
    contextTokens: r.number('completion.contextTokens', { fallback: 1536, min: 128, max: 32768, integer: true }),
    template: r.oneOf('completion.template', TEMPLATE_CHOICES, { fallback: 'auto' }),
    keepAlive: keepAlive(r),
    openFilesContext: r.boolean('completion.openFilesContext', { fallback: true }),
    multiline: r.oneOf('completion.multiline', ['auto', 'never'] as const, { fallback: 'auto' }),
    timeoutMs: r.number('completion.timeoutMs', { fallback: 15000, min: 500, max: 120000, integer: true }),
    slowMs: r.number('completion.slowMs', { fallback: 3000, min: 100, max: 60000, integer: true }),
  };
}

/** Ollama durations: "30m", "1h", "90s", "-1" (forever) or "0" (unload at once). */
function keepAlive(r: SettingsReader): string {
  const v = r.string('completion.keepAlive', { fallback: '30m', resolution: 'user' });
  if (/^(-1|0|\d+(\.\d+)?(ms|s|m|h))$/.test(v.trim())) return v.trim();
  r.problem('completion.keepAlive', `must be a duration like "30m", "1h", "-1" (keep loaded) or "0"; got "${v}", using "30m".`);
  return '30m';
}
