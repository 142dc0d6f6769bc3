import type { Level, SettingsReader } from './reader';

export type SecretsMode = 'keep-local' | 'redact';

export interface PrivacySettings {
  /** True when any scope (user, workspace, folder) sets it: a workspace can tighten, never loosen. */
  neverLeaveMachine: boolean;
  /** Glob patterns of files never sent to the cloud nor used as context; the union of every scope. */
  exclude: string[];
  /** The same patterns per level: each level is its own exclusion source (negation never crosses levels). */
  excludeByLevel: Record<Level, string[]>;
  /** The built-in secret-file exclusions (`.env*`, `*.pem`, ...). User settings only: a workspace cannot turn them off. */
  builtInExclusions: boolean;
  /** What happens to a cloud-bound request that contains a secret. `keep-local` unless the USER chose `redact`. */
  secrets: SecretsMode;
  /** True when any scope sets it: the team server may be used, the cloud never. A workspace can tighten, never loosen. */
  networkOnly: boolean;
}

export function parsePrivacySettings(r: SettingsReader): PrivacySettings {
  const user = { resolution: 'user' as const };
  return {
    neverLeaveMachine: r.anyTrue('privacy.neverLeaveMachine'),
    networkOnly: r.anyTrue('privacy.networkOnly'),
    exclude: r.unionStringArray('privacy.exclude'),
    excludeByLevel: {
      user: r.level('user').unionStringArray('privacy.exclude'),
      workspace: r.level('workspace').unionStringArray('privacy.exclude'),
      folder: r.level('folder').unionStringArray('privacy.exclude'),
    },
    builtInExclusions: r.boolean('privacy.builtInExclusions', { fallback: true, ...user }),
    secrets: r.oneOf('privacy.secrets', ['keep-local', 'redact'] as const, { fallback: 'keep-local', ...user }),
  };
}
