import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, defaultSettings } from '../../src/core/settings';

test('defaults are used when nothing is set', () => {
  const { settings, problems } = parseSettings({});
  assert.deepEqual(problems, []);
  assert.equal(settings.providers.local.ollamaUrl, 'http://127.0.0.1:11434');
  assert.equal(settings.routing.mode, 'hybrid');
  assert.equal(settings.privacy.neverLeaveMachine, false);
});

test('a bad value yields a problem naming the setting and the safe default', () => {
  const { settings, problems } = parseSettings({
    'routing.mode': { defaultValue: 'hybrid', globalValue: 'yolo' },
    'budget.dailyUsd': { defaultValue: 0, globalValue: -5 },
    'local.ollamaUrl': { defaultValue: 'http://127.0.0.1:11434', globalValue: 'not a url' },
  });
  assert.equal(settings.routing.mode, 'hybrid');
  assert.equal(settings.cost.dailyBudgetUsd, 0);
  assert.equal(settings.providers.local.ollamaUrl, 'http://127.0.0.1:11434');
  assert.equal(problems.length, 3);
  const about = (setting: string) => problems.find((p) => p.setting === setting)?.message ?? '';
  assert.match(about('switchyard.routing.mode'), /"yolo"/);
  assert.match(about('switchyard.budget.dailyUsd'), /between 0 and 100000; got -5, using 0/);
  assert.match(about('switchyard.local.ollamaUrl'), /must be an http:\/\/ or https:\/\/ URL/);
});

test('endpoint settings ignore workspace and folder values', () => {
  const { settings } = parseSettings({
    'local.ollamaUrl': { defaultValue: 'http://127.0.0.1:11434', workspaceValue: 'http://evil.example:11434' },
    'cloud.openai.baseUrl': { defaultValue: 'https://api.openai.com/v1', workspaceFolderValue: 'https://evil.example/v1' },
  });
  assert.equal(settings.providers.local.ollamaUrl, 'http://127.0.0.1:11434');
  assert.equal(settings.providers.cloud.openai.baseUrl, 'https://api.openai.com/v1');
});

test('a workspace cannot lift or change the budget caps', () => {
  const { settings, problems } = parseSettings({
    'budget.dailyUsd': { defaultValue: 0, globalValue: 5, workspaceValue: 0 },
    'budget.monthlyUsd': { defaultValue: 0, globalValue: 50, workspaceFolderValue: 0 },
  });
  assert.equal(settings.cost.dailyBudgetUsd, 5);
  assert.equal(settings.cost.monthlyBudgetUsd, 50);
  assert.deepEqual(problems, []);
});

test('never-leave-machine: true in any scope wins', () => {
  const on = (scope: string) => parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, globalValue: false, [scope]: true } });
  assert.equal(on('workspaceValue').settings.privacy.neverLeaveMachine, true);
  assert.equal(on('globalValue').settings.privacy.neverLeaveMachine, true);
  const off = parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, globalValue: true, workspaceValue: false } });
  assert.equal(off.settings.privacy.neverLeaveMachine, true);
  const garbage = parseSettings({ 'privacy.neverLeaveMachine': { defaultValue: false, workspaceValue: 'no' } });
  assert.equal(garbage.settings.privacy.neverLeaveMachine, true, 'an unreadable value fails closed');
  assert.equal(garbage.problems.length, 1);
});

test('exclusions add up across scopes', () => {
  const { settings } = parseSettings({ 'privacy.exclude': { defaultValue: [], globalValue: ['**/secret/**'], workspaceValue: ['*.pem'] } });
  assert.deepEqual(settings.privacy.exclude.sort(), ['**/secret/**', '*.pem']);
  assert.deepEqual(defaultSettings().privacy.exclude, []);
});

test('a workspace can keep more work local, never send more to the cloud', () => {
  const loosen = parseSettings({
    'routing.mode': { defaultValue: 'hybrid', globalValue: 'local-only', workspaceValue: 'cloud-preferred' },
    'routing.targets': { defaultValue: {}, workspaceFolderValue: { ask: 'cloud' } },
    'routing.autoEscalate': { defaultValue: false, workspaceValue: true },
    'routing.askLocalMaxTokens': { defaultValue: 2000, workspaceValue: 10 },
    'routing.confidenceThreshold': { defaultValue: 0.5, workspaceValue: 0.99 },
  }).settings.routing;
  assert.equal(loosen.mode, 'local-only');
  assert.equal(loosen.targets.ask, 'local');
  assert.equal(loosen.autoEscalate, false);
  assert.equal(loosen.askLocalMaxTokens, 2000);
  assert.equal(loosen.confidenceThreshold, 0.5);

  const tighten = parseSettings({
    'routing.mode': { defaultValue: 'hybrid', globalValue: 'cloud-preferred', workspaceValue: 'local-only' },
    'routing.targets': { defaultValue: {}, globalValue: { refactor: 'cloud' }, workspaceValue: { refactor: 'local' } },
    'routing.autoEscalate': { defaultValue: false, globalValue: true, workspaceValue: false },
    'routing.askLocalMaxTokens': { defaultValue: 2000, workspaceValue: 8000 },
    'routing.cloudTimeoutSeconds': { defaultValue: 60, workspaceValue: 30 },
  });
  assert.equal(tighten.settings.routing.mode, 'local-only');
  assert.equal(tighten.settings.routing.targets.refactor, 'local');
  assert.equal(tighten.settings.routing.autoEscalate, false);
  assert.equal(tighten.settings.routing.askLocalMaxTokens, 8000);
  assert.equal(tighten.settings.routing.cloudTimeoutSeconds, 30);
  assert.deepEqual(tighten.problems, []);
});

test('multi-root: a folder can tighten routing but not loosen what the .code-workspace file or the user set', () => {
  const folderLocal = parseSettings({
    'routing.mode': { defaultValue: 'hybrid', workspaceFolderValue: 'local-only' },
    'privacy.neverLeaveMachine': { defaultValue: false, workspaceFolderValue: true },
  }).settings;
  assert.equal(folderLocal.routing.mode, 'local-only', 'a folder\'s own local-only holds');
  assert.equal(folderLocal.privacy.neverLeaveMachine, true, 'a folder\'s own marking holds');
  const folderLoosens = parseSettings({
    'routing.mode': { defaultValue: 'hybrid', workspaceValue: 'local-only', workspaceFolderValue: 'cloud-preferred' },
    'routing.targets': { defaultValue: {}, workspaceValue: { refactor: 'local' }, workspaceFolderValue: { refactor: 'cloud' } },
    'routing.autoEscalate': { defaultValue: false, globalValue: true, workspaceValue: false, workspaceFolderValue: true },
  }).settings.routing;
  assert.equal(folderLoosens.mode, 'local-only');
  assert.equal(folderLoosens.targets.refactor, 'local');
  assert.equal(folderLoosens.autoEscalate, false);
});

test('privacy.exclude is kept per level, so each level is its own exclusion source', () => {
  const { settings } = parseSettings({ 'privacy.exclude': { defaultValue: [], globalValue: ['*.sql'], workspaceValue: ['!.env'], workspaceFolderValue: ['internal/'] } });
  assert.deepEqual(settings.privacy.excludeByLevel, { user: ['*.sql'], workspace: ['!.env'], folder: ['internal/'] });
});
