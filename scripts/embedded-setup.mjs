// What `npm start` needs to know about local models: which server answers (in the order the
// extension's `local.provider: auto` tries them), and the embedded engine with the tiny demo model
// (node-llama-cpp installed, the model written and cached) for when none does.
//
//   node scripts/embedded-setup.mjs      prints the server found and the settings it would apply
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureModel } from './gguf/write-gguf.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';
export const DEFAULT_OPENAI_COMPATIBLE_URL = 'http://127.0.0.1:8080/v1';

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

/** The first local model server that answers, in the order `local.provider: auto` tries them. */
export async function detectServer({ ollamaUrl = DEFAULT_OLLAMA_URL, openaiCompatibleUrl = DEFAULT_OPENAI_COMPATIBLE_URL } = {}) {
  if (await serverAnswers(`${ollamaUrl}/api/version`)) {
    let models = [];
    try {
      const res = await fetch(`${ollamaUrl}/api/tags`, { signal: AbortSignal.timeout(2000) });
      models = ((await res.json()).models ?? []).map((m) => m.name);
    } catch { /* an old or odd server: the model check is skipped */ }
    return { id: 'ollama', name: 'Ollama', url: ollamaUrl, models };
  }
  if (await serverAnswers(`${openaiCompatibleUrl}/models`)) return { id: 'openai-compatible', name: 'the OpenAI-compatible server', url: openaiCompatibleUrl, models: [] };
  return undefined;
}

/**
 * Prepares the embedded engine with the tiny demo model (cached) and returns the user settings that
 * point at it, or {} when the engine cannot be installed. `install: false` only uses an engine that is
 * already there. Never throws for an expected condition.
 */
export async function prepareEmbedded({ install = true } = {}) {
  if (!(install ? ensureEngineInstalled() : engineResolves())) {
    if (install) log('node-llama-cpp could not be installed; the embedded engine stays off');
    return {};
  }
  const started = Date.now();
  const model = ensureModel({ kind: 'tiny' });
  log(`${model.cached ? 'using' : 'wrote'} the demo model ${model.path}${model.cached ? '' : ` in ${Date.now() - started} ms`}`);
  // The extension installed by `npm start` carries no node_modules; its engine process finds
  // node-llama-cpp in this checkout (the variable reaches it through the editor's environment).
  process.env.SWITCHYARD_ENGINE_MODULES = ROOT;
  return { 'switchyard.embedded.modelPath': model.path };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.stdout.write(`${JSON.stringify({ server: await detectServer(), settings: await prepareEmbedded() }, null, 2)}\n`);
}
