import * as vscode from 'vscode';
import { allowanceKey, budgetState, dueNotices, withAllowances } from '../core/cost/budget';
import { priceOrAssumed } from '../core/cost/prices';
import { costOf, priceLookup, toRecord, type LedgerRecord, type PriceLookup } from '../core/cost/record';
import { LedgerStore } from '../core/cost/node/store';
import { dayKey } from '../core/cost/summary';
import { usageCostUsd } from '../core/cost/usage';
import { hashWorkspace } from '../core/node/ids';
import type { LoggedCost } from '../core/log/format';
import { isCloudProvider, type BudgetState, type ModelCallEvent } from '../core/types';
import { DashboardPanel } from './cost/dashboard';
import { describeLast } from './cost/statusDetail';
import { setModelPrice, warnUnpricedOnce } from './cost/unpriced';
import type { CoreServices, CostService, Services } from './services';
import { COMMANDS } from '../core/commands';
import { errorMessage } from '../core/errors';
import { notify } from './notify';

/** The cost area: the CostService for the router, plus the ledger for views and tests. */
export interface CostFeature extends CostService {
  ledger: LedgerStore;
  /** The event with its cost fields (computed once per event; the log line and the ledger share it). */
  priced(e: ModelCallEvent): ModelCallEvent & LoggedCost;
  /** Resolves when every record emitted so far is on disk. */
  flushed(): Promise<void>;
  /** Picks up records other windows appended; a failure is logged once until a refresh works again. */
  refresh(): void;
  workspace: string;
}

const NOTICES_KEY = 'switchyard.budgetNoticesShown';
const ALLOWED_KEY = 'switchyard.budgetAllowances';
const REFRESH_MS = 5000;

