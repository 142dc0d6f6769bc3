import type { EndpointClass } from '../types';

/** What the current workspace allows to leave the machine, and why. */
export interface PrivacyPolicy {
  /** Classes of endpoint that requests may reach. Never-leave-machine: only `machine`. */
  allowed: readonly EndpointClass[];
  /** Plain words for the status bar and log, e.g. "never-leave-machine (.switchyard marker)". */
  reason: string;
  neverLeaveMachine: boolean;
  /** What decided it. */
  source?: PolicySource;
}

export type PolicySource = 'setting' | 'marker' | 'untrusted' | 'fail-closed' | 'default';

export const NEVER_LEAVE_MACHINE: readonly EndpointClass[] = ['machine'];
export const LOCAL_ONLY: readonly EndpointClass[] = ['machine', 'network'];
export const ALL_CLASSES: readonly EndpointClass[] = ['machine', 'network', 'cloud'];

/** The policy used whenever the real one cannot be determined: fail closed. */
export function failClosedPolicy(why: string): PrivacyPolicy {
  return { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: `never-leave-machine (fail-closed: ${why})`, source: 'fail-closed' };
}

// ---- the marker file -----------------------------------------------------------------------------
//
// A `.switchyard` file committed at a workspace folder's root marks the repository, so the marking
// travels with it. Accepted contents:
//   - empty (or only whitespace / `#` comment lines)            -> marked
//   - JSON `{ "neverLeaveMachine": true }`                       -> marked
//   - JSON `{ "neverLeaveMachine": false }`                      -> not marked by the file
// Anything else (unparsable, other types, unreadable, a folder) -> marked: fail closed.

export const MARKER_FILE = '.switchyard';

export type MarkerState =
  | { kind: 'absent' }
  | { kind: 'marked'; why: string }
  /** `{ "networkOnly": true }`: the team server (a trusted network host) is fine, the cloud is not. */
  | { kind: 'network' }
  | { kind: 'unmarked' };

/** Interprets the marker file's text. */
export function parseMarker(text: string): MarkerState {
  const meaningful = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).join('\n');
  if (meaningful.trim() === '') return { kind: 'marked', why: 'empty marker file' };
  let value: unknown;
  try {
    value = JSON.parse(meaningful);
  } catch {
    return { kind: 'marked', why: 'marker file is not valid JSON (fail-closed)' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'marked', why: 'marker file is not a JSON object (fail-closed)' };
  }
  const flag = (value as Record<string, unknown>).neverLeaveMachine;
  const network = (value as Record<string, unknown>).networkOnly;
  if (network !== undefined && network !== true && network !== false) {
    return { kind: 'marked', why: 'marker file has a non-boolean "networkOnly" (fail-closed)' };
  }
  if (network === true && flag !== true) return { kind: 'network' };
  if (flag === false) return { kind: 'unmarked' };
  if (flag === true || flag === undefined) return { kind: 'marked', why: 'marker file' };
  return { kind: 'marked', why: 'marker file has a non-boolean "neverLeaveMachine" (fail-closed)' };
}

/** Reads a folder's marker with the given reader; a missing file is `absent`, any other failure marks. */
export async function readMarker(
  folder: string,
  read: (path: string) => Promise<string>,
  isMissing: (err: unknown) => boolean,
): Promise<MarkerState> {
  const path = `${folder.replace(/[\\/]+$/, '')}/${MARKER_FILE}`;
  try {
    return parseMarker(await read(path));
  } catch (err) {
    if (isMissing(err)) return { kind: 'absent' };
    return { kind: 'marked', why: `marker file could not be read (fail-closed: ${(err as Error).message ?? err})` };
  }
}

// ---- resolution ----------------------------------------------------------------------------------

export interface PolicyInputs {
  /** `switchyard.privacy.neverLeaveMachine` true in any scope (the reader's anyTrue; bad values count as true). */
  neverLeaveMachineSetting: boolean;
  /** The marker state of each workspace folder, by folder name. */
  markers: ReadonlyArray<{ folder: string; state: MarkerState }>;
  /** Workspace Trust. */
  trusted: boolean;
  /** `switchyard.privacy.networkOnly` true in any scope: the team server may be used, the cloud never. */
  networkOnlySetting?: boolean;
}

/** Tightest wins: setting or any marked folder -> machine only; untrusted -> no cloud; else everything. */
export function resolvePolicy(inputs: PolicyInputs): PrivacyPolicy {
  try {
    if (inputs.neverLeaveMachineSetting) {
      return { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: 'never-leave-machine (setting)', source: 'setting' };
    }
    const marked = inputs.markers.filter((m) => m.state.kind === 'marked');
    if (marked.length > 0) {
      const first = marked[0]!;
      const why = first.state.kind === 'marked' ? first.state.why : '';
      const where = inputs.markers.length > 1 ? ` in folder "${first.folder}"` : '';
      const failClosed = why.includes('fail-closed');
      return {
        allowed: NEVER_LEAVE_MACHINE,
        neverLeaveMachine: true,
        reason: `never-leave-machine (${MARKER_FILE}${where}: ${why})`,
        source: failClosed ? 'fail-closed' : 'marker',
      };
    }
    const networkMarker = inputs.markers.find((m) => m.state.kind === 'network');
    if (inputs.networkOnlySetting || networkMarker) {
      const where = networkMarker && inputs.markers.length > 1 ? ` in folder "${networkMarker.folder}"` : '';
      const why = inputs.networkOnlySetting ? 'setting' : `${MARKER_FILE}${where}`;
      return { allowed: LOCAL_ONLY, neverLeaveMachine: false, reason: `network-only (${why}): the team server, never the cloud`, source: inputs.networkOnlySetting ? 'setting' : 'marker' };
    }
    if (!inputs.trusted) {
      return { allowed: LOCAL_ONLY, neverLeaveMachine: false, reason: 'local-only (untrusted workspace)', source: 'untrusted' };
    }
    return { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid (cloud allowed)', source: 'default' };
  } catch (err) {
    return failClosedPolicy((err as Error).message);
  }
}

/** The marker file text the toggle command writes. */
export const MARKER_TEMPLATE = `{
  "neverLeaveMachine": true
}
`;
