// Activation cost: how long Node takes to load (parse + evaluate) the extension bundle, as shipped
// (heavy libraries split into dist/vendor, loaded on first use) and, for comparison in the same run,
// as one bundle with everything inlined. Each load runs in a fresh process with `vscode` stubbed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const RUNS = 7;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-activation-'));
const stub = join(dir, 'vscode-stub.js');
writeFileSync(stub, 'module.exports = new Proxy({}, { get: () => function () { return {}; } });\n');
const loader = join(dir, 'load.js');
writeFileSync(loader, `
const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) { return req === 'vscode' ? ${JSON.stringify(stub)} : resolve.call(this, req, ...rest); };
const t0 = process.hrtime.bigint();
require(process.argv[2]);
process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));
`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function loadMs(bundle: string): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(Number(execFileSync(process.execPath, [loader, bundle], { encoding: 'utf8' })));
  return median(times);
}

async function main(): Promise<void> {
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'ignore' });
  const shipped = join(process.cwd(), 'dist', 'extension.js');
  const single = join(dir, 'extension-single.js');
  await esbuild.build({
    entryPoints: ['src/extension.ts'], outfile: single, bundle: true, minify: true,
    format: 'cjs', platform: 'node', target: 'node20', external: ['vscode', 'node-llama-cpp'], logLevel: 'silent',
  });
  const shippedMs = loadMs(shipped);
  const singleMs = loadMs(single);
  const kb = (f: string) => statSync(f).size / 1024;
  console.log(`bundle as shipped: ${kb(shipped).toFixed(0)} KB, load median of ${RUNS}: ${shippedMs.toFixed(1)} ms`);
  console.log(`one bundle with everything inlined: ${kb(single).toFixed(0)} KB, load median of ${RUNS}: ${singleMs.toFixed(1)} ms`);
  console.log(JSON.stringify({
    'activation.bundleKB': kb(shipped),
    'activation.bundleLoadMs': shippedMs,
    'activation.singleBundleKB': kb(single),
    'activation.singleBundleLoadMs': singleMs,
    'activation.loadRatio': shippedMs / singleMs,
  }));
}

void main();
