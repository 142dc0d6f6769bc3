import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { closeAll, startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../fakes';
import { uiTest } from './harness';

let ollama: FakeOllama;
let openai: FakeOpenAI;
before(async () => {
  ollama = await startFakeOllama({ reply: 'It formats an amount in cents as a currency string.\n\n```ts\nformatCents(150) // "€1.50"\n```\n' });
  openai = await startFakeOpenAI({ models: ['gpt-4.1-mini'], reply: 'From the cloud: Intl.NumberFormat does the formatting.' });
});
after(() => closeAll(ollama, openai));

uiTest('select code, right-click, Switchyard > Ask About Selection: the answer appears with its route and cost header', () => ({
  workspace: 'sample-workspace',
  userSettings: {
    'switchyard.local.provider': 'ollama',
    'switchyard.local.ollamaUrl': ollama.url,
    'switchyard.cloud.provider': 'openai',
    'switchyard.cloud.openai.baseUrl': openai.baseURL,
    'switchyard.cloud.openai.model': 'gpt-4.1-mini',
  },
}), async (wb) => {
  // An OpenAI key, set the way a user does, so "Ask the cloud instead" is possible.
  await wb.runCommand('Switchyard: Set Cloud API Key');
  await wb.answerQuickInput('OpenAI');
  // The password box replaces the provider pick: type only once it is there.
  await wb.page.locator('.quick-input-widget input[type="password"]').waitFor();
  await wb.answerQuickInput('sk-test-ui-0123456789');
  await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

  await wb.openFile('src/money.ts');
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: 'export function formatCents' }).click();
  await wb.page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Shift+ArrowDown');
  // Right-click on the selected text itself (a click outside it would move the cursor).
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: 'Intl.NumberFormat' }).click({ button: 'right' });
  // Switchyard's entries sit in their own submenu.
  await wb.contextMenuItem('Switchyard').hover();
  await wb.page.locator('.monaco-menu .action-item', { hasText: /^Refactor Selection$/ }).waitFor();
  await wb.screenshot('ask-context-submenu');
  await wb.page.locator('.monaco-menu .action-item', { hasText: /^Ask About Selection/ }).last().click();
  await wb.answerQuickInput('What does this do?');

  const view = wb.webview();
  await view.locator('.status', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  assert.equal(await view.locator('.badge').innerText(), 'local');
  assert.match(await view.locator('.reasons').innerText(), /ask is small \(\d+ tokens\), so it stays local/);
  assert.match(await view.locator('.facts').innerText(), /ollama · qwen2\.5-coder:7b-instruct .* tokens .* total/);
  assert.match(await view.locator('#answer').innerText(), /It formats an amount in cents/);
  assert.equal(await view.locator('.code button', { hasText: 'Copy' }).count(), 1);
  assert.equal(await view.locator('.code button', { hasText: 'Insert' }).count(), 1);
  const cloudButton = view.locator('button', { hasText: 'Ask the cloud instead' });
  assert.match(await cloudButton.innerText(), /Ask the cloud instead \(est\. \$\d/);
  await wb.screenshot('ask-answer-local');

  await cloudButton.click();
  await view.locator('.badge', { hasText: 'cloud' }).waitFor({ timeout: 30_000 });
  await view.locator('.status', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  assert.match(await view.locator('.reasons').innerText(), /you asked for the cloud/);
  assert.match(await view.locator('.facts').innerText(), /openai · gpt-4\.1-mini .* \$\d/);
  assert.match(await view.locator('#answer').innerText(), /From the cloud/);
  assert.ok(view.locator('button', { hasText: 'Keep it local' }));
  assert.equal(openai.generations.length, 1);
  assert.equal(openai.generations[0].headers.authorization, 'Bearer sk-test-ui-0123456789');
  await wb.screenshot('ask-answer-cloud');
}, { timeout: 240_000 });
