import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { startFakeOllama, type FakeOllama } from '../fakes';
import { uiTest, type Workbench } from './harness';

// Refactor proposals: labelled Apply / Discard in the diff's title bar, a flag on a proposal that looks
// wrong, a notification that goes away with its proposal, and a stale proposal that says why it cannot apply.
const HUGE = ['```ts', ...Array.from({ length: 150 }, (_, i) => `export const generated${i} = ${i};`), '```'].join('\n');
let ollama: FakeOllama;
before(async () => {
  ollama = await startFakeOllama({ reply: HUGE });
});
after(() => ollama.close());

async function proposeRefactor(wb: Workbench): Promise<void> {
  await wb.page.locator('.editor-group-container .tab', { hasText: 'money.ts' }).first().click();
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: 'export function toCents' }).click();
  await wb.page.keyboard.press('Home');
  for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Shift+ArrowDown');
  await wb.runCommand('Switchyard: Refactor Selection');
  await wb.answerQuickInput('Simplify');
  await titleAction(wb, 'Apply Refactor').waitFor({ timeout: 30_000 });
}

function titleAction(wb: Workbench, label: string) {
  return wb.page.locator('.editor-group-container .editor-actions .action-item', { hasText: label }).first();
}

uiTest('a refactor proposal: labelled Apply / Discard, flagged when it looks wrong, its notification goes with it', () => ({
  workspace: 'sample-workspace',
  userSettings: { 'switchyard.local.provider': 'ollama', 'switchyard.local.ollamaUrl': ollama.url },
}), async (wb) => {
  await wb.openFile('src/money.ts');
  await proposeRefactor(wb);
  // Text labels, not icons only.
  assert.equal((await titleAction(wb, 'Apply Refactor').innerText()).trim(), 'Apply Refactor');
  assert.equal((await titleAction(wb, 'Discard Refactor').innerText()).trim(), 'Discard Refactor');
  // The diff's title and the notification flag the size: ~150 lines for a 3-line selection.
  const tab = wb.page.locator('.tabs-container .tab.active').first();
  const tabTitle = `${await tab.getAttribute('aria-label')} ${await tab.textContent()}`;
  assert.match(tabTitle, /Simplify \(local · qwen2\.5-coder:7b-instruct\) — check it: it is 1\d\d lines for a 3-line selection \(\d+× the size\)/);
  const notes = await wb.readNotifications();
  assert.ok(notes.some((n) => /Simplify proposed by qwen2\.5-coder:7b-instruct \(local.*Looks wrong: it is 1\d\d lines for a 3-line selection \(\d+× the size\)/.test(n)), notes.join(' | '));
  await wb.screenshot('refactor-proposal-flagged');

  await titleAction(wb, 'Discard Refactor').click();
  await titleAction(wb, 'Apply Refactor').waitFor({ state: 'detached' });
  assert.equal((await wb.readNotifications()).filter((n) => /Simplify proposed/.test(n)).length, 0, 'the notification went with the proposal');

  // A proposal whose selection is edited goes stale: its notification goes; Apply says why it cannot.
  await proposeRefactor(wb);
  await wb.page.locator('.editor-group-container .tab', { hasText: /^money\.ts/ }).first().click();
  await wb.page.locator('.editor-group-container.active .view-line', { hasText: 'Math.round' }).click();
  await wb.page.keyboard.press('End');
  await wb.typeText(' // edited');
  await wb.page.locator('.tabs-container .tab', { hasText: 'Simplify' }).click();
  await titleAction(wb, 'Apply Refactor').click();
  const after = await wb.readNotifications();
  assert.ok(after.some((n) => /"Simplify" not applied — the selection changed since the refactor was proposed/.test(n)), after.join(' | '));
  assert.equal(after.filter((n) => /Simplify proposed/.test(n)).length, 0, 'the stale proposal\'s notification is gone');
  assert.doesNotMatch(await wb.editorText(), /generated0/);
  await wb.screenshot('refactor-stale-apply');
}, { timeout: 240_000 });

uiTest('a refactor proposal with new errors: the TypeScript server\'s problems are flagged in the diff title and the notification; the check leaves nothing behind', () => ({
  workspace: 'sample-workspace',
  userSettings: { 'switchyard.local.provider': 'ollama', 'switchyard.local.ollamaUrl': ollama.url },
}), async (wb) => {
  // Same size as the selection, so only the problems can flag it: a number into a string, an undefined name.
  ollama.setReply('```ts\nexport function toCents(amount: number): Cents {\n  const rounded: string = Math.round(amount * 100);\n  return roundHalfEven(rounded);\n}\n```');
  await wb.openFile('src/money.ts');
  await proposeRefactor(wb);
  const tab = wb.page.locator('.tabs-container .tab', { hasText: 'Simplify' }).first();
  const title = async () => `${await tab.getAttribute('aria-label')} ${await tab.textContent()}`;
  const activeTab = wb.page.locator('.tabs-container .tab.active').first();
  const scratchTab = wb.page.locator('.tabs-container .tab', { hasText: 'checking the proposal' });
  const end = Date.now() + 120_000;
  let checking = false;
  while (!/new problems/.test(await title())) {
    if (Date.now() > end) throw new Error(`no problems flag in "${await title()}"`);
    checking ||= (await scratchTab.count()) > 0;
    // The check's tab stays in the background: the proposal is what the user looks at.
    assert.match(await activeTab.textContent() ?? '', /Simplify/);
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.ok(checking, 'the check ran in its background tab');
  assert.equal(await scratchTab.count(), 0, 'the check\'s tab is gone once it is done');
  assert.match(await title(), /Simplify \(local · qwen2\.5-coder:7b-instruct\) — check it: 2 new problems \(errors or warnings\) in the proposed code/);
  const notes = await wb.readNotifications();
  assert.ok(notes.some((n) => /Simplify proposed by .*2 new problems \(errors or warnings\) in the proposed code/.test(n)), notes.join(' | '));
  assert.equal((await titleAction(wb, 'Apply Refactor').innerText()).trim(), 'Apply Refactor', 'Apply is still there');
  await wb.screenshot('refactor-proposal-new-problems');
  // Nothing of the check is left in the Problems panel.
  await wb.runCommand('Focus on Problems View');
  const problems = wb.page.locator('.markers-panel');
  await problems.waitFor();
  await new Promise((r) => setTimeout(r, 1000));
  assert.doesNotMatch(await problems.innerText(), /switchyard-check|roundHalfEven|not assignable/);
  await wb.screenshot('refactor-proposal-problems-panel');
  ollama.setReply(HUGE);
}, { timeout: 240_000 });
