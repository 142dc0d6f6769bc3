import * as vscode from 'vscode';
import type { TaskArgs } from '../../core/tasks/args';
import { buildOverview, Cancelled, gitignoreFilter, type Overview } from '../../core/tasks/overview';
import type { TaskSummary } from '../../core/tasks/present';
import { buildArchitecturePrompt } from '../../core/tasks/prompts';
import { countTokens } from '../../core/node/tokens';
import type { TaskController } from './controller';
import { notify } from '../notify';

const MAX_FILES = 5000;
const MAX_FILE_BYTES = 256 * 1024;
const DEFAULT_BUDGET = 6000;

export interface ArchitectureSummary extends Partial<TaskSummary> {
  outcome: TaskSummary['outcome'];
  overview?: { files: number; included: string[]; trimmed: string[]; tokens: number };
}

interface Gathered {
  overview: Overview;
  files: number;
  /** URIs of the folder and every file listed: where the prompt's content comes from. */
  sources: string[];
}

function folderFor(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_FILE_BYTES) return undefined;
    const bytes = await vscode.workspace.fs.readFile(uri);
    if (bytes.includes(0)) return undefined; // binary
    return new TextDecoder('utf-8').decode(bytes);
  } catch {
    return undefined;
  }
}

/** Lists the folder's files, without .gitignore'd and privacy-excluded ones, and builds the overview. */
async function gather(c: TaskController, folder: vscode.WorkspaceFolder, budgetTokens: number, progress: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken): Promise<Gathered> {
  const ac = new AbortController();
  const sub = token.onCancellationRequested(() => ac.abort());
  try {
    progress.report({ message: 'listing files' });
    const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), '{**/node_modules/**,**/.git/**}', MAX_FILES, token);
    if (token.isCancellationRequested) throw new Cancelled();
    const rel = uris.map((u) => ({ uri: u, path: vscode.workspace.asRelativePath(u, false) }));
    const gitignores = await Promise.all(rel.filter((f) => f.path === '.gitignore' || f.path.endsWith('/.gitignore'))
      .map(async (f) => ({ dir: f.path.slice(0, -'.gitignore'.length).replace(/\/$/, ''), content: (await readText(f.uri)) ?? '' })));
    const ignored = gitignoreFilter(gitignores);
    const kept = rel.filter((f) => !ignored(f.path) && !c.s.privacy.isExcludedPath(f.uri));
    const byPath = new Map(kept.map((f) => [f.path, f.uri]));
    const overview = await buildOverview({
      paths: kept.map((f) => f.path),
      // Re-checked per file with symlinks resolved: an excluded file never becomes context.
      read: async (p) => {
        const uri = byPath.get(p);
        if (!uri || (await c.s.privacy.isExcluded(uri))) return undefined;
        return readText(uri);
      },
      count: countTokens,
      budgetTokens,
      signal: ac.signal,
      onProgress: (message) => progress.report({ message }),
    });
    // The prompt carries the folder's file list and the included files: their folders decide its policy
    // (a marked folder nested inside this one makes the whole request never-leave-machine).
    const sources = [folder.uri.toString(), ...kept.map((f) => f.uri.toString())];
    return { overview, files: kept.length, sources };
  } finally {
    sub.dispose();
  }
}

export async function explainArchitecture(c: TaskController, args: TaskArgs): Promise<ArchitectureSummary | undefined> {
  const folder = folderFor();
  if (!folder) {
    void notify('warn', 'open a folder to explain its architecture.');
    return undefined;
  }
  let gathered: Gathered;
  try {
    gathered = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Switchyard: reading ${folder.name}`, cancellable: true },
      (progress, token) => gather(c, folder, args.budgetTokens ?? DEFAULT_BUDGET, progress, token),
    );
  } catch (err) {
    if (err instanceof Cancelled) return { outcome: 'cancelled' };
    throw err;
  }
  const { overview, files, sources } = gathered;
  const summary = await c.runInView(`Explain Architecture: ${folder.name}`, {
    kind: 'architecture',
    messages: buildArchitecturePrompt(overview.text, folder.name),
    maxTokens: 3000,
    expectedOutputTokens: 1500,
    selectionLines: 0,
    files: overview.included.length,
    excludedContent: false,
    override: args.override,
    sources,
  }, { folder: folder.uri });
  return { ...summary, overview: { files, included: overview.included, trimmed: overview.trimmed, tokens: overview.tokens } };
}
