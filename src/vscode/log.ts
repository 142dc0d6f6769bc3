import * as vscode from 'vscode';
import { formatLogLine, type LoggedCost } from '../core/log/format';
import type { Logger } from '../core/log/logger';
import type { ModelCallEvent } from '../core/types';

/**
 * The "Switchyard" log output channel: one line per model call, plus notices at their level. VS Code stamps
 * each line with its time and level and honours the user's log level (Developer: Set Log Level).
 */
export class Log implements Logger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Switchyard', { log: true });
  }

  request(event: ModelCallEvent & LoggedCost): void {
    this.channel.info(formatLogLine(event));
  }

  trace(message: string): void {
    this.channel.trace(message);
  }

  debug(message: string): void {
    this.channel.debug(message);
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  error(message: string): void {
    this.channel.error(message);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
