import { parseCompletionSettings, type CompletionSettings } from './completion';
import { parseCostSettings, type CostSettings } from './cost';
import { parseEmbeddedSettings, type EmbeddedSettings } from './embedded';
import { parsePrivacySettings, type PrivacySettings } from './privacy';
import { parseProviderSettings, type ProviderSettings } from './providers';
import { SettingsReader, type RawSettings, type SettingProblem } from './reader';
import { parseRoutingSettings, type RoutingSettings } from './routing';
import { parseTeamSettings, parseUsageExportSettings, type TeamSettings, type UsageExportSettings } from './team';

export type { RawSettings, RawValue, SettingProblem } from './reader';
export { SECTION } from './reader';
export type { SettingKey, SettingValues } from './keys';

/** Every Switchyard setting, typed and validated. Read once per configuration change. */
export interface Settings {
  providers: ProviderSettings;
  completion: CompletionSettings;
  privacy: PrivacySettings;
  routing: RoutingSettings;
  cost: CostSettings;
  embedded: EmbeddedSettings;
  team: TeamSettings;
  usageExport: UsageExportSettings;
}

export interface ParsedSettings {
  settings: Settings;
  problems: SettingProblem[];
}

/** Never throws: each bad value becomes a problem naming the setting, and its safe default is used. */
export function parseSettings(raw: RawSettings): ParsedSettings {
  const r = new SettingsReader(raw);
  const settings: Settings = {
    providers: parseProviderSettings(r),
    completion: parseCompletionSettings(r),
    privacy: parsePrivacySettings(r),
    routing: parseRoutingSettings(r),
    cost: parseCostSettings(r),
    embedded: parseEmbeddedSettings(r),
    team: parseTeamSettings(r),
    usageExport: parseUsageExportSettings(r),
  };
  return { settings, problems: r.problems };
}

/** Defaults only: what a fresh install sees. */
export function defaultSettings(): Settings {
  return parseSettings({}).settings;
}
