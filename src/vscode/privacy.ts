import { promises as dns } from 'node:dns';
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { Emitter } from '../core/events';
import { newId } from '../core/ids';
import { EndpointClassifier } from '../core/privacy/endpoints';
import { createExclusionMatcher, IGNORE_FILE, isExcludedFile, type ExclusionMatcher } from '../core/privacy/exclusions';
import { isModelRequest } from '../core/privacy/gate';
import {
  failClosedPolicy, MARKER_FILE, MARKER_TEMPLATE, parseMarker, resolvePolicy,
  type MarkerState, type PrivacyPolicy,
} from '../core/privacy/policy';
import { checkSecretsForCloud, redactKeyShaped } from '../core/privacy/secrets';
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

async function readIgnoreFile(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, IGNORE_FILE)));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** The privacy service plus what registerPrivacyFeatures needs to keep it current. */
export interface PrivacyServiceImpl extends PrivacyService {
  /** Re-reads marker and ignore files (after a file change or folder change). */
  refresh(): Promise<void>;
}

/** Builds the privacy service from settings, marker files and Workspace Trust. */
export function createPrivacyService(settings: SettingsStore): PrivacyServiceImpl {
  // Marker state per folder; `undefined` = not read yet (fails closed).
  let markers = new Map<string, MarkerState | undefined>();
  let ignoreFiles: string[] = [];
  let ignoreError: string | undefined;
  let matcher: ExclusionMatcher | undefined;
  // Asked on every gate check (each request); rebuilt only when the trusted hosts may have changed.
  let classifier: EndpointClassifier | undefined;
  const changed = new Emitter<PrivacyPolicy>();
  let last: string | undefined;

  const readMarkersNow = (): void => {
    const next = new Map<string, MarkerState | undefined>();
    for (const f of vscode.workspace.workspaceFolders ?? []) next.set(f.uri.toString(), readMarkerSync(f));
    markers = next;
  };
  readMarkersNow();

  const policy = (): PrivacyPolicy => {
    try {
      const folders = vscode.workspace.workspaceFolders ?? [];
      const states = folders.map((f) => {
        const state = markers.get(f.uri.toString());
        return { folder: f.name, state: state ?? { kind: 'marked', why: 'marker file not checked yet (fail-closed)' } as MarkerState };
      });
      return resolvePolicy({
        neverLeaveMachineSetting: settings.current.privacy.neverLeaveMachine,
        networkOnlySetting: settings.current.privacy.networkOnly,
        markers: states,
        trusted: vscode.workspace.isTrusted,
      });
    } catch (err) {
      return failClosedPolicy((err as Error).message);
    }
  };

  const buildMatcher = (): ExclusionMatcher => {
    matcher ??= createExclusionMatcher({
      patterns: settings.current.privacy.exclude,
      ignoreFiles,
      defaults: settings.current.privacy.builtInExclusions,
    });
    return matcher;
  };

  const keyOf = (p: PrivacyPolicy): string => `${p.neverLeaveMachine}|${p.allowed.join()}|${p.reason}`;
  const notifyIfChanged = (): void => {
    const p = policy();
    const key = keyOf(p);
    if (key === last) return;
    last = key;
    changed.emit(p);
  };

  settings.onDidChange.on(() => {
    matcher = undefined;
    classifier = undefined;
    notifyIfChanged();
  });

  const service: PrivacyServiceImpl = {
    policy,
    onDidChangePolicy: (listener) => changed.on(listener),

    async classify(url: URL): Promise<EndpointClass> {
      return (await service.classifyDetailed(url)).endpointClass;
    },

    classifyDetailed(url: URL) {
      classifier ??= new EndpointClassifier({ resolve: resolveAll, trustedNetworkHosts: settings.current.providers.trustedNetworkHosts });
      return classifier.classify(url);
    },

    isExcludedPath(relativePath: string): boolean {
      if (ignoreError) return true; // an unreadable ignore file excludes everything: fail closed
      try {
        return buildMatcher().isExcludedPath(relativePath);
      } catch {
        return true;
      }
    },

    async isExcluded(uri: vscode.Uri): Promise<boolean> {
      try {
        if (ignoreError) return true;
        const m = buildMatcher();
        const folder = vscode.workspace.getWorkspaceFolder(uri);
        if (uri.scheme !== 'file') {
          const rel = folder ? vscode.workspace.asRelativePath(uri, false) : uri.path;
          return m.isExcludedPath(rel);
        }
        const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
        return await isExcludedFile(uri.fsPath, roots, m);
      } catch {
        return true;
      }
    },

    checkSecrets(text: string, source?: string) {
      return checkSecretsForCloud(text, settings.current.privacy.secrets, { source, fileName: source });
    },

    async refresh(): Promise<void> {
      const folders = vscode.workspace.workspaceFolders ?? [];
      const next = new Map<string, MarkerState | undefined>();
      await Promise.all(folders.map(async (f) => {
        next.set(f.uri.toString(), f.uri.scheme === 'file' ? readMarkerSync(f) : await readMarkerAsync(f));
      }));
      markers = next;
      try {
        ignoreFiles = (await Promise.all(folders.map(readIgnoreFile))).filter((t): t is string => t !== undefined);
        ignoreError = undefined;
      } catch (err) {
        ignoreError = (err as Error).message;
      }
      matcher = undefined;
      notifyIfChanged();
    },
  };
  last = keyOf(policy());
  return service;
}

