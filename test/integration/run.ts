// Runs the integration suites inside a real VS Code extension host, one suite after another.
//   node --import tsx test/integration/run.ts [suite ...]
// Each folder test/integration/suites/<name>/ is a suite: suite.json (workspace, user settings, env)
// plus *.test.ts mocha files. Every suite gets a fresh VS Code (own port, user data, extensions dir)
// and a fresh copy of its workspace. Launched through @vscode/test-electron's runTests(): desktop
// VS Code when available, code-server otherwise (SWITCHYARD_VSCODE=desktop|code-server overrides).
// Writes test-results/integration/summary.json; keeps logs of failed suites in test-results/integration/<suite>/.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExthostLogs, UNTRUSTED_SETTINGS, writeUserSettings } from './codeServer';
import { bundleSuite } from './bundle';
import { prepareWorkspace, REPO_ROOT, type WorkspaceSpec } from './workspace';

const ROOT = REPO_ROOT;
const SUITES = join(ROOT, 'test/integration/suites');
const RESULTS = join(ROOT, 'test-results/integration');

/** The shape of test/integration/suites/<name>/suite.json. Every field is optional. */
export interface SuiteConfig {
  description?: string;
  /**
   * The workspace folder the suite opens (always a fresh copy):
   * - a string: a fixture folder name under test/fixtures/ (or a path relative to the suite folder);
   * - an object: `fixture` to start from (optional) plus `files` to add, path -> content
   *   (objects are written as JSON, e.g. ".vscode/settings.json": {"switchyard.privacy.neverLeaveMachine": true});
   * - `{ folders: { name: <one of the above>, ... }, settings: {...} }`: a multi-root window opened
   *   from a `.code-workspace` file whose `settings` are the workspace level.
   * Absent: an empty folder.
   */
  workspace?: WorkspaceSpec;
  /** User settings.json contents (merged over quiet defaults). Endpoint settings belong here: they are user-scope only. */
  userSettings?: Record<string, unknown>;
  /** Extra environment variables for the extension host. */
  env?: Record<string, string>;
  /** Mocha per-test timeout in ms (default 20000). */
  timeoutMs?: number;
  /**
   * "untrusted": Workspace Trust stays on and the folder opens in restricted mode
   * (`vscode.workspace.isTrusted === false`), with no trust prompt. Such a suite always runs in
   * code-server: runTests() starts a desktop VS Code with --disable-workspace-trust.
   * Absent: trust is disabled, every folder is trusted.
   */
  workspaceTrust?: 'untrusted';
}

export interface SuiteResult {
  name: string;
  host: 'desktop' | 'code-server';
  passed: number;
  failed: number;
  pending: number;
  seconds: number;
  exitCode: number;
  logs?: string[];
}

function listSuites(): string[] {
  if (!existsSync(SUITES)) return [];
  return readdirSync(SUITES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SUITES, d.name, 'suite.json')))
    .map((d) => d.name)
    .sort();
}

/**
 * Which VS Code runs the tests: SWITCHYARD_VSCODE wins; else desktop when `code` is on PATH.
 * An untrusted-workspace suite always runs in code-server (runTests() disables trust on desktop).
 */
function chooseHost(untrusted = false): { host: 'desktop' | 'code-server'; executable?: string } {
  const wanted = process.env.SWITCHYARD_VSCODE;
  if (wanted === 'code-server' || untrusted) return { host: 'code-server', executable: join(ROOT, 'test/integration/code-server-shim') };
  const desktop = findDesktopVsCode();
  if (wanted === 'desktop') return { host: 'desktop', executable: desktop }; // undefined: runTests downloads one
  if (wanted) throw new Error(`SWITCHYARD_VSCODE must be "desktop" or "code-server", got "${wanted}"`);
  return desktop ? { host: 'desktop', executable: desktop } : { host: 'code-server', executable: join(ROOT, 'test/integration/code-server-shim') };
}

/** The Electron binary behind a `code` command on PATH (the `code` script itself returns at once). */
function findDesktopVsCode(): string | undefined {
  if (process.env.SWITCHYARD_VSCODE_PATH) return process.env.SWITCHYARD_VSCODE_PATH;
  const which = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
  const cli = which.status === 0 ? which.stdout.trim() : '';
  if (!cli) return undefined;
  const real = realpathSync(cli);
  const electron = join(dirname(dirname(real)), 'code'); // <install>/bin/code -> <install>/code
  return existsSync(electron) && electron !== real ? electron : real;
}

