import * as vscode from 'vscode';
import { formatUsd } from '../../core/cost/usd';
import type { TaskArgs } from '../../core/tasks/args';
import { summarize, type TaskSummary } from '../../core/tasks/present';
import { buildRefactorPrompt, COMMON_REFACTORS, extractCode } from '../../core/tasks/prompts';
import { problemsWarning, proposalWarnings } from '../../core/tasks/proposal';
import type { TaskRequest, TaskResult } from '../../core/tasks/runner';
import { selectionContext, type TaskController } from './controller';
import { pickOrType } from './pickOrType';
import { closeLeftoverScratchTabs, newProblems } from './proposalProblems';
import { COMMANDS } from '../../core/commands';
import { errorMessage } from '../../core/errors';
import { notify } from '../notify';

export const REFACTOR_SCHEME = 'switchyard-refactor';

/**
 * Languages VS Code checks out of the box (its TypeScript/JavaScript, JSON and CSS servers). Another
 * language is checked when its file already has problems reported, i.e. a checker runs for it here.
 */
const CHECKED_LANGUAGES = new Set(['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'json', 'jsonc', 'css', 'scss', 'less']);

interface Proposal {
  id: string;
  uri: vscode.Uri;
  version: number;
  range: vscode.Range;
  original: string;
  proposed: string;
  label: string;
  /** Why it cannot be applied any more (the selection changed), once it cannot. */
  stale?: string;
  /** The language server's check of the proposed text (resolves when it is done or given up). */
  problems?: Promise<void>;
  /** A language server checked the proposed text within the wait. */
  checked?: boolean;
  /** Ends the check early once the proposal is applied or discarded. */
  endCheck?: AbortController;
  /** Ends its notification (applied, discarded or stale). */
  settle?: () => void;
  /** Signs it looks wrong; new problems join once the language server has checked it. */
  warnings: string[];
  /** Adds a line to its notification. */
  report?: (message: string) => void;
}

export interface RefactorSummary extends TaskSummary {
  proposalId?: string;
  applied?: boolean;
  /** Why nothing was proposed or applied, in plain words. */
  notice?: string;
  /** Signs the proposal looks wrong, to check before Apply (e.g. far larger than the selection). */
  warnings?: string[];
}


/**
 * Refactor proposals: shown as a diff (original vs proposed, both virtual read-only documents)
 * and applied as ONE workspace edit, so a single undo reverts it.
 */
export class Refactors implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private latest: string | undefined;
  private counter = 0;
  private readonly watcher: vscode.Disposable;
  private readonly command: vscode.Disposable;

  constructor(private readonly c: TaskController) {
    void closeLeftoverScratchTabs();
    this.command = vscode.commands.registerCommand(COMMANDS.refactorWarnings, (id?: unknown) => this.warningsOf(id));
    // An edit over a proposal's selection makes it stale: its notification goes, Apply says why.
    this.watcher = vscode.workspace.onDidChangeTextDocument((e) => {
      for (const p of this.proposals.values()) {
        if (p.stale || e.document.uri.toString() !== p.uri.toString() || e.contentChanges.length === 0) continue;
        if (!stillThere(e.document, p)) {
          p.stale = 'the selection changed since the refactor was proposed; run Refactor Selection again';
          p.settle?.();
          void vscode.window.setStatusBarMessage(`Switchyard: the "${p.label}" proposal is out of date — the selection changed`, 5000);
        }
      }
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const [, side, id] = uri.path.split('/');
    const p = this.proposals.get(id);
    if (!p) return '';
    return side === 'proposed' ? p.proposed : p.original;
  }

  private uris(p: Proposal): { left: vscode.Uri; right: vscode.Uri } {
    const name = p.uri.path.split('/').pop() ?? 'selection';
    return {
      left: vscode.Uri.from({ scheme: REFACTOR_SCHEME, path: `/original/${p.id}/${name}` }),
      right: vscode.Uri.from({ scheme: REFACTOR_SCHEME, path: `/proposed/${p.id}/${name}` }),
    };
  }

  async run(args: TaskArgs): Promise<RefactorSummary | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void notify('warn', 'select the code to refactor first.');
      return undefined;
    }
    const picked = args.refactor ?? (await pickRefactor());
    if (!picked) return undefined;
    const common = COMMON_REFACTORS.find((r) => r.label.toLowerCase() === picked.trim().toLowerCase());
    const label = common?.label ?? picked.trim();
    const sel = selectionContext(editor);
    const doc = editor.document;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const snapshot = { uri: doc.uri, version: doc.version, range, original: sel.text };
    const req: TaskRequest = {
      kind: 'refactor',
      messages: buildRefactorPrompt(sel, common?.instruction ?? picked),
      maxTokens: Math.min(8192, Math.max(1024, Math.ceil(sel.text.length / 2))),
      expectedOutputTokens: Math.max(200, Math.ceil(sel.text.length / 4)),
      selectionLines: sel.lines,
      files: 1,
      excludedContent: await this.c.s.privacy.isExcluded(doc.uri),
      override: args.override,
      sources: [doc.uri.toString()],
    };
    return this.propose(req, label, snapshot, args.apply === true);
  }

  private async propose(req: TaskRequest, label: string, snap: Pick<Proposal, 'uri' | 'version' | 'range' | 'original'>, applyNow: boolean): Promise<RefactorSummary> {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Switchyard: ${label}`, cancellable: true },
      async (progress, token) => {
        const ac = new AbortController();
        token.onCancellationRequested(() => ac.abort());
        let chars = 0;
        return this.c.runner.run(req, {
          onRoute: (d) => progress.report({ message: `${d.target === 'blocked' ? 'blocked' : `${d.target} · ${d.model}`} — ${d.reasons.join('; ')}` }),
          onText: (t) => {
            chars += t.length;
            if (chars % 200 < t.length) progress.report({ message: `receiving… ${chars} characters` });
          },
        }, ac.signal);
      },
    );
    const summary: RefactorSummary = summarize(result);
    const rerun = (override: 'local' | 'cloud') => void this.propose({ ...req, override }, label, snap, false);
    if (result.outcome !== 'served') {
      if (result.outcome !== 'cancelled') void this.offerAfterFailure(result, label, rerun);
      return summary;
    }
    const proposed = extractCode(result.text, snap.original);
    if (proposed.trim() === snap.original.trim()) {
      void vscode.window.showInformationMessage(`Switchyard: ${label} — the model proposed no change.`);
      return { ...summary, notice: 'no change proposed' };
    }
    const warnings = proposalWarnings(snap.original, proposed);
    const p: Proposal = { ...snap, id: String(++this.counter), proposed, label, warnings: [...warnings] };
    this.proposals.set(p.id, p);
    this.latest = p.id;
    const { left, right } = this.uris(p);
    const where = `${result.decision.target} · ${result.model}`;
    if (applyNow) {
      const applied = await this.apply(p.id);
      return { ...summary, proposalId: p.id, applied: applied.applied, notice: applied.notice, warnings };
    }
    const check = warnings.length ? ` — check it: ${warnings.join('; ')}` : '';
    await vscode.commands.executeCommand('vscode.diff', left, right, `${label} (${where})${check}`, { preview: true });
    this.notify(p, result, warnings, rerun);
    p.problems = this.checkProblems(p, `${label} (${where})`);
    return { ...summary, proposalId: p.id, warnings };
  }

  /**
   * A notification that lasts while the proposal can be applied: it goes away once the proposal is
   * applied, discarded or out of date. Its Cancel discards; Apply / Discard are in the diff's title bar.
   */
  private notify(p: Proposal, result: TaskResult, warnings: string[], rerun: (o: 'local' | 'cloud') => void): void {
    const cost = result.costUsd === undefined ? '' : `, ${result.usage ? '' : 'est. '}${formatUsd(result.costUsd)}`;
    const demo = this.c.isDemoModel(result) ? ' — demo model: its proposals are not meaningful' : '';
    const look = warnings.length ? ` ⚠ Looks wrong: ${warnings.join('; ')}.` : '';
    const settled = new Promise<void>((resolve) => { p.settle = resolve; });
    void vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: `Switchyard: ${p.label} proposed by ${result.model} (${result.decision.target}${cost})${demo}.${look} Review the diff, then Apply or Discard in its title bar`,
      cancellable: true,
    }, async (progress, token) => {
      p.report = (message) => progress.report({ message });
      token.onCancellationRequested(() => void this.discard(p.id));
      await settled;
    });
    const other = result.offers.askCloud ? 'cloud' : result.offers.keepLocal ? 'local' : undefined;
    this.others.set(p.id, other && (() => rerun(other)));
    void vscode.commands.executeCommand('setContext', 'switchyard.refactor.other', other ?? false);
  }

  /**
   * Flags new errors and warnings in the proposed text, in the notification and the diff's title, once
   * the language server has checked the file as proposed against the file as it is.
   */
  private async checkProblems(p: Proposal, title: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(p.uri);
    const before = doc.getText();
    const start = doc.offsetAt(p.range.start);
    const after = before.slice(0, start) + p.proposed + before.slice(doc.offsetAt(p.range.end));
    const name = p.uri.path.split('/').pop() || 'selection';
    // Only where a checker is known to run: otherwise the check would wait out its minute for nothing.
    if (!CHECKED_LANGUAGES.has(doc.languageId) && vscode.languages.getDiagnostics(p.uri).length === 0) {
      p.checked = false;
      return;
    }
    p.endCheck = new AbortController();
    const added = await newProblems(name, doc.languageId, before, after, { signal: p.endCheck.signal, viewColumn: this.diffTab(p)?.group.viewColumn })
      .catch((err: unknown) => {
        // No flag is the safe outcome, but a broken check is said, not swallowed.
        this.c.s.log.warn(`refactor: the problems check failed: ${errorMessage(err)}`);
        return undefined;
      });
    p.checked = added !== undefined;
    const flag = problemsWarning(added ?? 0);
    if (!flag.length || !this.proposals.has(p.id)) return;
    p.warnings.push(...flag);
    p.report?.(`⚠ ${flag[0]}.`);
    const { left, right } = this.uris(p);
    // A diff's title is fixed once open: reopen it in its place with the flag.
    const tab = this.diffTab(p);
    if (!tab) return;
    const viewColumn = tab.group.viewColumn;
    await vscode.window.tabGroups.close(tab, true);
    if (!this.proposals.has(p.id)) return;
    await vscode.commands.executeCommand('vscode.diff', left, right, `${title} — check it: ${p.warnings.join('; ')}`, { preview: true, preserveFocus: !tab.isActive, viewColumn });
  }

  private diffTab(p: Proposal): vscode.Tab | undefined {
    const { right } = this.uris(p);
    return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString());
  }

  /** A proposal's warnings once its checks are done (for tests; not in the command palette). */
  async warningsOf(id?: unknown): Promise<{ warnings: string[]; checked: boolean } | undefined> {
    const p = this.resolve(id);
    await p?.problems;
    return p && { warnings: p.warnings, checked: p.checked === true };
  }

  private readonly others = new Map<string, (() => void) | undefined>();

  /** "Ask the cloud instead" / "Keep it local" from the diff's title bar: discards and re-runs there. */
  async rerunOther(id?: unknown): Promise<void> {
    const p = this.resolve(id);
    const other = p && this.others.get(p.id);
    if (!p || !other) return;
    await this.discard(p.id);
    other();
  }

  private async offerAfterFailure(result: TaskResult, label: string, rerun: (o: 'local' | 'cloud') => void): Promise<void> {
    const choices = [...(result.offers.keepLocal ? ['Retry locally'] : []), ...(result.offers.askCloud ? ['Ask the cloud instead'] : [])];
    const pick = await notify('error', `${label} ${result.outcome}: ${result.error?.message ?? 'no answer'}`, ...choices);
    if (pick === 'Retry locally') rerun('local');
    else if (pick === 'Ask the cloud instead') rerun('cloud');
  }

  private resolve(id?: unknown): Proposal | undefined {
    const key = typeof id === 'string' ? id : id instanceof vscode.Uri && id.scheme === REFACTOR_SCHEME ? id.path.split('/')[2] : this.latest;
    return key ? this.proposals.get(key) : undefined;
  }

  /** Applies a proposal as one undoable edit, unless the selection changed since it was proposed. */
  async apply(id?: unknown): Promise<{ applied: boolean; notice?: string }> {
    const p = this.resolve(id);
    if (!p) return { applied: false, notice: 'no refactor proposal to apply' };
    const doc = await vscode.workspace.openTextDocument(p.uri);
    if (p.stale || !stillThere(doc, p)) {
      const notice = p.stale ?? 'the selection changed since the refactor was proposed; run Refactor Selection again';
      void notify('warn', `"${p.label}" not applied — ${notice}.`, 'Discard Proposal').then((pick) => {
        if (pick) void this.discard(p.id);
      });
      return { applied: false, notice };
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(p.uri, p.range, p.proposed);
    const ok = await vscode.workspace.applyEdit(edit);
    await this.discard(p.id);
    return ok ? { applied: true } : { applied: false, notice: 'VS Code refused the edit' };
  }

  /** Drops a proposal and closes its diff. */
  async discard(id?: unknown): Promise<void> {
    const p = this.resolve(id);
    if (!p) return;
    this.proposals.delete(p.id);
    this.others.delete(p.id);
    p.settle?.();
    p.endCheck?.abort();
    if (this.latest === p.id) this.latest = undefined;
    const { right } = this.uris(p);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }

  pending(): string[] {
    return [...this.proposals.keys()];
  }

  dispose(): void {
    for (const p of this.proposals.values()) {
      p.settle?.();
      p.endCheck?.abort();
    }
    this.proposals.clear();
    this.watcher.dispose();
    this.command.dispose();
  }
}

/** The proposal's selection still holds the text it was proposed for. */
function stillThere(doc: vscode.TextDocument, p: Proposal): boolean {
  if (doc.version === p.version) return true;
  return doc.validateRange(p.range).isEqual(p.range) && doc.getText(p.range) === p.original;
}

function pickRefactor(): Promise<string | undefined> {
  return pickOrType({
    title: 'Switchyard: Refactor Selection',
    placeholder: 'Pick a refactor, or describe your own and press Enter',
    items: COMMON_REFACTORS.map((r) => ({ label: r.label, detail: r.instruction })),
    typedDescription: 'your instruction',
  });
}
