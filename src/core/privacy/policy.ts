import type { EndpointClass } from '../types';
import { errorMessage } from '../errors';

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
    return { kind: 'marked', why: `marker file could not be read (fail-closed: ${errorMessage(err)})` };
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
  /** `switchyard.privacy.networkOnly` true in any scope read: the team server may be used, the cloud never. */
  networkOnlySetting?: boolean;
  /** Where the setting was read, for the reason, e.g. `folder "api"`; absent in a single-folder window. */
  scope?: string;
}

/**
 * Tightest wins: never-leave-machine setting or any marked folder -> machine only; network-only
 * setting or marker -> machine and the team's network, never the cloud; untrusted -> no cloud; else everything.
 */
export function resolvePolicy(inputs: PolicyInputs): PrivacyPolicy {
  try {
    if (inputs.neverLeaveMachineSetting) {
      const where = inputs.scope ? `, ${inputs.scope}` : '';
      return { allowed: NEVER_LEAVE_MACHINE, neverLeaveMachine: true, reason: `never-leave-machine (setting${where})`, source: 'setting' };
    }
    const marked = inputs.markers.filter((m) => m.state.kind === 'marked');
    if (marked.length > 0) {
      const first = marked[0]!;
      const why = first.state.kind === 'marked' ? first.state.why : '';
      const where = inputs.markers.length > 1 || inputs.scope ? ` in folder "${first.folder}"` : '';
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
      const where = networkMarker && (inputs.markers.length > 1 || inputs.scope) ? ` in folder "${networkMarker.folder}"` : '';
      const why = inputs.networkOnlySetting ? `setting${inputs.scope ? `, ${inputs.scope}` : ''}` : `${MARKER_FILE}${where}`;
      return { allowed: LOCAL_ONLY, neverLeaveMachine: false, reason: `network-only (${why}): the team server, never the cloud`, source: inputs.networkOnlySetting ? 'setting' : 'marker' };
    }
    if (!inputs.trusted) {
      return { allowed: LOCAL_ONLY, neverLeaveMachine: false, reason: 'local-only (untrusted workspace)', source: 'untrusted' };
    }
    return { allowed: ALL_CLASSES, neverLeaveMachine: false, reason: 'hybrid (cloud allowed)', source: 'default' };
  } catch (err) {
    return failClosedPolicy(errorMessage(err));
  }
}

/**
 * The policy of content that comes from several places (folders, files): only what every one of
 * them allows, and the reason of the strictest. No policy at all is a bug upstream: fail closed.
 */
export function strictestPolicy(policies: readonly PrivacyPolicy[]): PrivacyPolicy {
  if (policies.length === 0) return failClosedPolicy('no policy for the content');
  let strictest = policies[0]!;
  let allowed = [...strictest.allowed];
  for (const p of policies.slice(1)) {
    allowed = allowed.filter((c) => p.allowed.includes(c));
    if (p.allowed.length < strictest.allowed.length) strictest = p;
  }
  const neverLeaveMachine = policies.some((p) => p.neverLeaveMachine) || (allowed.length <= 1 && !allowed.some((c) => c !== 'machine'));
  if (allowed.length === strictest.allowed.length && neverLeaveMachine === strictest.neverLeaveMachine) return strictest;
  return { ...strictest, allowed, neverLeaveMachine };
}

/** A workspace folder by URI (any scheme, no trailing slash needed) with its own policy. */
export interface FolderPolicy {
  uri: string;
  policy: PrivacyPolicy;
}

/** True when `uri` is the folder or lies inside it. */
export function isInFolder(folderUri: string, uri: string): boolean {
  const root = folderUri.replace(/\/+$/, '');
  return uri === root || uri.startsWith(`${root}/`);
}

/**
 * The policy of content from `sources` (file or folder URIs): the strictest policy of every folder
 * any of them lies in (nested folders all count). Content from outside every folder, or of unknown
 * origin (no sources), gets the strictest policy of the whole window (`window`).
 */
export function policyOfSources(sources: readonly string[] | undefined, folders: readonly FolderPolicy[], window: () => PrivacyPolicy): PrivacyPolicy {
  try {
    if (!sources || sources.length === 0) return window();
    const involved = new Set<FolderPolicy>();
    for (const source of sources) {
      const owners = folders.filter((f) => isInFolder(f.uri, source));
      if (owners.length === 0) return window();
      for (const f of owners) involved.add(f);
    }
    return strictestPolicy([...involved].map((f) => f.policy));
  } catch (err) {
    return failClosedPolicy(errorMessage(err));
  }
}

/** The marker file text the toggle command writes. */
export const MARKER_TEMPLATE = `{
  "neverLeaveMachine": true
}
`;

/** The marker's `#` comment lines and its JSON object; undefined when it holds no JSON object. */
function markerParts(text: string): { comments: string[]; value: Record<string, unknown> } | undefined {
  const lines = text.split(/\r?\n/);
  const comments = lines.filter((l) => l.trim().startsWith('#'));
  try {
    const value: unknown = JSON.parse(lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#')).join('\n'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    return { comments, value: value as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

function markerText(comments: readonly string[], value: Record<string, unknown>): string {
  return [...comments, JSON.stringify(value, null, 2)].join('\n') + '\n';
}

/**
 * The marker text that marks never-leave-machine, keeping what an existing marker says besides
 * (its `networkOnly`, its comments); the template when there is none or it holds no JSON object.
 */
export function markerWithNeverLeaveMachine(existing: string | undefined): string {
  const parts = existing === undefined ? undefined : markerParts(existing);
  if (!parts) return MARKER_TEMPLATE;
  return markerText(parts.comments, { ...parts.value, neverLeaveMachine: true });
}

/**
 * The marker text once never-leave-machine is taken out: undefined (delete the file) when nothing
 * else remains; otherwise the rest, e.g. `{ "networkOnly": true }`, which keeps the repository
 * network-only. Whatever is kept parses as not never-leave-machine.
 */
export function markerWithoutNeverLeaveMachine(text: string): string | undefined {
  const parts = markerParts(text);
  if (!parts) return undefined;
  const rest = Object.fromEntries(Object.entries(parts.value).filter(([k]) => k !== 'neverLeaveMachine'));
  if (rest.networkOnly === true) return markerText(parts.comments, rest);
  // Keys this version does not know are kept, with an explicit "not marked" so the file is not read as marked.
  const unknown = Object.keys(rest).filter((k) => k !== 'networkOnly');
  if (unknown.length === 0) return undefined;
  return markerText(parts.comments, { ...rest, neverLeaveMachine: false });
}
