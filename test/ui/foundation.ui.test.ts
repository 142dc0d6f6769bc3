import assert from 'node:assert/strict';
import { uiTest } from './harness';

uiTest('workbench loads Switchyard and Show Log opens its output channel', { workspace: 'sample-workspace' }, async (wb) => {
  // The status bar item exists from activation.
  const items = await wb.readStatusBar();
  assert.ok(items.some((t) => /Switchyard/.test(t)), `status bar: ${items.join(' | ')}`);

  await wb.openFile('src/cart.ts');
  assert.match(await wb.editorText(), /export class Cart/);

  await wb.runCommand('Switchyard: Show Log');
  // The Output panel shows the Switchyard channel, whose first line is the activation notice.
  await wb.page.locator('.part.panel .monaco-editor .view-lines').filter({ hasText: 'activated in' }).first().waitFor({ timeout: 15_000 });
  assert.equal(await wb.readOutputChannel(), 'Switchyard');
  assert.match(await wb.readOutputPanel(), /Switchyard \S+ activated in [\d.]+ ms/);
});
