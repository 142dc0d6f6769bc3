import * as vscode from 'vscode';
import type { TaskArgs } from '../../core/tasks/args';
import { buildAskPrompt } from '../../core/tasks/prompts';
import type { TaskSummary } from '../../core/tasks/present';
import { selectionContext, shorten, type TaskController } from './controller';
import { pickOrType } from './pickOrType';
import { notify } from '../notify';

const HISTORY_KEY = 'switchyard.askHistory';
const HISTORY_SIZE = 20;

/** Asks for the question: type a new one or pick a recent one. */
async function pickQuestion(memento: vscode.Memento): Promise<string | undefined> {
  const history = memento.get<string[]>(HISTORY_KEY, []).filter((q) => typeof q === 'string');
  const question = await pickOrType({
    title: 'Switchyard: Ask About Selection',
    placeholder: 'Type a question about the selected code (Enter to ask), or pick a recent one',
    items: history.map((label) => ({ label, description: 'recent' })),
    ignoreFocusOut: true,
  });
  if (question) await memento.update(HISTORY_KEY, [question, ...history.filter((q) => q !== question)].slice(0, HISTORY_SIZE));
  return question;
}

export async function askAboutSelection(c: TaskController, args: TaskArgs): Promise<TaskSummary | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.selection.isEmpty) {
    void notify('warn', 'select some code first, then run Ask About Selection.');
    return undefined;
  }
  const question = args.question ?? (await pickQuestion(c.s.context.globalState));
  if (!question) return undefined;
  const sel = selectionContext(editor);
  const excluded = await c.s.privacy.isExcluded(editor.document.uri);
  return c.runInView(`Ask: ${shorten(question)}`, {
    kind: 'ask',
    messages: buildAskPrompt(sel, question),
    maxTokens: 2048,
    expectedOutputTokens: 500,
    selectionLines: sel.lines,
    files: 1,
    excludedContent: excluded,
    override: args.override,
    sources: [editor.document.uri.toString()],
  }, {
    uri: editor.document.uri,
    selection: editor.selection,
    folder: vscode.workspace.getWorkspaceFolder(editor.document.uri)?.uri,
  });
}
