import { invalid, type SettingsReader } from './reader';

export type RoutingMode = 'local-only' | 'hybrid' | 'cloud-preferred';

/** The request kinds a user starts by command (completions are always local). */
export type TaskKind = 'ask' | 'refactor' | 'architecture';
export const TASK_KINDS: readonly TaskKind[] = ['ask', 'refactor', 'architecture'];

export interface RoutingSettings {
  mode: RoutingMode;
  /** Where each kind goes in hybrid mode when nothing else decides. */
  targets: Record<TaskKind, 'local' | 'cloud'>;
  /** An "ask" prompt above this many tokens is large: it goes to the cloud when allowed. */
  askLocalMaxTokens: number;
  /** An "ask" about more selected lines than this is complex: it goes to the cloud when allowed. */
  askLocalMaxLines: number;
  /** Below this confidence (0-1) a local answer is escalated or the cloud is offered. */
  confidenceThreshold: number;
  /** Escalate unsure local answers to the cloud without asking (when allowed). */
  autoEscalate: boolean;
  /** A cloud request with no response (or no new streamed text) for this long fails as a timeout. */
  cloudTimeoutSeconds: number;
}

export const DEFAULT_TARGETS: Record<TaskKind, 'local' | 'cloud'> = { ask: 'local', refactor: 'cloud', architecture: 'cloud' };

export function parseRoutingSettings(r: SettingsReader): RoutingSettings {
  const targets = r.record<'local' | 'cloud'>(
    'routing.targets',
    (value, entry) => {
      if (!(TASK_KINDS as readonly string[]).includes(entry)) return invalid(`is not a request kind (use ${TASK_KINDS.join(', ')})`);
      return value === 'local' || value === 'cloud' ? value : invalid('must be "local" or "cloud"');
    },
    { fallback: {} },
  );
  return {
    mode: r.oneOf('routing.mode', ['local-only', 'hybrid', 'cloud-preferred'] as const, { fallback: 'hybrid' }),
    targets: { ...DEFAULT_TARGETS, ...targets },
    askLocalMaxTokens: r.number('routing.askLocalMaxTokens', { fallback: 2000, min: 0, max: 1_000_000, integer: true }),
    askLocalMaxLines: r.number('routing.askLocalMaxLines', { fallback: 150, min: 0, max: 1_000_000, integer: true }),
    confidenceThreshold: r.number('routing.confidenceThreshold', { fallback: 0.5, min: 0, max: 1 }),
    autoEscalate: r.boolean('routing.autoEscalate', { fallback: false }),
    cloudTimeoutSeconds: r.number('routing.cloudTimeoutSeconds', { fallback: 60, min: 1, max: 600 }),
  };
}
