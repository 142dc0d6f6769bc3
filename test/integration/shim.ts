// Runs extension tests in code-server, accepting the command line a desktop VS Code gets from
// @vscode/test-electron: --extensionDevelopmentPath=, --extensionTestsPath=, --user-data-dir=,
// --extensions-dir= and the workspace folder, plus --switchyard-workspace-trust=untrusted (the runner adds
// it for suites that need restricted mode). Other desktop flags are ignored.
// The tests' console output is printed on stdout; the exit code is the tests' exit code.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { format } from 'node:util';
import { launchChromium, remoteUri, startCodeServer, workbenchUrl, type CodeServer, type WorkspaceTrust } from './codeServer';

interface ShimArgs {
  extensionDevelopmentPath?: string;
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  folder?: string;
  workspaceTrust?: WorkspaceTrust;
}

function parseArgs(argv: string[]): ShimArgs {
  const out: ShimArgs = {};
  const flag = (a: string, name: string) => (a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : undefined);
  for (const a of argv) {
    out.extensionDevelopmentPath = flag(a, 'extensionDevelopmentPath') ?? out.extensionDevelopmentPath;
    out.extensionTestsPath = flag(a, 'extensionTestsPath') ?? out.extensionTestsPath;
    out.userDataDir = flag(a, 'user-data-dir') ?? out.userDataDir;
    out.extensionsDir = flag(a, 'extensions-dir') ?? out.extensionsDir;
    if (flag(a, 'switchyard-workspace-trust') === 'untrusted') out.workspaceTrust = 'untrusted';
    if (!a.startsWith('-')) out.folder = resolve(a);
  }
  return out;
}

// Workbench chatter that says nothing about the tests; shown with SWITCHYARD_VERBOSE=1.
const NOISE = [
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|Service Worker|AgentHost|AccountPolicyGate)/,
];
const verbose = !!process.env.SWITCHYARD_VERBOSE;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (!args.extensionDevelopmentPath || !args.extensionTestsPath) {
    process.stderr.write('code-server-shim: --extensionDevelopmentPath= and --extensionTestsPath= are required\n');
    return 2;
  }
  const runDir = args.userDataDir ? dirname(resolve(args.userDataDir)) : mkdtempSync(join(tmpdir(), 'switchyard-vscode-'));
  // Environment for the extension host: the suite's extra variables, as passed by the runner.
  const extensionEnv = JSON.parse(process.env.SWITCHYARD_SUITE_ENV ?? '{}') as Record<string, string>;
  const timeoutMs = Number(process.env.SWITCHYARD_RUN_TIMEOUT_MS ?? 300_000);

  let server: CodeServer | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => void cleanup().finally(() => process.exit(130)));
  }
  try {
    server = await startCodeServer({
      runDir,
      folder: args.folder,
      userDataDir: args.userDataDir && resolve(args.userDataDir),
      extensionsDir: args.extensionsDir && resolve(args.extensionsDir),
      env: extensionEnv,
      workspaceTrust: args.workspaceTrust,
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    let finish!: (code: number) => void;
    const exit = new Promise<number>((r) => { finish = r; });
    await page.exposeFunction('codeAutomationLog', (_type: string, logArgs: unknown[]) => {
      const line = format(...(Array.isArray(logArgs) ? logArgs : [logArgs]));
      if (verbose || !NOISE.some((re) => re.test(line))) process.stdout.write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
    if (verbose) page.on('pageerror', (e) => process.stderr.write(`[workbench] ${e.message}\n`));
    const payload: [string, string][] = [
      ['extensionDevelopmentPath', remoteUri(server, resolve(args.extensionDevelopmentPath))],
      ['extensionTestsPath', remoteUri(server, resolve(args.extensionTestsPath))],
      ['skipWelcome', 'true'],
      ['extensionEnvironment', JSON.stringify(extensionEnv)],
    ];
    await page.goto(workbenchUrl(server, payload));
    const timeout = new Promise<number>((r) => setTimeout(() => {
      process.stderr.write(`code-server-shim: tests did not finish within ${timeoutMs} ms\n`);
      r(1);
    }, timeoutMs).unref());
    return await Promise.race([exit, timeout]);
  } catch (e) {
    process.stderr.write(`code-server-shim: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

void main().then((code) => process.exit(code));
