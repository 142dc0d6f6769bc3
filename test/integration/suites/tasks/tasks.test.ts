import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { SwitchyardApi } from '../../../../src/extension';
import { closeAll, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { activate, answerState, KEY, run, runRecorded, select, setUserSettings, startLocalAndCloud, until } from './helpers';
import { COMMANDS } from '../../../../src/core/commands';

describe('tasks: routed between the local model and the cloud, with reasons', () => {
  let api: SwitchyardApi;
  let ollama: FakeOllama;
  let openai: FakeOpenAI;

  before(async () => {
    api = await activate();
    ({ ollama, cloud: openai } = await startLocalAndCloud(api, {
      local: { reply: 'The function formats cents as dollars.' },
      cloud: { reply: 'From the cloud: it formats cents.' },
    }));
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, openai);
  });
  beforeEach(() => {
    ollama.reset();
    openai.reset();
  });

  it('contributes the commands, the context menu entries (in a Switchyard submenu) and the keybinding', async () => {
    const all = await vscode.commands.getCommands(true);
    for (const c of [COMMANDS.askAboutSelection, COMMANDS.refactorSelection, COMMANDS.explainArchitecture]) assert.ok(all.includes(c), c);
    type Menu = { command?: string; submenu?: string; when?: string };
    const pkg = api.services.context.extension.packageJSON as { contributes: { menus: Record<string, Menu[]>; submenus: { id: string; label: string }[]; keybindings: { command: string; key: string }[] } };
    const entry = pkg.contributes.menus['editor/context'].find((m) => m.submenu === 'switchyard.editorContext');
    assert.equal(entry?.when, 'editorHasSelection');
    assert.equal(pkg.contributes.submenus.find((m) => m.id === entry.submenu)?.label, 'Switchyard');
    assert.equal(pkg.contributes.menus['editor/context'].some((m) => m.command), false, 'no Switchyard entry outside the submenu');
    const menu = pkg.contributes.menus['switchyard.editorContext'].find((m) => m.command === COMMANDS.askAboutSelection);
    assert.equal(menu?.when, 'editorHasSelection');
    assert.ok(pkg.contributes.keybindings.some((k) => k.command === COMMANDS.askAboutSelection && k.key === 'ctrl+alt+a'));
  });

  it('a small ask stays local, streams into the answer view with its route header, and records one event', async () => {
    ollama.setReply(() => 'It formats cents.\n\n```ts\nformatCents(150) // "$1.50"\n```\n');
    await select('src/money.ts', 'export function formatCents', '}');
    const { r, events } = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'ollama');
    assert.match(r.reasons[0], /^ask is small \(\d+ tokens\), so it stays local$/);
    assert.equal(r.text, 'It formats cents.\n\n```ts\nformatCents(150) // "$1.50"\n```\n');
    assert.equal(ollama.generations.length, 1);
    const body = JSON.stringify(ollama.generations[0].body);
    assert.match(body, /What does this do\?/);
    assert.match(body, /formatCents/);
    assert.equal(openai.requests.length, 0, 'nothing went to the cloud');
    assert.equal(events.length, 1, 'one event per model call');
    assert.equal(events[0].route, 'local');
    assert.equal(events[0].outcome, 'served');
    assert.ok(events[0].usage && events[0].usage.completionTokens > 0);

    const state = await answerState();
    assert.equal(state.open, true);
    assert.equal(state.header.status, 'done');
    assert.equal(state.header.route, 'local');
    assert.equal(state.header.model, 'qwen2.5-coder:7b-instruct');
    assert.equal(state.header.tokensEstimated, false, 'the header shows reported usage');
    assert.equal(state.markdown, r.text);
    assert.ok(state.actions.askCloud, '"Ask the cloud instead" is offered');
    // The webview itself rendered the whole answer, with one code block (Copy / Insert).
    await until('the webview to render the answer', async () => (await answerState()).rendered?.chars === r.text.length);
    assert.equal((await answerState()).rendered?.codeBlocks, 1);
    assert.equal((await answerState()).rejectedMessages, 0);
  });

  it('"Ask the cloud instead" re-runs the same question in the cloud, with the key, through the gate', async () => {
    const r = await run(COMMANDS.answerRerun, 'cloud');
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'cloud');
    assert.equal(r.provider, 'openai');
    assert.deepEqual(r.reasons, ['you asked for the cloud']);
    assert.equal(r.text, 'From the cloud: it formats cents.');
    assert.equal(openai.generations.length, 1);
    const sent = openai.generations[0];
    assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
    assert.match(JSON.stringify(sent.body), /What does this do\?/);
    assert.equal(ollama.generations.length, 0);
    const state = await answerState();
    assert.equal(state.header.route, 'cloud');
    assert.equal(state.actions.keepLocal, true, '"Keep it local" is offered');
  });

  it('refactor goes to the cloud by default; the proposal is a diff, Apply is one undoable edit', async () => {
    openai.setReply(() => 'Here:\n```ts\n  remove(sku: string): boolean {\n    return this.items.delete(sku.trim());\n  }\n```');
    const editor = await select('src/cart.ts', 'remove(sku: string)', '}');
    const before = editor.document.getText();
    const r = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'cloud');
    assert.deepEqual(r.reasons, ['refactor goes to the cloud by default']);
    assert.ok(r.proposalId);
    await until('the diff to open', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'switchyard-refactor'));
    assert.equal(editor.document.getText(), before, 'nothing changes before Apply');

    const applied = (await vscode.commands.executeCommand(COMMANDS.applyRefactor)) as { applied: boolean };
    assert.equal(applied.applied, true);
    const after = editor.document.getText();
    assert.match(after, /return this\.items\.delete\(sku\.trim\(\)\);/);
    assert.equal(after.split('\n').length, before.split('\n').length);
    await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), before, 'one undo restores the original');
    assert.deepEqual(await vscode.commands.executeCommand(COMMANDS.refactorPending), []);
  });

  describe('problems in a proposal, checked by the language server in the background', () => {
    const diffTitle = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'switchyard-refactor')?.label;
    const warningsOf = async (id: string) => (await vscode.commands.executeCommand(COMMANDS.refactorWarnings, id)) as { warnings: string[]; checked: boolean };
    /** The scratch copies the check worked on, seen as they opened. */
    let scratch: vscode.Uri[] = [];
    let watch: vscode.Disposable | undefined;
    const isScratch = (u: vscode.Uri) => u.scheme === 'untitled' || u.path.includes('/switchyard-check-');
    /** What a check could leave behind: anything here would ask to be saved, show, or come back after a reload. */
    const leftovers = () => {
      const uris = (t: vscode.Tab) => t.input instanceof vscode.TabInputTextDiff ? [t.input.original, t.input.modified]
        : t.input instanceof vscode.TabInputText ? [t.input.uri] : [];
      return {
        dirty: vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()),
        untitled: vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.uri.toString()),
        tabs: vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => uris(t).some(isScratch)).map((t) => t.label),
        problems: vscode.languages.getDiagnostics().filter(([u, d]) => isScratch(u) && d.length > 0).map(([u]) => u.toString()),
        files: scratch.filter((u) => existsSync(u.fsPath)).map((u) => u.fsPath),
      };
    };
    const nothingLeft = { dirty: [], untitled: [], tabs: [], problems: [], files: [] };
    beforeEach(() => {
      scratch = [];
      watch = vscode.workspace.onDidOpenTextDocument((d) => { if (isScratch(d.uri)) scratch.push(d.uri); });
    });
    afterEach(() => watch?.dispose());

    it('a proposal that brings new errors is flagged once the TypeScript server has checked it; a clean one is not; nothing is left behind', async function () {
      this.timeout(180_000);
      openai.setReply(() => '```ts\n  remove(sku: string): boolean {\n    const gone: number = this.items.delete(sku);\n    return missingHelper(gone);\n  }\n```');
      const editor = await select('src/cart.ts', 'remove(sku: string)', '}');
      const bad = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
      assert.ok(bad.proposalId, bad.error);
      assert.deepEqual(bad.warnings, [], 'three lines for three: no size flag; the problems come later');
      const flagged = await warningsOf(bad.proposalId);
      assert.equal(flagged.checked, true, 'the TypeScript server checked the proposed text');
      // boolean is not assignable to number; missingHelper is not defined.
      assert.deepEqual(flagged.warnings, ['2 new problems (errors or warnings) in the proposed code']);
      assert.equal(scratch.length, 2, 'the file as it is and as proposed were checked');
      assert.deepEqual(leftovers(), nothingLeft, 'once checked, no scratch copy is dirty, open in a tab, on disk or in the Problems panel');
      await until('the diff title to carry the flag', () => /check it: 2 new problems/.test(diffTitle() ?? ''));
      await vscode.commands.executeCommand(COMMANDS.discardRefactor, bad.proposalId);

      scratch = [];
      openai.setReply(() => '```ts\n  remove(sku: string): boolean {\n    return this.items.delete(sku.trim());\n  }\n```');
      await select('src/cart.ts', 'remove(sku: string)', '}');
      const clean = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
      assert.ok(clean.proposalId, clean.error);
      assert.deepEqual(await warningsOf(clean.proposalId), { warnings: [], checked: true });
      assert.equal(scratch.length, 2);
      assert.deepEqual(leftovers(), nothingLeft);
      assert.doesNotMatch(diffTitle() ?? '', /check it/);
      await vscode.commands.executeCommand(COMMANDS.discardRefactor, clean.proposalId);
      assert.equal(editor.document.isDirty, false, 'the file itself is untouched');

      // A file without problems as it is: the server reports only on the proposed copy, which is enough.
      scratch = [];
      openai.setReply(() => '```ts\nexport function toCents(amount: number): Cents {\n  const rounded: string = Math.round(amount * 100);\n  return roundHalfEven(rounded);\n}\n```');
      await select('src/money.ts', 'export function toCents', '}');
      const fromClean = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
      assert.ok(fromClean.proposalId, fromClean.error);
      assert.deepEqual(await warningsOf(fromClean.proposalId), { warnings: ['2 new problems (errors or warnings) in the proposed code'], checked: true });
      assert.deepEqual(leftovers(), nothingLeft);
      await vscode.commands.executeCommand(COMMANDS.discardRefactor, fromClean.proposalId);
    });

    it('Apply does not wait for the check, which ends with it; a language with no checker is not checked at all', async function () {
      this.timeout(150_000);
      const reply = '```ts\n  remove(sku: string): boolean {\n    return this.items.delete(sku.trim());\n  }\n```';
      openai.setReply(() => reply);
      const editor = await select('src/cart.ts', 'remove(sku: string)', '}');
      const first = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
      assert.ok(first.proposalId, first.error);
      const firstCheck = warningsOf(first.proposalId);
      await until('the check to be under way', () => scratch.length === 2 && leftovers().tabs.length === 1);
      const applied = (await vscode.commands.executeCommand(COMMANDS.applyRefactor, first.proposalId)) as { applied: boolean };
      assert.equal(applied.applied, true, 'applied while the check was running');
      assert.match(editor.document.getText(), /return this\.items\.delete\(sku\.trim\(\)\);/);
      assert.deepEqual(await firstCheck, { warnings: [], checked: false });
      assert.deepEqual({ ...leftovers(), dirty: [] }, nothingLeft, 'the check cleaned up after itself');
      await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
      await vscode.commands.executeCommand('undo');
      await editor.document.save();

      // Plain text has no checker: no scratch copy, no tab, no wait; not counted as checked.
      scratch = [];
      const text = '```\nBuy milk, eggs and bread.\nCall the bank.\n```';
      ollama.setReply(() => text);
      openai.setReply(() => text);
      const notes = await select('notes/todo.txt', 'Buy milk', 'bank');
      assert.equal(notes.document.languageId, 'plaintext');
      const second = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
      assert.ok(second.proposalId, second.error);
      assert.deepEqual(await warningsOf(second.proposalId), { warnings: [], checked: false });
      assert.equal(scratch.length, 0, 'nothing was written for a check');
      assert.deepEqual(leftovers(), nothingLeft);
      await vscode.commands.executeCommand(COMMANDS.discardRefactor, second.proposalId);
    });
  });

  it('a selection edited after the proposal is refused clearly; Discard drops a proposal', async () => {
    openai.setReply(() => '```ts\n  subtotal(): Cents {\n    return 0;\n  }\n```');
    const editor = await select('src/cart.ts', 'subtotal(): Cents', 'return total;');
    const r = await run(COMMANDS.refactorSelection, { refactor: 'Simplify' });
    assert.ok(r.proposalId, r.error);
    // The diff took the editor's place; edit the document itself, as another change would.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, editor.selection.start.translate(1, 0), '    // edited meanwhile\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const edited = editor.document.getText();
    const refused = (await vscode.commands.executeCommand(COMMANDS.applyRefactor, r.proposalId)) as { applied: boolean; notice?: string };
    assert.equal(refused.applied, false);
    assert.match(refused.notice ?? '', /the selection changed since the refactor was proposed/);
    assert.equal(editor.document.getText(), edited, 'the document is untouched');
    await vscode.commands.executeCommand(COMMANDS.discardRefactor, r.proposalId);
    assert.deepEqual(await vscode.commands.executeCommand(COMMANDS.refactorPending), []);
    await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('undo');
  });

  it('explain architecture gathers an overview without .gitignored or excluded files and goes to the cloud', async () => {
    openai.setReply(() => 'The entry point is [src/server.ts](src/server.ts); the cart lives in [src/cart.ts](src/cart.ts).');
    const r = await run(COMMANDS.explainArchitecture, { budgetTokens: 3000 });
    assert.equal(r.outcome, 'served', r.error);
    assert.equal(r.route, 'cloud');
    assert.deepEqual(r.reasons, ['explain-architecture goes to the cloud by default']);
    assert.ok(r.overview);
    assert.ok(r.overview.included.includes('README.md'), r.overview.included.join());
    assert.ok(r.overview.included.includes('package.json'));
    assert.ok(r.overview.tokens <= 3000);
    const body = JSON.stringify(openai.generations[0].body);
    assert.match(body, /src\/cart\.ts/, 'the file tree is in the prompt');
    assert.doesNotMatch(body, /IGNORED_BY_GITIGNORE_MARKER|build-output/, '.gitignore is honoured');
    assert.doesNotMatch(body, /EXCLUDED_FILE_MARKER|private\/keys/, 'privacy exclusions are honoured');
    await until('the answer to render', async () => (await answerState()).rendered?.chars === r.text.length);
  });

  it('closing the answer view aborts the request and closes the connection at the fake', async () => {
    openai.script({ text: 'one two three four five six seven eight nine ten eleven twelve', chunkMs: 150 });
    await select('src/money.ts', 'export function formatCents', '}');
    const pending = runRecorded(api, COMMANDS.askAboutSelection, { question: 'Explain slowly', override: 'cloud' });
    await openai.waitForRequests(1, { timeoutMs: 5000 });
    await until('some text to stream', async () => (await answerState()).markdown.length > 0);
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    const { r, events } = await pending;
    assert.equal(r.outcome, 'cancelled');
    const [req] = openai.generations;
    await openai.ended(req);
    assert.equal(req.aborted, true, 'the HTTP stream was closed');
    assert.equal(events.length, 1);
    assert.equal(events[0].outcome, 'cancelled');
  });

  describe('cloud errors are surfaced in plain words with a local retry', () => {
    before(() => select('src/cart.ts', 'applyDiscount(percent: number)', 'return Math.round'));

    const cases: [string, () => void, RegExp, string][] = [
      ['401', () => openai.script({ status: 401 }), /the OpenAI key was rejected \(401\) — set it with Switchyard: Set Cloud API Key/, 'auth'],
      ['429', () => openai.script({ status: 429, retryAfter: 0 }, { times: 2 }), /OpenAI is rate limiting requests \(429\); try again in/, 'rate-limit'],
      ['500', () => openai.script({ status: 500 }, { times: 2 }), /OpenAI had a server error \(500\)/, 'server'],
    ];
    for (const [name, script, message, code] of cases) {
      it(`${name}`, async () => {
        script();
        const r = await run(COMMANDS.askAboutSelection, { question: 'Why the range check?', override: 'cloud' });
        assert.equal(r.outcome, 'failed');
        assert.equal(r.errorCode, code);
        assert.match(r.error ?? '', message);
        assert.doesNotMatch(r.error ?? '', /sk-test/);
        assert.equal(r.offers.keepLocal, true);
        const state = await answerState();
        assert.equal(state.header.status, 'failed');
        assert.match(state.header.error ?? '', message);
        assert.equal(state.actions.keepLocal, true, '"Retry locally" is offered');
      });
    }

    it('timeout', async () => {
      await setUserSettings(api, { 'routing.cloudTimeoutSeconds': 1 });
      openai.script({ fault: 'hang' }, { times: 2 });
      const r = await run(COMMANDS.askAboutSelection, { question: 'Why the range check?', override: 'cloud' });
      await setUserSettings(api, { 'routing.cloudTimeoutSeconds': undefined });
      assert.equal(r.outcome, 'failed');
      assert.equal(r.errorCode, 'timeout');
      assert.match(r.error ?? '', /OpenAI did not answer within 1 s/);
      const retried = await run(COMMANDS.answerRerun, 'local');
      assert.equal(retried.route, 'local');
      assert.equal(retried.outcome, 'served');
      assert.deepEqual(retried.reasons, ['you asked to keep it local']);
    });
  });
  it('the status bar names the local provider, its address and models in effect, and in a remote window says they are read there', async () => {
    const remote = vscode.env.remoteName;
    assert.ok(remote, 'code-server windows are remote windows: the extension host runs on the remote side');
    const tooltip = () => (api.services.status.item.tooltip as vscode.MarkdownString).value;
    const escaped = (t: string) => t.replace(/[\\`*_{}[\]<>()#+!|]/g, '\\$&');
    await until('the tooltip to name the provider in effect', () => tooltip().includes(`Local: Ollama at ${escaped(ollama.url)}`));
    assert.match(tooltip(), /completion: qwen2\.5-coder:1\.5b-base · chat: qwen2\.5-coder:7b-instruct/);
    assert.ok(tooltip().includes(`$(remote) Settings in effect on ${escaped(remote)}: read on the remote machine, where Switchyard runs: the local provider, its address and the models above are that machine's`), tooltip());
  });

  it('Get Started: the local server and model steps check themselves; the cloud key step sees the stored key', async () => {
    const state = () => vscode.commands.executeCommand<string[]>(COMMANDS.walkthroughState);
    await until('the walkthrough to see the server and model', async () => {
      const done = await state();
      return ['switchyard.walkthrough.serverFound', 'switchyard.walkthrough.modelPresent', 'switchyard.walkthrough.cloudKey'].every((k) => done.includes(k));
    });
    await api.services.context.secrets.delete('switchyard.apiKey.openai');
    await until('the cloud key step to notice the key is gone', async () => !(await state()).includes('switchyard.walkthrough.cloudKey'));
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    await until('the cloud key step to notice the key', async () => (await state()).includes('switchyard.walkthrough.cloudKey'));
  });

  describe('answers people can keep working with', () => {
    it('a follow-up is routed again, asked with the earlier answer, and recorded as its own call', async () => {
      ollama.setReply(() => 'It formats cents as a currency string.');
      await select('src/money.ts', 'export function formatCents', '}');
      const first = await runRecorded(api, COMMANDS.askAboutSelection, { question: 'What does this do?' });
      assert.equal(first.r.outcome, 'served');
      ollama.setReply(() => 'Because Intl.NumberFormat needs a currency code.');
      const rec = await runRecorded(api, COMMANDS.answerFollowUp, 'Why the currency parameter?');
      assert.equal(rec.r.outcome, 'served', rec.r.error);
      assert.equal(rec.r.route, 'local');
      assert.equal(rec.events.length, 1, 'one ledger record for the follow-up call');
      assert.equal(rec.events[0].kind, 'ask');
      const body = JSON.stringify(ollama.generations[1].body);
      assert.match(body, /It formats cents as a currency string\./, 'the earlier answer is part of the conversation');
      assert.match(body, /Why the currency parameter\?/);
      const state = await answerState();
      assert.equal(state.turns.length, 2, 'the follow-up is a second turn of the same answer');
      assert.equal(state.turns[1].question, 'Why the currency parameter?');
      assert.equal(state.turns[0].markdown, 'It formats cents as a currency string.');
      assert.equal(state.markdown, 'Because Intl.NumberFormat needs a currency code.');
    });

    it('answers stay in the history: a new question does not replace the previous answer', async () => {
      await select('src/money.ts', 'export function toCents', '}');
      ollama.setReply(() => 'It converts an amount to cents.');
      await run(COMMANDS.askAboutSelection, { question: 'And this one?' });
      const state = await answerState();
      assert.ok(state.history.length >= 2, JSON.stringify(state.history));
      assert.match(state.history[0].title, /And this one\?/);
      assert.ok(state.history.some((h) => /What does this do\?/.test(h.title)), 'the earlier answer is still listed');
      const saved = api.services.context.workspaceState.get<{ title: string; turns: unknown[] }[]>('switchyard.answers') ?? [];
      assert.ok(saved.some((e) => /What does this do\?/.test(e.title) && e.turns.length === 2), 'kept across reloads in the workspace state');
    });

    it('while streaming, the output count is the tokenizer\'s count of the text so far; the provider\'s figure replaces it', async () => {
      const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
      ollama.setReply(() => words);
      ollama.script({ chunkMs: 80 });
      await select('src/money.ts', 'export function formatCents', '}');
      const pending = run(COMMANDS.askAboutSelection, { question: 'Count slowly' });
      const seen: number[] = [];
      const states: string[] = [];
      await until('a running count', async () => {
        const s = await answerState();
        states.push(`${s.header.title}:${s.header.status}:${s.header.tokensOut}:${s.markdown.length}`);
        if (!s.header.title.includes('Count slowly')) return false; // the previous answer, until this one starts
        if (s.header.status === 'streaming' && s.header.tokensEstimated && (s.header.tokensOut ?? 0) > 0) seen.push(s.header.tokensOut!);
        return seen.length >= 2 || s.header.status === 'done';
      }, 20_000);
      const r = await pending;
      const done = await answerState();
      assert.ok(seen.length > 0, `a count was shown while streaming; states seen: ${[...new Set(states)].join(' | ')}`);
      assert.ok(seen.every((n) => n <= done.header.tokensOut!), `running counts ${seen.join(',')} never above the final ${done.header.tokensOut}`);
      assert.equal(done.header.tokensEstimated, false);
      assert.equal(done.header.tokensOut, r.usage?.completionTokens, 'the provider\'s figure at the end');
    });

    it('an unsure answer without a cloud key offers "Set a cloud key"', async () => {
      await api.services.context.secrets.delete('switchyard.apiKey.openai');
      try {
        ollama.setReply(() => "I'm not sure. It might be formatting money, perhaps.");
        await select('src/money.ts', 'export function formatCents', '}');
        const r = await run(COMMANDS.askAboutSelection, { question: 'What is this?' });
        assert.equal(r.unsure, true);
        assert.equal(r.offers.askCloud, undefined);
        assert.equal(r.offers.setKey, true);
        const state = await answerState();
        assert.equal(state.actions.setKey, true);
        assert.equal(state.header.locked, undefined, 'no lock outside never-leave-machine');
      } finally {
        await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
      }
    });
  });
});
