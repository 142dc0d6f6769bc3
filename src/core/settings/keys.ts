import type { OnCap } from './cost';
import type { TemplateChoice } from './completion';
import type { RoutingMode, TaskKind } from './routing';

/** A type marker: declares the value type a setting holds; it carries nothing at run time. */
function of<T>(): T {
  return undefined as T;
}

/**
 * Every Switchyard setting, relative to the `switchyard.` section, with the type of value it holds. The reader
 * reads only these keys and writes (vscode/settings.ts `updateSetting`) take only these keys with these value
 * types; test/unit/settingKeys.test.ts keeps the list equal to package.json's contributed configuration.
 */
export const SETTING_TYPES = {
  'local.provider': of<'ollama' | 'openai-compatible' | 'embedded' | 'auto'>(),
  'local.ollamaUrl': of<string>(),
  'local.openaiCompatibleUrl': of<string>(),
  'local.chatModel': of<string>(),
  'team.url': of<string>(),
  'team.kind': of<'vllm' | 'llamacpp' | 'tgi' | 'ollama'>(),
  'team.completionModel': of<string>(),
  'team.chatModel': of<string>(),
  'team.caFile': of<string>(),
  'completion.enabled': of<boolean>(),
  'completion.disabledLanguages': of<string[]>(),
  'completion.model': of<string>(),
  'completion.debounceMs': of<number>(),
  'completion.adaptiveDebounce': of<boolean>(),
  'completion.maxTokens': of<number>(),
  'completion.temperature': of<number>(),
  'completion.contextTokens': of<number>(),
  'completion.template': of<TemplateChoice>(),
  'completion.keepAlive': of<string>(),
  'completion.openFilesContext': of<boolean>(),
  'completion.multiline': of<'auto' | 'never'>(),
  'completion.timeoutMs': of<number>(),
  'completion.slowMs': of<number>(),
  'cloud.provider': of<'openai' | 'anthropic'>(),
  'cloud.openai.baseUrl': of<string>(),
  'cloud.openai.model': of<string>(),
  'cloud.anthropic.baseUrl': of<string>(),
  'cloud.anthropic.model': of<string>(),
  'routing.mode': of<RoutingMode>(),
  'routing.targets': of<Partial<Record<TaskKind, 'local' | 'cloud'>>>(),
  'routing.askLocalMaxTokens': of<number>(),
  'routing.askLocalMaxLines': of<number>(),
  'routing.confidenceThreshold': of<number>(),
  'routing.autoEscalate': of<boolean>(),
  'routing.cloudTimeoutSeconds': of<number>(),
  'privacy.trustedNetworkHosts': of<string[]>(),
  'privacy.neverLeaveMachine': of<boolean>(),
  'privacy.networkOnly': of<boolean>(),
  'privacy.exclude': of<string[]>(),
  'privacy.builtInExclusions': of<boolean>(),
  'privacy.secrets': of<'keep-local' | 'redact'>(),
  'budget.dailyUsd': of<number>(),
  'budget.monthlyUsd': of<number>(),
  'budget.warnAtPercent': of<number>(),
  'budget.onCap': of<OnCap>(),
  'cost.localRatePerHourUsd': of<number>(),
  'cost.prices': of<Record<string, { input: number; output: number }>>(),
  'embedded.modelPath': of<string>(),
  'embedded.threads': of<number>(),
  'embedded.contextSize': of<number>(),
  'embedded.gpu': of<boolean>(),
  'usageExport.enabled': of<boolean>(),
  'usageExport.endpoint': of<string>(),
  'usageExport.headers': of<Record<string, string>>(),
  'usageExport.logRecords': of<boolean>(),
  'usageExport.intervalSeconds': of<number>(),
};

/** The value type each setting holds. */
export type SettingValues = typeof SETTING_TYPES;
/** A setting key relative to the `switchyard.` section, e.g. `completion.enabled`. */
export type SettingKey = keyof SettingValues;
