import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { closeAll, startFakeOllama, type FakeOllama } from '../fakes';
import { uiTest } from './harness';

let ollama: FakeOllama; // the local model the ask goes to
before(async () => { ollama = await startFakeOllama({ reply: 'It formats an amount in cents as a currency string.' }); });
after(() => closeAll(ollama));

uiTest('the dashboard opens from the status bar and shows the request just made', () => ({
  workspace: 'sample-workspace',
  userSettings: { 'switchyard.local.ollamaUrl': ollama.url, 'switchyard.completion.enabled': false },
  viewport: { width: 1600, height: 900 },
}), async (wb) => {
  const cspViolations: string[] = [];
  wb.page.on('console', (m) => { if (/Content Security Policy|Refused to (load|apply|execute)/i.test(m.text())) cspViolations.push(m.text()); });

  // Ask about formatCents (lines 8-10 of src/money.ts); the small ask stays local.
  await wb.openFile('src/money.ts');
  // Quick Open's ":line" form (Ctrl+G is not Go to Line in every browser keymap).
  await wb.page.keyboard.press('Control+P');
  await wb.answerQuickInput(':8');
  await wb.page.waitForTimeout(300); // let the quick input hand the focus back to the editor
  for (let i = 0; i < 3; i++) await wb.page.keyboard.press('Control+L'); // select lines 8-10
  await wb.statusBarItem(/selected/).waitFor({ timeout: 10_000 });
  await wb.runCommand('Switchyard: Ask About Selection');
  await wb.answerQuickInput('What does this do?');

  // The status bar follows the request; its tooltip says where it went and why. A click opens the dashboard.
  // (Normally the small ask runs locally; on a starved machine the local health probe can time out and the
  // request is blocked instead. Either way it must be on the dashboard, with its route and reasons.)
  let tooltip = '';
  for (const deadline = Date.now() + 40_000; !/Last request: ask/.test(tooltip) && Date.now() < deadline;) {
    await wb.page.mouse.move(0, 0);
    await wb.statusBarItem('Switchyard').hover();
    const hover = wb.page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Switchyard' }).last();
    tooltip = await hover.innerText({ timeout: 5_000 }).catch(() => '');
  }
  const [, route, model] = /Last request: ask → (local|cloud|blocked) · (\S+)/.exec(tooltip) ?? [];
  assert.ok(route, `tooltip: ${tooltip}`);
  assert.match(tooltip, /Why: ask is small/);
  await wb.page.keyboard.press('Escape');
  await wb.statusBarItem('Switchyard').click();

  // Webview iframes carry no title here and the answer view is open too: find the dashboard by content.
  const frames = (i: number) => wb.page.frameLocator(`iframe.webview >> nth=${i}`).frameLocator('iframe#active-frame');
  let view = frames(0);
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const n = await wb.page.locator('iframe.webview').count();
    const found = await Promise.all(Array.from({ length: n }, (_, i) => frames(i).locator('#today-spend').count().catch(() => 0)));
    const at = found.findIndex((c) => c > 0);
    if (at >= 0) { view = frames(at); break; }
    await wb.page.waitForTimeout(250);
  }
  const row = view.locator('tbody tr').filter({ hasText: 'ask' }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.scrollIntoViewIfNeeded();
  const text = await row.innerText();
  assert.match(text, new RegExp(route));
  assert.ok(text.includes(model), `${model} in ${text}`);
  assert.match(text, /ask is small/, 'the reasons are visible in the table');
  assert.match(text, /\$\d/, 'the cost is shown');
  assert.match(await view.locator('#today-spend').innerText(), /1 request ·/);
  assert.equal(await view.locator('svg.daily rect').count() > 0, true, 'the daily chart is drawn');
  assert.ok((await view.locator('.codicon').count()) > 0);
  assert.deepEqual(cspViolations, [], 'nothing was refused by the content security policy');
  await wb.screenshot('dashboard');

  // Export this month as CSV through the save dialog (VS Code's own dialog: accept the proposed path).
  await view.locator('select[aria-label="Export format"]').selectOption('csv');
  await view.locator('button', { hasText: 'Export' }).click();
  await wb.answerQuickInput();
  await view.locator('.export-status', { hasText: /Exported 1 record/ }).waitFor({ timeout: 20_000 });
  const exported = readdirSync(wb.workspace).find((f) => /^switchyard-ledger-.*\.csv$/.test(f));
  assert.ok(exported, 'the CSV is in the workspace folder');
  const csv = readFileSync(join(wb.workspace, exported), 'utf8').trim().split('\r\n');
  assert.equal(csv.length, 2, 'header + the one request');
  assert.match(csv[0], /^time,workspace,kind,route,provider,model/);
  assert.match(csv[1], new RegExp(`,ask,${route},`));
  assert.ok(!csv.join('\n').includes('What does this do?'), 'no prompt text in the export');

  // Beside another editor (the answer view opened beside it) in a 1,600 px window: nothing cut, no sideways
  // scrolling, each day's bar over its day.
  const editors = await wb.page.locator('.editor-group-container').count();
  assert.ok(editors >= 2, 'the dashboard shares the window with another editor group');
  await view.locator('tbody tr[data-id]').first().waitFor({ timeout: 30_000 });
  await wb.page.waitForTimeout(500); // the chart redraws after the resize
  // The test runner keeps function names with a `__name` helper the page does not have: give it one.
  await view.locator('body').evaluate('window.__name = (f) => f');
  const layout = await view.locator('body').evaluate(() => {
    const width = document.documentElement.clientWidth;
    const cut = (el: Element) => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > width + 1 || el.getBoundingClientRect().left < -1;
    const why = [...document.querySelectorAll('td.why')];
    const labels = [...document.querySelectorAll('.bar-label, .bar-value, .card .detail')];
    const svgBox = document.querySelector('svg.daily')!.getBoundingClientRect();
    const ticks = [...document.querySelectorAll('svg.daily text')].map((t) => t.getBoundingClientRect());
    const misaligned: string[] = [];
    let aligned = 0;
    for (const label of document.querySelectorAll('svg.daily text.day-label')) {
      const day = label.getAttribute('data-day');
      const bar = document.querySelector(`svg.daily rect.local[data-day="${day}"]`);
      if (!bar) continue; // a day still to come
      aligned++;
      const l = label.getBoundingClientRect();
      const b = bar.getBoundingClientRect();
      if (Math.abs((l.left + l.right) / 2 - (b.left + b.right) / 2) > 1) misaligned.push(`day ${day}: label ${(l.left + l.right) / 2}, bar ${(b.left + b.right) / 2}`);
    }
    const today = String(new Date().getDate());
    const todayBar = document.querySelector(`svg.daily rect.local[data-day="${today}"]`)?.getBoundingClientRect();
    return {
      width,
      whyCount: why.length,
      whyCut: why.filter(cut).map((e) => e.textContent),
      whyVisible: why.every((e) => e.getBoundingClientRect().width >= 100),
      labelsCut: labels.filter(cut).map((e) => e.textContent),
      tableScrolls: [...document.querySelectorAll('.table-wrap')].some((e) => e.scrollWidth > e.clientWidth + 1),
      pageScrolls: document.documentElement.scrollWidth > width + 1,
      ticksOutside: ticks.filter((t) => t.left < svgBox.left - 0.5 || t.right > svgBox.right + 0.5 || t.bottom > svgBox.bottom + 0.5).length,
      misaligned,
      aligned,
      todayBarHeight: todayBar?.height ?? 0,
    };
  });
  assert.ok(layout.width < 900, `the dashboard is narrow beside the other editor (${layout.width} px)`);
  assert.ok(layout.whyCount > 0);
  assert.deepEqual(layout.whyCut, [], 'the Why column is whole');
  assert.ok(layout.whyVisible, 'the Why column has room to be read');
  assert.deepEqual(layout.labelsCut, [], 'chart and card labels are whole');
  assert.equal(layout.tableScrolls, false, 'the table needs no sideways scrolling');
  assert.equal(layout.pageScrolls, false);
  assert.equal(layout.ticksOutside, 0, 'the chart\'s labels are inside it');
  assert.ok(layout.aligned > 0, 'day labels under bars were checked');
  assert.deepEqual(layout.misaligned, [], 'each day label sits under its day\'s bar');
  assert.ok(layout.todayBarHeight > 0, 'today\'s request shows as a bar on today');
  await wb.screenshot('dashboard-beside-editor');
  await view.locator('svg.daily').scrollIntoViewIfNeeded();
  await wb.screenshot('dashboard-beside-editor-charts');

  // Native look in every theme: switch the theme as a user would and keep a screenshot of each.
  for (const [theme, bodyClass] of [['Dark Modern', 'vscode-dark'], ['Dark High Contrast', 'vscode-high-contrast']] as const) {
    await wb.runCommand('Preferences: Color Theme');
    await wb.page.locator('.quick-input-widget input').fill(theme);
    await wb.page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: new RegExp(`^${theme}`) }).first().click();
    await view.locator(`body.${bodyClass}`).waitFor({ timeout: 20_000 });
    await wb.screenshot(`dashboard-${bodyClass}`);
  }
  assert.deepEqual(cspViolations, []);
}, { timeout: 180_000 });
