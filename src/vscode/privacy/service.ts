// The privacy service: each folder's policy (its settings and marker file) and exclusions (its
// settings and ignore file), endpoint classification and secret checks, kept current by refresh().
import { promises as dns } from 'node:dns';
import * as vscode from 'vscode';
import { Emitter } from '../../core/events';
import { EndpointClassifier } from '../../core/privacy/node/endpoints';
import { createExclusionMatcher, IGNORE_FILE, isExcludedFile, type ExclusionMatcher } from '../../core/privacy/node/exclusions';
import { failClosedPolicy, isInFolder, policyOfSources, resolvePolicy, strictestPolicy, type MarkerState, type PrivacyPolicy } from '../../core/privacy/policy';
import { checkSecretsForCloud } from '../../core/privacy/secrets';
import type { EndpointClass } from '../../core/types';
import type { PrivacyService } from '../services';
import type { SettingsStore } from '../settings';
import { readIgnoreAsync, readIgnoreSync, readMarkerAsync, readMarkerSync, type FolderState } from './markers';
import { errorMessage } from '../../core/errors';

/** Every address a name resolves to, as the OS resolver sees it right now. */
async function resolveAll(hostname: string): Promise<string[]> {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/** The privacy service plus what registerPrivacyFeatures needs to keep it current. */
export interface PrivacyServiceImpl extends PrivacyService {
  /** Re-reads marker and ignore files (after a file change or folder change). */
  refresh(): Promise<void>;
  /** The policy of the folder of the active editor (the window's when there is none): what the lock shows. */
  editorPolicy(): PrivacyPolicy;
  /** Stops following settings changes and drops every listener. */
  dispose(): void;
}

/** True when `uri` is the folder or inside it (by URI, so any scheme works). */
function contains(folder: vscode.WorkspaceFolder, uri: string): boolean {
  return isInFolder(folder.uri.toString(), uri);
}

/** Every workspace folder the file or folder (a URI string) lies in: nested folders all count. */
export function owningFolders(uri: string): vscode.WorkspaceFolder[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => contains(f, uri));
}

/**
 * Builds the privacy service. Privacy belongs to content: each workspace folder has its own
 * policy (its folder settings, marker file) and exclusions (its settings and ignore file); content
 * gets the strictest policy of every folder it comes from, and a file is excluded when any folder
 * it lies in excludes it.
 */
