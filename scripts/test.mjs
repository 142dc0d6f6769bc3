// Runs the test layers and prints one closing line `N passed, N failed` summing them all.
//   node scripts/test.mjs              unit, integration, ui
//   node scripts/test.mjs unit         one layer
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LAYERS = ['unit', 'integration', 'ui'];

function findTests(dir, suffix) {
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

async function unit() {
  const files = findTests('test/unit', '.test.ts');
  const { code, output } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=test-results/unit.tap', ...files]);
  const tap = await import('node:fs').then((fs) => fs.readFileSync('test-results/unit.tap', 'utf8'));
  const passed = Number(/^# pass (\d+)/m.exec(tap)?.[1] ?? 0);
  const failed = Number(/^# fail (\d+)/m.exec(tap)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(tap)?.[1] ?? 0);
  return { passed, failed: failed || (code !== 0 && passed === 0 ? 1 : failed), output };
}

const layers = { unit };

const wanted = process.argv.slice(2).filter((a) => LAYERS.includes(a));
const selected = wanted.length ? wanted : LAYERS.filter((l) => l in layers);
await import('node:fs').then((fs) => fs.mkdirSync('test-results', { recursive: true }));
let passed = 0, failed = 0;
for (const layer of selected) {
  process.stdout.write(`\n=== ${layer} tests ===\n`);
  const r = await layers[layer]();
  process.stdout.write(`=== ${layer}: ${r.passed} passed, ${r.failed} failed ===\n`);
  passed += r.passed;
  failed += r.failed;
}
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
