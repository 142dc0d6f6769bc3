import * as vscode from 'vscode';
import { parseFileLink } from '../../core/tasks/answerProtocol';
import { isPlainRelativePath, resolveInsideWorkspace } from '../../core/tasks/node/linkTarget';
import { actionsFor, finishedHeader, routedHeader, summarize, type TaskSummary } from '../../core/tasks/present';
import type { TaskRequest, TaskResult, TaskRunner, TaskSink } from '../../core/tasks/runner';
import type { Services } from '../services';
import type { AnswerView } from './answerView';
import { errorMessage } from '../../core/errors';
import { notify } from '../notify';

/** Where "Insert" puts code and relative links resolve: the editor the request came from. */
export interface AnswerTarget {
  uri?: vscode.Uri;
  selection?: vscode.Selection;
  folder?: vscode.Uri;
}

/** How often the running token count is re-estimated while an answer streams. */
const RECOUNT_MS = 250;

/** Runs task requests into the answer view and handles what the view asks for. */
export class TaskController {
  private lastRerun: ((override: 'local' | 'cloud') => Promise<TaskSummary>) | undefined;
  private lastFollowUp: ((question: string) => Promise<TaskSummary>) | undefined;

  constructor(
    readonly s: Services,
    readonly runner: TaskRunner,
    readonly view: AnswerView,
    /** Tokens in a text, by the tokenizer (loaded on first use). */
    private readonly countTokens: (text: string) => Promise<number>,
    /** The model is Switchyard's development demo model (its output is not meaningful). */
    private readonly isDemo: (model: string) => boolean,
  ) {}

  /**
   * Streams one request into the answer view. "Ask the cloud instead" / "Keep it local" re-run it there;
   * a follow-up question becomes a new turn of the same answer, routed again like any request.
   */
  async runInView(title: string, req: TaskRequest, target: AnswerTarget, followUpOf?: { id: string; question: string }): Promise<TaskSummary> {
    let id = '';
    const rerun = (override: 'local' | 'cloud') => this.runInView(title, { ...req, override }, target);
    const followUp = (question: string, answer: string) => this.runInView(title, {
      ...req,
      kind: 'ask',
      override: undefined,
      messages: [...req.messages, { role: 'assistant', content: answer }, { role: 'user', content: question }],
      maxTokens: Math.max(req.maxTokens, 2048),
      expectedOutputTokens: 500,
    }, target, { id, question });
    const session = this.view.begin(title, {
      rerun: (override) => void rerun(override),
      insert: (code) => void this.insert(code, target),
      open: (href) => void this.open(href, target),
      followUp: (question) => void followUp(question, session.text()),
    }, followUpOf);
    id = session.id;
    this.lastRerun = rerun;
    this.lastFollowUp = (question) => followUp(question, session.text());

    // While streaming, the output tokens are counted from the text received; the provider's figure replaces it.
    let recount: ReturnType<typeof setTimeout> | undefined;
    let counting = true;
    const scheduleRecount = () => {
      if (recount) return;
      recount = setTimeout(() => {
        recount = undefined;
        void this.countTokens(session.text()).then((n) => { if (counting) session.update({ tokensOut: n, tokensEstimated: true }); });
      }, RECOUNT_MS);
    };
    const sink: TaskSink = {
      onRoute: (d) => {
        session.restart();
        session.update({ ...routedHeader(d), tokensOut: 0, demo: d.target === 'local' && this.isDemo(d.model) }, { stop: d.target !== 'blocked' });
      },
      onText: (t) => {
        session.append(t);
        scheduleRecount();
      },
    };
    let result: TaskResult;
    try {
      result = await this.runner.run(req, sink, session.signal);
    } catch (err) {
      // The runner reports provider failures itself; this is a bug path, shown rather than swallowed.
      const message = `${req.kind} failed: ${errorMessage(err)}`;
      session.update({ status: 'failed', error: message }, {});
      this.s.log.error(message);
      throw err;
    } finally {
      counting = false;
      clearTimeout(recount);
    }
    const header = finishedHeader(result);
    // No usage reported: the output count is the tokenizer's count of the text received, still an estimate.
    if (!result.usage && result.text) header.tokensOut = await this.countTokens(result.text);
    session.update({ ...header, demo: result.decision.target === 'local' && this.isDemo(result.model) }, actionsFor(result));
    return summarize(result);
  }

  /** The result came from Switchyard's development demo model. */
  isDemoModel(r: TaskResult): boolean {
    return r.decision.target === 'local' && this.isDemo(r.model);
  }

  /** Re-runs the answer view's request with an override, as its buttons do. */
  rerunLast(override: 'local' | 'cloud'): Promise<TaskSummary> | undefined {
    return this.lastRerun?.(override);
  }

  /** Asks a follow-up of the answer shown, as its follow-up box does. */
  followUpLast(question: string): Promise<TaskSummary> | undefined {
    return this.lastFollowUp?.(question);
  }

  private async insert(code: string, target: AnswerTarget): Promise<void> {
    const editor = vscode.window.visibleTextEditors.find((e) => target.uri && e.document.uri.toString() === target.uri.toString())
      ?? vscode.window.activeTextEditor;
    if (!editor) {
      void notify('warn', 'open an editor to insert the code into.');
      return;
    }
    const selection = editor.document.uri.toString() === target.uri?.toString() && target.selection ? target.selection : editor.selection;
    await editor.edit((b) => b.replace(selection, code));
  }

  /**
   * Opens a link from the answer: a workspace file by relative path (optionally at a line), or - after the
   * user confirmed its full address - a web page. The model wrote the link, so its text proves nothing.
   */
  async open(href: string, target: AnswerTarget): Promise<void> {
    if (/^https?:/i.test(href)) {
      const pick = await vscode.window.showWarningMessage(
        'Open this link from the answer? The model wrote it; check the full address.',
        { modal: true, detail: href }, 'Open Link', 'Copy Address',
      );
      if (pick === 'Open Link') await vscode.env.openExternal(vscode.Uri.parse(href, true));
      else if (pick === 'Copy Address') await vscode.env.clipboard.writeText(href);
      return;
    }
    const link = parseFileLink(href);
    const folder = target.folder ?? vscode.workspace.workspaceFolders?.[0]?.uri;
    if (!link || !folder) return;
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const real = folder.scheme === 'file' ? await resolveInsideWorkspace(folder.fsPath, link.path, roots) : undefined;
    const uri = real ? vscode.Uri.file(real) : isPlainRelativePath(link.path) && folder.scheme !== 'file' ? vscode.Uri.joinPath(folder, link.path) : undefined;
    try {
      if (!uri) throw new Error('outside');
      await vscode.workspace.fs.stat(uri);
    } catch {
      void notify('warn', `${link.path} is not a file in this workspace.`);
      return;
    }
    const line = link.line ? link.line - 1 : 0;
    await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, selection: new vscode.Range(line, 0, line, 0) });
  }
}

/** A selection's text and where it is, in the plain shape the prompt builders take. */
export function selectionContext(editor: vscode.TextEditor): { path: string; languageId: string; startLine: number; endLine: number; text: string; lines: number } {
  const { document, selection } = editor;
  const text = document.getText(selection);
  const endLine = selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line : selection.end.line + 1;
  return {
    path: vscode.workspace.asRelativePath(document.uri, false),
    languageId: document.languageId,
    startLine: selection.start.line + 1,
    endLine,
    text,
    lines: endLine - selection.start.line,
  };
}

export function shorten(text: string, max = 48): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
