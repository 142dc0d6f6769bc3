import type { SettingsReader } from './reader';

export interface PrivacySettings {
  /** True when any scope (user, workspace, folder) sets it: a workspace can tighten, never loosen. */
  neverLeaveMachine: boolean;
  /** Glob patterns of files never sent to the cloud nor used as context; the union of every scope. */
  exclude: string[];
}

export function parsePrivacySettings(r: SettingsReader): PrivacySettings {
  return {
    neverLeaveMachine: r.anyTrue('privacy.neverLeaveMachine'),
    exclude: r.unionStringArray('privacy.exclude'),
  };
}
