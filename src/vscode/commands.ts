import * as vscode from 'vscode';
import type { Services } from './services';

/** Commands that belong to no single feature. */
export function registerCoreCommands(s: Services): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand('switchyard.showLog', () => s.log.show()),
  );
}
