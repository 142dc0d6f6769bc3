// Ledger and dashboard speed.
//   ledger.appendP50Ms        median time of one append (one O_APPEND write) to the month's file
//   ledger.summary100kMs      summary (totals, daily series, by route/kind/model, savings) over 100,000 records
//   ledger.load100kMs         reading a 100,000-record month file (chunked, yielding) into memory
//   dashboard.firstRenderMs   from a 100,000-record ledger file to the first two messages the dashboard needs
//                             (state + first table page), serialized: load + summarize + page + JSON
//   dashboard.stateBuildMs    the same, with the ledger already in memory (a live update)
//   dashboard.webviewRenderMs the front end drawing that state and page in headless Chromium (when available)
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultQuery } from '../../src/core/cost/dashboardProtocol';
import { buildDashboardState } from '../../src/core/cost/dashboardState';
import { LedgerWriter, ledgerFileName, monthKey } from '../../src/core/cost/ledger';
import { findPrice } from '../../src/core/cost/prices';
import { queryRecords } from '../../src/core/cost/query';
import { costOf, toRecord, type LedgerRecord } from '../../src/core/cost/record';
import { LedgerStore } from '../../src/core/cost/store';
import { summarize } from '../../src/core/cost/summary';
import { defaultSettings } from '../../src/core/settings';
import type { ModelCallEvent } from '../../src/core/types';

const N = 100_000;
const now = new Date();
const settings = defaultSettings();
settings.cost.dailyBudgetUsd = 5;
settings.cost.monthlyBudgetUsd = 50;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A realistic month: mostly local completions, some asks and refactors, a few cloud calls and blocks. */
function makeRecords(n: number): LedgerRecord[] {
  const monthStart = new Date(now.getFullYear(), now.getMonth(), 1).getTime();
  const span = Math.max(now.getTime() - monthStart, 60_000);
  const out: LedgerRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = i % 100;
    const cloud = r < 4;
    const blocked = r === 99;
    const kind: ModelCallEvent['kind'] = r < 80 ? 'completion' : r < 92 ? 'ask' : r < 98 ? 'refactor' : 'architecture';
    const e: ModelCallEvent = {
      id: `bench-${i}`,
      time: new Date(monthStart + Math.floor((i / n) * span)).toISOString(),
      kind: cloud ? 'refactor' : kind,
      route: blocked ? 'blocked' : cloud ? 'cloud' : 'local',
      reasons: cloud ? ['refactor: escalated (large selection)', 'budget ok'] : blocked ? ['never-leave-machine workspace'] : ['completion: local by default'],
      provider: cloud ? (i % 2 ? 'openai' : 'anthropic') : 'ollama',
      model: cloud ? (i % 2 ? 'gpt-4.1-mini-2025-04-14' : 'claude-sonnet-4-5-20250929') : 'qwen2.5-coder:1.5b-base',
      endpointClass: cloud ? 'cloud' : 'machine',
      estimated: { promptTokens: 800 + (i % 500), completionTokens: 40 },
      usage: blocked ? undefined : { promptTokens: 780 + (i % 500), completionTokens: 30 + (i % 50), ...(cloud && i % 3 === 0 ? { cacheReadTokens: 512 } : {}) },
      ttftMs: 80 + (i % 40),
      totalMs: 150 + (i % 400),
      outcome: blocked ? 'blocked' : i % 17 === 0 ? 'cancelled' : i % 11 === 0 ? 'cached' : 'served',
    };
    out.push(toRecord(e, 'bench-ws', costOf(e, settings.cost)));
  }
  return out;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-bench-ledger-'));
  const figures: Record<string, number> = {};
  try {
    // Append latency.
    const appendDir = join(dir, 'append');
    const writer = new LedgerWriter(appendDir);
    const sample = makeRecords(2000);
    const times: number[] = [];
    for (const r of sample) {
      const t = performance.now();
      await writer.append(r);
      times.push(performance.now() - t);
    }
    await writer.close();
    figures['ledger.appendP50Ms'] = median(times.slice(100));
    console.log(`append: p50 ${figures['ledger.appendP50Ms'].toFixed(3)} ms, p95 ${[...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)].toFixed(3)} ms`);

    // Summary over 100k records in memory.
    const records = makeRecords(N);
    const cloudPrice = findPrice('gpt-4.1-mini');
    const runs: number[] = [];
    for (let i = 0; i < 7; i++) {
      const t = performance.now();
      summarize(records, { now, cloudModel: 'gpt-4.1-mini', cloudPrice });
      runs.push(performance.now() - t);
    }
    figures['ledger.summary100kMs'] = median(runs);
    console.log(`summary of ${N} records: median ${figures['ledger.summary100kMs'].toFixed(1)} ms`);

    // A 100k-record month file on disk.
    const ledgerDir = join(dir, 'ledger');
    const file = join(ledgerDir, ledgerFileName(monthKey(now)));
    mkdirSync(ledgerDir, { recursive: true });
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    console.log(`ledger file: ${(statSync(file).size / 1e6).toFixed(1)} MB`);

    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const store = new LedgerStore(ledgerDir, () => now);
    await store.load();
    const t1 = performance.now();
    const state = JSON.stringify(buildDashboardState(store.records, store.problems(), settings, now));
    const page = JSON.stringify({ type: 'page', query: defaultQuery(), ...queryRecords(store.records, defaultQuery(), 'bench-ws') });
    const t2 = performance.now();
    figures['ledger.load100kMs'] = t1 - t0;
    figures['dashboard.firstRenderMs'] = t2 - t0;
    global.gc?.();
    console.log(`load ${store.records.length} records: ${(t1 - t0).toFixed(1)} ms (heap +${((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(0)} MB); `
      + `first state + page messages (${(state.length / 1024).toFixed(1)} KB + ${(page.length / 1024).toFixed(1)} KB): ${(t2 - t0).toFixed(1)} ms from disk`);

    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      JSON.stringify(buildDashboardState(store.records, store.problems(), settings, now));
      JSON.stringify(queryRecords(store.records, defaultQuery(), 'bench-ws'));
      warm.push(performance.now() - t);
    }
    figures['dashboard.stateBuildMs'] = median(warm);
    console.log(`state + page from memory (live update): median ${figures['dashboard.stateBuildMs'].toFixed(1)} ms`);
    await store.close();

    const render = await webviewRender(state, page);
    if (render !== undefined) {
      figures['dashboard.webviewRenderMs'] = render;
      console.log(`front end render of that state and page in headless Chromium: ${render.toFixed(1)} ms`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(figures));
}

