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

const MODES = ['local-only', 'hybrid', 'cloud-preferred'] as const; // most local first

const DEFAULTS: RoutingSettings = {
  mode: 'hybrid', targets: DEFAULT_TARGETS, askLocalMaxTokens: 2000, askLocalMaxLines: 150,
  confidenceThreshold: 0.5, autoEscalate: false, cloudTimeoutSeconds: 60,
};

/**
 * A workspace may keep more work local, never send more to the cloud: each setting that decides
 * where code goes is the more local of the user's value and the workspace's. A repository's
 * "cloud-preferred" cannot override a user's "local-only".
 */
export function parseRoutingSettings(r: SettingsReader): RoutingSettings {
  const user = readRouting(r.level('user'), DEFAULTS);
  const workspace = readRouting(r.level('workspace'), user);
  const folder = readRouting(r.level('folder'), user);
  const merged = strictestRouting([user, workspace, folder]);
  // Not about where code goes: the most specific level may set it.
  const timeout = r.level('folder').value('routing.cloudTimeoutSeconds') !== undefined ? folder.cloudTimeoutSeconds : workspace.cloudTimeoutSeconds;
  return { ...merged, cloudTimeoutSeconds: timeout };
}

/**
 * The most local combination of several routing settings: for one request whose content comes
 * from several folders, and for the levels of one folder. Never empty-handed: no input, defaults.
 */
export function strictestRouting(all: readonly RoutingSettings[]): RoutingSettings {
  if (all.length === 0) return DEFAULTS;
  const [first, ...rest] = all as [RoutingSettings, ...RoutingSettings[]];
  return rest.reduce<RoutingSettings>((a, b) => {
    const targets = { ...a.targets };
    for (const kind of TASK_KINDS) if (b.targets[kind] === 'local') targets[kind] = 'local';
    return {
      mode: MODES[Math.min(MODES.indexOf(a.mode), MODES.indexOf(b.mode))]!,
      targets,
      askLocalMaxTokens: Math.max(a.askLocalMaxTokens, b.askLocalMaxTokens),
      askLocalMaxLines: Math.max(a.askLocalMaxLines, b.askLocalMaxLines),
      confidenceThreshold: Math.min(a.confidenceThreshold, b.confidenceThreshold),
      autoEscalate: a.autoEscalate && b.autoEscalate,
      cloudTimeoutSeconds: a.cloudTimeoutSeconds,
    };
  }, first);
}

/** One level's routing settings; what the level does not set comes from `base`. */
function readRouting(r: SettingsReader, base: RoutingSettings): RoutingSettings {
  const targets = r.record<'local' | 'cloud'>(
    'routing.targets',
    (value, entry) => {
      if (!(TASK_KINDS as readonly string[]).includes(entry)) return invalid(`is not a request kind (use ${TASK_KINDS.join(', ')})`);
      return value === 'local' || value === 'cloud' ? value : invalid('must be "local" or "cloud"');
    },
    { fallback: {} },
  );
  return {
    mode: r.oneOf('routing.mode', MODES, { fallback: base.mode }),
    targets: { ...base.targets, ...targets },
    askLocalMaxTokens: r.number('routing.askLocalMaxTokens', { fallback: base.askLocalMaxTokens, min: 0, max: 1_000_000, integer: true }),
    askLocalMaxLines: r.number('routing.askLocalMaxLines', { fallback: base.askLocalMaxLines, min: 0, max: 1_000_000, integer: true }),
    confidenceThreshold: r.number('routing.confidenceThreshold', { fallback: base.confidenceThreshold, min: 0, max: 1 }),
    autoEscalate: r.boolean('routing.autoEscalate', { fallback: base.autoEscalate }),
    cloudTimeoutSeconds: r.number('routing.cloudTimeoutSeconds', { fallback: base.cloudTimeoutSeconds, min: 1, max: 600 }),
  };
}
