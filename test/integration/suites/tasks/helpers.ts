// Shared by the task suites: activation, pointing the extension at the fakes, selections, waiting.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { SwitchyardApi } from '../../../../src/extension';
import type { ArchitectureSummary } from '../../../../src/vscode/tasks/architecture';
import type { RefactorSummary } from '../../../../src/vscode/tasks/refactor';
import {
  startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeOllamaOptions, type FakeOpenAI, type FakeOpenAIOptions,
} from '../../../fakes';

import { until } from '../../until';
import { COMMANDS } from '../../../../src/core/commands';

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
  const subscription = api.services.events.on((e) => events.push(e));
  return { events, stop: () => subscription.dispose() };
}

/** The key the fake OpenAI server accepts (stored through SecretStorage, never settings). */
export const KEY = 'sk-test-switchyard-0123456789';

/**
 * Starts a fake Ollama (the local model) and a fake OpenAI (the cloud), stores the cloud key in
 * SecretStorage and points the user settings at both (`settings` adds or overrides some).
 */
export async function startLocalAndCloud(
  api: SwitchyardApi,
  opts: { local?: FakeOllamaOptions; cloud?: FakeOpenAIOptions; settings?: Record<string, unknown> } = {},
): Promise<{ ollama: FakeOllama; cloud: FakeOpenAI }> {
  const [ollama, cloud] = await Promise.all([
    startFakeOllama(opts.local),
    startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY, ...opts.cloud }),
  ]);
  await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
  await setUserSettings(api, {
    'local.provider': 'ollama', 'local.ollamaUrl': ollama.url,
    'cloud.provider': 'openai', 'cloud.openai.baseUrl': cloud.baseURL, 'cloud.openai.model': 'gpt-4.1-mini',
    ...opts.settings,
  });
  return { ollama, cloud };
}

/** The open workspace folder called `name` (multi-root windows). */
export function folder(name: string): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.find((w) => w.name === name);
  assert.ok(f, `folder ${name} is open`);
  return f;
}

/** A file of the workspace folder called `folderName`. */
export function folderFile(folderName: string, rel: string): vscode.Uri {
  return vscode.Uri.joinPath(folder(folderName).uri, rel);
}

/** Opens a file of a folder and selects all of it. */
export async function selectAll(folderName: string, rel: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(folderFile(folderName, rel));
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  editor.selection = new vscode.Selection(0, 0, doc.lineCount - 1, 0);
  return editor;
}

/**
 * Asks for an inline suggestion as the editor does (trigger) and accepts it (Tab's command); returns
 * what was inserted ('' when nothing was shown within `waitMs`) and undoes the insertion.
 */
export async function acceptSuggestion(editor: vscode.TextEditor, waitMs = 3000): Promise<string> {
  const before = editor.document.getText();
  await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
  const end = Date.now() + waitMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    const after = editor.document.getText();
    if (after !== before) {
      await vscode.commands.executeCommand('undo');
      const start = [...before].findIndex((c, i) => after[i] !== c);
      return after.slice(start, start + after.length - before.length);
    }
  }
  return '';
}

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
  return (await vscode.commands.executeCommand(COMMANDS.answerState)) as AnswerState;
}

/** What the task commands return (the product's own summary types). */
export type Summary = RefactorSummary & ArchitectureSummary;
