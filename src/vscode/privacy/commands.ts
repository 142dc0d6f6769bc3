// The Toggle Never-Leave-Machine command: marks or unmarks a folder by its marker file or its setting.
import * as vscode from 'vscode';
import { MARKER_FILE, markerWithNeverLeaveMachine, markerWithoutNeverLeaveMachine, parseMarker, type PrivacyPolicy } from '../../core/privacy/policy';
import type { Services } from '../services';
import type { PrivacyServiceImpl } from './service';
import { COMMANDS } from '../../core/commands';
import { notify } from '../notify';
import { updateSetting } from '../settings';

/** Registers the privacy commands. */
export function registerPrivacyCommands(s: Services, privacy: PrivacyServiceImpl): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.toggleNeverLeaveMachine, (args?: unknown) => toggleNeverLeaveMachine(s, privacy, toggleArgs(args))),
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
    void notify('warn', 'open a folder first; never-leave-machine marks a workspace.');
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
      await updateSetting('privacy.neverLeaveMachine', true, target, folder.uri);
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
      void notify('error', `${where} could not be marked never-leave-machine (${policyOf().reason}).`);
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
    await updateSetting('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.WorkspaceFolder, folder.uri);
    removed.push(`the setting of folder "${folder.name}"`);
  }
  if (inspect?.workspaceValue !== undefined && inspect.workspaceValue !== false) {
    await updateSetting('privacy.neverLeaveMachine', undefined, vscode.ConfigurationTarget.Workspace, folder.uri);
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
  void notify('warn', `${where} stays never-leave-machine - ${why}`, 'Open User Settings').then((pick) => {
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
