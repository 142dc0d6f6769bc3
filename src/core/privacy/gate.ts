import { isCloudProvider, type EndpointClass, type ProviderId, type RequestKind } from '../types';
import { ProviderError } from '../providers/types';
import type { Classification } from './endpoints';
import { failClosedPolicy, type PrivacyPolicy } from './policy';
import { redactKeyShaped } from './secrets';

/** Why bytes are about to leave: the request kind, or an auxiliary call. */
export type EgressPurpose = RequestKind | 'health' | 'list-models' | 'pull' | 'show-model' | 'usage-export';

export interface EgressIntent {
  purpose: EgressPurpose;
  /** The model server or API the bytes go to; `collector` for the usage export's OpenTelemetry collector. */
  provider: ProviderId | 'collector';
  /** Model of the request, for the blocked-call record. */
  model?: string;
  /** A retry or a fallback of an earlier attempt: checked exactly like the first. */
  stage?: 'first' | 'retry' | 'fallback';
}

export interface EgressDecision {
  allowed: boolean;
  endpointClass: EndpointClass;
  reason: string;
  /** The addresses the check saw; the request is pinned to them where possible. */
  addresses?: string[];
}

export interface EgressGateOptions {
  /** The current policy; a throw here fails closed. */
  policy: () => PrivacyPolicy;
  /** Classifies a URL by where its bytes go (after name resolution). A throw here counts as `cloud`. */
  classify: (url: URL) => Promise<EndpointClass | Classification>;
  /** The real fetch. */
  fetch?: typeof fetch;
  /** Told of every refusal (for the log and ledger). */
  onBlocked?: (intent: EgressIntent, url: URL, decision: EgressDecision) => void;
}

const REQUEST_KINDS: readonly string[] = ['completion', 'ask', 'refactor', 'architecture'];

/** True when the purpose is a model request (as opposed to a health check, listing or pull). */
export function isModelRequest(purpose: EgressPurpose): purpose is RequestKind {
  return REQUEST_KINDS.includes(purpose);
}

const reported = new WeakSet<object>();

/**
 * True when the gate has already reported this refusal (log + blocked ModelCallEvent), so a caller
 * catching the ProviderError does not record the same block twice.
 */
export function blockReportedByGate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && reported.has(err);
}

/**
 * The one door to the network for anything that carries a prompt or talks to a model server.
 * Every SDK client is constructed with `gate.fetchFor(intent)` as its fetch, so the check runs
 * immediately before the bytes leave, on the URL actually requested - whatever decided upstream.
 * Checks happen per request (retries and redirects included), so a name that later resolves
 * elsewhere (DNS rebinding) is caught; plain-http requests to a name are also pinned to the
 * address that was checked.
 */
export class EgressGate {
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
        policy = this.opts.policy();
        if (!policy || !Array.isArray(policy.allowed)) throw new Error('no policy');
      } catch (err) {
        policy = failClosedPolicy(`privacy policy could not be read: ${(err as Error).message}`);
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
      return { allowed: false, endpointClass: 'cloud', reason: `blocked: the privacy check failed (${(err as Error).message})` };
    }
  }

  /**
   * A fetch that refuses, with a ProviderError('blocked'), any request the policy does not allow.
   * `transport` replaces the real fetch underneath (e.g. one that trusts a team's own CA).
   */
  fetchFor(intent: EgressIntent, transport?: typeof fetch): typeof fetch {
    const send = transport ?? this.realFetch;
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
        if (listeners.length > 0) reported.add(error);
        throw error;
      }
      // Never follow redirects silently: a 3xx to another host would skip this check.
      const safeInit: RequestInit = { ...init, redirect: 'manual' };
      const pinned = pin(url, decision);
      try {
        if (pinned && typeof input !== 'string' && !(input instanceof URL)) {
          return await send(new Request(pinned, input), safeInit);
        }
        return await send(pinned ?? input, safeInit);
      } catch (err) {
        if (err instanceof Error && err.message) err.message = redactKeyShaped(err.message);
        throw err;
      }
    };
    return gated as typeof fetch;
  }
}

/**
 * For a plain-http machine endpoint given by name, connect to the loopback address that was
 * checked instead of letting the name resolve again (closes the DNS-rebinding window).
 * https keeps the name: certificates are issued for names.
 */
function pin(url: URL, decision: EgressDecision): string | undefined {
  if (url.protocol !== 'http:' || decision.endpointClass !== 'machine') return undefined;
  const address = decision.addresses?.[0];
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!address || address === host || /^[\d.]+$/.test(host) || host.includes(':')) return undefined;
  const out = new URL(url.href);
  out.hostname = address.includes(':') ? `[${address}]` : address;
  return out.href;
}