export function createPrivacyService(settings: SettingsStore): PrivacyServiceImpl {
  let states = new Map<string, FolderState>();
  let generation = 0;
  // Asked on every gate check (each request); rebuilt only when the trusted hosts may have changed.
  let classifier: EndpointClassifier | undefined;
  const changed = new Emitter<PrivacyPolicy>();
  const exclusionsChanged = new Emitter<void>();
  let last: string | undefined;

  const folders = (): readonly vscode.WorkspaceFolder[] => vscode.workspace.workspaceFolders ?? [];
  const stateOf = (f: vscode.WorkspaceFolder): FolderState => states.get(f.uri.toString()) ?? { marker: undefined, ignore: undefined };

  // Local folders are read synchronously: the policy and the exclusions are right from the first
  // request after activation. Other file systems are read by the first refresh; until then they fail closed.
  const readNow = (): void => {
    const next = new Map<string, FolderState>();
    for (const f of folders()) next.set(f.uri.toString(), { marker: readMarkerSync(f), ignore: readIgnoreSync(f) });
    states = next;
  };
  readNow();

  const folderPolicy = (f: vscode.WorkspaceFolder): PrivacyPolicy => {
    const all = folders();
    const state = stateOf(f).marker ?? { kind: 'marked', why: 'marker file not checked yet (fail-closed)' } as MarkerState;
    const p = settings.forFolder(f.uri).privacy;
    return resolvePolicy({
      neverLeaveMachineSetting: p.neverLeaveMachine,
      networkOnlySetting: p.networkOnly,
      markers: [{ folder: f.name, state }],
      trusted: vscode.workspace.isTrusted,
      scope: all.length > 1 ? `folder "${f.name}"` : undefined,
    });
  };

  /** Every folder's policy, the strictest wins: for content whose origin is unknown. */
  const windowPolicy = (): PrivacyPolicy => {
    try {
      const all = folders();
      if (all.length === 0) {
        const p = settings.current.privacy;
        return resolvePolicy({ neverLeaveMachineSetting: p.neverLeaveMachine, networkOnlySetting: p.networkOnly, markers: [], trusted: vscode.workspace.isTrusted });
      }
      return strictestPolicy(all.map(folderPolicy));
    } catch (err) {
      return failClosedPolicy(errorMessage(err));
    }
  };

  // Content from outside every folder (an untitled buffer, a file elsewhere) gets the window's policy.
  const policyFor = (sources?: readonly string[]): PrivacyPolicy => policyOfSources(
    sources,
    folders().filter((f) => sources?.some((s) => contains(f, s))).map((f) => ({ uri: f.uri.toString(), policy: folderPolicy(f) })),
    windowPolicy,
  );

  const editorPolicy = (): PrivacyPolicy => {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return policyFor(uri ? [uri.toString()] : undefined);
  };

  /** The folder's exclusions, each source matched on its own; undefined while its ignore file is not known. */
  const matcherOf = (f: vscode.WorkspaceFolder): ExclusionMatcher | undefined => {
    const state = stateOf(f);
    if (!state.ignore) return undefined;
    if (!state.matcher) {
      const p = settings.forFolder(f.uri).privacy;
      const ignore = state.ignore;
      state.matcher = createExclusionMatcher({
        defaults: p.builtInExclusions,
        sources: [
          { name: 'your switchyard.privacy.exclude', patterns: p.excludeByLevel.user },
          { name: 'the workspace\'s switchyard.privacy.exclude', patterns: p.excludeByLevel.workspace },
          { name: `the switchyard.privacy.exclude of folder "${f.name}"`, patterns: p.excludeByLevel.folder },
          ...(ignore.kind === 'known' && ignore.text ? [{ name: `${IGNORE_FILE} in "${f.name}"`, patterns: ignore.text.split(/\r?\n/) }] : []),
        ],
      });
    }
    return state.matcher;
  };

  /** Window-wide exclusions for a file in no folder: the user's and the workspace's patterns. */
  const baseMatcher = (): ExclusionMatcher => {
    const p = settings.current.privacy;
    return createExclusionMatcher({
      defaults: p.builtInExclusions,
      sources: [{ name: 'switchyard.privacy.exclude', patterns: p.excludeByLevel.user }, { name: 'workspace switchyard.privacy.exclude', patterns: p.excludeByLevel.workspace }],
    });
  };

  /** By path, no symlinks: true when any folder owning the file excludes it, or its exclusions are not known yet. */
  const excludedSync = (path: string | vscode.Uri): boolean => {
    const all = folders();
    if (typeof path === 'string') {
      if (all.length === 0) return baseMatcher().isExcludedPath(path);
      return all.some((f) => {
        const m = matcherOf(f);
        return !m || stateOf(f).ignore?.kind === 'error' || m.isExcludedPath(path);
      });
    }
    const owners = all.filter((f) => contains(f, path.toString()));
    if (owners.length === 0) return baseMatcher().isExcludedPath(path.path) || all.some((f) => matcherOf(f)?.isExcludedPath(path.path) !== false);
    return owners.some((f) => {
      const m = matcherOf(f);
      if (!m || stateOf(f).ignore?.kind === 'error') return true;
      return m.isExcludedPath(decodeURIComponent(path.toString().slice(f.uri.toString().replace(/\/$/, '').length + 1)));
    });
  };

  let ready: Promise<void> = Promise.resolve();

  const keyOf = (p: PrivacyPolicy): string => `${p.neverLeaveMachine}|${p.allowed.join()}|${p.reason}`;
  const policiesKey = (): string => [windowPolicy(), ...folders().map(folderPolicy)].map(keyOf).join('\n');
  const notifyIfChanged = (): void => {
    const key = policiesKey();
    if (key === last) return;
    last = key;
    changed.emit(windowPolicy());
  };

  const settingsSubscription = settings.onDidChange.on(() => {
    for (const state of states.values()) state.matcher = undefined;
    classifier = undefined;
    exclusionsChanged.emit();
    notifyIfChanged();
  });

  const service: PrivacyServiceImpl = {
    policy: windowPolicy,
    policyFor,
    editorPolicy,
    onDidChangePolicy: (listener) => changed.on(listener),
    onDidChangeExclusions: (listener) => exclusionsChanged.on(listener),
    dispose() {
      settingsSubscription.dispose();
      changed.clear();
      exclusionsChanged.clear();
    },

    async classify(url: URL): Promise<EndpointClass> {
      return (await service.classifyDetailed(url)).endpointClass;
    },

    classifyDetailed(url: URL) {
      classifier ??= new EndpointClassifier({ resolve: resolveAll, trustedNetworkHosts: settings.current.providers.trustedNetworkHosts });
      return classifier.classify(url);
    },

    isExcludedPath(path: string | vscode.Uri): boolean {
      try {
        return excludedSync(path);
      } catch {
        return true;
      }
    },

    async isExcluded(uri: vscode.Uri): Promise<boolean> {
      try {
        await ready; // exclusions being re-read: wait for them rather than answer from stale ones
        const all = folders();
        const owners = all.filter((f) => contains(f, uri.toString()));
        if (uri.scheme !== 'file' || owners.length === 0) return excludedSync(uri);
        for (const f of owners) {
          const m = matcherOf(f);
          if (!m || stateOf(f).ignore?.kind === 'error') return true;
          if (await isExcludedFile(uri.fsPath, [f.uri.fsPath], m)) return true;
        }
        return false;
      } catch {
        return true;
      }
    },

    checkSecrets(text: string, source?: string) {
      return checkSecretsForCloud(text, settings.current.privacy.secrets, { source, fileName: source });
    },

    refresh(): Promise<void> {
      const mine = ++generation;
      const work = (async () => {
        const next = new Map<string, FolderState>();
        await Promise.all(folders().map(async (f) => {
          const [marker, ignore] = f.uri.scheme === 'file'
            ? [readMarkerSync(f), readIgnoreSync(f)]
            : await Promise.all([readMarkerAsync(f), readIgnoreAsync(f)]);
          next.set(f.uri.toString(), { marker, ignore });
        }));
        if (mine !== generation) return; // a newer refresh started: its reads win
        states = next;
        exclusionsChanged.emit();
        notifyIfChanged();
      })();
      ready = work.catch(() => undefined);
      return work;
    },
  };
  last = policiesKey();
  return service;
}
