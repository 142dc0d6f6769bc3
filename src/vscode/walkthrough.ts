import * as vscode from 'vscode';
import { CLOUD_PROVIDERS } from '../core/types';
import { apiKeys } from './secrets';
import type { Services } from './services';
import { COMMANDS } from '../core/commands';

/** Context keys the Get Started walkthrough's steps complete on (package.json `walkthroughs`). */
export const WALKTHROUGH_KEYS = {
  serverFound: 'switchyard.walkthrough.serverFound',
  modelPresent: 'switchyard.walkthrough.modelPresent',
  firstCompletion: 'switchyard.walkthrough.firstCompletion',
  cloudKey: 'switchyard.walkthrough.cloudKey',
} as const;

/** The walkthrough's steps by the key they complete on (`publisher.name#walkthrough#step`). */
const STEP_OF: Record<string, string> = {
  [WALKTHROUGH_KEYS.serverFound]: 'switchyard.switchyard#getStarted#localServer',
  [WALKTHROUGH_KEYS.modelPresent]: 'switchyard.switchyard#getStarted#model',
  [WALKTHROUGH_KEYS.firstCompletion]: 'switchyard.switchyard#getStarted#firstCompletion',
  [WALKTHROUGH_KEYS.cloudKey]: 'switchyard.switchyard#getStarted#cloudKey',
};

/**
 * Keeps the walkthrough's steps honest: each one checks itself from what really happened (the local
 * server answered, the model is on it, a completion was served, a key is stored).
 */
export function registerWalkthrough(s: Services): void {
  const { local } = s;
  const done = new Set<string>();
  const set = (key: string, value: boolean) => {
    if (value === done.has(key)) return;
    if (value) done.add(key);
    else done.delete(key);
    void vscode.commands.executeCommand('setContext', key, value);
    // The context key alone does not tick a step whose key was already true when VS Code created its
    // walkthrough service (it does so lazily, when Get Started first opens): the service notes the
    // event as seen and never marks the step. Marking the step itself ticks it, opened or not.
    const step = STEP_OF[key];
    if (step) {
      void Promise.resolve(vscode.commands.executeCommand(value ? 'welcome.markStepComplete' : 'welcome.markStepIncomplete', step))
        .catch(() => undefined); // the walkthrough not registered yet: its context key still counts
    }
  };

  let checking = 0;
  const checkLocal = async (health = local.health()) => {
    set(WALKTHROUGH_KEYS.serverFound, health?.ok === true);
    if (!health?.ok) {
      set(WALKTHROUGH_KEYS.modelPresent, false);
      return;
    }
    const current = local.current();
    if (current.id === 'embedded') {
      set(WALKTHROUGH_KEYS.modelPresent, true); // a healthy engine has loaded its model
      return;
    }
    const run = ++checking;
    try {
      const names = (await local.catalog().listModels(AbortSignal.timeout(5000))).map((m) => m.name);
      const has = (m: string) => names.some((n) => n === m || n === `${m}:latest`);
      if (run === checking) set(WALKTHROUGH_KEYS.modelPresent, has(current.completionModel));
    } catch {
      if (run === checking) set(WALKTHROUGH_KEYS.modelPresent, false);
    }
  };

  const keys = apiKeys(s.context.secrets);
  const checkKeys = async () => {
    const found = await Promise.all(CLOUD_PROVIDERS.map((p) => keys.has(p).catch(() => false)));
    set(WALKTHROUGH_KEYS.cloudKey, found.some(Boolean));
  };

  s.context.subscriptions.push(s.events.on((e) => {
    if (e.kind === 'completion' && e.outcome === 'served') set(WALKTHROUGH_KEYS.firstCompletion, true);
  }));
  s.context.subscriptions.push(local.onHealth.on((h) => void checkLocal(h)));
  s.context.subscriptions.push(local.onDidChange.on(() => void checkLocal()));
  s.context.subscriptions.push(s.settings.onDidChange.on(() => void checkLocal()));
  s.context.subscriptions.push(keys.onDidChange(() => void checkKeys()));
  void checkLocal();
  void checkKeys();
  // Not in the command palette: which steps are done, for tests.
  s.context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.walkthroughState, () => [...done]));
}