/** Privacy commands, marker-file watching, API key commands, lock state, blocked-call records. */
export function registerPrivacyFeatures(s: Services): void {
  const privacy = s.privacy as PrivacyServiceImpl;
  registerApiKeyCommands(s.context, s.log);

  const show = (p: PrivacyPolicy): void => {
    s.status.update({ locked: p.neverLeaveMachine });
  };
  show(privacy.policy());
  s.log.info(`Privacy: ${privacy.policy().reason}`);
  s.context.subscriptions.push({
    dispose: privacy.onDidChangePolicy((p) => {
      show(p);
      s.log.info(`Privacy changed: ${p.reason}`);
    }),
  });

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
      error: redactKeyShaped(`${url.host}: ${decision.reason}`),
    });
  });
  s.context.subscriptions.push({ dispose: unsubscribe });

  s.context.subscriptions.push(
    vscode.commands.registerCommand('switchyard.toggleNeverLeaveMachine', () => toggleNeverLeaveMachine(s, privacy)),
  );
}

/**
 * Marks or unmarks the current workspace. Marking writes the workspace setting (and, for a
 * single-folder workspace, offers the committed marker file); unmarking removes what the
 * workspace can remove, and says plainly what it cannot (a user-level setting).
 */
async function toggleNeverLeaveMachine(s: Services, privacy: PrivacyServiceImpl): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showWarningMessage('Switchyard: open a folder first; never-leave-machine marks a workspace.');
    return;
  }
  const current = privacy.policy();
  const config = vscode.workspace.getConfiguration('switchyard');
  const inspect = config.inspect<boolean>('privacy.neverLeaveMachine');

  if (!current.neverLeaveMachine) {
    const pick = await vscode.window.showQuickPick([
      { label: '$(file) Commit a marker file', detail: `Creates ${MARKER_FILE} in the folder root: the marking travels with the repository.`, how: 'marker' as const },
      { label: '$(settings-gear) Workspace setting', detail: 'Sets switchyard.privacy.neverLeaveMachine in this workspace\'s settings.', how: 'setting' as const },
    ], { placeHolder: 'Mark this workspace never-leave-machine: nothing will be sent off this machine' });
    if (!pick) return;
    if (pick.how === 'setting') {
      await config.update('privacy.neverLeaveMachine', true, vscode.ConfigurationTarget.Workspace);
    } else {
      const folder = folders.length === 1 ? folders[0] : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder gets the marker file?' });
      if (!folder) return;
      await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(folder.uri, MARKER_FILE), new TextEncoder().encode(MARKER_TEMPLATE));
    }
    await privacy.refresh();
    s.log.info(`Privacy: workspace marked never-leave-machine (${pick.how}).`);
    void vscode.window.showInformationMessage('Switchyard: this workspace is now never-leave-machine. Only models on this machine will be used.');
    return;
  }

  // Unmark what the workspace controls; report what it does not.
  const removed: string[] = [];
  if (inspect?.workspaceValue === true) {
    await config.update('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.Workspace);
    removed.push('the workspace setting');
  }
  for (const f of folders) {
    const folderConfig = vscode.workspace.getConfiguration('switchyard', f.uri).inspect<boolean>('privacy.neverLeaveMachine');
    if (folderConfig?.workspaceFolderValue === true && folders.length > 1) {
      await vscode.workspace.getConfiguration('switchyard', f.uri).update('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
      removed.push(`the setting of folder "${f.name}"`);
    }
  }
  const markerFolders = [];
  for (const f of folders) {
    const uri = vscode.Uri.joinPath(f.uri, MARKER_FILE);
    try {
      await vscode.workspace.fs.stat(uri);
      markerFolders.push({ f, uri });
    } catch {
      // no marker here
    }
  }
  if (markerFolders.length > 0) {
    const confirm = await vscode.window.showWarningMessage(
      `Delete the ${MARKER_FILE} marker file${markerFolders.length > 1 ? 's' : ''}? It may be committed on purpose: the repository asks never to leave the machine.`,
      { modal: true }, 'Delete Marker');
    if (confirm === 'Delete Marker') {
      for (const m of markerFolders) await vscode.workspace.fs.delete(m.uri);
      removed.push(`the ${MARKER_FILE} marker`);
    }
  }
  await privacy.refresh();
  const after = privacy.policy();
  if (!after.neverLeaveMachine) {
    s.log.info(`Privacy: never-leave-machine removed (${removed.join(', ')}).`);
    void vscode.window.showInformationMessage('Switchyard: this workspace may use the cloud again (within your routing settings).');
    return;
  }
  const why = inspect?.globalValue === true
    ? 'your USER settings set switchyard.privacy.neverLeaveMachine to true, which a workspace cannot turn off. Change it in User Settings if you mean to.'
    : `it is still marked: ${after.reason}.`;
  s.log.info(`Privacy: still never-leave-machine: ${after.reason}`);
  void vscode.window.showWarningMessage(`Switchyard: this workspace stays never-leave-machine - ${why}`, 'Open User Settings').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard.privacy.neverLeaveMachine');
  });
}
