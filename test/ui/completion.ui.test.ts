import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startFakeOllama, type FakeOllama } from '../fakes';
import { uiTest, type Workbench } from './harness';

const MODEL = 'qwen2.5-coder:1.5b-base';
const COMMENT = '// count the units';
const BODY = 'return items.reduce((n, item) => n + item.quantity, 0);';
/** What the model streams on the empty line: the body, then (as small models do) more than the block. */
const RAW_BODY = `${BODY}\n}\n\nexport function averagePrice(items: LineItem[]): number {\n  return 0;\n}\n`;
const FILE = [
  "import type { LineItem } from './cart';",
  '',
  '/** How many units the cart holds. */',
  'export function totalQuantity(items: LineItem[]): number {',
  '  ',
  '}',
  '',
].join('\n');

let fake: FakeOllama;
before(async () => {
  // Answers like a code model that knows where the cursor is: the rest of the comment being typed,
  // the body on the empty line below it, the rest of the body when the user starts typing it.
  fake = await startFakeOllama({
    reply: ({ prompt }) => {
      const line = (prompt ?? '').split('\n').pop()!.trimStart();
      if (line === '') return RAW_BODY;
      for (const whole of [COMMENT, BODY]) if (whole.startsWith(line)) return whole.slice(line.length);
      return '';
    },
  });
});
after(() => fake.close());

/** Opens a file with Quick Open, again if a busy machine's workbench closed Quick Open under us. */
async function open(wb: Workbench, path: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await wb.openFile(path);
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await wb.page.keyboard.press('Escape');
      await wb.page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 }, timeout: 5000 }).catch(() => undefined);
    }
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The ghost text on screen, as one string. */
async function ghost(wb: Workbench): Promise<string> {
  return (await wb.ghostText().allInnerTexts()).join('').replace(/\u00a0/g, ' ');
}

/** The editor's rendered lines in screen order (the DOM keeps recycled line nodes in any order). */
async function lines(wb: Workbench): Promise<string[]> {
  return wb.page.locator('.editor-group-container.active .editor-instance .view-lines .view-line').evaluateAll((els) => els
    .map((el) => ({ top: parseFloat((el as HTMLElement).style.top), text: (el.textContent ?? '').replace(/\u00a0/g, ' ') }))
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text));
}

async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fake server's address and the completion model: machine-scoped settings. */
const machineSettings = (server: FakeOllama = fake) => ({
  'switchyard.local.provider': 'ollama',
  'switchyard.local.ollamaUrl': server.url,
  'switchyard.completion.model': MODEL,
  'switchyard.completion.keepAlive': '10m',
});

