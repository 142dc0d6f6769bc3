// Shared by the task suites: activation, pointing the extension at the fakes, selections, waiting.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { SwitchyardApi } from '../../../../src/extension';
import type { ArchitectureSummary } from '../../../../src/vscode/tasks/architecture';
import type { RefactorSummary } from '../../../../src/vscode/tasks/refactor';

import { until } from '../../until';

export { until };

export async function activate(): Promise<SwitchyardApi> {
  const ext = vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard');
  assert.ok(ext, 'extension not installed');
  return ext.activate();
}

/** Sets user settings and waits until the extension has read them. */
export async function setUserSettings(api: SwitchyardApi, values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('switchyard');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
  // The store replaces its settings object on each change: read it afresh on every check.
  const read = (): Record<string, unknown> => {
    const { providers, routing } = api.services.settings.current;
    return {
      'local.provider': providers.local.provider,
      'local.ollamaUrl': providers.local.ollamaUrl,
      'cloud.provider': providers.cloud.provider,
      'cloud.openai.baseUrl': providers.cloud.openai.baseUrl,
      'cloud.openai.model': providers.cloud.openai.model,
      'routing.cloudTimeoutSeconds': routing.cloudTimeoutSeconds,
      'routing.autoEscalate': routing.autoEscalate,
    };
  };
  await until('settings to apply', () => {
    const current = read();
    return Object.entries(values).every(([k, v]) => !(k in current) || v === undefined || current[k] === v);
  });
}

/** Opens a workspace file and selects from the line containing `from` to the line containing `to`. */
export async function select(relPath: string, from: string, to: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders![0].uri;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, relPath));
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const lines = doc.getText().split('\n');
  const start = lines.findIndex((l) => l.includes(from));
  const end = lines.findIndex((l, i) => i >= start && l.includes(to));
  assert.ok(start >= 0 && end >= start, `selection ${from}..${to} not found in ${relPath}`);
  editor.selection = new vscode.Selection(start, 0, end, lines[end].length);
  return editor;
}

/** Collects the ModelCallEvents emitted from now on. */
export function recordEvents(api: SwitchyardApi): { events: ModelCallEvent[]; stop(): void } {
  const events: ModelCallEvent[] = [];
  const stop = api.services.events.on((e) => events.push(e));
  return { events, stop };
}

/** The key the fake OpenAI server accepts (stored through SecretStorage, never settings). */
export const KEY = 'sk-test-switchyard-0123456789';

/** Runs a task command with arguments, as automation does, and returns its summary. */
export async function run(command: string, args?: unknown): Promise<Summary> {
  return (await vscode.commands.executeCommand(command, args)) as Summary;
}

/** Runs a task command and collects the ModelCallEvents emitted while it ran. */
export async function runRecorded(api: SwitchyardApi, command: string, args?: unknown): Promise<{ r: Summary; events: ModelCallEvent[] }> {
  const rec = recordEvents(api);
  try {
    return { r: await run(command, args), events: rec.events };
  } finally {
    rec.stop();
  }
}

export type AnswerState = import('../../../../src/vscode/tasks/answerView').AnswerSnapshot;

export async function answerState(): Promise<AnswerState> {
  return (await vscode.commands.executeCommand('switchyard.answer.state')) as AnswerState;
}

/** What the task commands return (the product's own summary types). */
export type Summary = RefactorSummary & ArchitectureSummary;
