// Runs the test layers one after another and prints one closing line `N passed, N failed` summing them.
//   node scripts/test.mjs                      unit, integration, ui
//   node scripts/test.mjs unit                 one layer
//   node scripts/test.mjs integration foundation   one integration suite (by folder name)
//   node scripts/test.mjs ui foundation        one UI test file (test/ui/foundation.ui.test.ts)
// The integration and UI layers build the extension first and install what a real VS Code needs
// (scripts/vscode-setup.mjs: Chromium, Node 24, code-server; cached outside the clone).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureVsCodeDeps } from './vscode-setup.mjs';

const LAYERS = ['unit', 'integration', 'ui'];
const TSX = ['--import', 'tsx'];

function findTests(dir, suffix) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

/** Runs a command, echoing its output, and returns { code, output }. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let output = '';
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Counts from a node:test TAP file; a run that failed without counted failures counts as one failure. */
function tapCounts(file, code) {
  const tap = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const passed = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
  const failed = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0);
  return { passed, failed: failed || (code !== 0 ? 1 : 0) };
}

async function nodeTests(files, tapFile, extra = []) {
  rmSync(tapFile, { force: true });
  const { code } = await run(process.execPath, [
    ...TSX, '--test', ...extra,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files,
  ]);
  return tapCounts(tapFile, code);
}

let built = false;
async function buildAndSetup() {
  if (built) return;
  const { code } = await run(process.execPath, ['esbuild.mjs']);
  if (code !== 0) throw new Error('the extension build (node esbuild.mjs) failed');
  ensureVsCodeDeps();
  built = true;
}

async function unit() {
  return nodeTests(findTests('test/unit', '.test.ts'), 'test-results/unit.tap');
}

async function integration(filters) {
  await buildAndSetup();
  const summary = 'test-results/integration/summary.json';
  rmSync(summary, { force: true });
  const { code } = await run(process.execPath, [...TSX, 'test/integration/run.ts', ...filters]);
  if (!existsSync(summary)) return { passed: 0, failed: 1 };
  const s = JSON.parse(readFileSync(summary, 'utf8'));
  return { passed: s.passed, failed: s.failed || (code !== 0 ? 1 : 0) };
}

async function ui(filters) {
  const all = findTests('test/ui', '.ui.test.ts');
  const files = filters.length ? all.filter((f) => filters.includes(basename(f, '.ui.test.ts'))) : all;
  if (filters.length && files.length !== filters.length) {
    process.stderr.write(`unknown UI test(s): ${filters.join(', ')} (have: ${all.map((f) => basename(f, '.ui.test.ts')).join(', ')})\n`);
    return { passed: 0, failed: 1 };
  }
  if (files.length === 0) return { passed: 0, failed: 0 };
  await buildAndSetup();
  // One workbench at a time: each holds a code-server and a Chromium (~1.2 GB together).
  return nodeTests(files, 'test-results/ui.tap', ['--test-concurrency=1']);
}

const layers = { unit, integration, ui };

const args = process.argv.slice(2);
const wanted = args.filter((a) => LAYERS.includes(a));
const filters = args.filter((a) => !LAYERS.includes(a) && !a.startsWith('-'));
const selected = wanted.length ? wanted : LAYERS;
mkdirSync('test-results', { recursive: true });
const started = Date.now();
let passed = 0, failed = 0;
const lines = [];
for (const layer of selected) {
  process.stdout.write(`\n=== ${layer} tests ===\n`);
  const layerStart = Date.now();
  let r;
  try {
    r = await layers[layer](filters);
  } catch (e) {
    process.stderr.write(`${layer} tests could not run: ${e instanceof Error ? e.message : String(e)}\n`);
    r = { passed: 0, failed: 1 };
  }
  const line = `${layer}: ${r.passed} passed, ${r.failed} failed (${((Date.now() - layerStart) / 1000).toFixed(1)} s)`;
  lines.push(line);
  process.stdout.write(`=== ${line} ===\n`);
  passed += r.passed;
  failed += r.failed;
}
process.stdout.write(`\n${lines.join('\n')}\ntotal time ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
