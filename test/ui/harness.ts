// Drives the real VS Code workbench (code-server) in headless Chromium with Switchyard loaded from
// this folder. Used by test/ui/*.ui.test.ts (node:test files):
//
//   uiTest('status bar shows Switchyard', { workspace: 'sample-workspace' }, async (wb) => {
//     await wb.openFile('src/cart.ts');
//     assert.ok((await wb.readStatusBar()).some((t) => t.includes('Switchyard')));
//   });
//
// Every test saves a screenshot in test-results/ui/<test>.png (for a failed test: the moment it
// failed) and a failed test also keeps the extension host log <test>.exthost.log.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium, remoteUri, startCodeServer, workbenchUrl, type CodeServer } from '../integration/codeServer';
import { prepareWorkspace, REPO_ROOT, type WorkspaceSpec } from '../integration/workspace';

export const UI_RESULTS = join(REPO_ROOT, 'test-results/ui');

export interface WorkbenchOptions {
  /** Same forms as an integration suite's `workspace`: fixture name, {fixture, files}, or empty. */
  workspace?: WorkspaceSpec;
  /** User settings.json contents (endpoint settings are user-scope only: put fake server URLs here). */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server and the extension host. */
  env?: Record<string, string>;
  /** Wait until the Switchyard status bar item shows (the extension is active). Default true. */
  waitForExtension?: boolean;
  /** Viewport; default 1400x900. */
  viewport?: { width: number; height: number };
}

const STATUS_BAR = '#workbench\\.parts\\.statusbar';
const QUICK_ROWS = '.quick-input-widget .quick-input-list .monaco-list-row';

