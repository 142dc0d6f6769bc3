import { promises as dns } from 'node:dns';
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { Emitter } from '../core/events';
import { newId } from '../core/ids';
import { EndpointClassifier } from '../core/privacy/node/endpoints';
import { createExclusionMatcher, IGNORE_FILE, isExcludedFile, type ExclusionMatcher } from '../core/privacy/node/exclusions';
import { isModelRequest } from '../core/privacy/node/gate';
import {
  failClosedPolicy, isInFolder, MARKER_FILE, markerWithNeverLeaveMachine, markerWithoutNeverLeaveMachine, parseMarker, policyOfSources, resolvePolicy, strictestPolicy,
  type MarkerState, type PrivacyPolicy,
} from '../core/privacy/policy';
import { redactSecrets } from '../core/privacy/knownKeys';
import { checkSecretsForCloud } from '../core/privacy/secrets';
import type { EndpointClass } from '../core/types';
import { registerApiKeyCommands } from './secrets';
import type { PrivacyService, Services } from './services';
import type { SettingsStore } from './settings';

/** Every address a name resolves to, as the OS resolver sees it right now. */
async function resolveAll(hostname: string): Promise<string[]> {
  const found = await dns.lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ENOENT' || code === 'FileNotFound' || code === 'ENOTDIR'
    || (err instanceof vscode.FileSystemError && err.code === 'FileNotFound');
}

/**
 * Reads a folder's marker file. Local folders are read synchronously so the policy is right from
 * the first request after activation (one stat per folder); other file systems are read later
 * and fail closed until then.
 */
function readMarkerSync(folder: vscode.WorkspaceFolder): MarkerState | undefined {
  if (folder.uri.scheme !== 'file') return undefined;
  const path = vscode.Uri.joinPath(folder.uri, MARKER_FILE).fsPath;
  try {
    if (statSync(path).isDirectory()) return { kind: 'marked', why: 'marker is a folder (fail-closed)' };
    return parseMarker(readFileSync(path, 'utf8'));
  } catch (err) {
    return unreadableMarker(err);
  }
}

async function readMarkerAsync(folder: vscode.WorkspaceFolder): Promise<MarkerState> {
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, MARKER_FILE));
    return parseMarker(new TextDecoder().decode(bytes));
  } catch (err) {
    return unreadableMarker(err);
  }
}

/** A missing marker is absent; any other read failure marks the folder (fail closed). */
function unreadableMarker(err: unknown): MarkerState {
  if (isMissing(err)) return { kind: 'absent' };
  return { kind: 'marked', why: `marker file could not be read (fail-closed: ${(err as Error).message})` };
}

/** A folder's ignore file: its text, absent, or unreadable (which excludes the whole folder). */
type IgnoreState = { kind: 'known'; text?: string } | { kind: 'error'; message: string };

function readIgnoreSync(folder: vscode.WorkspaceFolder): IgnoreState | undefined {
  if (folder.uri.scheme !== 'file') return undefined;
  try {
    return { kind: 'known', text: readFileSync(vscode.Uri.joinPath(folder.uri, IGNORE_FILE).fsPath, 'utf8') };
  } catch (err) {
    return isMissing(err) ? { kind: 'known' } : { kind: 'error', message: (err as Error).message };
  }
}

async function readIgnoreAsync(folder: vscode.WorkspaceFolder): Promise<IgnoreState> {
  try {
    return { kind: 'known', text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, IGNORE_FILE))) };
  } catch (err) {
    return isMissing(err) ? { kind: 'known' } : { kind: 'error', message: (err as Error).message };
  }
}

