// Back-off shared by several editors: two VS Code windows (two extension hosts, one user-data folder,
// as two browser tabs on one code-server) against one team server that answers 429 with Retry-After.
// The window that hears the 429 writes the wait to the shared back-off file; the other window then
// sends the server nothing until the wait is over, and asks again once it is.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { startFakeVllm, type FakeVllm } from '../fakes';
import { uiTest, type Workbench } from './harness';

const RETRY_AFTER_S = 45;
const FILE = 'export function add(a: number, b: number): number {\n  \n}\n';

let vllm: FakeVllm;
before(async () => {
  vllm = await startFakeVllm({ reply: ({ endpoint }) => (endpoint === '/v1/completions' ? 'urn a + b;' : 'ok') });
});
after(() => vllm.close());

/** This machine's server is down (nothing listens there): ghost text comes from the team server. */
const machineSettings = () => ({
  'switchyard.local.provider': 'ollama',
  'switchyard.local.ollamaUrl': 'http://127.0.0.1:9',
  'switchyard.team.url': vllm.baseURL,
  'switchyard.team.kind': 'vllm',
});

const fimCount = () => vllm.requests.filter((r) => r.path === '/v1/completions').length;

async function waitFor(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Types on the empty line of the function in `wb`, as a person would, to ask for ghost text. */
async function typeInBody(wb: Workbench, text: string): Promise<void> {
  await wb.page.locator('.editor-group-container.active .view-line').nth(1).click();
  await wb.page.keyboard.press('End');
  await wb.typeText(text, 80);
}

uiTest('two windows share the team server\'s back-off: after a 429 with Retry-After in one, the other sends nothing until the wait is over', () => ({
  workspace: { fixture: 'sample-workspace', files: { 'src/add.ts': FILE } },
  userSettings: { ...machineSettings(), 'editor.inlineSuggest.enabled': true },
}), async (a) => {
  mkdirSync(join(a.server.userDataDir, 'Machine'), { recursive: true });
  writeFileSync(join(a.server.userDataDir, 'Machine', 'settings.json'), JSON.stringify(machineSettings(), null, 2));
  const b = await a.anotherWindow();
  try {
    await a.openFile('src/add.ts');
    await b.openFile('src/add.ts');
    await waitFor('both windows\' health checks at the team server', () => vllm.requests.filter((r) => r.path === '/health').length >= 2);

    // Window A asks first and is told to wait.
    vllm.script({ status: 429, retryAfter: RETRY_AFTER_S, message: 'Too many requests' }, { match: '/v1/completions', times: 1 });
    await typeInBody(a, 'ret');
    await waitFor('window A\'s request', () => fimCount() === 1);
    const toldAt = Date.now();
    await a.screenshot('team-backoff-1-window-a-told-to-wait');

    // Window B types while the wait lasts: its ghost text would come from the team server, but it asks nothing.
    await typeInBody(b, 'ret');
    await new Promise((r) => setTimeout(r, 4000));
    console.log(`window B typed and waited ${Math.round((Date.now() - toldAt) / 1000)} s after the 429`);
    await b.screenshot('team-backoff-2-window-b-waits');
    assert.ok(Date.now() - toldAt < RETRY_AFTER_S * 1000, 'the check ran after the wait was over: make RETRY_AFTER_S longer');
    assert.equal(fimCount(), 1, 'window B sent a request while the server had asked this machine to wait');
    // Where the wait lives: the back-off file in the global storage both windows share.
    const file = readFileSync(join(a.server.userDataDir, 'User', 'globalStorage', 'switchyard.switchyard', 'team-backoff.json'), 'utf8');
    assert.match(file, new RegExp(`"${vllm.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}":\\d+`), file);

    // Once the wait is over, window B asks again and gets its suggestion.
    await waitFor('the wait to end', () => Date.now() - toldAt > RETRY_AFTER_S * 1000 + 1500, (RETRY_AFTER_S + 5) * 1000);
    // A pause in typing asks again (an edit, then time for the debounce). A request the next key
    // cancels counts as asking but shows nothing, so each attempt waits for the ghost text itself.
    let shown = false;
    for (let attempt = 0; attempt < 4 && !shown; attempt++) {
      await b.typeText(attempt % 2 ? 'u' : ' ', 60);
      await b.page.keyboard.press('Backspace');
      shown = await b.ghostText().first().waitFor({ timeout: 8000 }).then(() => true, () => false);
    }
    assert.ok(fimCount() >= 2, 'window B never asked again after the wait');
    assert.ok(shown, 'window B shows no suggestion after the wait');
    await b.screenshot('team-backoff-3-window-b-after-the-wait');
  } finally {
    await b.close();
  }
}, { timeout: 240_000 });