/** Ledger, budgets and status bar spend. */
export function createCost(s: CoreServices): CostFeature {
  const ledger = new LedgerStore(s.context.globalStorageUri.fsPath);
  const folder = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  const workspace = hashWorkspace(folder?.toString() ?? 'no-workspace');
  let prices: PriceLookup = priceLookup(s.settings.current.cost);
  const costs = new WeakMap<ModelCallEvent, ReturnType<typeof costOf>>();
  let pending: Promise<unknown> = Promise.resolve();
  let writeErrorShown = false;

  // Budgets and the status bar read the ledger's per-day aggregates: a handful of numbers, however long
  // the month, so a completion per keystroke costs nothing here.
  const budget = (): BudgetState => {
    const now = new Date();
    const b = budgetState(ledger.spend(now), s.settings.current.cost);
    if (s.settings.current.cost.onCap !== 'ask') return b;
    return withAllowances(b, new Set(s.context.globalState.get<string[]>(ALLOWED_KEY, [])), dayKey(now));
  };

  const costFor = (e: ModelCallEvent) => {
    let c = costs.get(e);
    if (!c) costs.set(e, c = costOf(e, s.settings.current.cost, prices));
    return c;
  };

  let refreshFailed = false;
  const feature: CostFeature = {
    ledger,
    workspace,
    budget,
    priceUsd(provider, model, usage) {
      // Token prices are for cloud providers; a local call costs its inference time, known only afterwards.
      if (!isCloudProvider(provider)) return undefined;
      // A model with no known price is estimated at the conservative price the ledger bills it at, so
      // the answer view's estimate and the budget see it (marked as assumed by priceAssumed).
      return usageCostUsd(priceOrAssumed(model, s.settings.current.cost.prices).price, usage);
    },
    priceAssumed: (provider, model) => isCloudProvider(provider) && priceOrAssumed(model, s.settings.current.cost.prices).assumed,
    priced: (e) => ({ ...e, ...costFor(e) }),
    flushed: () => pending.then(() => undefined),
    refresh: () => {
      ledger.refresh().then(() => { refreshFailed = false; }, (err: unknown) => {
        if (refreshFailed) return; // every 5 s: say it once, not on every tick
        refreshFailed = true;
        s.log.error(`Could not read new cost ledger records: ${errorMessage(err)}`);
      });
    },
  };

  s.context.subscriptions.push(s.settings.onDidChange.on((settings) => {
    prices = priceLookup(settings.cost);
    showStatus();
    checkBudget(); // a lowered cap can be crossed without any new spend
  }));

  s.context.subscriptions.push(s.events.on((e) => {
    const record = toRecord(e, workspace, costFor(e));
    const write = ledger.append(record).catch((err: unknown) => {
      const message = `Could not write the cost ledger in ${ledger.dir}: ${errorMessage(err)}`;
      s.log.error(message);
      if (!writeErrorShown) {
        writeErrorShown = true;
        void notify('warn', message);
      }
    });
    pending = Promise.all([pending, write]);
    warnUnpricedOnce(s, record);
    // Cached or cancelled completions happen per keystroke: they change nothing the status bar shows.
    const quiet = e.kind === 'completion' && (e.outcome === 'cached' || e.outcome === 'cancelled');
    if (!quiet) showStatus(record);
  }));

  // Records from this window and other windows alike.
  s.context.subscriptions.push(ledger.onRecords.on((records) => {
    if (records.some((r) => r.route === 'cloud')) {
      showStatus();
      checkBudget();
    }
  }));

  let last: LedgerRecord | undefined;
  function showStatus(record?: LedgerRecord): void {
    if (record) last = record;
    const b = budget();
    s.status.update({
      todayCloudUsd: b.dailySpentUsd,
      ...(last ? { lastRoute: last.route, lastDetail: describeLast(last, b) } : {}),
    });
  }

  function checkBudget(): void {
    const b = budget();
    if (!b.warning && !b.exceeded) return;
    const shown = new Set(s.context.globalState.get<string[]>(NOTICES_KEY, []));
    const day = dayKey(new Date());
    const notices = dueNotices(b, s.settings.current.cost, day, shown);
    if (!notices.length) return;
    for (const n of notices) shown.add(n.key);
    void s.context.globalState.update(NOTICES_KEY, [...shown].slice(-20));
    for (const n of notices) {
      s.log.warn(n.message);
      const show = n.level === 'cap' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      // onCap "ask": at a cap, the user may let the cloud through for the rest of that day or month.
      const period = n.key.startsWith('daily:') ? 'daily' as const : 'monthly' as const;
      const allow = n.level === 'cap' && s.settings.current.cost.onCap === 'ask'
        ? [period === 'daily' ? 'Allow Cloud Until Tomorrow' : 'Allow Cloud This Month'] : [];
      void show(`Switchyard: ${n.message}`, ...allow, 'Open Dashboard', 'Budget Settings').then((pick) => {
        if (pick && allow.includes(pick)) {
          const allowed = s.context.globalState.get<string[]>(ALLOWED_KEY, []);
          void s.context.globalState.update(ALLOWED_KEY, [...allowed, allowanceKey(period, day)].slice(-10));
          s.log.info(`cloud allowed past the ${period} budget until the ${period === 'daily' ? 'day' : 'month'} ends`);
        }
        if (pick === 'Open Dashboard') void vscode.commands.executeCommand(COMMANDS.showDashboard);
        if (pick === 'Budget Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard.budget');
      });
    }
  }

  // Load this month's aggregates off the activation path, then follow other windows' appends.
  void ledger.load().then(() => {
    last ??= ledger.latest().at(-1);
    showStatus();
    checkBudget();
  }, (err: unknown) => s.log.error(`Could not read the cost ledger: ${errorMessage(err)}`));
  const timer = setInterval(() => feature.refresh(), REFRESH_MS);
  timer.unref?.();

  s.context.subscriptions.push(
    vscode.window.onDidChangeWindowState((w) => { if (w.focused) feature.refresh(); }),
    { dispose: () => { clearInterval(timer); void ledger.close(); } },
  );
  return feature;
}

/** The dashboard and the price command. */
export function registerCost(s: Services): void {
  const dashboard = new DashboardPanel(s, s.cost);
  s.status.setCommand(COMMANDS.showDashboard);
  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.showDashboard, () => dashboard.show()),
    vscode.commands.registerCommand(COMMANDS.setModelPrice, (model?: unknown) => setModelPrice(model)),
    // Not in the command palette: the dashboard's state, for automation and tests.
    vscode.commands.registerCommand(COMMANDS.dashboardState, () => dashboard.snapshot()),
    dashboard,
  );
}