uiTest('type in a file: the ghost text appears, Tab accepts it, the status bar follows the local server', () => ({
  workspace: { fixture: 'sample-workspace', files: { 'src/stats.ts': FILE } },
  userSettings: { ...machineSettings(), 'editor.inlineSuggest.enabled': true },
}), async (wb) => {
  // code-server is a remote window: it may ignore machine-scoped values of the user settings file
  // and reads them from the server's Machine settings, as VS Code Remote does. Put them there too.
  mkdirSync(join(wb.server.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(wb.server.userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings(), null, 2));
  await open(wb, 'src/stats.ts');
  // The extension has read the settings: its health check reached the fake server.
  await waitFor('the health check at the fake server', async () => fake.requests.some((r) => r.method === 'GET'), 30_000);
  // The empty line of the body, after its indentation.
  await wb.page.locator('.editor-group-container.active .view-line').nth(4).click();
  await wb.page.keyboard.press('End');
  await wb.typeText(COMMENT, 70);
  await wb.page.keyboard.press('Enter');
  await wb.screenshot('completion-1-typed');

  // The suggestion for the new line: the body only (the model's extra lines are cut at the block end).
  await wb.ghostText().first().waitFor({ timeout: 20_000 });
  await waitFor('the body as ghost text', async () => (await ghost(wb)) === BODY);
  await wb.screenshot('completion-2-ghost-text');

  const gens = fake.generations;
  assert.ok(gens.length >= 1);
  for (const g of gens) {
    assert.equal(g.body.model, MODEL);
    assert.equal(g.body.keep_alive, '10m', 'keep_alive from the settings keeps the model warm');
    assert.equal(g.body.raw, undefined, 'the model template takes a suffix: Ollama templates the FIM prompt itself');
    assert.equal(g.body.stream, true);
  }
  const bodyReq = gens.find((g) => String(g.body.prompt).endsWith(`${COMMENT}\n  `));
  assert.ok(bodyReq, `a request for the empty line; prompts ended with: ${gens.map((g) => JSON.stringify(String(g.body.prompt).slice(-25))).join(', ')}`);
  assert.ok(String(bodyReq.body.prompt).startsWith("// src/stats.ts\nimport type { LineItem } from './cart';"), 'the file-path header, then the file from its start');
  assert.equal(bodyReq.body.suffix, '\n}\n', 'the suffix is the rest of the file');
  const options = bodyReq.body.options as { num_predict?: number; stop?: string[] };
  assert.ok((options.num_predict ?? 0) > 0, 'a bounded number of tokens');
  assert.ok(!options.stop?.includes('\n'), 'a multi-line position: the server may write a block');
  const asked = fake.generations.length;

  // Typing the start of the suggestion keeps the rest on screen.
  await wb.typeText('ret', 90);
  await waitFor('the rest of the body as ghost text', async () => (await ghost(wb)) === BODY.slice(3));
  await wb.screenshot('completion-3-typing-through');
  assert.equal(fake.generations.length, asked, 'typing through the suggestion asks the model nothing');

  for (let tabs = 0; tabs < 3 && (await wb.ghostText().count()) > 0; tabs++) {
    await wb.page.keyboard.press('Tab');
    await new Promise((r) => setTimeout(r, 700));
  }
  await waitFor('the ghost text to go', async () => (await wb.ghostText().count()) === 0);
  await waitFor('the accepted text in the editor', async () => (await wb.editorText()).includes(`  ${BODY}`));
  const shown = await lines(wb);
  assert.deepEqual(shown.slice(3, 7), ['export function totalQuantity(items: LineItem[]): number {', `  ${COMMENT}`, `  ${BODY}`, '}'], shown.join('\n'));
  await wb.screenshot('completion-4-accepted');

  // The status bar: ready, with the model and the server in the tooltip.
  const server = escapeRe(`http://127.0.0.1:${fake.port}`);
  const ready = await wb.readStatusBarTooltip('Switchyard');
  assert.match(ready, new RegExp(`Completions: ready — ${escapeRe(MODEL)} on ${server}`));
  await wb.page.mouse.move(5, 5); // the hover closes; the keyboard focus stays in the editor

  // The server goes away: the next request finds it down and the status bar says so, with the fix.
  await fake.close();
  await wb.page.keyboard.press('End');
  await wb.page.keyboard.press('Enter');
  await wb.typeText('//', 90);
  const item = wb.statusBarItem('Switchyard');
  await item.locator('.codicon-debug-disconnect').waitFor({ timeout: 20_000 });
  // What a screen reader announces: the state and the fix.
  const label = await item.locator('[aria-label]').first().getAttribute('aria-label') ?? '';
  assert.match(label, /Completions: unreachable — nothing answers at .*ollama serve/s);
  const down = await wb.readStatusBarTooltip('Switchyard');
  assert.match(down, /Completions: unreachable/);
  assert.match(down, new RegExp(`${server}.*ollama serve`, 's'), 'the tooltip names the server and the fix');
  assert.equal(await wb.ghostText().count(), 0);
  await wb.screenshot('completion-5-unreachable');
}, { timeout: 240_000 });

// ---------- VS Code's default editor settings: auto-closed brackets and quotes ----------

const SHOP = [
  'export class Cart {',
  '  private items: number[] = [];',
  '  ',
  '}',
  '',
  'export function clamp(value: number, min: number, max: number): number {',
  '  ',
  '}',
  '',
].join('\n');
const CARD = ['.card {', '  border-radius: px;', '}', ''].join('\n');
const METHOD_COMMENT = '// adds one item';

/** A code model that knows each place the test types at; answers like a small model does (runs on). */
function editorDefaultsReply({ prompt }: { prompt: string }): string | { text: string; speed: { prefillMs: number; perTokenMs: number } } {
  const lines = prompt.split('\n');
  const line = lines[lines.length - 1];
  if (line.endsWith('Math.max(Math.min(')) return 'value, max), min);';
  if (line.endsWith('console.log("')) return 'clamped");';
  if (line.trim() === '' && lines[lines.length - 2]?.trim() === METHOD_COMMENT) {
    // At a CPU model's pace, so the block is shown line-first while it streams.
    return { text: 'add(item: number): void {\n    this.items.push(item);\n  }\n}\n\nexport const cart = new Cart();\n', speed: { prefillMs: 100, perTokenMs: 80 } };
  }
  if (line.endsWith('border-radius: ')) return '8';
  return '';
}

/** Puts the cursor at the end of the editor's line `n` (0-based, in screen order). */
async function endOfLine(wb: Workbench, n: number): Promise<void> {
  const rows = wb.page.locator('.editor-group-container.active .editor-instance .view-lines .view-line');
  const order = await rows.evaluateAll((els) => els.map((el, i) => ({ i, top: parseFloat((el as HTMLElement).style.top) })).sort((a, b) => a.top - b.top));
  await rows.nth(order[n].i).click();
  await wb.page.keyboard.press('End');
}

/**
 * Waits for the ghost text (with `showing`, until it shows that text), presses Tab (again while ghost
 * text stays), saves, and returns the file as saved.
 */
async function acceptAndSave(wb: Workbench, file: string, showing?: string): Promise<string> {
  const path = join(wb.workspace, file);
  const before = readFileSync(path, 'utf8');
  await wb.ghostText().first().waitFor({ timeout: 20_000 });
  if (showing) await waitFor(`the ghost text to show ${showing}`, async () => (await wb.ghostText().allInnerTexts()).join('').includes(showing));
  for (let tabs = 0; tabs < 3 && (await wb.ghostText().count()) > 0; tabs++) {
    await wb.page.keyboard.press('Tab');
    await new Promise((r) => setTimeout(r, 700));
  }
  await waitFor('the ghost text to go', async () => (await wb.ghostText().count()) === 0);
  // Accepting runs asynchronously in the workbench: save until the editor stays clean.
  await new Promise((r) => setTimeout(r, 1000));
  const dirty = wb.page.locator('.tabs-container .tab.active.dirty');
  let text = before;
  let clean = 0;
  await waitFor(`${file} saved`, async () => {
    if (await dirty.count()) {
      clean = 0;
      await wb.page.keyboard.press('Control+S');
      return false;
    }
    text = readFileSync(path, 'utf8');
    return text !== before && ++clean >= 5;
  });
  return text;
}

let defaultsFake: FakeOllama;
before(async () => {
  defaultsFake = await startFakeOllama({ reply: editorDefaultsReply });
});
after(() => defaultsFake.close());

uiTest('with auto-closing brackets and quotes on (the defaults), the document after Tab is right', () => ({
  workspace: { fixture: 'sample-workspace', files: { 'src/shop.ts': SHOP, 'src/card.css': CARD } },
  // No editor.autoClosing* settings: VS Code's defaults close brackets and quotes as the user types.
  userSettings: { ...machineSettings(defaultsFake), 'editor.inlineSuggest.enabled': true },
}), async (wb) => {
  mkdirSync(join(wb.server.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(wb.server.userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings(defaultsFake), null, 2));
  await open(wb, 'src/shop.ts');
  await waitFor('the health check at the fake server', async () => defaultsFake.requests.some((r) => r.method === 'GET'), 30_000);

  // Nested calls: typing `(` twice leaves `))` after the cursor; the suggestion closes both itself.
  await endOfLine(wb, 6);
  await wb.typeText('return Math.max(Math.min(', 70);
  await waitFor('the auto-closed brackets', async () => (await lines(wb))[6] === '  return Math.max(Math.min())');
  let saved = await acceptAndSave(wb, 'src/shop.ts');
  await wb.screenshot('completion-defaults-1-brackets');
  assert.match(saved, /\n {2}return Math\.max\(Math\.min\(value, max\), min\);\n\}\n/, saved);

  // A string: the auto-closed quote and bracket are supplied by the suggestion.
  await wb.page.keyboard.press('End');
  await wb.page.keyboard.press('Enter');
  await wb.typeText('console.log("', 70);
  saved = await acceptAndSave(wb, 'src/shop.ts');
  await wb.screenshot('completion-defaults-2-quotes');
  assert.match(saved, /\n {2}console\.log\("clamped"\);\n\}\n/, saved);

  // A method on a blank line of the class keeps its own closing brace; the class's is not repeated.
  await endOfLine(wb, 2);
  await wb.typeText(METHOD_COMMENT, 60);
  await wb.page.keyboard.press('Enter');
  // The block streams slowly: its first line shows first, then the whole block replaces it.
  saved = await acceptAndSave(wb, 'src/shop.ts', 'this.items.push(item);');
  await wb.screenshot('completion-defaults-3-block');
  assert.ok(saved.startsWith([
    'export class Cart {',
    '  private items: number[] = [];',
    `  ${METHOD_COMMENT}`,
    '  add(item: number): void {',
    '    this.items.push(item);',
    '  }',
    '}',
    '',
    'export function clamp(',
  ].join('\n')), saved);

  // Mid-line after a space, before the unit: the value is suggested.
  await open(wb, 'src/card.css');
  await endOfLine(wb, 1);
  for (let i = 0; i < 'px;'.length; i++) await wb.page.keyboard.press('ArrowLeft'); // after `border-radius: `
  await wb.page.keyboard.press('Backspace');
  await wb.typeText(' ', 0);
  saved = await acceptAndSave(wb, 'src/card.css');
  await wb.screenshot('completion-defaults-4-mid-line');
  assert.equal(saved, '.card {\n  border-radius: 8px;\n}\n');
}, { timeout: 240_000 });
