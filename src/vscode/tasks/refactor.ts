import * as vscode from 'vscode';
import { usd } from '../../core/routing/router';
import type { TaskArgs } from '../../core/tasks/args';
import { summarize, type TaskSummary } from '../../core/tasks/present';
import { buildRefactorPrompt, COMMON_REFACTORS, extractCode } from '../../core/tasks/prompts';
import type { TaskRequest, TaskResult } from '../../core/tasks/runner';
import { selectionContext, type TaskController } from './controller';
import { pickOrType } from './pickOrType';

export const REFACTOR_SCHEME = 'switchyard-refactor';

interface Proposal {
  id: string;
  uri: vscode.Uri;
  version: number;
  range: vscode.Range;
  original: string;
  proposed: string;
  label: string;
}

export interface RefactorSummary extends TaskSummary {
  proposalId?: string;
  applied?: boolean;
  /** Why nothing was proposed or applied, in plain words. */
  notice?: string;
}

/**
 * Refactor proposals: shown as a diff (original vs proposed, both virtual read-only documents)
 * and applied as ONE workspace edit, so a single undo reverts it.
 */
export class Refactors implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly proposals = new Map<string, Proposal>();
  private latest: string | undefined;
  private counter = 0;

  constructor(private readonly c: TaskController) {}

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
      void vscode.window.showWarningMessage('Switchyard: select the code to refactor first.');
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

  private async propose(req: TaskRequest, label: string, snap: Omit<Proposal, 'id' | 'proposed' | 'label'>, applyNow: boolean): Promise<RefactorSummary> {
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
    const p: Proposal = { ...snap, id: String(++this.counter), proposed, label };
    this.proposals.set(p.id, p);
    this.latest = p.id;
    const { left, right } = this.uris(p);
    const where = `${result.decision.target} · ${result.decision.model}`;
    if (applyNow) {
      const applied = await this.apply(p.id);
      return { ...summary, proposalId: p.id, applied: applied.applied, notice: applied.notice };
    }
    await vscode.commands.executeCommand('vscode.diff', left, right, `${label} (${where}) — Apply or Discard`, { preview: true });
    void this.askApply(p.id, result, label, rerun);
    return { ...summary, proposalId: p.id };
  }

  private async askApply(id: string, result: TaskResult, label: string, rerun: (o: 'local' | 'cloud') => void): Promise<void> {
    const cost = result.costUsd === undefined ? '' : `, ${result.usage ? '' : 'est. '}${usd(result.costUsd)}`;
    const other = result.offers.askCloud ? 'Ask the cloud instead' : result.offers.keepLocal ? 'Keep it local' : undefined;
    const pick = await vscode.window.showInformationMessage(
      `Switchyard: ${label} proposed by ${result.decision.model} (${result.decision.target}${cost}) — ${result.decision.reasons.join('; ')}`,
      'Apply', 'Discard', ...(other ? [other] : []),
    );
    if (!this.proposals.has(id)) return; // applied or discarded from the diff's title bar meanwhile
    if (pick === 'Apply') await this.apply(id);
    else if (pick === 'Discard') await this.discard(id);
    else if (pick === other) {
      await this.discard(id);
      rerun(result.offers.askCloud ? 'cloud' : 'local');
    }
  }

  private async offerAfterFailure(result: TaskResult, label: string, rerun: (o: 'local' | 'cloud') => void): Promise<void> {
    const choices = [...(result.offers.keepLocal ? ['Retry locally'] : []), ...(result.offers.askCloud ? ['Ask the cloud instead'] : [])];
    const pick = await vscode.window.showErrorMessage(`Switchyard: ${label} ${result.outcome}: ${result.error?.message ?? 'no answer'}`, ...choices);
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
    const inRange = doc.validateRange(p.range).isEqual(p.range);
    if (doc.version !== p.version && (!inRange || doc.getText(p.range) !== p.original)) {
      const notice = 'the selection changed since the refactor was proposed; run Refactor Selection again';
      void vscode.window.showWarningMessage(`Switchyard: not applied — ${notice}.`);
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
    this.proposals.clear();
  }
}

function pickRefactor(): Promise<string | undefined> {
  return pickOrType({
    title: 'Switchyard: Refactor Selection',
    placeholder: 'Pick a refactor, or describe your own and press Enter',
    items: COMMON_REFACTORS.map((r) => ({ label: r.label, detail: r.instruction })),
    typedDescription: 'your instruction',
  });
}
