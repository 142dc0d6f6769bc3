// Packages a platform-specific VSIX that carries the embedded llama.cpp engine: node-llama-cpp and
// only that platform's prebuilt CPU binary. The plain VSIX (`npm run package`) stays lean and
// explains how to get the engine when a user selects it.
//
//   node scripts/package-platform.mjs linux-x64          -> switchyard-linux-x64.vsix
//   node scripts/package-platform.mjs --list             the supported targets
//
// Everything comes from the npm registry; nothing is compiled. llama.cpp's source bundle (used only
// to build from source) is left out.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** VS Code target -> npm os/cpu and node-llama-cpp's CPU binary package. */
export const TARGETS = {
  'linux-x64': { os: 'linux', cpu: 'x64', binary: '@node-llama-cpp/linux-x64' },
  'linux-arm64': { os: 'linux', cpu: 'arm64', binary: '@node-llama-cpp/linux-arm64' },
  'linux-armhf': { os: 'linux', cpu: 'arm', binary: '@node-llama-cpp/linux-armv7l' },
  'darwin-x64': { os: 'darwin', cpu: 'x64', binary: '@node-llama-cpp/mac-x64' },
  'darwin-arm64': { os: 'darwin', cpu: 'arm64', binary: '@node-llama-cpp/mac-arm64-metal' },
  'win32-x64': { os: 'win32', cpu: 'x64', binary: '@node-llama-cpp/win-x64' },
  'win32-arm64': { os: 'win32', cpu: 'arm64', binary: '@node-llama-cpp/win-arm64' },
};

/** Paths inside node_modules that are never needed at run time. */
const PRUNE = ['node-llama-cpp/llama/gitRelease.bundle', 'node-llama-cpp/templates'];

function run(cmd, args, cwd) {
  const res = spawnSync(cmd, args, { cwd, stdio: 'inherit', shell: process.platform === 'win32' });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
}

export function packagePlatform(target) {
  const t = TARGETS[target];
  if (!t) throw new Error(`unknown target "${target}"; one of: ${Object.keys(TARGETS).join(', ')}`);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const version = pkg.optionalDependencies?.['node-llama-cpp'] ?? pkg.dependencies?.['node-llama-cpp'];
  if (!version) throw new Error('package.json does not list node-llama-cpp');

  run(process.execPath, ['esbuild.mjs', '--production'], ROOT);

  const stage = join(ROOT, '.vscode-test', 'package', target);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE', 'dist', 'media', 'syntaxes', 'resources']) {
    if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  }
  // The staged manifest depends on the engine only; everything else is bundled into dist/.
  const staged = { ...pkg, dependencies: { 'node-llama-cpp': version, [t.binary]: version }, devDependencies: {}, optionalDependencies: {}, scripts: {} };
  delete staged.allowScripts;
  delete staged.overrides; // the development install's stand-ins for GPU and other-architecture binaries
  writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);
  const ignore = readFileSync(join(ROOT, '.vscodeignore'), 'utf8').replace(/^node_modules\/?\s*$/m, '');
  writeFileSync(join(stage, '.vscodeignore'), `${ignore.trimEnd()}\n!node_modules/**\n`);

  // --omit=optional leaves out node-llama-cpp's GPU variants; --ignore-scripts: nothing is built or downloaded;
  // --force: the binary package is for the target's platform, which may not be this one.
  run('npm', ['install', '--force', '--omit=optional', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock', `--os=${t.os}`, `--cpu=${t.cpu}`], stage);
  for (const p of PRUNE) rmSync(join(stage, 'node_modules', p), { recursive: true, force: true });
  if (!existsSync(join(stage, 'node_modules', t.binary, 'package.json'))) throw new Error(`${t.binary}@${version} was not installed`);

  const out = join(ROOT, `switchyard-${target}.vsix`);
  run(join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--target', target, '--allow-missing-repository', '--out', out], stage);
  return { path: out, bytes: statSync(out).size };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = process.argv[2];
  if (!target || target === '--list') {
    process.stdout.write(`targets: ${Object.keys(TARGETS).join(', ')}\n`);
    process.exitCode = target ? 0 : 1;
  } else {
    const r = packagePlatform(target);
    process.stdout.write(`${r.path} (${(r.bytes / 1024 / 1024).toFixed(1)} MB)\n`);
  }
}
