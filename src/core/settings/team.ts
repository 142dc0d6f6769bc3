import { TEAM_KINDS, type TeamKind } from '../providers/team';
import { invalid, type SettingsReader } from './reader';

// The team server and the usage export decide where bytes go, so every setting here is read from
// the user's scope only: a repository cannot point them elsewhere.
export interface TeamSettings {
  /** Base URL including `/v1`; empty: no team server. */
  url: string;
  kind: TeamKind;
  completionModel: string;
  chatModel: string;
  /** A PEM file of extra certificate authorities to trust for the team server (besides the system's). */
  caFile: string;
}

export interface UsageExportSettings {
  enabled: boolean;
  /** OTLP/HTTP base endpoint, e.g. `http://127.0.0.1:4318` (`/v1/metrics`, `/v1/logs` are added). */
  endpoint: string;
  headers: Record<string, string>;
  /** One log record per call (no prompt or answer text). */
  logRecords: boolean;
  intervalSeconds: number;
}

export function parseTeamSettings(r: SettingsReader): TeamSettings {
  const user = { resolution: 'user' as const };
  const url = r.string('team.url', { fallback: '', ...user }).trim();
  let checked = '';
  if (url !== '') {
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      checked = url.replace(/\/+$/, '');
    } catch {
      r.problem('team.url', `must be an http:// or https:// URL; got "${url.slice(0, 40)}", so no team server is used.`);
    }
  }
  return {
    url: checked,
    kind: r.oneOf('team.kind', TEAM_KINDS, { fallback: 'vllm', ...user }),
    completionModel: r.string('team.completionModel', { fallback: 'Qwen/Qwen2.5-Coder-7B', nonEmpty: true, ...user }),
    chatModel: r.string('team.chatModel', { fallback: 'Qwen/Qwen2.5-Coder-32B-Instruct', nonEmpty: true, ...user }),
    caFile: r.string('team.caFile', { fallback: '', ...user }).trim(),
  };
}

export function parseUsageExportSettings(r: SettingsReader): UsageExportSettings {
  const user = { resolution: 'user' as const };
  return {
    enabled: r.boolean('usageExport.enabled', { fallback: false, ...user }),
    endpoint: r.url('usageExport.endpoint', { fallback: 'http://127.0.0.1:4318', ...user }),
    headers: r.record('usageExport.headers', (v) => (typeof v === 'string' ? v : invalid('must be a string')), { fallback: {}, ...user }),
    logRecords: r.boolean('usageExport.logRecords', { fallback: false, ...user }),
    intervalSeconds: r.number('usageExport.intervalSeconds', { fallback: 60, min: 5, max: 3600, ...user }),
  };
}