/** Bundles the real front end and times how long it takes to draw the state and page messages. */
async function webviewRender(state: string, page: string): Promise<number | undefined> {
  const chromium = '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.log('front end render: skipped (no /usr/bin/chromium)');
    return undefined;
  }
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: ['media/dashboard/main.ts'], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'es2022',
    outdir: 'out', loader: { '.css': 'css', '.ttf': 'dataurl' }, logLevel: 'silent',
  });
  const js = built.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  const css = built.outputFiles.find((f) => f.path.endsWith('.css'))?.text ?? '';
  const { chromium: pw } = await import('playwright-core');
  const browser = await pw.launch({ executablePath: chromium, args: ['--no-sandbox'] });
  try {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    await p.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><main id="app"></main>
      <script>window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });</script></body></html>`);
    await p.addScriptTag({ content: js });
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      runs.push(await p.evaluate(([s, pg]) => {
        const t = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(s) }));
        window.dispatchEvent(new MessageEvent('message', { data: JSON.parse(pg) }));
        void document.body.offsetHeight; // force layout: the time until it can be painted
        return performance.now() - t;
      }, [state, page] as const));
    }
    const rows = await p.locator('tbody tr').count();
    if (rows !== 50) throw new Error(`front end drew ${rows} rows, expected 50 ${errors.join('; ')}`);
    return median(runs);
  } finally {
    await browser.close();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
