import * as vscode from 'vscode';
import { describeEmbedded } from '../core/providers/embedded/node/identity';
import type { LocalModelsService } from './localModels';
import type { Services } from './services';
import { updateSetting } from './settings';
import { COMMANDS } from '../core/commands';
import { errorMessage } from '../core/errors';
import { notify } from './notify';

export const WALKTHROUGH_ID = 'switchyard.switchyard#getStarted';
export const DEMO_NOTICE = 'demo model: shows how Switchyard works; its suggestions are not meaningful';
const SNOOZE_KEY = 'switchyard.completionsSnoozedUntil';
const PROVIDER_NAMES = { ollama: 'Ollama', 'openai-compatible': 'OpenAI-compatible server', embedded: 'embedded engine' } as const;

/** What runs locally now, in the words the status bar, its menu and the walkthrough use. */
export interface LocalSummary {
  /** e.g. "Ollama at http://127.0.0.1:11434 (local.provider: auto)". */
  where: string;
  completionModel: string;
  chatModel: string;
  demo: boolean;
  /**
   * In a remote window: where these settings are read, e.g. "Settings in effect on ssh-remote: …". The
   * Settings UI may hide them (machine-scoped) or show values from elsewhere.
   */
  remote?: string;
}

export function localSummary(s: Services, local: LocalModelsService): LocalSummary {
  const c = local.current();
  const setting = s.settings.current.providers.local.provider;
  const server = c.id === 'embedded' ? PROVIDER_NAMES.embedded : `${PROVIDER_NAMES[c.id]} at ${c.baseUrl}`;
  const where = setting === 'auto' ? `${server} (local.provider: auto)` : server;
  const remote = vscode.env.remoteName ? `Settings in effect on ${vscode.env.remoteName}: ${READ_REMOTELY}` : undefined;
  if (c.embedded) {
    const name = describeEmbedded(c.embedded);
    return { where, completionModel: name, chatModel: name, demo: c.embedded.demo, remote };
  }
  return { where, completionModel: c.completionModel, chatModel: c.chatModel, demo: false, remote };
}

const READ_REMOTELY = 'read on the remote machine, where Switchyard runs: the local provider, its address and the models above are that machine\'s';

/**
 * The status bar's click: a quick menu with what runs where, and the everyday switches. Also keeps the
 * status bar's "local" line current and brings snoozed completions back on time.
 */
