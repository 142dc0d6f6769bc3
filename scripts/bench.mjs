// Runs every benchmark in test/bench/*.bench.ts, each in its own Node process (so one's heap and
// timers never skew another), prints their figures, and with --json one JSON object on the last line.
//   npm run bench                  all benchmarks
//   npm run bench -- completion    only test/bench/completion.bench.ts
//   npm run bench -- --json        machine-readable last line
// A benchmark file prints human-readable lines, then its figures as one JSON object on its last line.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.filter((a) => !a.startsWith('--'));
const dir = 'test/bench';
const files = existsSync(dir)
  ? readdirSync(dir).filter((f) => f.endsWith('.bench.ts'))
      .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, '')))
      .sort()
  : [];

function runOne(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const figures = {};
let failed = 0;
for (const file of files) {
  const log = json ? process.stderr : process.stdout;
  log.write(`\n=== ${file} ===\n`);
  const { code, out } = await runOne(file);
  const lines = out.trimEnd().split('\n');
  const last = lines.pop() ?? '';
  log.write(lines.join('\n') + (lines.length ? '\n' : ''));
  try {
    if (code !== 0) throw new Error(`exit code ${code}`);
    Object.assign(figures, JSON.parse(last));
  } catch (err) {
    failed++;
    log.write(`${last}\nbenchmark ${file} failed: ${err.message}\n`);
  }
}
if (json) {
  process.stdout.write(JSON.stringify(figures) + '\n');
} else {
  process.stdout.write('\n');
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(40)} ${typeof v === 'number' ? +v.toFixed(4) : v}\n`);
}
process.exitCode = failed ? 1 : 0;