/** What is known about one workspace folder; `undefined` parts are not read yet and fail closed. */
interface FolderState {
  marker: MarkerState | undefined;
  ignore: IgnoreState | undefined;
  matcher?: ExclusionMatcher;
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
      return failClosedPolicy((err as Error).message);
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

/**
 * Privacy commands, marker-file watching, API key commands, lock state, blocked-call records.
 * `privacy` is the service in s.privacy, with the refresh and editor-policy parts these need.
 */
export function registerPrivacyFeatures(s: Services, privacy: PrivacyServiceImpl): void {
  registerApiKeyCommands(s.context, s.log);

  // The lock shows the policy of the active editor's folder: what a request from there would get.
  const show = (): void => {
    const p = privacy.editorPolicy();
    s.status.update({ locked: p.neverLeaveMachine, lockReason: p.reason });
  };
  show();
  s.log.info(`Privacy: ${privacy.policy().reason}`);
  s.context.subscriptions.push(
    privacy.onDidChangePolicy((p) => {
      show();
      s.log.info(`Privacy changed: ${p.reason}`);
    }),
    vscode.window.onDidChangeActiveTextEditor(show),
  );

  // Marker and ignore files: created, changed or deleted in any folder root.
  const refresh = (): void => {
    void privacy.refresh().catch((err: unknown) => s.log.warn(`Privacy: could not re-read marker files: ${(err as Error).message}`));
  };
  for (const name of [MARKER_FILE, IGNORE_FILE]) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${name}`);
    watcher.onDidCreate(refresh);
    watcher.onDidChange(refresh);
    watcher.onDidDelete(refresh);
    s.context.subscriptions.push(watcher);
  }
  s.context.subscriptions.push(
    vscode.workspace.onDidChangeWorkspaceFolders(refresh),
    vscode.workspace.onDidGrantWorkspaceTrust(refresh),
    // A saved ignore file applies at once, even where file watching is slow or off.
    vscode.workspace.onDidSaveTextDocument((d) => {
      const name = d.uri.path.split('/').pop();
      if (name === IGNORE_FILE || name === MARKER_FILE) refresh();
    }),
  );
  refresh();

  // The last line of defence reports what it refused: a blocked model call for the ledger and log.
  const unsubscribe = s.gate.onBlocked((intent, url, decision) => {
    if (!isModelRequest(intent.purpose) || intent.provider === 'collector') return; // health checks, listings, pulls, usage export: the log line is enough
    s.events.emit({
      id: newId(),
      time: new Date().toISOString(),
      kind: intent.purpose,
      route: 'blocked',
      reasons: [decision.reason],
      provider: intent.provider,
      model: intent.model ?? '',
      endpointClass: decision.endpointClass,
      estimated: { promptTokens: 0, completionTokens: 0 },
      totalMs: 0,
      outcome: 'blocked',
      error: redactSecrets(`${url.host}: ${decision.reason}`),
    });
  });
  s.context.subscriptions.push({ dispose: unsubscribe });

  s.context.subscriptions.push(
    vscode.commands.registerCommand('switchyard.toggleNeverLeaveMachine', (args?: unknown) => toggleNeverLeaveMachine(s, privacy, toggleArgs(args))),
  );
}

/** Optional arguments, so the command can run without prompts (automation, tests). */
interface ToggleArgs {
  /** How to mark: the committed marker file or the folder's setting. */
  how?: 'marker' | 'setting';
  /** The folder, by name or URI; default the active editor's. */
  folder?: string;
  /** Delete a marker file without asking when unmarking. */
  deleteMarker?: boolean;
}

function toggleArgs(args: unknown): ToggleArgs {
  const a = (typeof args === 'object' && args !== null ? args : {}) as Record<string, unknown>;
  return {
    how: a.how === 'marker' || a.how === 'setting' ? a.how : undefined,
    folder: typeof a.folder === 'string' ? a.folder : undefined,
    deleteMarker: a.deleteMarker === true,
  };
}

/** The folder the command is about: the named one, the active editor's, the only one, or the one the user picks. */
async function targetFolder(placeHolder: string, named?: string): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (named) return folders.find((f) => f.name === named || f.uri.toString() === named);
  const active = vscode.window.activeTextEditor?.document.uri;
  const own = active && vscode.workspace.getWorkspaceFolder(active);
  if (own) return own;
  if (folders.length === 1) return folders[0];
  return vscode.window.showWorkspaceFolderPick({ placeHolder });
}

/**
 * Marks or unmarks the active editor's folder (the only folder in a single-folder window). Marking
 * writes where it takes effect for that folder: its marker file, or the folder's own setting (in a
 * multi-root window the folder's `.vscode/settings.json`; otherwise the workspace's). Unmarking
 * removes what the workspace can remove and says plainly what it cannot (a user-level setting).
 */
async function toggleNeverLeaveMachine(s: Services, privacy: PrivacyServiceImpl, args: ToggleArgs): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('Switchyard: open a folder first; never-leave-machine marks a workspace.');
    return;
  }
  const folder = await targetFolder('Which folder? Never-leave-machine belongs to the code of one folder.', args.folder);
  if (!folder) return;
  const multi = folders.length > 1;
  const where = multi ? `folder "${folder.name}"` : 'this workspace';
  const config = vscode.workspace.getConfiguration('switchyard', folder.uri);
  const target = multi ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Workspace;
  const policyOf = (): PrivacyPolicy => privacy.policyFor([folder.uri.toString()]);

  if (!policyOf().neverLeaveMachine) {
    const pick = args.how ? { how: args.how } : await vscode.window.showQuickPick([
      { label: '$(file) Commit a marker file', detail: `Creates ${MARKER_FILE} in the root of ${folder.name}: the marking travels with the repository.`, how: 'marker' as const },
      { label: '$(settings-gear) Folder setting', detail: `Sets switchyard.privacy.neverLeaveMachine in ${multi ? `${folder.name}/.vscode/settings.json` : 'this workspace\'s settings'}.`, how: 'setting' as const },
    ], { placeHolder: `Mark ${where} never-leave-machine: nothing from it will be sent off this machine` });
    if (!pick) return;
    if (pick.how === 'setting') {
      await config.update('privacy.neverLeaveMachine', true, target);
    } else {
      // An existing marker (e.g. network-only) keeps what it says besides.
      const marker = vscode.Uri.joinPath(folder.uri, MARKER_FILE);
      const existing = await readText(marker);
      await vscode.workspace.fs.writeFile(marker, new TextEncoder().encode(markerWithNeverLeaveMachine(existing)));
    }
    await privacy.refresh();
    await until(() => policyOf().neverLeaveMachine);
    if (!policyOf().neverLeaveMachine) {
      s.log.warn(`Privacy: marking ${where} did not take effect: ${policyOf().reason}`);
      void vscode.window.showErrorMessage(`Switchyard: ${where} could not be marked never-leave-machine (${policyOf().reason}).`);
      return;
    }
    s.log.info(`Privacy: ${where} marked never-leave-machine (${pick.how}).`);
    void vscode.window.showInformationMessage(`Switchyard: ${where} is now never-leave-machine. Only models on this machine will be used for its code.`);
    return;
  }

  // Unmark what the workspace controls for this folder; report what it does not.
  const inspect = config.inspect<boolean>('privacy.neverLeaveMachine');
  const removed: string[] = [];
  if (multi && inspect?.workspaceFolderValue !== undefined && inspect.workspaceFolderValue !== false) {
    await config.update('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    removed.push(`the setting of folder "${folder.name}"`);
  }
  if (inspect?.workspaceValue !== undefined && inspect.workspaceValue !== false) {
    await config.update('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.Workspace);
    removed.push(multi ? 'the workspace setting (it applied to every folder)' : 'the workspace setting');
  }
  const marker = vscode.Uri.joinPath(folder.uri, MARKER_FILE);
  const markerText = await readText(marker);
  if (markerText !== undefined && parseMarker(markerText).kind === 'marked') {
    // Only never-leave-machine goes: a marker that also says network-only is rewritten to keep that.
    const kept = markerWithoutNeverLeaveMachine(markerText);
    const action = kept === undefined ? 'Delete Marker' : 'Remove Never-Leave-Machine';
    const question = kept === undefined
      ? `Delete the ${MARKER_FILE} marker file of ${folder.name}? It may be committed on purpose: the repository asks never to leave the machine.`
      : `Remove never-leave-machine from the ${MARKER_FILE} marker file of ${folder.name}? It may be committed on purpose. The rest of the file${parseMarker(kept).kind === 'network' ? ' (network-only: the team server, never the cloud)' : ''} stays.`;
    const confirm = args.deleteMarker ? action : await vscode.window.showWarningMessage(question, { modal: true }, action);
    if (confirm === action) {
      if (kept === undefined) {
        await vscode.workspace.fs.delete(marker);
        removed.push(`the ${MARKER_FILE} marker`);
      } else {
        await vscode.workspace.fs.writeFile(marker, new TextEncoder().encode(kept));
        removed.push(`never-leave-machine from the ${MARKER_FILE} marker`);
      }
    }
  }
  await privacy.refresh();
  await until(() => !policyOf().neverLeaveMachine);
  const after = policyOf();
  if (!after.neverLeaveMachine) {
    s.log.info(`Privacy: never-leave-machine removed from ${where} (${removed.join(', ')}).`);
    void vscode.window.showInformationMessage(`Switchyard: ${where} may use the cloud again (within your routing settings).`);
    return;
  }
  const why = inspect?.globalValue === true
    ? 'your USER settings set switchyard.privacy.neverLeaveMachine to true, which a workspace cannot turn off. Change it in User Settings if you mean to.'
    : `it is still marked: ${after.reason}.`;
  s.log.info(`Privacy: still never-leave-machine: ${after.reason}`);
  void vscode.window.showWarningMessage(`Switchyard: ${where} stays never-leave-machine - ${why}`, 'Open User Settings').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard.privacy.neverLeaveMachine');
  });
}

/** A file's text; undefined when it cannot be read (missing). */
async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Waits (up to 2 s) for a settings write to reach the store: configuration events arrive asynchronously. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 40 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
}
