import * as vscode from 'vscode';
import { Emitter } from './core/events';
import { EgressGate } from './core/privacy/node/gate';
import type { ModelCallEvent } from './core/types';
import { registerCoreCommands } from './vscode/commands';
import { registerCompletion } from './vscode/completion';
import { createCost, registerCost } from './vscode/cost';
import { registerEmbedded } from './vscode/embedded';
import { createLocalModels } from './vscode/localModels';
import { registerTasks } from './vscode/tasks';
import { createTeam, registerTeam } from './vscode/team';
import { registerUsageExport, type UsageExportService } from './vscode/usageExport';
import { Log } from './vscode/log';
import { createPrivacyService, registerPrivacyFeatures } from './vscode/privacy';
import type { CoreServices, CostService, LocalModels, Services } from './vscode/services';
import { SettingsStore } from './vscode/settings';
import { StatusBar } from './vscode/statusBar';
import { registerStatusMenu } from './vscode/statusMenu';
import { registerWalkthrough } from './vscode/walkthrough';
import { COMMANDS } from './core/commands';
import { logAndNotify } from './vscode/notify';

/**
 * What the integration tests observe the running extension through. Exported only when VS Code runs
 * the extension's tests: `services` holds the ExtensionContext (and so the secret storage), which no
 * other extension may reach.
 */
export interface SwitchyardApi {
  services: Services;
  cost: CostService;
  local: LocalModels;
  /** The OpenTelemetry usage export (off unless switchyard.usageExport.enabled). */
  usageExport: UsageExportService;
  /** Milliseconds activate() took. */
  activationMs: number;
}

// activate() only builds the parts and registers features. Anything heavy (tokenizers, cloud SDKs,
// the embedded engine) is loaded on first use, never here.
export function activate(context: vscode.ExtensionContext): SwitchyardApi | undefined {
  const started = performance.now();
  const log = new Log();
  const settings = new SettingsStore(context.extension, (message) => {
    void logAndNotify(log, 'warn', message, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'switchyard');
    });
  });
  const status = new StatusBar(COMMANDS.showLog);
  const events = new Emitter<ModelCallEvent>();
  const privacy = createPrivacyService(settings);
  const gate = new EgressGate({
    policy: (sources) => privacy.policyFor(sources),
    classify: (url) => privacy.classifyDetailed(url),
    onBlocked: (intent, url, decision) => log.warn(`${intent.purpose} to ${url.host} ${decision.reason}`),
  });
  context.subscriptions.push(log, settings, status, privacy, { dispose: () => events.clear() });

  // Every service first, so no feature sees one half built; then the features, which only register.
  const core: CoreServices = { context, settings, log, status, events, privacy, gate };
  const services: Services = { ...core, cost: createCost(core), local: createLocalModels(core), team: createTeam(core) };
  context.subscriptions.push(events.on((e) => log.request(services.cost.priced(e))));

  registerCoreCommands(services);
  registerPrivacyFeatures(services, privacy);
  registerCost(services);
  const usageExport = registerUsageExport(services);
  registerTeam(services);
  registerEmbedded(services);
  registerCompletion(services);
  registerTasks(services);
  registerStatusMenu(services);
  registerWalkthrough(services);

  const activationMs = performance.now() - started;
  log.info(`Switchyard ${String((context.extension.packageJSON as { version?: string }).version)} activated in ${activationMs.toFixed(1)} ms`);
  return context.extensionMode === vscode.ExtensionMode.Test
    ? { services, cost: services.cost, local: services.local, usageExport, activationMs }
    : undefined;
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
