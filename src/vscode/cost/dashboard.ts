import { rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { WebviewPanelHost } from '../webview/panel';
import { defaultQuery, parseWebviewMessage, type HostMessage, type TableQuery, type WebviewMessage } from '../../core/cost/dashboardProtocol';
import { buildDashboardState, summaryOptions } from '../../core/cost/dashboardState';
import { periodBounds } from '../../core/cost/query';
import type { CostFeature } from '../cost';
import { COMMANDS } from '../../core/commands';
import type { Services } from '../services';
import type { ReadyMessage } from '../../core/protocol';
import { errorMessage } from '../../core/errors';

const LIVE_UPDATE_MS = 250;
const SEARCHING_AFTER_MS = 150;

/** The newest (or oldest) records with no filter: a page read from memory or near a mark, never a scan. */
function isPlain(q: TableQuery): boolean {
  return q.sort.key === 'time' && Object.keys(q.filter).length === 0;
}

/**
 * The dashboard webview. The host aggregates and pages; the webview only draws what it is sent.
 * Nothing is posted before the webview says it is ready, and every message from it is validated.
 */
export class DashboardPanel implements vscode.Disposable {
  private readonly view: WebviewPanelHost<HostMessage, WebviewMessage>;
  private query: TableQuery = defaultQuery();
  private liveTimer?: ReturnType<typeof setTimeout>;
  /** What the webview last reported drawing (for tests). */
  private rendered: { rows: string[]; total: number; seq: number } = { rows: [], total: 0, seq: 0 };
  private pageGeneration = 0;
  private readonly subscription: { dispose(): void };

  constructor(private readonly s: Services, private readonly cost: CostFeature) {
    this.view = new WebviewPanelHost(s.context.extensionUri, {
      viewType: 'switchyard.dashboard', title: 'Switchyard Dashboard', page: 'dashboard',
      body: '<main id="app" aria-busy="true"><p class="muted">Loading…</p></main>',
      placement: 'active', icon: 'media/icon.png', parse: parseWebviewMessage, log: s.log,
    }, {
      ready: () => this.onReady(),
      message: (m) => this.handle(m),
    });
    // Live updates: coalesce bursts of records (another window catching up) into one repaint. The state
    // comes from the aggregates and the newest page from memory, so an update costs the same at any size;
    // a filtered or sorted table (a scan of the month) is redone only when the user asks again.
    this.subscription = cost.ledger.onRecords.on(() => {
      if (!this.view.isReady || this.liveTimer) return;
      this.liveTimer = setTimeout(() => {
        this.liveTimer = undefined;
        this.postState();
        if (isPlain(this.query)) void this.postPage();
      }, LIVE_UPDATE_MS);
    });
  }

  /** Plain facts about the panel, for automation and tests. */
  snapshot(): { open: boolean; visible: boolean; ready: boolean; rendered: { rows: string[]; total: number; seq: number }; rejectedMessages: number } {
    return { ...this.view.facts(), rendered: this.rendered };
  }

  show(): void {
    if (this.view.show()) this.cost.refresh();
  }

  private onReady(): void {
    this.postAll();
    // A failed load is logged where it is started (registerCost); the dashboard keeps what it has.
    if (!this.cost.ledger.loaded) this.cost.ledger.load().then(() => this.postAll(), () => undefined);
  }

  private async handle(m: Exclude<WebviewMessage, ReadyMessage>): Promise<void> {
    switch (m.type) {
      case 'query':
        this.query = m.query;
        await this.postPage();
        return;
      case 'export':
        await this.export(m.format, m.from, m.to);
        return;
      case 'openSettings':
        void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard.cost');
        return;
      case 'showLog':
        this.s.log.show();
        return;
      case 'setPrice':
        // Only a model the dashboard was told about: the webview cannot write arbitrary settings keys.
        if (buildDashboardState(this.cost.ledger.summary(summaryOptions(this.s.settings.current, new Date())), [], this.s.settings.current).info.unpricedModels.includes(m.model)) {
          if (await vscode.commands.executeCommand<boolean>(COMMANDS.setModelPrice, m.model)) this.postState();
        }
        return;
      case 'rendered':
        this.rendered = { rows: m.rows, total: m.total, seq: this.rendered.seq + 1 };
        return;
    }
  }

  private post(message: HostMessage): void {
    this.view.post(message);
  }

  private postAll(): void {
    this.postState();
    void this.postPage();
  }

  private postState(): void {
    const ledger = this.cost.ledger;
    const settings = this.s.settings.current;
    this.post(buildDashboardState(ledger.summary(summaryOptions(settings, new Date())), ledger.problems(), settings, !ledger.loaded));
  }

  private async postPage(): Promise<void> {
    const query = this.query;
    const generation = ++this.pageGeneration;
    const obsolete = () => generation !== this.pageGeneration || !this.view.isOpen;
    // A filter or sort over a large month takes a moment: say so rather than show stale rows.
    const searching = setTimeout(() => this.post({ type: 'page', query, rows: [], total: 0, searching: true }), SEARCHING_AFTER_MS);
    try {
      const page = await this.cost.ledger.page(query, this.cost.workspace, obsolete);
      if (page && !obsolete()) this.post({ type: 'page', query, rows: page.rows, total: page.total });
    } catch (err) {
      this.post({ type: 'error', message: `Could not read the ledger: ${errorMessage(err)}` });
    } finally {
      clearTimeout(searching);
    }
  }

  private async export(format: 'csv' | 'json', from: string, to: string): Promise<void> {
    try {
      const { fromMs, toExclusiveMs } = periodBounds(from, to);
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(folder, `switchyard-ledger-${from}-to-${to}.${format}`),
        filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
        saveLabel: 'Export',
        title: `Export the ledger from ${from} to ${to}`,
      });
      if (!target) return;
      // Streamed to disk a chunk at a time; another file system (a remote or virtual folder) gets a copy.
      let count: number;
      if (target.scheme === 'file') {
        count = await this.cost.ledger.exportPeriod(fromMs, toExclusiveMs, format, target.fsPath);
      } else {
        const tmp = join(tmpdir(), `switchyard-export-${process.pid}-${Date.now()}.${format}`);
        try {
          count = await this.cost.ledger.exportPeriod(fromMs, toExclusiveMs, format, tmp);
          await vscode.workspace.fs.copy(vscode.Uri.file(tmp), target, { overwrite: true });
        } finally {
          await rm(tmp, { force: true });
        }
      }
      this.post({ type: 'exported', path: target.fsPath, count });
    } catch (err) {
      const message = `Export failed: ${errorMessage(err)}`;
      this.s.log.error(message);
      this.post({ type: 'error', message });
    }
  }

  dispose(): void {
    clearTimeout(this.liveTimer);
    this.subscription.dispose();
    this.view.dispose();
  }
}
