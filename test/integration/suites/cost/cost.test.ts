import * as assert from 'node:assert/strict';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ledgerFileName, monthKey } from '../../../../src/core/cost/node/ledger';
import type { LedgerRecord } from '../../../../src/core/cost/record';
import { hashWorkspace } from '../../../../src/core/node/ids';
import type { ModelCallEvent } from '../../../../src/core/types';
import type { CostFeature } from '../../../../src/vscode/cost';
import type { SwitchyardApi } from '../../../../src/extension';
import { until } from '../../until';
import { closeAll, startFakeOllama, startFakeOpenAI, type FakeOllama, type FakeOpenAI } from '../../../fakes';
import { COMMANDS } from '../../../../src/core/commands';

const KEY = 'sk-test-switchyard-cost-0123456789';
const QUESTION = 'What does this function do, exactly?';

interface DashboardSnapshot { open: boolean; ready: boolean; rendered: { rows: string[]; total: number; seq: number }; rejectedMessages: number }

async function select(relPath: string, from: string, to: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, relPath));
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const lines = doc.getText().split('\n');
  const start = lines.findIndex((l) => l.includes(from));
  const end = lines.findIndex((l, i) => i >= start && l.includes(to));
  editor.selection = new vscode.Selection(start, 0, end, lines[end].length);
  return editor;
}

