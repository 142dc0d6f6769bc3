import * as vscode from 'vscode';
import type { Logger } from '../core/log/logger';

type Level = 'warn' | 'error';

/** Shows `Switchyard: message` as a warning or error notification; resolves to the action picked, if any. */
export function notify<T extends string>(level: Level, message: string, ...actions: T[]): Thenable<T | undefined> {
  const text = `Switchyard: ${message}`;
  return level === 'error' ? vscode.window.showErrorMessage(text, ...actions) : vscode.window.showWarningMessage(text, ...actions);
}

/** Logs `message` at `level` and shows it as a notification (see `notify`). */
export function logAndNotify<T extends string>(log: Logger, level: Level, message: string, ...actions: T[]): Thenable<T | undefined> {
  log[level](message);
  return notify(level, message, ...actions);
}