export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'test';
}

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
    private readonly browser: Browser,
    /** Absolute path of the (fresh, temporary) workspace folder. */
    readonly workspace: string,
    private readonly runDir: string,
    /** A second window of the same server: closing it closes only its page. */
    private readonly secondary = false,
  ) {}

  /**
   * Another window on the same code-server and workspace, as a person opens a second browser tab:
   * its own extension host, sharing this one's user data (global storage, settings, secrets).
   */
  async anotherWindow(): Promise<Workbench> {
    const page = await this.browser.newPage({ viewport: this.page.viewportSize() ?? { width: 1400, height: 900 } });
    await page.goto(this.page.url());
    await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
    const wb = new Workbench(page, this.server, this.browser, this.workspace, this.runDir, true);
    await wb.statusBarItem('Switchyard').waitFor({ timeout: 30_000 });
    return wb;
  }

  static async launch(opts: WorkbenchOptions = {}): Promise<Workbench> {
    const runDir = mkdtempSync(join(tmpdir(), 'switchyard-ui-'));
    const workspace = join(runDir, 'workspace');
    prepareWorkspace(opts.workspace, workspace);
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
      server = await startCodeServer({ runDir, folder: workspace, userSettings: opts.userSettings, env: opts.env });
      browser = await launchChromium();
      const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
      const payload: [string, string][] = [
        ['extensionDevelopmentPath', remoteUri(server, REPO_ROOT)],
        ['skipWelcome', 'true'],
      ];
      if (opts.env) payload.push(['extensionEnvironment', JSON.stringify(opts.env)]);
      await page.goto(workbenchUrl(server, payload));
      await page.locator('.monaco-workbench').waitFor({ timeout: 30_000 });
      const wb = new Workbench(page, server, browser, workspace, runDir);
      if (opts.waitForExtension ?? true) await wb.statusBarItem('Switchyard').waitFor({ timeout: 30_000 });
      return wb;
    } catch (e) {
      await browser?.close().catch(() => undefined);
      await server?.stop();
      rmSync(runDir, { recursive: true, force: true });
      throw e;
    }
  }

  /** Opens a workspace file by its relative path through Quick Open, and waits for its tab. */
  async openFile(relativePath: string): Promise<void> {
    const name = relativePath.split('/').pop()!;
    const row = this.page.locator(QUICK_ROWS).filter({ hasText: name }).first();
    // The first file search of a freshly started workbench can come back empty while its file
    // index warms up; a person would close Quick Open and try again, and so do we (3 tries).
    for (let attempt = 1; ; attempt++) {
      await this.focusWorkbench();
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(relativePath);
      try {
        await row.waitFor({ timeout: 10_000 });
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active').filter({ hasText: name }).waitFor();
    await this.editor().waitFor();
  }

  /** The active editor's text area (lines as rendered, ghost text included). */
  editor(): Locator {
    return this.page.locator('.editor-group-container.active .editor-instance .view-lines').first();
  }

  async editorText(): Promise<string> {
    return (await this.editor().innerText()).replace(/\u00a0/g, ' ');
  }

  /** Moves the cursor to a 1-based line/column with "Go to Line" (Ctrl+G), e.g. goTo(12, 5). */
  async goTo(line: number, column = 1): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.press('Control+G');
    await this.page.locator('.quick-input-widget input').fill(`${line}:${column}`);
    await this.page.keyboard.press('Enter');
  }

  /** Types into the focused editor; `delay` ms between keys makes it look like a person typing. */
  async typeText(text: string, delay = 0): Promise<void> {
    await this.page.keyboard.type(text, { delay });
  }

  /** Ghost text (inline completion) currently shown in the editor. */
  ghostText(): Locator {
    return this.page.locator('.editor-group-container.active span.ghost-text-decoration, .editor-group-container.active .ghost-text');
  }

  /** Opens the editor context menu on the text. */
  async rightClickEditor(): Promise<void> {
    await this.editor().click({ button: 'right' });
    await this.page.locator('.monaco-menu .action-item').first().waitFor();
  }

  /** A context menu entry by its label (the menu must be open). */
  contextMenuItem(label: string): Locator {
    return this.page.locator('.monaco-menu .action-item').filter({ hasText: label }).first();
  }

  /** Right-clicks the editor and picks `label` from its context menu. */
  async runContextMenuItem(label: string): Promise<void> {
    await this.rightClickEditor();
    await this.contextMenuItem(label).click();
  }

  /** Runs a command by its palette title (e.g. "Switchyard: Show Log") through F1. */
  async runCommand(title: string): Promise<void> {
    await this.focusWorkbench();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    const row = this.page.locator(QUICK_ROWS).filter({ hasText: title }).first();
    await row.waitFor();
    await row.click();
  }

  /** Answers an open quick pick / input box: types `text` (if given) and presses Enter. */
  async answerQuickInput(text?: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    if (text !== undefined) await input.fill(text);
    await this.page.keyboard.press('Enter');
  }

  /** A status bar item containing `text`. */
  statusBarItem(text: string | RegExp): Locator {
    return this.page.locator(`${STATUS_BAR} .statusbar-item`).filter({ hasText: text }).first();
  }

  /** Texts of all status bar items, left to right. */
  async readStatusBar(): Promise<string[]> {
    return (await this.page.locator(`${STATUS_BAR} .statusbar-item`).allInnerTexts()).map((t) => t.trim()).filter(Boolean);
  }

  /** Hover tooltip of a status bar item (markdown rendered as text). */
  async readStatusBarTooltip(text: string | RegExp): Promise<string> {
    await this.statusBarItem(text).hover();
    const hover = this.page.locator('.monaco-hover, .workbench-hover').last();
    await hover.waitFor();
    return hover.innerText();
  }

  /**
   * Messages of all notifications. Toasts are hidden under automation, so this opens the
   * Notifications centre, reads it and closes it again.
   */
  async readNotifications(): Promise<string[]> {
    await this.runCommand('Notifications: Show Notifications');
    const center = this.page.locator('.notifications-center');
    await center.waitFor();
    const messages = await center.locator('.notification-list-item-message').allInnerTexts();
    await this.page.keyboard.press('Escape');
    return messages.map((m) => m.trim());
  }

  /** The Output panel's text (the channel currently shown). */
  async readOutputPanel(): Promise<string> {
    const view = this.page.locator('.part.panel .output-view, .part.panel .monaco-editor .view-lines').first();
    await view.waitFor();
    return (await view.innerText()).replace(/\u00a0/g, ' ');
  }

  /** Name of the channel the Output panel shows (its channel picker). */
  async readOutputChannel(): Promise<string> {
    const picker = this.page.locator('.part.panel select.monaco-select-box').first();
    await picker.waitFor();
    return picker.evaluate((el) => {
      const select = el as HTMLSelectElement;
      return select.options[select.selectedIndex]?.text ?? '';
    });
  }

  /** The content frame of a webview; with `title`, the webview whose editor tab or view has that title. */
  webview(title?: string): FrameLocator {
    const frame = title ? `iframe.webview[title="${title}"]` : 'iframe.webview';
    return this.page.frameLocator(`${frame} >> visible=true`).frameLocator('iframe#active-frame');
  }

  /** Saves test-results/ui/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    mkdirSync(UI_RESULTS, { recursive: true });
    const file = join(UI_RESULTS, `${slug(name)}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Copies the extension host log(s) to test-results/ui/<name>.exthost.log. */
  keepExthostLog(name: string): string[] {
    mkdirSync(UI_RESULTS, { recursive: true });
    return this.server.exthostLogs().map((log, i) => {
      const target = join(UI_RESULTS, `${slug(name)}${i ? `-${i}` : ''}.exthost.log`);
      cpSync(log, target);
      return target;
    });
  }

  async close(): Promise<void> {
    if (this.secondary) {
      await this.page.close().catch(() => undefined);
      return;
    }
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    if (!process.env.SWITCHYARD_KEEP_RUN) rmSync(this.runDir, { recursive: true, force: true });
  }

  /** Makes sure keyboard shortcuts go to the workbench (not a closed menu or a webview). */
  private async focusWorkbench(): Promise<void> {
    if (await this.page.locator('.quick-input-widget').isVisible()) await this.page.keyboard.press('Escape');
  }
}

/**
 * A node:test test with a fresh workbench: always takes a screenshot named after the test;
 * on failure also keeps the extension host log. `opts` may be a function, called when the test
 * starts (after `before()` hooks), e.g. to use the URL of a fake server started there.
 */
export function uiTest(
  name: string,
  opts: WorkbenchOptions | (() => WorkbenchOptions | Promise<WorkbenchOptions>),
  fn: (wb: Workbench) => Promise<void>,
  testOptions: { timeout?: number } = {},
): void {
  test(name, { timeout: testOptions.timeout ?? 120_000 }, async () => {
    const wb = await Workbench.launch(typeof opts === 'function' ? await opts() : opts);
    try {
      await fn(wb);
      await wb.screenshot(name);
    } catch (e) {
      await wb.screenshot(name).catch(() => undefined);
      const logs = wb.keepExthostLog(name);
      console.error(`screenshot and extension host log kept in ${UI_RESULTS} (${logs.length} log file(s))`);
      throw e;
    } finally {
      await wb.close();
    }
  });
}