export function registerStatusMenu(s: Services): void {
  const { local } = s;
  let snoozeTimer: ReturnType<typeof setTimeout> | undefined;
  let demoShown = false;

  const refresh = () => {
    const summary = localSummary(s, local);
    const until = s.context.globalState.get<number>(SNOOZE_KEY);
    s.status.update({ local: summary, snoozedUntil: until && until > Date.now() ? until : undefined });
    if (summary.demo && !demoShown) {
      demoShown = true;
      s.log.info(`local model: ${summary.completionModel} — ${DEMO_NOTICE}. Install Ollama or download a real model: Switchyard: Get Started`);
      void vscode.window.showInformationMessage(
        `Switchyard is running the ${DEMO_NOTICE}. For real suggestions install Ollama or download a model.`,
        'Get Started', 'Download Model',
      ).then((pick) => {
        if (pick === 'Get Started') void vscode.commands.executeCommand(COMMANDS.getStarted);
        else if (pick === 'Download Model') void vscode.commands.executeCommand(COMMANDS.downloadEmbeddedModel);
      });
    }
  };

  const wake = async () => {
    snoozeTimer = undefined;
    await s.context.globalState.update(SNOOZE_KEY, undefined);
    if (!s.settings.current.completion.enabled) {
      await updateSetting('completion.enabled', true, vscode.ConfigurationTarget.Global);
    }
    refresh();
  };
  const armSnooze = () => {
    clearTimeout(snoozeTimer);
    const until = s.context.globalState.get<number>(SNOOZE_KEY);
    if (until === undefined) return;
    snoozeTimer = setTimeout(() => void wake(), Math.max(0, until - Date.now()));
  };

  const snooze = async () => {
    const pick = await vscode.window.showQuickPick(
      [5, 15, 30, 60].map((m) => ({ label: `${m} minutes`, minutes: m })),
      { title: 'Switchyard: Snooze Completions', placeHolder: 'Completions come back on their own after' },
    );
    if (!pick) return;
    await s.context.globalState.update(SNOOZE_KEY, Date.now() + pick.minutes * 60_000);
    await updateSetting('completion.enabled', false, vscode.ConfigurationTarget.Global);
    armSnooze();
    refresh();
  };

  const pickChatModel = async () => {
    if (local.current().id === 'embedded') {
      void vscode.commands.executeCommand(COMMANDS.selectEmbeddedModel); // the engine runs one GGUF file for both
      return;
    }
    let names: string[];
    try {
      names = (await local.catalog().listModels(AbortSignal.timeout(5000))).map((m) => m.name);
    } catch (err) {
      void notify('warn', `cannot list the local models — ${errorMessage(err)}`);
      return;
    }
    const current = s.settings.current.providers.local.chatModel;
    const pick = await vscode.window.showQuickPick(
      names.map((label) => ({ label, description: label === current ? 'current' : undefined })),
      { title: 'Switchyard: Select Chat Model', placeHolder: 'The local model for Ask, Refactor and Explain Architecture' },
    );
    if (pick) await updateSetting('local.chatModel', pick.label, vscode.ConfigurationTarget.Global);
  };

  const menu = async () => {
    const summary = localSummary(s, local);
    const enabled = s.settings.current.completion.enabled;
    const locked = s.privacy.policy().neverLeaveMachine;
    const health = local.health();
    type Item = vscode.QuickPickItem & { run?: () => unknown };
    const cmd = (command: string, ...args: unknown[]) => () => vscode.commands.executeCommand(command, ...args);
    const items: Item[] = [
      { label: 'Local model', kind: vscode.QuickPickItemKind.Separator },
      {
        label: `$(server-process) ${summary.where}`,
        description: health ? (health.ok ? 'running' : 'not answering') : undefined,
        detail: `completion: ${summary.completionModel} · chat: ${summary.chatModel}${summary.demo ? ` — ${DEMO_NOTICE}` : ''}`,
        run: cmd('workbench.action.openSettings', 'switchyard.local'),
      },
      ...(vscode.env.remoteName ? [{ label: `$(remote) Settings in effect on ${vscode.env.remoteName}`, detail: 'read on the remote machine, where Switchyard runs', run: cmd('workbench.action.openSettings', 'switchyard.local') }] : []),
      { label: 'Completions', kind: vscode.QuickPickItemKind.Separator },
      { label: enabled ? '$(circle-slash) Turn Completions Off' : '$(check) Turn Completions On', run: async () => {
        await s.context.globalState.update(SNOOZE_KEY, undefined);
        clearTimeout(snoozeTimer);
        await vscode.commands.executeCommand(COMMANDS.toggleCompletions);
      } },
      ...(enabled ? [{ label: '$(clock) Snooze Completions…', run: snooze }] : []),
      { label: '$(symbol-misc) Select Completion Model…', description: summary.completionModel, run: cmd(COMMANDS.selectCompletionModel) },
      { label: '$(comment-discussion) Select Chat Model…', description: summary.chatModel, run: pickChatModel },
      { label: 'Privacy', kind: vscode.QuickPickItemKind.Separator },
      { label: locked ? '$(unlock) Allow the Cloud for This Folder' : '$(lock) Never Leave This Machine (This Folder)', description: locked ? 'never-leave-machine is on' : undefined, run: cmd(COMMANDS.toggleNeverLeaveMachine) },
      { label: 'Switchyard', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(graph) Open Dashboard', run: cmd(COMMANDS.showDashboard) },
      { label: '$(output) Show Log', run: cmd(COMMANDS.showLog) },
      { label: '$(settings-gear) Open Settings', run: cmd('workbench.action.openSettings', '@ext:switchyard.switchyard') },
      { label: '$(rocket) Get Started', run: cmd(COMMANDS.getStarted) },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Switchyard', placeHolder: summary.where });
    await pick?.run?.();
  };

  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.statusMenu, menu),
    vscode.commands.registerCommand(COMMANDS.snoozeCompletions, snooze),
    vscode.commands.registerCommand(COMMANDS.selectChatModel, pickChatModel),
    vscode.commands.registerCommand(COMMANDS.getStarted, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false)),
    { dispose: () => clearTimeout(snoozeTimer) },
  );
  s.status.setCommand(COMMANDS.statusMenu);
  s.context.subscriptions.push(local.onDidChange.on(refresh));
  s.context.subscriptions.push(s.settings.onDidChange.on(refresh));
  // A snooze that ended while VS Code was closed ends now.
  armSnooze();
  refresh();
}
