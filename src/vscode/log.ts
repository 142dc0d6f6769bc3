import * as vscode from 'vscode';
import { formatLogLine, type LoggedCost } from '../core/log/format';
import type { ModelCallEvent } from '../core/types';

/** The "Switchyard" output channel: one coloured line per model call, plus notices. */
export class Log implements vscode.Disposable {
  readonly channel: vscode.OutputChannel;

  constructor() {
    // The language id selects the syntaxes/switchyard-log grammar.
    this.channel = vscode.window.createOutputChannel('Switchyard', 'switchyard-log');
  }

  request(event: ModelCallEvent & LoggedCost): void {
    this.channel.appendLine(formatLogLine(event));
  }

  info(message: string): void {
    this.channel.appendLine(`${new Date().toISOString()} [info] ${message}`);
  }

  warn(message: string): void {
    this.channel.appendLine(`${new Date().toISOString()} [warn] ${message}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
