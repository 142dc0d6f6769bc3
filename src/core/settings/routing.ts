import type { SettingsReader } from './reader';

export type RoutingMode = 'local-only' | 'hybrid' | 'cloud-preferred';

export interface RoutingSettings {
  mode: RoutingMode;
}

export function parseRoutingSettings(r: SettingsReader): RoutingSettings {
  return {
    mode: r.oneOf('routing.mode', ['local-only', 'hybrid', 'cloud-preferred'] as const, { fallback: 'hybrid' }),
  };
}
