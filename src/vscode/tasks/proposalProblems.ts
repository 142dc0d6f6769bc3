import * as vscode from 'vscode';
import { newProblemCount } from '../../core/tasks/proposal';

/** Language servers take seconds to start and check; the flag comes later, Apply never waits for it. */
const WAIT_MS = 60_000;
/** Diagnostics come in steps (syntax, then semantics): settled once both documents are quiet this long. */
const QUIET_MS = 1_500;

/**
 * Counts the errors and warnings the language server reports in the file as proposed that it does not
 * report in the file as it is. Both are checked as hidden untitled documents of the file's language, so
 * both see the same surroundings (an unresolved import counts on both sides and cancels out).
 * Undefined when no language server reported within the wait.
 */
export async function newProblems(languageId: string, original: string, proposed: string, waitMs = WAIT_MS): Promise<number | undefined> {
  const seen = new Set<string>();
  let docs: vscode.TextDocument[] = [];
  let check = () => {};
  const settled = new Promise<boolean>((resolve) => {
    let quiet: ReturnType<typeof setTimeout> | undefined;
    const all = () => docs.length > 0 && docs.every((d) => seen.has(d.uri.toString()));
    const finish = (ok: boolean) => {
      sub.dispose();
      clearTimeout(deadline);
      clearTimeout(quiet);
      resolve(ok);
    };
    check = () => {
      if (!all()) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => finish(true), QUIET_MS);
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      for (const uri of e.uris) seen.add(uri.toString());
      check();
    });
    const deadline = setTimeout(() => finish(all()), waitMs);
  });
  try {
    docs = await Promise.all([original, proposed].map((content) => vscode.workspace.openTextDocument({ language: languageId, content })));
    check();
    if (!(await settled)) return undefined;
    const problems = (d: vscode.TextDocument) => vscode.languages.getDiagnostics(d.uri)
      .filter((x) => x.severity === vscode.DiagnosticSeverity.Error || x.severity === vscode.DiagnosticSeverity.Warning)
      .map((x) => `${x.severity}:${x.message}`);
    return newProblemCount(problems(docs[0]), problems(docs[1]));
  } finally {
    // An empty untitled document is not dirty: nothing asks to save it, and VS Code lets it go.
    const clear = new vscode.WorkspaceEdit();
    for (const d of docs) clear.delete(d.uri, new vscode.Range(0, 0, d.lineCount, 0));
    if (docs.length) await vscode.workspace.applyEdit(clear);
  }
}
