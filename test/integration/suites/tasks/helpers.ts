// Shared by the task suites: activation, pointing the extension at the fakes, selections, waiting.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { SwitchyardApi } from '../../../../src/extension';
import type { ArchitectureSummary } from '../../../../src/vscode/tasks/architecture';
import type { RefactorSummary } from '../../../../src/vscode/tasks/refactor';

export async function activate(): Promise<SwitchyardApi> {
  const ext = vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard');
  assert.ok(ext, 'extension not installed');
  return ext.activate();
}

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sets user settings and waits until the extension has read them. */
export async function setUserSettings(api: SwitchyardApi, values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('switchyard');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
  const s = api.services.settings.current;
  const read = (): Record<string, unknown> => ({
    'local.provider': s.providers.local.provider,
    'local.ollamaUrl': api.services.settings.current.providers.local.ollamaUrl,
    'cloud.provider': api.services.settings.current.providers.cloud.provider,
    'cloud.openai.baseUrl': api.services.settings.current.providers.cloud.openai.baseUrl,
    'cloud.openai.model': api.services.settings.current.providers.cloud.openai.model,
    'routing.cloudTimeoutSeconds': api.services.settings.current.routing.cloudTimeoutSeconds,
    'routing.autoEscalate': api.services.settings.current.routing.autoEscalate,
  });
  await until('settings to apply', () => Object.entries(values).every(([k, v]) => !(k in read()) || v === undefined || read()[k] === v));
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

export interface AnswerState {
  open: boolean;
  header: { title: string; status: string; route?: string; provider?: string; model?: string; reasons: string[]; costUsd?: number; error?: string; tokensIn?: number; tokensOut?: number; tokensEstimated: boolean };
  markdown: string;
  actions: { askCloud?: { estimatedCostUsd?: number }; keepLocal?: boolean; stop?: boolean };
  rendered?: { seq: number; chars: number; codeBlocks: number };
  rejectedMessages: number;
}

export async function answerState(): Promise<AnswerState> {
  return (await vscode.commands.executeCommand('switchyard.answer.state')) as AnswerState;
}

/** What the task commands return (the product's own summary types). */
export type Summary = RefactorSummary & ArchitectureSummary;
