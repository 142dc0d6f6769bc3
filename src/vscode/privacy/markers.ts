// Each workspace folder's privacy files: its never-leave-machine marker (MARKER_FILE) and its ignore
// file (IGNORE_FILE). A file that cannot be read fails closed: the folder counts as marked, or wholly excluded.
import { readFileSync, statSync } from 'node:fs';
import * as vscode from 'vscode';
import { IGNORE_FILE, type ExclusionMatcher } from '../../core/privacy/node/exclusions';
import { MARKER_FILE, parseMarker, type MarkerState } from '../../core/privacy/policy';
import { errorMessage } from '../../core/errors';

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
export function readMarkerSync(folder: vscode.WorkspaceFolder): MarkerState | undefined {
  if (folder.uri.scheme !== 'file') return undefined;
  const path = vscode.Uri.joinPath(folder.uri, MARKER_FILE).fsPath;
  try {
    if (statSync(path).isDirectory()) return { kind: 'marked', why: 'marker is a folder (fail-closed)' };
    return parseMarker(readFileSync(path, 'utf8'));
  } catch (err) {
    return unreadableMarker(err);
  }
}

export async function readMarkerAsync(folder: vscode.WorkspaceFolder): Promise<MarkerState> {
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
  return { kind: 'marked', why: `marker file could not be read (fail-closed: ${errorMessage(err)})` };
}

/** A folder's ignore file: its text, absent, or unreadable (which excludes the whole folder). */
export type IgnoreState = { kind: 'known'; text?: string } | { kind: 'error'; message: string };

export function readIgnoreSync(folder: vscode.WorkspaceFolder): IgnoreState | undefined {
  if (folder.uri.scheme !== 'file') return undefined;
  try {
    return { kind: 'known', text: readFileSync(vscode.Uri.joinPath(folder.uri, IGNORE_FILE).fsPath, 'utf8') };
  } catch (err) {
    return isMissing(err) ? { kind: 'known' } : { kind: 'error', message: errorMessage(err) };
  }
}

export async function readIgnoreAsync(folder: vscode.WorkspaceFolder): Promise<IgnoreState> {
  try {
    return { kind: 'known', text: new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, IGNORE_FILE))) };
  } catch (err) {
    return isMissing(err) ? { kind: 'known' } : { kind: 'error', message: errorMessage(err) };
  }
}

/** What is known about one workspace folder; `undefined` parts are not read yet and fail closed. */
export interface FolderState {
  marker: MarkerState | undefined;
  ignore: IgnoreState | undefined;
  matcher?: ExclusionMatcher;
}
