// The team tier in the editor: builds the team server's provider from user settings, keeps its
// bearer token in SecretStorage, its extra CA from switchyard.team.caFile, its health, and the
// back-off file every window of this machine shares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { caFetch, pemCertificates, systemCertificates } from '../core/net/node/caFetch';
import { undiciPinnedHttps, type GateTransport } from '../core/privacy/node/gate';
import { SharedBackoff } from '../core/providers/backoff';
import { fileBackoffStore } from '../core/providers/node/backoffFile';
import { teamWindowTokens, TeamProvider, type TeamContext } from '../core/providers/team';
import { ProviderError, type HealthResult } from '../core/providers/types';
import type { TeamInput } from '../core/routing/router';
import type { TeamSettings } from '../core/settings/team';
import type { EndpointClass } from '../core/types';
import type { CoreServices, Services } from './services';
import { COMMANDS } from '../core/commands';
import { errorMessage } from '../core/errors';

export const TEAM_TOKEN_KEY = 'switchyard.team.token';
/** A health result older than this is refreshed (in the background) when a request asks. */
const HEALTH_TTL_MS = 30_000;

export interface TeamService {
  /** The team server's provider; undefined when switchyard.team.url is empty. */
  provider(): TeamProvider | undefined;
  /** A provider for content from `sources`: the gate judges each request by their policy. */
  chat(sources?: readonly string[]): TeamProvider | undefined;
  settings(): TeamSettings;
  /** What the router needs to know about the team server now; undefined when none is set. */
  /** For content from `sources` (the window's when absent): a health check only where they may use the server. */
  routeInput(kind: 'chat' | 'completion', sources?: readonly string[]): Promise<TeamInput | undefined>;
  /** Where its bytes go: `network` for a trusted host, `cloud` otherwise; undefined until classified. */
  endpointClass(): EndpointClass | undefined;
  /** Prompt tokens for completions, from the server's context length; undefined when it does not say. */
  windowTokens(maxTokens: number): number | undefined;
  health(): HealthResult | undefined;
  /**
   * Asks the server how it is, for content from `sources` (default: every folder that may use it).
   * Where none may, nothing is sent and the result says why.
   */
  checkNow(sources?: readonly string[]): Promise<HealthResult | undefined>;
  /** A request found the server unreachable. */
  reportDown(error: ProviderError): void;
}

