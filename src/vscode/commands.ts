import * as vscode from 'vscode';
import type { Services } from './services';
import { COMMANDS } from '../core/commands';

/** Commands that belong to no single feature. */
export function registerCoreCommands(s: Services): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showLog, () => s.log.show()),
  );
}
