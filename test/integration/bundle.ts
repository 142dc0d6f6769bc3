// Bundles one suite's *.test.ts files and mocha into a single CommonJS test entry for the
// extension host. `vscode` stays external (the host provides it); src/core and test/fakes are bundled.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((d) => d.isDirectory() ? testFiles(join(dir, d.name)).map((f) => `${d.name}/${f}`) : d.name.endsWith('.test.ts') ? [d.name] : [])
    .sort();
}

/** Writes <outDir>/index.js exporting run(), the entry VS Code calls; returns its path. */
export async function bundleSuite(suiteDir: string, outDir: string, opts: { timeoutMs: number }): Promise<string> {
  const files = testFiles(suiteDir);
  if (files.length === 0) throw new Error(`no *.test.ts files in ${suiteDir}`);
  // The test files are required inside run(), after mocha has put describe/it on the global object.
  const entry = `
import Mocha from 'mocha';
export function run(): Promise<void> {
  const grep = process.env.SWITCHYARD_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: ${opts.timeoutMs}, ...(grep ? { grep } : {}) });
  mocha.suite.emit('pre-require', globalThis, 'suite', mocha);
${files.map((f) => `  require(${JSON.stringify(`./${f}`)});`).join('\n')}
  return new Promise((resolve, reject) => {
    mocha.run((failures) => failures > 0 ? reject(new Error(failures + ' test(s) failed')) : resolve());
  });
}
`;
  const outfile = join(outDir, 'index.js');
  await esbuild.build({
    stdin: { contents: entry, resolveDir: suiteDir, loader: 'ts', sourcefile: 'suite-entry.ts' },
    bundle: true,
    outfile,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'warning',
  });
  return outfile;
}