/** The transport under the gate: the system's CAs plus the team's, or the gate's own without one. */
function transportFor(caFile: string): GateTransport | undefined {
  if (!caFile) return undefined;
  let certs: string[];
  try {
    certs = pemCertificates(readFileSync(caFile, 'utf8'));
  } catch (err) {
    return failing(`switchyard.team.caFile could not be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
  if (certs.length === 0) return failing(`switchyard.team.caFile (${caFile}) holds no PEM certificate`);
  const ca = [...systemCertificates(), ...certs];
  // A team host given by name is reached at the address the gate checked, trusting the same CAs.
  return { fetch: caFetch(ca), pinnedHttps: undiciPinnedHttps({ ca }) };
}

function failing(message: string): GateTransport {
  const fail = () => Promise.reject(new ProviderError('unreachable', message));
  return { fetch: fail as typeof fetch, pinnedHttps: fail };
}

/** Another window's back-off reaches this one within this long (a Retry-After is seconds). */
const BACKOFF_READ_MS = 1000;

export function createTeam(s: CoreServices): TeamService {
  const backoff = new SharedBackoff(fileBackoffStore(join(s.context.globalStorageUri.fsPath, 'team-backoff.json'), { maxAgeMs: BACKOFF_READ_MS }));
  let built: { key: string; provider: TeamProvider; transport: GateTransport | undefined } | undefined;
  let endpointClass: EndpointClass | undefined;
  let lastHealth: { at: number; result: HealthResult } | undefined;
  let checking: Promise<HealthResult | undefined> | undefined;
  let context: TeamContext | undefined;

  const settings = () => s.settings.current.team;
  // The team server is asked how it is only for content that may use it: the check goes through the
  // gate with those folders' policy. A window whose every folder never leaves the machine asks nothing.
  const mayUse = (sources: readonly string[] | undefined) => s.privacy.policyFor(sources).allowed.includes('network');
  /** The folders that may use the team server ([] in a window without folders, when it may); undefined: none may. */
  const probeSources = (): readonly string[] | undefined => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) return mayUse(undefined) ? [] : undefined;
    const open = folders.map((f) => f.uri.toString()).filter((uri) => mayUse([uri]));
    return open.length > 0 ? open : undefined;
  };
  const token = async () => (await s.context.secrets.get(TEAM_TOKEN_KEY))?.trim() || undefined;

  const teamProvider = (t: TeamSettings, transport: GateTransport | undefined, sources?: readonly string[]): TeamProvider => new TeamProvider({
    baseUrl: t.url, kind: t.kind, token, backoff,
    fetchFor: (purpose) => s.gate.fetchFor({ purpose, provider: 'team', ...(sources ? { sources } : {}) }, transport),
  });

  const provider = (): TeamProvider | undefined => {
    const t = settings();
    if (!t.url) return undefined;
    const key = `${t.url}|${t.kind}|${t.caFile}`;
    if (built?.key !== key) {
      const transport = transportFor(t.caFile);
      built = { key, transport, provider: teamProvider(t, transport) };
      endpointClass = undefined;
      lastHealth = undefined;
      context = undefined;
      void classify(t.url);
      if (probeSources()) void checkNow();
    }
    return built.provider;
  };

  const classify = async (url: string) => {
    let c: EndpointClass;
    try {
      c = await s.privacy.classify(new URL(url));
    } catch {
      c = 'cloud';
    }
    // Shared by the team wherever its address points (a loopback URL is a tunnel): never `machine`.
    if (settings().url === url) endpointClass = c === 'machine' ? 'network' : c;
  };

  const checkNow = (sources?: readonly string[]): Promise<HealthResult | undefined> => {
    const p = provider();
    if (!p || !built) return Promise.resolve(undefined);
    const allowed = sources?.length ? (mayUse(sources) ? sources : undefined) : probeSources();
    if (!allowed) {
      const why = s.privacy.policyFor(sources?.length ? sources : undefined).reason;
      return Promise.resolve({ ok: false, detail: `${p.label} was not asked: no content here may use it (${why})` });
    }
    // A light client judged by those sources' policy (the window's may be stricter); the back-off is shared.
    const probe = allowed.length ? teamProvider(settings(), built.transport, allowed) : p;
    checking ??= (async () => {
      const result = await probe.health(AbortSignal.timeout(5000));
      if (built?.provider !== p) return result;
      if (!result.ok && lastHealth?.result.ok !== false) s.log.warn(`team server: ${result.detail}`);
      lastHealth = { at: Date.now(), result };
      if (result.ok) {
        const before = context?.contextTokens;
        context = await probe.serverContext(settings().completionModel, AbortSignal.timeout(5000)).catch(() => undefined);
        if (context && context.contextTokens !== before) s.log.info(`team server: context ${context.contextTokens} tokens${context.maxInputTokens ? `, prompts up to ${context.maxInputTokens}` : ''} (${context.source})`);
      }
      return result;
    })().finally(() => { checking = undefined; });
    return checking;
  };

  s.context.subscriptions.push(s.settings.onDidChange.on(() => { provider(); }));
  s.context.subscriptions.push(s.context.secrets.onDidChange((e) => {
    if (e.key === TEAM_TOKEN_KEY && settings().url) void checkNow();
  }));
  provider();

  return {
    provider,
    chat(sources) {
      const p = provider();
      if (!p || !built || !sources?.length) return p;
      // A light client per request (the back-off is shared): the gate checks it against its content's policy.
      return teamProvider(settings(), built.transport, sources);
    },
    settings,
    endpointClass: () => endpointClass,
    async routeInput(kind, sources) {
      const p = provider();
      if (!p) return undefined;
      if (!endpointClass) await classify(settings().url);
      // Content that may not use the server (a never-leave-machine folder) never causes a request to it.
      if (mayUse(sources) && (!lastHealth || Date.now() - lastHealth.at > HEALTH_TTL_MS)) void checkNow(sources);
      const wait = p.backoffMs();
      return {
        model: kind === 'completion' ? settings().completionModel : settings().chatModel,
        endpointClass: endpointClass ?? 'cloud',
        healthy: lastHealth?.result.ok,
        ...(wait > 0 ? { busy: `the team server asked to wait ${Math.ceil(wait / 1000)} s (Retry-After)` } : {}),
      };
    },
    windowTokens: (maxTokens) => teamWindowTokens(context, maxTokens),
    health: () => lastHealth?.result,
    checkNow,
    reportDown(error) {
      lastHealth = { at: Date.now(), result: { ok: false, detail: error.message } };
    },
  };
}

/** The team server token commands. */
export function registerTeam(s: Services): void {
  s.context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.setTeamToken, async () => {
      const value = await vscode.window.showInputBox({
        title: 'Switchyard: team server token',
        prompt: 'The bearer token of the team server (vLLM --api-key, or the gateway\'s token). Stored in VS Code\'s secret storage on this machine only.',
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? 'Enter a token, or press Escape to cancel.' : /\s/.test(v.trim()) ? 'A token has no spaces.' : undefined),
      });
      if (value === undefined) return;
      await s.context.secrets.store(TEAM_TOKEN_KEY, value.trim());
      s.log.info('Team server token stored in secret storage.');
      void vscode.window.showInformationMessage('Switchyard: team server token stored.');
    }),
    vscode.commands.registerCommand(COMMANDS.clearTeamToken, async () => {
      await s.context.secrets.delete(TEAM_TOKEN_KEY);
      s.log.info('Team server token removed from secret storage.');
      void vscode.window.showInformationMessage('Switchyard: team server token cleared.');
    }),
  );
}
