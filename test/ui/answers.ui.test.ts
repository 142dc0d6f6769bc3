import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startFakeOllama, type FakeOllama } from '../fakes';
import { uiTest, type Workbench } from './harness';

// Answers people can keep working with: a follow-up in place, a history that survives a reload,
// links only the extension opens after the user saw the full address.
const LINK = 'https://example.com/docs/intl/number-format?ref=switchyard-answer';
let ollama: FakeOllama;
before(async () => {
  ollama = await startFakeOllama({
    reply: ({ prompt }) => (/Why cents/.test(prompt ?? '')
      ? 'Cents avoid floating point rounding.'
      : `It formats cents. See [the NumberFormat docs](${LINK}).`),
  });
});
after(() => ollama.close());

async function ask(wb: Workbench, question: string): Promise<void> {
  await wb.runCommand('Switchyard: Ask About Selection');
  await wb.answerQuickInput(question);
}

uiTest('an answer takes a follow-up in place, its links open only after confirming the address, and answers come back after a reload', () => ({
  workspace: 'sample-workspace',
  userSettings: { 'switchyard.local.provider': 'ollama', 'switchyard.local.ollamaUrl': ollama.url },
}), async (wb) => {
  await wb.openFile('src/money.ts');
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: 'export function formatCents' }).click();
  await wb.page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Shift+ArrowDown');
  await ask(wb, 'What does this do?');

  const view = wb.webview();
  await view.locator('.status', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  // The model's link has no href the webview host could follow; the extension asks first.
  const link = view.locator('#answer a.link', { hasText: 'the NumberFormat docs' });
  assert.equal(await link.getAttribute('href'), null);
  await link.click();
  const dialog = wb.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 10_000 });
  assert.match(await dialog.innerText(), /Open this link from the answer\?/);
  assert.ok((await dialog.innerText()).includes(LINK), 'the full address is shown');
  await wb.screenshot('answers-link-confirm');
  await dialog.locator('a.monaco-button, button', { hasText: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // A follow-up, asked in the answer view: a second turn, routed and recorded like any request.
  await view.locator('#follow-up-input').fill('Why cents and not euros?');
  await view.locator('#follow-up button', { hasText: 'Ask Follow-up' }).click();
  await view.locator('.turn').nth(1).locator('.status', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  assert.match(await view.locator('.turn').nth(1).locator('.title').innerText(), /Follow-up: Why cents and not euros\?/);
  assert.match(await view.locator('.turn').nth(1).locator('.badge').first().innerText(), /local/);
  assert.match(await view.locator('#answer').innerText(), /Cents avoid floating point rounding/);
  assert.match(await view.locator('.turn').first().innerText(), /It formats cents/, 'the first answer stays above');
  assert.equal(ollama.generations.length, 2);
  await wb.screenshot('answers-follow-up');

  // A second question does not replace the first: both are in the history list.
  await wb.page.locator('.editor-group-container .tab', { hasText: 'money.ts' }).click();
  await ask(wb, 'Is this pure?');
  // Waits for this answer's own turn: the earlier turns are already done.
  const pure = view.locator('.turn', { has: view.locator('.title', { hasText: 'Is this pure?' }) });
  await pure.locator('.status', { hasText: 'done' }).waitFor({ timeout: 30_000 });
  assert.equal(ollama.generations.length, 3);
  const options = view.locator('#history-select option');
  await options.nth(1).waitFor({ state: 'attached' });
  assert.equal(await options.count(), 2);

  // After Developer: Reload Window (the way users reload; it lets the workbench save its state) the panel
  // comes back with the saved answers.
  await Promise.all([wb.page.waitForEvent('load', { timeout: 60_000 }), wb.runCommand('Developer: Reload Window')]);
  await wb.page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
  // The restored panel is found afresh (its frames are rebuilt after a reload).
  const restored = wb.webview();
  await restored.locator('#history-select').waitFor({ state: 'attached', timeout: 40_000 });

  const titles = await restored.locator('#history-select').evaluate((el) => [...(el as HTMLSelectElement).options].map((o) => o.text));
  assert.ok(titles.some((t) => /What does this do\?/.test(t)) && titles.some((t) => /Is this pure\?/.test(t)), titles.join(' | '));
  await restored.locator('#history-select').selectOption({ label: titles.find((t) => /What does this do\?/.test(t))! });
  await restored.locator('.turn').nth(1).waitFor({ timeout: 10_000 });
  assert.match(await restored.locator('.turn').nth(1).innerText(), /Cents avoid floating point rounding/);
  await wb.screenshot('answers-restored-after-reload');
}, { timeout: 240_000 });
