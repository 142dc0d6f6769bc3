import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { ensureModel } from '../../scripts/gguf/write-gguf.mjs';
import { startFakeOllama, type FakeOllama } from '../fakes';
import { uiTest, type Workbench } from './harness';

// What a new user meets first: the status bar says which local model really runs (and that the
// development model is a demo), its click opens the quick menu, and Get Started checks itself.
const demoModel = ensureModel().path;
let ollama: FakeOllama;
before(async () => {
  ollama = await startFakeOllama({ reply: 'return 0;' });
});
after(() => ollama.close());

async function openMenu(wb: Workbench): Promise<string[]> {
  await wb.statusBarItem('Switchyard').click();
  const rows = wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  await rows.first().waitFor();
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

uiTest('no server running: the embedded demo model is named and labelled in the status bar and its menu; Get Started opens from the menu', {
  workspace: 'sample-workspace',
  userSettings: {
    'switchyard.local.provider': 'auto',
    'switchyard.local.ollamaUrl': 'http://127.0.0.1:9', // nothing listens: auto falls back to the engine
    'switchyard.local.openaiCompatibleUrl': 'http://127.0.0.1:9/v1',
    'switchyard.embedded.modelPath': demoModel,
    'switchyard.embedded.threads': 1,
  },
}, async (wb) => {
  await wb.statusBarItem('Switchyard (demo model)').waitFor({ timeout: 30_000 });
  const tooltip = await wb.readStatusBarTooltip('Switchyard');
  assert.match(tooltip, /Local: embedded engine \(local\.provider: auto\)/);
  assert.match(tooltip, /switchyard-tiny-coder \(switchyard-tiny-\S+\.gguf\) — demo model/);
  assert.doesNotMatch(tooltip, /qwen2\.5-coder:/, 'no model name that does not run');
  assert.match(tooltip, /Click for the Switchyard menu/);
  await wb.page.keyboard.press('Escape');

  const items = await openMenu(wb);
  const localRow = items.find((t) => t.includes('embedded engine'));
  assert.ok(localRow, items.join(' | '));
  assert.match(localRow, /completion: switchyard-tiny-coder .* demo model: shows how Switchyard works; its suggestions are not meaningful/);
  for (const label of ['Turn Completions Off', 'Snooze Completions', 'Select Completion Model', 'Select Chat Model', 'Never Leave This Machine', 'Open Dashboard', 'Show Log', 'Open Settings', 'Get Started']) {
    assert.ok(items.some((t) => t.includes(label)), `menu has "${label}": ${items.join(' | ')}`);
  }
  await wb.screenshot('firstrun-status-menu-demo');

  // A first completion from the demo model; then Get Started shows the steps checked by what happened.
  await wb.page.keyboard.press('Escape');
  await wb.openFile('src/money.ts');
  await wb.editor().click();
  await wb.page.keyboard.press('Control+End');
  await wb.typeText('export function half(n: number) {', 40);
  await wb.page.keyboard.press('Enter');
  await wb.ghostText().first().waitFor({ timeout: 60_000 });

  // Get Started from the menu: the walkthrough with its five steps, ticked by what happened (the engine
  // runs its model, a completion was served); no key is stored, so that step stays open.
  await openMenu(wb);
  await wb.answerQuickInput('Get Started');
  const steps = wb.page.locator('.getting-started-step');
  await steps.first().waitFor({ timeout: 20_000 });
  for (const title of ['Run a local model server', 'Get a code model', 'Your first completion', 'Optional: a cloud key', 'Never-leave-machine workspaces']) {
    assert.equal(await steps.filter({ hasText: title }).count(), 1, title);
  }
  const ticked = async () => (await steps.evaluateAll((els) => els
    .filter((e) => e.querySelector('.codicon')?.classList.contains('complete'))
    .map((e) => e.getAttribute('data-step-id')?.split('#').pop()))).join(',');
  await waitUntil(async () => (await ticked()) === 'localServer,model,firstCompletion');
  assert.equal(await steps.locator('.codicon.complete.codicon-getting-started-step-checked').count(), 3);
  await wb.screenshot('firstrun-get-started');
}, { timeout: 240_000 });

uiTest('Ollama running with local.provider auto: the status bar names Ollama and its models, no demo label', () => ({
  workspace: 'sample-workspace',
  userSettings: {
    'switchyard.local.provider': 'auto',
    'switchyard.local.ollamaUrl': ollama.url,
    'switchyard.embedded.modelPath': demoModel,
  },
}), async (wb) => {
  await waitUntil(async () => /Ollama at/.test(await wb.readStatusBarTooltip('Switchyard')));
  const tooltip = await wb.readStatusBarTooltip('Switchyard');
  assert.match(tooltip, new RegExp(`Local: Ollama at ${ollama.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(local\\.provider: auto\\)`));
  assert.match(tooltip, /completion: qwen2\.5-coder:1\.5b-base · chat: qwen2\.5-coder:7b-instruct/);
  assert.doesNotMatch((await wb.readStatusBar()).join(' '), /demo model/);
  // code-server windows are remote windows: the settings shown are the remote machine's, and it says so.
  assert.match(tooltip, /Settings in effect on \S+: read on the remote machine, where Switchyard runs/);
  await wb.page.keyboard.press('Escape');
  const items = await openMenu(wb);
  assert.ok(items.some((t) => /Ollama at .*running/.test(t)), items.join(' | '));
  assert.ok(items.some((t) => /Settings in effect on \S+ read on the remote machine, where Switchyard runs/.test(t)), items.join(' | '));
  await wb.screenshot('firstrun-status-menu-ollama');

}, { timeout: 180_000 });

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 500));
  }
}
