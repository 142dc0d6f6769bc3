import { isCloudProvider, type EndpointClass } from '../../types';
import { ProviderError, errorMessage } from '../../errors';
import type { Classification } from './endpoints';
import { failClosedPolicy, type PrivacyPolicy } from '../policy';
import { isIP } from 'node:net';
import { redactSecrets } from '../knownKeys';
import { markReportedByGate, type EgressDecision, type EgressFetcher, type EgressIntent, type GateTransport, type PinnedHttpsFetch } from '../egress';

// The gate's whole surface, for callers on the Node side.
export { blockReportedByGate, isModelRequest } from '../egress';
export type { EgressDecision, EgressFetcher, EgressIntent, EgressPurpose, GateTransport, PinnedHttpsFetch } from '../egress';

export interface EgressGateOptions {
  /** The policy of content from `sources` (the whole window when absent); a throw here fails closed. */
  policy: (sources?: readonly string[]) => PrivacyPolicy;
  /** Classifies a URL by where its bytes go (after name resolution). A throw here counts as `cloud`. */
  classify: (url: URL) => Promise<EndpointClass | Classification>;
  /** The real fetch. */
  fetch?: typeof fetch;
  /** Told of every refusal (for the log and ledger). */
  onBlocked?: (intent: EgressIntent, url: URL, decision: EgressDecision) => void;
  /**
   * Connects an https request to the checked address while TLS (SNI and the certificate check) uses
   * the name. Default: undici with a fixed `lookup`. `tls` adds trust anchors (tests, private CAs).
   */
  pinnedHttps?: PinnedHttpsFetch;
}

/**
 * The one door to the network for anything that carries a prompt or talks to a model server.
 * Every SDK client is constructed with `gate.fetchFor(intent)` as its fetch, so the check runs
 * immediately before the bytes leave, on the URL actually requested - whatever decided upstream.
 * Checks happen per request (retries and redirects included), so a name that later resolves
 * elsewhere (DNS rebinding) is caught; requests to a machine or network endpoint given by name
 * are also pinned to the address that was checked (http by address, https by a fixed lookup).
 */
export class EgressGate implements EgressFetcher {
  private readonly realFetch: typeof fetch;
  private readonly blockedListeners = new Set<NonNullable<EgressGateOptions['onBlocked']>>();

  /** Subscribes to refusals (besides the constructor's onBlocked); returns an unsubscribe function. */
  onBlocked(listener: NonNullable<EgressGateOptions['onBlocked']>): () => void {
    this.blockedListeners.add(listener);
    return () => this.blockedListeners.delete(listener);
  }

  constructor(private readonly opts: EgressGateOptions) {
    this.realFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Decides for one URL. Never throws: any failure along the way is a refusal. */
  async check(url: URL, intent?: EgressIntent): Promise<EgressDecision> {
    try {
      let policy: PrivacyPolicy;
      try {
        policy = this.opts.policy(intent?.sources);
        if (!policy || !Array.isArray(policy.allowed)) throw new Error('no policy');
      } catch (err) {
        policy = failClosedPolicy(`privacy policy could not be read: ${errorMessage(err)}`);
      }
      let endpointClass: EndpointClass = 'cloud';
      let addresses: string[] | undefined;
      let detail = '';
      try {
        const c = await this.opts.classify(url);
        if (typeof c === 'string') endpointClass = c;
        else {
          endpointClass = c.endpointClass;
          addresses = c.addresses;
          detail = c.detail;
        }
      } catch {
        endpointClass = 'cloud';
        detail = 'could not be classified';
      }
      if (!['machine', 'network', 'cloud'].includes(endpointClass)) endpointClass = 'cloud';
      // The team server is another machine wherever its URL points (a loopback address is a tunnel).
      if (intent?.provider === 'team' && endpointClass === 'machine') {
        endpointClass = 'network';
        detail = `the team server counts as the network even through ${url.host}`;
      }
      // Code reaches the team server without the cloud's checks, so only a trusted network host may be it.
      if (intent?.provider === 'team' && endpointClass === 'cloud') {
        return {
          allowed: false, endpointClass, addresses,
          reason: `blocked: the team server ${url.host} is not a trusted network host (${detail || 'cloud'}); add it to switchyard.privacy.trustedNetworkHosts`,
        };
      }
      // Pulling a model makes the server (Ollama, or our own download) fetch it from the internet:
      // an egress on our behalf, refused wherever only the machine is allowed, as the embedded download is.
      if (intent?.purpose === 'pull' && policy.neverLeaveMachine) {
        return {
          allowed: false,
          endpointClass,
          addresses,
          reason: `blocked: pulling a model downloads it from the internet and this workspace is ${policy.reason}`,
        };
      }
      // A cloud provider's API is refused wherever the cloud is, even at a loopback address:
      // a local gateway or proxy (LiteLLM, a corporate relay) forwards those bytes off the machine.
      if (intent && isCloudProvider(intent.provider) && !policy.allowed.includes('cloud')) {
        return {
          allowed: false,
          endpointClass,
          addresses,
          reason: `blocked: ${intent.provider} is a cloud provider (even through ${url.host}) and this workspace is ${policy.reason}`,
        };
      }
      if (policy.allowed.includes(endpointClass)) {
        return { allowed: true, endpointClass, addresses, reason: `${endpointClass} endpoint allowed by ${policy.reason}` };
      }
      const what = endpointClass === 'cloud' ? 'leaves this machine' : 'is on another machine';
      return {
        allowed: false,
        endpointClass,
        addresses,
        reason: `blocked: ${url.host} ${what} (${endpointClass}${detail ? `: ${detail}` : ''}) and this workspace is ${policy.reason}`,
      };
    } catch (err) {
      return { allowed: false, endpointClass: 'cloud', reason: `blocked: the privacy check failed (${errorMessage(err)})` };
    }
  }

  /**
   * A fetch that refuses, with a ProviderError('blocked'), any request the policy does not allow.
   * `transport` replaces what sends underneath (e.g. one that trusts a team's own CA): its `fetch`
   * for plain requests and its `pinnedHttps` for https to the checked address.
   */
  fetchFor(intent: EgressIntent, transport?: GateTransport): typeof fetch {
    const send = transport?.fetch ?? this.realFetch;
    const pinnedHttps = transport?.pinnedHttps ?? ((u: URL, i: RequestInit, a: string) => this.pinnedHttps(u, i, a));
    const gated = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      let url: URL;
      try {
        url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      } catch {
        throw new ProviderError('blocked', 'blocked: the request URL is not valid', { endpointClass: 'cloud' });
      }
      const decision = await this.check(url, intent);
      if (!decision.allowed) {
        const listeners = this.opts.onBlocked ? [this.opts.onBlocked, ...this.blockedListeners] : [...this.blockedListeners];
        for (const listener of listeners) {
          try {
            listener(intent, url, decision);
          } catch {
            // reporting must never turn a refusal into something else
          }
        }
        const error = new ProviderError('blocked', decision.reason, { endpointClass: decision.endpointClass });
        if (listeners.length > 0) markReportedByGate(error);
        throw error;
      }
      // Never follow redirects silently: a 3xx to another host would skip this check.
      const safeInit: RequestInit = { ...init, redirect: 'manual' };
      const address = pinAddress(url, decision);
      try {
        if (address && url.protocol === 'https:') return await pinnedHttps(url, await requestInit(input, safeInit), address);
        const pinned = address ? withHost(url, address) : undefined;
        if (pinned && typeof input !== 'string' && !(input instanceof URL)) {
          return await send(new Request(pinned, input), safeInit);
        }
        return await send(pinned ?? input, safeInit);
      } catch (err) {
        // The original error goes on (an abort stays an AbortError, a timeout a TimeoutError);
        // only its text is scrubbed of keys, without touching read-only messages.
        throw scrubbed(err);
      }
    };
    return gated as typeof fetch;
  }