/** Runs `fn` while copying everything written to stdout/stderr into a string. */
async function capture<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; output: string }> {
  let output = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => { output += String(chunk); return out(chunk, ...rest); }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => { output += String(chunk); return err(chunk, ...rest); }) as typeof process.stderr.write;
  try {
    return { value: await fn(), output };
  } catch (error) {
    return { error, output };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Mocha's spec reporter epilogue: "N passing", "N failing", "N pending". */
export function parseMochaCounts(output: string): { passed: number; failed: number; pending: number; found: boolean } {
  const last = (re: RegExp) => {
    const all = [...output.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  const passed = last(/^\s*(\d+) passing\b/gm);
  const failed = last(/^\s*(\d+) failing\b/gm);
  const pending = last(/^\s*(\d+) pending\b/gm);
  return { passed: passed ?? 0, failed: failed ?? 0, pending: pending ?? 0, found: passed !== undefined || failed !== undefined };
}

export async function runSuite(name: string): Promise<SuiteResult> {
  const started = Date.now();
  const suiteDir = join(SUITES, name);
  const config = JSON.parse(readFileSync(join(suiteDir, 'suite.json'), 'utf8')) as SuiteConfig;
  const runDir = mkdtempSync(join(tmpdir(), `switchyard-it-${name}-`));
  const workspace = join(runDir, 'workspace');
  const userDataDir = join(runDir, 'user-data');
  const extensionsDir = join(runDir, 'extensions');
  const resultDir = join(RESULTS, name);
  rmSync(resultDir, { recursive: true, force: true });
  mkdirSync(resultDir, { recursive: true });
  const opened = prepareWorkspace(config.workspace, workspace, suiteDir);
  const untrusted = config.workspaceTrust === 'untrusted';
  if (config.workspaceTrust !== undefined && !untrusted) throw new Error(`suite ${name}: "workspaceTrust" must be "untrusted" when given`);
  writeUserSettings(userDataDir, { ...(untrusted ? UNTRUSTED_SETTINGS : {}), ...config.userSettings });
  mkdirSync(extensionsDir, { recursive: true });
  const testsEntry = await bundleSuite(suiteDir, join(runDir, 'tests'), { timeoutMs: config.timeoutMs ?? 20_000 });
  const { host, executable } = chooseHost(untrusted);
  process.stdout.write(`\n--- suite ${name} (${host}) ---\n`);

  // SWITCHYARD_GREP runs only the tests whose full title matches (mocha --grep).
  const env = { ...config.env, ...(process.env.SWITCHYARD_GREP ? { SWITCHYARD_GREP: process.env.SWITCHYARD_GREP } : {}) };
  const { value, error, output } = await capture(() => runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsEntry,
    launchArgs: [
      opened, `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`, '--disable-extensions',
      ...(untrusted ? ['--switchyard-workspace-trust=untrusted'] : []),
    ],
    extensionTestsEnv: { ...env, SWITCHYARD_SUITE_ENV: JSON.stringify(env) },
  }));
  const exitCode = error ? ((error as { code?: number }).code ?? 1) : (value ?? 1);
  const counts = parseMochaCounts(output);
  // A run that ended badly without a mocha failure (run() threw, timeout, crash) still counts as one failure.
  const failed = counts.failed + (exitCode !== 0 && counts.failed === 0 ? 1 : 0);
  const result: SuiteResult = {
    name, host, passed: counts.passed, failed, pending: counts.pending,
    seconds: (Date.now() - started) / 1000, exitCode,
  };
  writeFileSync(join(resultDir, 'output.log'), output);
  if (failed > 0) {
    result.logs = findExthostLogs(userDataDir).map((log, i) => {
      const target = join(resultDir, i === 0 ? 'exthost.log' : `exthost-${i}.log`);
      cpSync(log, target);
      return target;
    });
    if (existsSync(join(runDir, 'code-server.log'))) cpSync(join(runDir, 'code-server.log'), join(resultDir, 'code-server.log'));
  }
  if (!process.env.SWITCHYARD_KEEP_RUN) rmSync(runDir, { recursive: true, force: true });
  else process.stdout.write(`run folder kept: ${runDir}\n`);
  return result;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const all = listSuites();
  const unknown = wanted.filter((w) => !all.includes(w));
  if (unknown.length) {
    process.stderr.write(`unknown integration suite(s): ${unknown.join(', ')} (have: ${all.join(', ')})\n`);
    return 2;
  }
  const names = wanted.length ? wanted : all;
  mkdirSync(RESULTS, { recursive: true });
  const results: SuiteResult[] = [];
  for (const name of names) {
    let r: SuiteResult;
    try {
      r = await runSuite(name);
    } catch (e) {
      process.stderr.write(`suite ${name} could not run: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      r = { name, host: 'code-server', passed: 0, failed: 1, pending: 0, seconds: 0, exitCode: 1 };
    }
    results.push(r);
    process.stdout.write(`suite ${name}: ${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} pending` : ''} (${r.host}, ${r.seconds.toFixed(1)} s)\n`);
    if (r.logs?.length) process.stdout.write(`  extension host log kept: ${r.logs.map((l) => l.slice(ROOT.length + 1)).join(', ')}\n`);
  }
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  writeFileSync(join(RESULTS, 'summary.json'), JSON.stringify({ passed, failed, suites: results }, null, 2));
  process.stdout.write(`integration: ${passed} passed, ${failed} failed in ${results.length} suite(s)\n`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

if (require.main === module) void main().then((code) => process.exit(code));
