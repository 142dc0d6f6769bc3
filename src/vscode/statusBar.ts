import * as vscode from 'vscode';
import { formatUsd } from '../core/cost/usd';
import { COMMANDS } from '../core/commands';

/** What the status bar shows. Features update their own fields; rendering happens in one place. */
export interface StatusModel {
  /** Local completion engine state. */
  completion: 'ready' | 'thinking' | 'slow' | 'unreachable' | 'off' | 'unknown';
  /** Detail for the tooltip, e.g. the fix when the local model is unreachable. */
  completionDetail?: string;
  /** The active editor's folder (or the window, with no editor) is never-leave-machine. */
  locked: boolean;
  /** The privacy policy in plain words, for the tooltip. */
  lockReason?: string;
  /** Route of the last request. */
  lastRoute?: 'local' | 'cloud' | 'blocked';
  /** Tooltip lines about the last request (route, model, tokens, cost, reasons). */
  lastDetail?: string[];
  /** Today's cloud spend in USD. */
  todayCloudUsd?: number;
  /** What serves locally: provider, where, the models that run, and whether it is the demo model. */
  local?: { where: string; completionModel: string; chatModel: string; demo: boolean; remote?: string };
  /** Completions are snoozed until this time (ms since epoch). */
  snoozedUntil?: number;
}

/** A completion shorter than this never shows the spinner: typing must not make the status bar flicker. */
const THINKING_DELAY_MS = 300;

/** The Switchyard status bar item. Exists from activation; renders only when something changed. */
export class StatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private model: StatusModel = { completion: 'unknown', locked: false };
  private rendered = '';
  /** The completion state on screen; lags `model.completion` only when entering 'thinking'. */
  private shownCompletion: StatusModel['completion'] = 'unknown';
  private thinkingTimer?: ReturnType<typeof setTimeout>;

  constructor(command: string | undefined) {
    this.item = vscode.window.createStatusBarItem('switchyard.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Switchyard';
    this.item.command = command;
    this.render();
    this.item.show();
  }

  get state(): Readonly<StatusModel> {
    return this.model;
  }

  update(patch: Partial<StatusModel>): void {
    this.model = { ...this.model, ...patch };
    if (this.model.completion === 'thinking') {
      if (this.shownCompletion !== 'thinking' && !this.thinkingTimer) {
        this.thinkingTimer = setTimeout(() => {
          this.thinkingTimer = undefined;
          if (this.model.completion === 'thinking') this.shownCompletion = 'thinking';
          this.render();
        }, THINKING_DELAY_MS);
      }
    } else {
      clearTimeout(this.thinkingTimer);
      this.thinkingTimer = undefined;
      this.shownCompletion = this.model.completion;
    }
    this.render();
  }

  setCommand(command: string): void {
    this.item.command = command;
    this.rendered = '';
    this.render();
  }

  private render(): void {
    const m = this.model;
    const c = this.shownCompletion;
    // Where the last request went is always shown; the completion engine's state sits beside it.
    const route = m.lastRoute === 'cloud' ? '$(cloud)' : m.lastRoute === 'blocked' ? '$(shield)' : '$(server-process)';
    const engine = c === 'thinking' ? ' $(loading~spin)'
      : c === 'unreachable' ? ' $(debug-disconnect)'
      : c === 'slow' ? ' $(watch)'
      : c === 'off' ? ' $(circle-slash)'
      : '';
    const lock = m.locked ? '$(lock) ' : '';
    // Never "$0.00" for a day that did cost something: small amounts get more digits.
    const spend = m.todayCloudUsd === undefined ? '' : ` ${formatUsd(m.todayCloudUsd)}`;
    const demo = m.local?.demo ? ' (demo model)' : '';
    const text = `${lock}${route} Switchyard${demo}${spend}${engine}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**Switchyard**${m.locked ? ' — $(lock) never-leave-machine' : ''}\n\n`);
    if (m.lockReason) tooltip.appendMarkdown(`Privacy: ${escape(m.lockReason)}\n\n`);
    if (m.local) {
      tooltip.appendMarkdown(`Local: ${escape(m.local.where)}  \ncompletion: ${escape(m.local.completionModel)} · chat: ${escape(m.local.chatModel)}\n\n`);
      if (m.local.remote) tooltip.appendMarkdown(`$(remote) ${escape(m.local.remote)}\n\n`);
      if (m.local.demo) tooltip.appendMarkdown('$(info) The demo model shows how Switchyard works; its suggestions are not meaningful. Install Ollama or download a real model (Get Started).\n\n');
    }
    const snoozed = m.snoozedUntil ? ` — snoozed until ${new Date(m.snoozedUntil).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}` : '';
    tooltip.appendMarkdown(`Completions: ${m.completion}${snoozed}${m.completionDetail ? ` — ${escape(m.completionDetail)}` : ''}\n\n`);
    if (m.lastDetail?.length) tooltip.appendMarkdown(m.lastDetail.map(escape).join('  \n'));
    if (this.item.command === COMMANDS.statusMenu) tooltip.appendMarkdown('\n\n$(menu) Click for the Switchyard menu (models, completions, privacy, dashboard)');
    else if (this.item.command === COMMANDS.showDashboard) tooltip.appendMarkdown('\n\n$(graph) Click to open the dashboard');
    const key = `${text}\n${tooltip.value}`;
    if (key === this.rendered) return; // no flicker: touch the item only when its content changes
    this.rendered = key;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = m.completion === 'unreachable'
      ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    clearTimeout(this.thinkingTimer);
    this.item.dispose();
  }
}

function escape(s: string): string {
  return s.replace(/[\\`*_{}[\]<>()#+!|]/g, '\\$&');
}
