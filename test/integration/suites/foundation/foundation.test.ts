import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { COMMANDS } from '../../../../src/core/commands';

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { default?: unknown }> } | { title: string; properties: Record<string, { default?: unknown }> }[];
    languages: { id: string }[];
  };
}

const EXTENSION_ID = 'switchyard.switchyard';

function extension(): vscode.Extension<SwitchyardApi> {
  const ext = vscode.extensions.getExtension<SwitchyardApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  return ext;
}

/** Resolves when the settings store has re-read the configuration. */
function nextSettingsChange(api: SwitchyardApi): Promise<void> {
  return new Promise((resolve) => {
    const off = api.services.settings.onDidChange.on(() => {
      off.dispose();
      resolve();
    });
  });
}

describe('foundation', () => {
  let api: SwitchyardApi;
  const manifest = () => extension().packageJSON as Manifest;

  before(async () => {
    api = await extension().activate();
  });

  it('activates and reports its activation time', () => {
    assert.equal(extension().isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs >= 0 && api.activationMs < 5000, `activation took ${api.activationMs} ms`);
    console.log(`activationMs=${api.activationMs.toFixed(1)} (host: ${vscode.env.appName} ${vscode.version})`);
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const contributed = manifest().contributes.commands.map((c) => c.command);
    assert.ok(contributed.includes(COMMANDS.showLog));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'contributed commands without a registered handler');
  });

  it('exposes every contributed setting with its default through the configuration API', () => {
    const config = vscode.workspace.getConfiguration();
    const configuration = manifest().contributes.configuration;
    const properties = Object.assign({}, ...([] as { properties: Record<string, unknown> }[]).concat(configuration).map((c) => c.properties)) as Record<string, { default?: unknown }>;
    assert.ok(Object.keys(properties).length > 0);
    for (const [key, schema] of Object.entries(properties)) {
      const inspected = config.inspect(key);
      assert.ok(inspected, `${key} is not known to VS Code`);
      assert.deepEqual(inspected.defaultValue, schema.default, `${key} default`);
    }
  });

  it('reads the user setting and reports a bad value by name instead of throwing', () => {
    const inspected = vscode.workspace.getConfiguration('switchyard').inspect('routing.mode');
    assert.equal(inspected?.globalValue, 42, 'the suite seeds routing.mode = 42 in user settings');
    const problem = api.services.settings.problems.find((p) => p.setting === 'switchyard.routing.mode');
    assert.ok(problem, 'a problem is reported for switchyard.routing.mode');
    assert.match(problem.message, /switchyard\.routing\.mode/);
    assert.match(problem.message, /42/);
    assert.equal(api.services.settings.current.routing.mode, 'hybrid', 'the safe default is used');
  });

  it('reports no problem for settings left at their defaults', () => {
    const others = api.services.settings.problems.filter((p) => p.setting !== 'switchyard.routing.mode');
    assert.deepEqual(others.map((p) => p.message), []);
  });

  it('re-reads settings when they change, and recovers from a bad value', async () => {
    const config = vscode.workspace.getConfiguration('switchyard');
    try {
      let changed = nextSettingsChange(api);
      await config.update('routing.mode', 'local-only', vscode.ConfigurationTarget.Global);
      await changed;
      assert.equal(api.services.settings.current.routing.mode, 'local-only');
      assert.equal(api.services.settings.problems.some((p) => p.setting === 'switchyard.routing.mode'), false);

      changed = nextSettingsChange(api);
      await config.update('budget.dailyUsd', 'lots', vscode.ConfigurationTarget.Global);
      await changed;
      const problem = api.services.settings.problems.find((p) => p.setting === 'switchyard.budget.dailyUsd');
      assert.match(problem?.message ?? '', /switchyard\.budget\.dailyUsd.*"lots"/);
      assert.equal(api.services.settings.current.cost.dailyBudgetUsd, 0);
    } finally {
      await config.update('budget.dailyUsd', undefined, vscode.ConfigurationTarget.Global);
      await config.update('routing.mode', 42, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows a status bar item from activation, wired to a Switchyard command', async () => {
    const item = api.services.status.item;
    assert.match(item.text, /Switchyard/);
    assert.equal(item.name, 'Switchyard');
    const command = typeof item.command === 'string' ? item.command : item.command?.command;
    assert.match(command ?? '', /^switchyard\./);
    assert.ok((await vscode.commands.getCommands(true)).includes(command!), `${command} is registered`);
  });

  it('contributes the log language and opens the log with switchyard.showLog', async () => {
    const languages = await vscode.languages.getLanguages();
    assert.ok(languages.includes('switchyard-log'), 'the switchyard-log language is registered');
    await vscode.commands.executeCommand(COMMANDS.showLog);
    assert.equal(api.services.log.channel.name, 'Switchyard');
  });
});
