import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { newProblemCount } from '../../core/tasks/proposal';

/** Language servers take seconds to start and check; the flag comes later, Apply never waits for it. */
const WAIT_MS = 60_000;
/** Diagnostics come in steps (syntax, then semantics, file by file): settled once quiet this long. */
const QUIET_MS = 3_000;
/** How long an emptied copy's problems may take to go. */
const CLEAR_WAIT_MS = 10_000;
/** Scratch copies live in folders named so; a window reloaded mid-check closes what was left open. */
const SCRATCH_PREFIX = 'switchyard-check-';
const TAB_LABEL = 'Switchyard: checking the proposal for problems';

/**
 * Counts the errors and warnings the language server reports in the file as proposed that it does not
 * report in the file as it is. Both are checked as scratch files of the file's name and language in a
 * private temporary folder, so both see the same surroundings (an unresolved import counts on both sides
 * and cancels out). Files on disk are never dirty: nothing asks to be saved or comes back after a reload.
 * Language servers check only what has a tab, so the pair is open in a background diff tab meanwhile.
 * Afterwards the tab is closed, the files deleted and their problems taken out of the Problems panel.
 * Undefined when no language server reported within the wait (servers report nothing for a file without
 * problems, so two clean copies also end there: no flag either way).
 */
export async function newProblems(
  name: string, languageId: string, original: string, proposed: string,
  opts: { signal?: AbortSignal; viewColumn?: vscode.ViewColumn; waitMs?: number } = {},
): Promise<number | undefined> {
  if (opts.signal?.aborted) return undefined;
  const dir = await mkdtemp(join(tmpdir(), SCRATCH_PREFIX));
  const uris = ['original', 'proposed'].map((side) => vscode.Uri.file(join(dir, side, name)));
  const seen = new Set<string>();
  let check = () => {};
  let stop = () => {};
  const settled = new Promise<boolean>((resolve) => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    // A copy without problems gets no report: one report on either copy shows the server is at work.
    const any = () => uris.some((u) => seen.has(u.toString()));
    const finish = (ok: boolean) => {
      sub.dispose();
      clearTimeout(deadline);
      clearTimeout(quiet);
      resolve(ok);
    };
    check = () => {
      if (!any()) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(true), QUIET_MS);
    };
    stop = () => finish(false);
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) seen.add(uri.toString());
      check();
    });
    const deadline = setTimeout(() => finish(any()), opts.waitMs ?? WAIT_MS);
    opts.signal?.addEventListener('abort', stop);
  });
  try {
    await Promise.all([original, proposed].map(async (content, i) => {
      await mkdir(join(uris[i].fsPath, '..'), { mode: 0o700 });
      await writeFile(uris[i].fsPath, content, { mode: 0o600 });
    }));
    const docs = await Promise.all(uris.map((u) => vscode.workspace.openTextDocument(u)));
    for (const d of docs) if (d.languageId !== languageId) await vscode.languages.setTextDocumentLanguage(d, languageId);
    if (opts.signal?.aborted || !(await openScratchTab(uris, opts.viewColumn))) return undefined;
    check();
    if (!(await settled)) return undefined;
    const problems = (u: vscode.Uri) => vscode.languages.getDiagnostics(u)
      .filter((x) => x.severity === vscode.DiagnosticSeverity.Error || x.severity === vscode.DiagnosticSeverity.Warning)
      .map((x) => `${x.severity}:${x.message}`);
    return newProblemCount(problems(uris[0]), problems(uris[1]));
  } finally {
    stop();
    opts.signal?.removeEventListener('abort', stop);
    // Cut off mid-check (Apply, Discard): the server may still report on the copies after this.
    await clearProblems(uris, opts.signal?.aborted === true).catch(() => undefined);
    await closeScratchTabs((u) => uris.some((x) => x.toString() === u.toString()));
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The pair in a pinned background tab beside the proposal's diff: pinned, so it does not replace the
 * diff's preview; in a group that shows an editor, so it stays in the background (false when none does).
 */
async function openScratchTab(uris: vscode.Uri[], viewColumn?: vscode.ViewColumn): Promise<boolean> {
  const group = vscode.window.tabGroups.all.find((g) => g.viewColumn === viewColumn) ?? vscode.window.tabGroups.activeTabGroup;
  if (!group.activeTab) return false;
  // vscode.diff cannot open a tab in the background; the command behind it can (its columns count from 0).
  await vscode.commands.executeCommand('_workbench.diff', uris[0], uris[1], TAB_LABEL,
    [group.viewColumn - 1, { inactive: true, pinned: true, preserveFocus: true }]);
  return true;
}

/** Closes scratch tabs a reload left behind (the check that opened them ended with the old window). */
export function closeLeftoverScratchTabs(): Promise<void> {
  const root = vscode.Uri.file(tmpdir()).path;
  return closeScratchTabs((u) => u.scheme === 'file' && u.path.startsWith(`${root}/${SCRATCH_PREFIX}`));
}

async function closeScratchTabs(isScratch: (u: vscode.Uri) => boolean): Promise<void> {
  const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) =>
    (t.input instanceof vscode.TabInputTextDiff && isScratch(t.input.modified))
    || (t.input instanceof vscode.TabInputText && isScratch(t.input.uri)));
  if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
}

/**
 * Takes the scratch copies' problems out of the Problems panel: a closed tab does not end a language
 * server's report, and VS Code keeps a document an extension opened for minutes. So the copies are
 * emptied and saved (never dirty long enough for VS Code to open them in an editor of their own) while
 * their tab is open, and the server's report for the empty files replaces the old one. `reportDue`:
 * the server may not have reported yet, so the copies are emptied even though no problem shows now.
 */
async function clearProblems(uris: vscode.Uri[], reportDue: boolean): Promise<void> {
  const has = () => uris.some((u) => vscode.languages.getDiagnostics(u).length > 0);
  if (!has() && !reportDue) return;
  const open = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === uris[1].toString());
  // Closed meanwhile (Close All): reopened so the server reports on the emptied copies.
  if (!open && !(await openScratchTab(uris))) return;
  const docs = vscode.workspace.textDocuments.filter((d) => uris.some((u) => u.toString() === d.uri.toString()));
  const edit = new vscode.WorkspaceEdit();
  for (const d of docs) edit.delete(d.uri, d.validateRange(new vscode.Range(0, 0, d.lineCount, 0)));
  const cleared = new Promise<void>((resolve) => {
    const done = () => { sub.dispose(); clearTimeout(timer); resolve(); };
    const sub = vscode.languages.onDidChangeDiagnostics(() => { if (!has()) done(); });
    const timer = setTimeout(done, CLEAR_WAIT_MS);
  });
  if (await vscode.workspace.applyEdit(edit)) await Promise.all(docs.map((d) => d.save()));
  await cleared;
}
