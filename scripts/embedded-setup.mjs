// Prepares the embedded llama.cpp engine for `npm start` on a machine without a local model server:
// makes sure node-llama-cpp is installed, writes the tiny code model (cached), and returns the user
// settings that select them. When a server answers at the default Ollama URL it returns nothing and
// Switchyard keeps using that server.
//
//   node scripts/embedded-setup.mjs      prints the settings it would apply
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModel } from './gguf/write-gguf.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

function log(msg) {
  process.stdout.write(`[embedded] ${msg}\n`);
}

/** True when something answers HTTP at `url` within `timeoutMs`. */
export async function serverAnswers(url, timeoutMs = 1500) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function engineResolves() {
  try {
    createRequire(join(ROOT, 'package.json')).resolve('node-llama-cpp');
    return true;
  } catch {
    return false;
  }
}

/** Installs the optional dependencies (node-llama-cpp and its prebuilt CPU binary) when they are missing. */
export function ensureEngineInstalled() {
  if (engineResolves()) return true;
  log('node-llama-cpp is missing; installing the project dependencies (npm registry only)');
  const res = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  return res.status === 0 && engineResolves();
}

/**
 * Returns user settings for the embedded engine, or {} when a local server already answers or the
 * engine cannot be installed. Never throws for an expected condition.
 */
export async function prepareEmbedded({ ollamaUrl = DEFAULT_OLLAMA_URL } = {}) {
  if (await serverAnswers(ollamaUrl)) {
    log(`a local model server answers at ${ollamaUrl}; using it, not the embedded engine`);
    return {};
  }
  if (!ensureEngineInstalled()) {
    log('node-llama-cpp could not be installed; the embedded engine stays off');
    return {};
  }
  const started = Date.now();
  const model = ensureModel({ kind: 'tiny' });
  log(`${model.cached ? 'using' : 'wrote'} the tiny code model ${model.path}${model.cached ? '' : ` in ${Date.now() - started} ms`}`);
  // The extension installed by `npm start` carries no node_modules; its engine process finds
  // node-llama-cpp in this checkout (the variable reaches it through the editor's environment).
  process.env.SWITCHYARD_ENGINE_MODULES = ROOT;
  log(`no local model server at ${ollamaUrl}: completions come from the embedded engine`);
  return {
    'switchyard.local.provider': 'embedded',
    'switchyard.embedded.modelPath': model.path,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify(await prepareEmbedded(), null, 2)}\n`);
}
