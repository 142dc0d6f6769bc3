// `npm start`: builds Switchyard and opens it in a real VS Code on a sample workspace.
// - desktop VS Code when `code` is on PATH (extension loaded from this folder, as in F5 debugging);
// - otherwise code-server on 127.0.0.1 (PORT or a free port), with the freshly built extension
//   installed, printing the URL to open; runs until Ctrl+C.
// SWITCHYARD_VSCODE=code-server|desktop overrides the choice.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURE = join(ROOT, 'test/fixtures/sample-workspace');
const RUN_DIR = join(ROOT, '.vscode-test/start'); // git-ignored; kept between starts (your settings stay)

function log(msg) {
  process.stdout.write(`[start] ${msg}\n`);
}

function sh(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: 'inherit', cwd: ROOT, ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status})`);
}

function hasCode() {
  return spawnSync('sh', ['-c', 'command -v code'], { stdio: 'ignore' }).status === 0;
}

/** Settings an optional embedded-engine setup contributes (e.g. the model path); never fails start. */
async function embeddedSettings() {
  const file = join(ROOT, 'scripts/embedded-setup.mjs');
  if (!existsSync(file)) return {};
  try {
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod.prepareEmbedded !== 'function') return {};
    const result = await mod.prepareEmbedded();
    const settings = result && typeof result === 'object' && 'userSettings' in result ? result.userSettings : result;
    return settings && typeof settings === 'object' && !Array.isArray(settings) ? settings : {};
  } catch (e) {
    log(`embedded engine setup skipped: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
}

/** Merges `extra` into User/settings.json, keeping whatever the user set there before. */
function writeSettings(userDataDir, base, extra) {
  const file = join(userDataDir, 'User', 'settings.json');
  mkdirSync(dirname(file), { recursive: true });
  let current = base;
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      log(`${file} is not plain JSON (comments?); leaving it as it is`);
      return;
    }
  }
  writeFileSync(file, JSON.stringify({ ...current, ...extra }, null, 2));
}

async function main() {
  if (!existsSync(join(ROOT, 'node_modules'))) {
    log('installing npm dependencies');
    try {
      sh('npm', ['ci', '--no-audit', '--no-fund']);
    } catch {
      log('npm ci failed; installing with npm install instead');
      sh('npm', ['install', '--no-audit', '--no-fund']);
    }
  }
  log('building the extension');
  sh(process.execPath, ['esbuild.mjs']);

  const wanted = process.env.SWITCHYARD_VSCODE;
  const workspace = join(RUN_DIR, 'sample-workspace');
  if (!existsSync(workspace)) cpSync(FIXTURE, workspace, { recursive: true });
  const extra = await embeddedSettings();

  if (wanted === 'desktop' || (wanted !== 'code-server' && hasCode())) {
    if (Object.keys(extra).length) log(`add these to your user settings for the embedded engine: ${JSON.stringify(extra)}`);
    log(`opening desktop VS Code on ${workspace}`);
    sh('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, workspace]);
    return;
  }

  const { ensureVsCodeDeps } = await import('./vscode-setup.mjs');
  const paths = ensureVsCodeDeps({ chromium: false });
  // The workbench loads an extension from a folder only in automation mode (which hides
  // notifications), so install the freshly built package instead, as a user would.
  log('packaging and installing the extension into code-server');
  const vsix = join(RUN_DIR, 'switchyard-dev.vsix');
  mkdirSync(RUN_DIR, { recursive: true });
  sh(join(ROOT, 'node_modules/.bin/vsce'), ['package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });
  const userDataDir = join(RUN_DIR, 'user-data');
  const extensionsDir = join(RUN_DIR, 'extensions');
  sh(paths.nodeBin, [paths.codeServerEntry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, EXTENSIONS_GALLERY: '{}' },
  });
  writeSettings(userDataDir, {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'editor.inlineSuggest.enabled': true,
    'git.openRepositoryInParentFolders': 'never',
    'chat.disableAIFeatures': true, // the editor's own AI chat would only distract from Switchyard's
  }, extra);

  const { tsImport } = await import('tsx/esm/api');
  const { startCodeServer } = await tsImport('../test/integration/codeServer.ts', import.meta.url);
  const server = await startCodeServer({
    runDir: RUN_DIR,
    folder: workspace,
    userDataDir,
    extensionsDir,
    port: process.env.PORT ? Number(process.env.PORT) : undefined,
    automation: false,
  });
  log(`VS Code (code-server) with Switchyard is running. Open this URL in a browser:\n\n    ${server.origin}/?folder=${encodeURIComponent(workspace)}\n`);
  log(`workspace: ${workspace}; logs: ${join(RUN_DIR, 'code-server.log')}. Press Ctrl+C to stop.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.on('exit', (code) => {
    if (!stopping) {
      log(`code-server exited (code ${code}); see ${join(RUN_DIR, 'code-server.log')}`);
      process.exit(1);
    }
  });
}

main().catch((e) => {
  process.stderr.write(`[start] ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
