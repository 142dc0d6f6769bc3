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
const COMPLETION_MODEL = 'qwen2.5-coder:1.5b-base'; // the defaults of completion.model and local.chatModel
const CHAT_MODEL = 'qwen2.5-coder:7b-instruct';

const STARTED = Date.now();

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

/**
 * Decides the local model for this run, as the extension will: `local.provider: auto` (written on every
 * run, so a profile never keeps an earlier run's choice) picks Ollama, then an OpenAI-compatible server,
 * then the embedded engine. Returns the settings to write and says, in plain words, what will serve.
 */
async function localModelPlan() {
  const setup = await import(pathToFileURL(join(ROOT, 'scripts/embedded-setup.mjs')).href);
  const server = await setup.detectServer();
  // With a server running the engine is only a fallback: use it if installed, do not install it.
  const embedded = await setup.prepareEmbedded({ install: !server }).catch((e) => {
    log(`embedded engine setup skipped: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  });
  const settings = { 'switchyard.local.provider': 'auto', ...embedded };
  let says;
  if (server) {
    says = `${server.name} answers at ${server.url}: Switchyard will use it (local.provider: auto).`;
    if (server.id === 'ollama') {
      const missing = [COMPLETION_MODEL, CHAT_MODEL].filter((m) => !server.models.some((n) => n === m || n === `${m}:latest`));
      if (missing.length) says += `\n    Not on it yet: ${missing.join(', ')} - run ${missing.map((m) => `\`ollama pull ${m}\``).join(' and ')} (or Switchyard: Pull Model).`;
    }
  } else if (embedded['switchyard.embedded.modelPath']) {
    says = 'No local model server answers (Ollama at 127.0.0.1:11434, an OpenAI-compatible server at 127.0.0.1:8080):\n'
      + '    Switchyard will use the embedded engine with the DEMO MODEL (switchyard-tiny-coder). It shows how Switchyard\n'
      + '    works; its suggestions are not meaningful. For real ones install Ollama (https://ollama.com) and run\n'
      + `    \`ollama pull ${COMPLETION_MODEL}\`, or download a model with Switchyard: Get Started. The next \`npm start\` follows.`;
  } else {
    says = 'No local model server answers and the embedded engine could not be installed: completions will say the\n'
      + '    local model is unreachable until Ollama runs (https://ollama.com). Switchyard: Get Started shows the steps.';
  }
  return { settings, says };
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
  const plan = await localModelPlan();
  const extra = plan.settings;

  if (wanted === 'desktop' || (wanted !== 'code-server' && hasCode())) {
    log(`add these to your user settings for this behaviour: ${JSON.stringify(extra)}`);
    log(`local model: ${plan.says}`);
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
  log(`local model: ${plan.says}`);
  log(`VS Code (code-server) with Switchyard is running (${((Date.now() - STARTED) / 1000).toFixed(1)} s). Open this URL in a browser:\n\n    ${server.origin}/?folder=${encodeURIComponent(workspace)}\n`);
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
