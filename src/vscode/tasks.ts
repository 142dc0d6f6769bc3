import * as vscode from 'vscode';
import { parseTaskArgs } from '../core/tasks/args';
import { TaskRunner } from '../core/tasks/runner';
import type { Services } from './services';
import { AnswerView } from './tasks/answerView';
import { askAboutSelection } from './tasks/ask';
import { explainArchitecture } from './tasks/architecture';
import { TaskController } from './tasks/controller';
import { REFACTOR_SCHEME, Refactors } from './tasks/refactor';
import { createRunnerDeps } from './tasks/runnerDeps';
import { countTokens } from '../core/node/tokens';
import { COMMANDS } from '../core/commands';

/**
 * Ask About Selection, Refactor Selection, Explain Architecture. Each command takes an optional
 * arguments object ({question, refactor, override, apply, budgetTokens}) so it can run without prompts,
 * and returns a plain summary of what happened (route, reasons, outcome, text).
 */
export function registerTasks(s: Services): void {
  const { local, cost } = s;
  const view = new AnswerView(s.context.extensionUri, s.context.workspaceState, s.log);
  const isDemo = (model: string) => local.current().embedded?.model === model && local.current().embedded?.demo === true;
  const controller = new TaskController(s, new TaskRunner(createRunnerDeps(s, local, cost)), view, countTokens, isDemo);
  const refactors = new Refactors(controller);
  const reg = vscode.commands.registerCommand;
  s.context.subscriptions.push(
    view,
    refactors,
    vscode.workspace.registerTextDocumentContentProvider(REFACTOR_SCHEME, refactors),
    reg(COMMANDS.askAboutSelection, (args?: unknown) => askAboutSelection(controller, parseTaskArgs(args))),
    reg(COMMANDS.refactorSelection, (args?: unknown) => refactors.run(parseTaskArgs(args))),
    reg(COMMANDS.applyRefactor, (id?: unknown) => refactors.apply(id)),
    reg(COMMANDS.discardRefactor, (id?: unknown) => refactors.discard(id)),
    reg(COMMANDS.refactorInCloud, (id?: unknown) => refactors.rerunOther(id)),
    reg(COMMANDS.refactorLocally, (id?: unknown) => refactors.rerunOther(id)),
    reg(COMMANDS.explainArchitecture, (args?: unknown) => explainArchitecture(controller, parseTaskArgs(args))),
    // Not in the command palette: what the answer view's buttons do, and its state, for automation and tests.
    reg(COMMANDS.showAnswers, () => view.show()),
    // After a reload VS Code gives back the answer panel; it shows the saved history.
    vscode.window.registerWebviewPanelSerializer('switchyard.answer', { deserializeWebviewPanel: async (panel) => view.show(panel) }),
    reg(COMMANDS.answerRerun, (override?: unknown) =>
      override === 'local' || override === 'cloud' ? controller.rerunLast(override) : undefined),
    reg(COMMANDS.answerFollowUp, (question?: unknown) =>
      typeof question === 'string' && question.trim() ? controller.followUpLast(question.trim()) : undefined),
    reg(COMMANDS.answerState, () => view.snapshot()),
    reg(COMMANDS.answerClose, () => view.dispose()),
    reg(COMMANDS.refactorPending, () => refactors.pending()),
  );
}
