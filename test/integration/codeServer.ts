// Starts a real VS Code (code-server) and a headless Chromium for the integration and UI tests.
// Every run is isolated: its own port, user-data, extensions and XDG folders, so nothing leaks
// between suites or into $HOME, and the marketplace is switched off (the machine is offline).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { paths } from '../../scripts/vscode-setup.mjs';

/** User settings that keep the workbench quiet and deterministic under automation. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'editor.inlineSuggest.enabled': true,
};

/**
 * User settings for a run with Workspace Trust on: the workspace folder stays untrusted (restricted
 * mode) and no trust prompt or dialog ever blocks the run.
 */
export const UNTRUSTED_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'never',
  'security.workspace.trust.emptyWindow': false,
  'security.workspace.trust.untrustedFiles': 'open',
};

/** Workspace Trust for a run: 'disabled' (default: every folder is trusted) or 'untrusted' (restricted mode). */
export type WorkspaceTrust = 'disabled' | 'untrusted';

/** Flags for the system Chromium: no sandbox (root, containers) and no background traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--metrics-recording-only',
  '--mute-audio',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

export interface CodeServerOptions {
  /** Folder that holds everything of this run (dirs below are created in it unless given). */
  runDir: string;
  /** Workspace folder to open. */
  folder?: string;
  userDataDir?: string;
  extensionsDir?: string;
  /** Merged over QUIET_SETTINGS into User/settings.json (only when the file does not exist yet). */
  userSettings?: Record<string, unknown>;
  /** Extra environment for code-server (and thereby the extension host). */
  env?: Record<string, string>;
  /** Fixed port; a free one otherwise. */
  port?: number;
  /** Where code-server's own output goes; defaults to <runDir>/code-server.log. */
  logFile?: string;
  /** Extra command line flags for code-server. */
  extraArgs?: string[];
  /**
   * Turn on the smoke-test driver (default true): the workbench then honours the `payload` URL
   * parameter (extension under development, tests) but hides notification toasts.
   */
  automation?: boolean;
  /**
   * 'untrusted': start without --disable-workspace-trust, so the folder opens in restricted mode
   * (pair with UNTRUSTED_SETTINGS in the user settings). Default 'disabled'.
   */
  workspaceTrust?: WorkspaceTrust;
}

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The authority the workbench uses for the remote (Node) side. */
  authority: string;
  folder?: string;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  /** Extension host logs written so far (remoteexthost.log files). */
  exthostLogs(): string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  // code-server is a remote window: machine-scoped settings (endpoints, models) are read from the
  // server's Machine/settings.json, not from User/settings.json. Write both so every scope applies.
  const text = JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2);
  for (const dir of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, dir), { recursive: true });
    writeFileSync(join(userDataDir, dir, 'settings.json'), text);
  }
}

/** Every extension host log under a user-data dir (desktop: exthost.log, code-server: remoteexthost.log). */
export function findExthostLogs(userDataDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p, depth + 1);
      else if (/exthost\.log$/.test(name)) out.push(p);
    }
  };
  walk(join(userDataDir, 'logs'), 0);
  return out.sort();
}

/** Copies the extension host logs (and the server's own log) into `dest`, for a failed run. */
export function keepLogs(server: Pick<CodeServer, 'exthostLogs'>, dest: string, serverLog?: string): string[] {
  mkdirSync(dest, { recursive: true });
  const kept: string[] = [];
  server.exthostLogs().forEach((log, i) => {
    const target = join(dest, i === 0 ? 'exthost.log' : `exthost-${i}.log`);
    cpSync(log, target);
    kept.push(target);
  });
  if (serverLog && existsSync(serverLog)) {
    cpSync(serverLog, join(dest, 'code-server.log'));
    kept.push(join(dest, 'code-server.log'));
  }
  return kept;
}

async function waitHealthy(origin: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer ${origin}/healthz within ${timeoutMs} ms`);
}

export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const p = paths();
  if (!existsSync(p.codeServerEntry) || !existsSync(p.nodeBin)) {
    throw new Error('code-server is not installed: run `node scripts/vscode-setup.mjs` (npm test does it for you).');
  }
  const runDir = opts.runDir;
  const userDataDir = opts.userDataDir ?? join(runDir, 'user-data');
  const extensionsDir = opts.extensionsDir ?? join(runDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  if (!existsSync(join(userDataDir, 'User', 'settings.json'))) writeUserSettings(userDataDir, opts.userSettings ?? {});
  mkdirSync(runDir, { recursive: true });
  const xdg = (name: string) => {
    const dir = join(runDir, 'xdg', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const configFile = join(runDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\n');
  const port = opts.port ?? await freePort();
  const args = [
    p.codeServerEntry,
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    ...(opts.workspaceTrust === 'untrusted' ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--config', configFile,
    ...((opts.automation ?? true) ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
    ...(opts.extraArgs ?? []),
    ...(opts.folder ? [opts.folder] : []),
  ];
  const logFd = openSync(opts.logFile ?? join(runDir, 'code-server.log'), 'a');
  const child = spawn(p.nodeBin, args, {
    detached: true, // own process group: stop() ends the server and everything it forked
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      ...opts.env,
      XDG_CONFIG_HOME: xdg('config'),
      XDG_DATA_HOME: xdg('data'),
      XDG_CACHE_HOME: xdg('cache'),
      XDG_STATE_HOME: xdg('state'),
      EXTENSIONS_GALLERY: '{}',
      // The extension host must not inherit a debugger or loader from the test runner.
      NODE_OPTIONS: '',
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitHealthy(origin, child, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    port,
    origin,
    authority: `127.0.0.1:${port}`,
    folder: opts.folder,
    userDataDir,
    extensionsDir,
    process: child,
    exthostLogs: () => findExthostLogs(userDataDir),
    stop,
  };
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: paths().chromium, headless: true, args: CHROMIUM_ARGS });
}

/** The workbench URL for a folder, optionally with a `payload` (extension under development, tests, env). */
export function workbenchUrl(server: CodeServer, payload?: [string, string][]): string {
  const q = new URLSearchParams();
  // A `.code-workspace` file opens a multi-root window.
  if (server.folder) q.set(server.folder.endsWith('.code-workspace') ? 'workspace' : 'folder', server.folder);
  if (payload) q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q.toString()}`;
}

/** A path on the code-server machine as the workbench addresses it. */
export function remoteUri(server: CodeServer, path: string): string {
  return `vscode-remote://${server.authority}${path}`;
}