describe('cost: ledger, status bar, budgets and dashboard', () => {
  let api: SwitchyardApi;
  let cost: CostFeature;
  let ollama: FakeOllama;
  let openai: FakeOpenAI;
  let ledgerPath: string;
  const events: ModelCallEvent[] = [];
  const made: string[] = []; // ids of the requests the tests made

  const ledgerLines = (): LedgerRecord[] => readFileSync(ledgerPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LedgerRecord);
  const recordOf = async (e: ModelCallEvent): Promise<LedgerRecord> => {
    await cost.flushed();
    const found = ledgerLines().filter((r) => r.id === e.id);
    assert.equal(found.length, 1, `exactly one ledger line for ${e.kind} ${e.id}`);
    return found[0];
  };
  const nextEvent = async (kind: ModelCallEvent['kind'], run: () => Thenable<unknown>): Promise<ModelCallEvent> => {
    const before = events.length;
    await run();
    await until(`a ${kind} event`, () => events.slice(before).some((e) => e.kind === kind));
    const e = events.slice(before).find((x) => x.kind === kind)!;
    made.push(e.id);
    return e;
  };
  const setUser = async (key: string, value: unknown, applied: () => boolean) => {
    await vscode.workspace.getConfiguration('switchyard').update(key, value, vscode.ConfigurationTarget.Global);
    await until(`${key} to apply`, applied);
  };

  before(async () => {
    api = await vscode.extensions.getExtension<SwitchyardApi>('switchyard.switchyard')!.activate();
    cost = api.cost as CostFeature;
    api.services.events.on((e) => events.push(e));
    [ollama, openai] = await Promise.all([
      startFakeOllama({ reply: 'It formats cents as dollars.' }),
      startFakeOpenAI({ models: ['gpt-4.1-mini'], apiKey: KEY, reply: '```ts\n  remove(sku: string): boolean {\n    return this.items.delete(sku);\n  }\n```' }),
    ]);
    await api.services.context.secrets.store('switchyard.apiKey.openai', KEY);
    const s = () => api.services.settings.current.providers;
    await setUser('local.ollamaUrl', ollama.url, () => s().local.ollamaUrl === ollama.url);
    await setUser('cloud.provider', 'openai', () => s().cloud.provider === 'openai');
    await setUser('cloud.openai.baseUrl', openai.baseURL, () => s().cloud.openai.baseUrl === openai.baseURL);
    await setUser('cloud.openai.model', 'gpt-4.1-mini', () => s().cloud.openai.model === 'gpt-4.1-mini');
    await cost.ledger.load();
    ledgerPath = join(api.services.context.globalStorageUri.fsPath, ledgerFileName(monthKey(new Date())));
  });
  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.answerClose);
    await closeAll(ollama, openai);
  });

  it('an ask served locally: one record with reported tokens, local cost = inference time x rate, no text', async () => {
    await select('src/money.ts', 'export function formatCents', '}');
    const e = await nextEvent('ask', () => vscode.commands.executeCommand(COMMANDS.askAboutSelection, { question: QUESTION }));
    const r = await recordOf(e);
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'ollama');
    assert.equal(r.endpointClass, 'machine');
    assert.equal(r.outcome, 'served');
    assert.deepEqual(r.reasons, e.reasons);
    assert.ok(r.reasons.length > 0);
    // The fake's own count of what it received and generated is what the provider reported.
    const gen = ollama.generations.at(-1)!;
    assert.equal(r.usage?.promptTokens, gen.promptTokens);
    assert.equal(r.usage?.completionTokens, gen.tokensGenerated);
    const rate = api.services.settings.current.cost.localRatePerHourUsd;
    assert.ok(rate > 0);
    assert.equal(r.localRatePerHourUsd, rate);
    assert.ok(Math.abs(r.billedCostUsd! - (r.totalMs / 3_600_000) * rate) < 1e-12);
    assert.equal(r.workspace, hashWorkspace(vscode.workspace.workspaceFolders![0].uri.toString()));
    const raw = readFileSync(ledgerPath, 'utf8');
    assert.ok(!raw.includes(QUESTION), 'the question is not in the ledger');
    assert.ok(!raw.includes('formatCents'), 'the selected code is not in the ledger');
    assert.ok(!raw.includes(KEY), 'no key in the ledger');

    const status = api.services.status;
    await until('the status bar to show the local route', () => status.state.lastRoute === 'local');
    assert.match(status.item.text, /\$\(server-process\) Switchyard/);
    const tooltip = (status.item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /ask → local/);
    assert.match(tooltip, /Why: /);
  });

  it('a refactor escalated to the cloud is billed from the reported usage, cached tokens at their price', async () => {
    // 12,000 prompt tokens of which 4,000 cached, 3,000 out, on gpt-4.1-mini ($0.40 / $0.10 cached / $1.60).
    openai.script({ usage: { promptTokens: 12_000, cacheReadTokens: 4_000, completionTokens: 3_000 } });
    const spentBefore = cost.budget().dailySpentUsd;
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const e = await nextEvent('refactor', () => vscode.commands.executeCommand(COMMANDS.refactorSelection, { refactor: 'Simplify' }));
    const r = await recordOf(e);
    assert.equal(r.route, 'cloud', JSON.stringify(r.reasons));
    assert.equal(r.provider, 'openai');
    assert.equal(r.model, 'gpt-4.1-mini');
    assert.equal(r.outcome, 'served', r.error);
    assert.deepEqual(r.usage, { promptTokens: 12_000, completionTokens: 3_000, cacheReadTokens: 4_000 });
    const expected = (8_000 * 0.4 + 4_000 * 0.1 + 3_000 * 1.6) / 1e6;
    assert.equal(r.billedCostUsd!.toFixed(10), expected.toFixed(10));
    assert.ok(r.estimatedCostUsd !== undefined && r.estimatedCostUsd > 0, 'the estimate stays beside the bill');

    assert.equal((cost.budget().dailySpentUsd - spentBefore).toFixed(10), expected.toFixed(10));
    const status = api.services.status;
    await until('the status bar to show the cloud route', () => status.state.lastRoute === 'cloud');
    assert.match(status.item.text, /\$\(cloud\) Switchyard \$\d+\.\d{2,4}/);
    assert.notEqual(status.state.todayCloudUsd, 0);
    assert.match((status.item.tooltip as vscode.MarkdownString).value, /refactor → cloud · openai\/gpt-4\.1-mini/);
    await vscode.commands.executeCommand(COMMANDS.discardRefactor, (await vscode.commands.executeCommand<string[]>(COMMANDS.refactorPending))?.[0]);
  });

  const refactorInCloud = async (): Promise<LedgerRecord> => {
    await select('src/cart.ts', 'remove(sku: string)', '}');
    const e = await nextEvent('refactor', () => vscode.commands.executeCommand(COMMANDS.refactorSelection, { refactor: 'Simplify' }));
    const pending = await vscode.commands.executeCommand<string[]>(COMMANDS.refactorPending);
    if (pending?.[0]) await vscode.commands.executeCommand(COMMANDS.discardRefactor, pending[0]);
    const r = await recordOf(e);
    assert.equal(r.route, 'cloud', JSON.stringify(r.reasons));
    return r;
  };

  it('a cloud stream cut after output is billed as an estimate and counted in the budget', async () => {
    const spentBefore = cost.budget().dailySpentUsd;
    openai.script({ text: 'Here is a much simpler version of remove that keeps the same behaviour for every caller.', fault: 'truncate', afterTokens: 6, chunkMs: 5 });
    const r = await refactorInCloud();
    assert.equal(r.outcome, 'failed');
    assert.match(r.error ?? '', /cut/);
    assert.equal(r.usageEstimated, true);
    assert.ok(r.usage && r.usage.promptTokens > 0 && r.usage.completionTokens > 0, JSON.stringify(r.usage));
    assert.ok(r.billedCostUsd! > 0, 'billed more than $0');
    await until('the budget to count it', () => Math.abs(cost.budget().dailySpentUsd - spentBefore - r.billedCostUsd!) < 1e-12);
    const tooltip = (api.services.status.item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /estimate: the stream failed part-way/);
  });

  it('a model with no known price is warned about once, counted at a conservative price, and priced once set', async () => {
    const model = 'contoso-gpt-deployment';
    openai.setModels(['gpt-4.1-mini', model]);
    await setUser('cloud.openai.model', model, () => api.services.settings.current.providers.cloud.openai.model === model);
    try {
      const spentBefore = cost.budget().dailySpentUsd;
      const first = await refactorInCloud();
      const second = await refactorInCloud();
      for (const r of [first, second]) {
        assert.equal(r.model, model);
        assert.equal(r.priceAssumed, true);
        assert.ok(r.billedCostUsd! > 0);
      }
      await until('the budget to count both', () => Math.abs(cost.budget().dailySpentUsd - spentBefore - first.billedCostUsd! - second.billedCostUsd!) < 1e-12);
      const warned = api.services.context.globalState.get<string[]>('switchyard.unpricedModelsWarned', []);
      assert.deepEqual(warned.filter((m) => m === `openai/${model}`), [`openai/${model}`], 'warned once');

      await setUser('cost.prices', { [model]: { input: 1, output: 2 } }, () => api.services.settings.current.cost.prices[model]?.input === 1);
      const priced = await refactorInCloud();
      assert.equal(priced.priceAssumed, undefined);
      assert.equal(priced.billedCostUsd!.toFixed(12), ((priced.usage!.promptTokens * 1 + priced.usage!.completionTokens * 2) / 1e6).toFixed(12));
    } finally {
      await setUser('cost.prices', undefined, () => Object.keys(api.services.settings.current.cost.prices).length === 0);
      await setUser('cloud.openai.model', 'gpt-4.1-mini', () => api.services.settings.current.providers.cloud.openai.model === 'gpt-4.1-mini');
    }
  });

  it('a completion typed in the editor leaves a local completion record', async () => {
    const editor = await select('src/money.ts', 'export function formatCents', 'export function formatCents');
    const end = editor.document.lineAt(editor.document.lineCount - 1).range.end;
    const e = await nextEvent('completion', async () => {
      await editor.edit((b) => b.insert(end, '\nexport function addCents(a: number, b: number) {\n  return '));
      const pos = editor.document.lineAt(editor.document.lineCount - 1).range.end;
      editor.selection = new vscode.Selection(pos, pos);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    });
    const r = await recordOf(e);
    assert.equal(r.kind, 'completion');
    assert.equal(r.route, 'local');
    assert.equal(r.provider, 'ollama');
    await vscode.commands.executeCommand('undo');
  });

  it('per-keystroke noise never reaches the status bar: cached completions, short spinners', async () => {
    const status = api.services.status;
    const detail = status.state.lastDetail;
    const text = status.item.text;
    // A completion served from cache, as the completion pipeline emits it on a keystroke.
    const cached: ModelCallEvent = {
      id: `cached-${Date.now()}`, time: new Date().toISOString(), kind: 'completion', route: 'local', reasons: ['completions stay local'],
      provider: 'ollama', model: 'qwen2.5-coder:1.5b-base', endpointClass: 'machine', estimated: { promptTokens: 300, completionTokens: 20 },
      totalMs: 0.2, outcome: 'cached',
    };
    api.services.events.emit(cached);
    const r = await recordOf(cached);
    assert.equal(r.outcome, 'cached');
    assert.equal(r.billedCostUsd, 0);
    assert.equal(status.state.lastDetail, detail, 'the tooltip was not rebuilt');
    assert.equal(status.item.text, text);

    // A request that finishes before the spinner delay never shows the spinner.
    status.update({ completion: 'thinking' });
    assert.ok(!status.item.text.includes('loading~spin'));
    await new Promise((r) => setTimeout(r, 100));
    status.update({ completion: 'ready' });
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!status.item.text.includes('loading~spin'));
    // A slow one does.
    status.update({ completion: 'thinking' });
    await until('the spinner', () => status.item.text.includes('loading~spin'), 3000);
    status.update({ completion: 'ready' });
    assert.ok(!status.item.text.includes('loading~spin'));
  });

  it('at the daily cap the next cloud-bound request stays local with reason "budget"', async () => {
    await setUser('budget.dailyUsd', 0.001, () => api.services.settings.current.cost.dailyBudgetUsd === 0.001);
    try {
      assert.equal(cost.budget().exceeded, true);
      // The cap notice was shown once for today (and is remembered, so it is not shown again).
      const today = new Date();
      const day = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
      await until('the cap notice', () => api.services.context.globalState.get<string[]>('switchyard.budgetNoticesShown', []).includes(`daily:${day}:cap`));
      await select('src/cart.ts', 'remove(sku: string)', '}');
      const e = await nextEvent('refactor', () => vscode.commands.executeCommand(COMMANDS.refactorSelection, { refactor: 'Simplify' }));
      const r = await recordOf(e);
      assert.equal(r.route, 'local');
      assert.ok(r.reasons.some((x) => /budget/.test(x)), JSON.stringify(r.reasons));
      await vscode.commands.executeCommand(COMMANDS.discardRefactor, (await vscode.commands.executeCommand<string[]>(COMMANDS.refactorPending))?.[0]);
    } finally {
      await setUser('budget.dailyUsd', undefined, () => api.services.settings.current.cost.dailyBudgetUsd === 0);
    }
  });

  it('the dashboard opens, shows the newest requests, and follows records another window appends', async () => {
    await vscode.commands.executeCommand(COMMANDS.showDashboard);
    const snap = async () => (await vscode.commands.executeCommand(COMMANDS.dashboardState)) as DashboardSnapshot;
    await until('the dashboard to render', async () => (await snap()).rendered.seq > 0);
    await until('the requests made above in the table', async () => { const rows = (await snap()).rendered.rows; return made.every((id) => rows.includes(id)); });
    const newest = events.find((e) => e.id === made.at(-1))!;

    // Another window appends a record; a torn line sits before it. Nothing else is lost.
    const other: LedgerRecord = { ...(await recordOf(newest)), id: 'from-another-window', time: new Date().toISOString() };
    appendFileSync(ledgerPath, `{"v":1,"id":"torn\n${JSON.stringify(other)}\n`);
    await cost.ledger.refresh();
    await until('the other window\'s record on the dashboard', async () => (await snap()).rendered.rows[0] === 'from-another-window');
    assert.equal(cost.ledger.problems().length, 1);
    assert.equal((await snap()).rejectedMessages, 0);
  });
});