  private pinnedHttps(url: URL, init: RequestInit, address: string): Promise<Response> {
    return (this.opts.pinnedHttps ?? undiciPinnedHttps())(url, init, address);
  }
}

/** The error itself, or (when its message held a key) a copy of it with the key removed. */
function scrubbed(err: unknown): unknown {
  if (!(err instanceof Error) || !err.message) return err;
  const clean = redactSecrets(err.message);
  if (clean === err.message) return err;
  try {
    Object.defineProperty(err, 'message', { value: clean, configurable: true, writable: true });
    return err;
  } catch {
    return Object.assign(new Error(clean), { name: err.name });
  }
}

/**
 * The checked address to connect to instead of the name, for a machine or trusted-network endpoint
 * given by name: the connection must reach the address that was checked, not whatever the name
 * resolves to a moment later (DNS rebinding). Cloud endpoints are only reached where the cloud is
 * allowed, so they keep normal resolution.
 */
function pinAddress(url: URL, decision: EgressDecision): string | undefined {
  if (decision.endpointClass === 'cloud') return undefined;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const address = decision.addresses?.[0];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!address || address === host || isIP(host) !== 0) return undefined;
  return address;
}

function withHost(url: URL, address: string): string {
  const out = new URL(url.href);
  out.hostname = address.includes(':') ? `[${address}]` : address;
  return out.href;
}

/** A Request's method, headers and body as plain init (the pinned client takes a URL and init). */
async function requestInit(input: string | URL | Request, init: RequestInit): Promise<RequestInit> {
  if (typeof input === 'string' || input instanceof URL) return init;
  const body = input.method === 'GET' || input.method === 'HEAD' ? undefined : await input.arrayBuffer();
  return { method: input.method, headers: input.headers, body, signal: input.signal, ...init };
}

let undiciAgents: Map<string, unknown> | undefined;

/**
 * https to the checked address with undici: a fixed `lookup` answers every resolution with the
 * address, so the TLS handshake still sends the name (SNI) and the certificate is checked against it.
 * Loaded on first use (only https endpoints on this machine or a trusted network need it).
 */
export function undiciPinnedHttps(tls: { ca?: string | Buffer | string[] } = {}): PinnedHttpsFetch {
  // With extra authorities the agents are this fetch's own (one per address, kept alive).
  const own = tls.ca ? new Map<string, unknown>() : undefined;
  return async (url, init, address) => {
    const undici = await import('undici');
    const family = isIP(address) === 6 ? 6 : 4;
    const agents = own ?? (undiciAgents ??= new Map());
    let agent = agents.get(address) as InstanceType<typeof undici.Agent> | undefined;
    if (!agent) {
      agent = new undici.Agent({
        connect: {
          ...tls,
          lookup: (_host: string, opts: { all?: boolean }, cb: (err: Error | null, a: unknown, f?: number) => void) =>
            opts?.all ? cb(null, [{ address, family }]) : cb(null, address, family),
        } as object,
      });
      agents.set(address, agent);
    }
    const res = await undici.fetch(url.href, { ...(init as object), dispatcher: agent } as Parameters<typeof undici.fetch>[1]);
    return res as unknown as Response;
  };
}
