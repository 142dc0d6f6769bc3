import type { EndpointClass, ProviderId, RequestKind } from '../types';
import { ProviderError } from '../providers/types';
import { failClosedPolicy, type PrivacyPolicy } from './policy';

/** Why bytes are about to leave: the request kind, or an auxiliary call. */
export type EgressPurpose = RequestKind | 'health' | 'list-models' | 'pull' | 'show-model';

export interface EgressIntent {
  purpose: EgressPurpose;
  provider: ProviderId;
}

export interface EgressDecision {
  allowed: boolean;
  endpointClass: EndpointClass;
  reason: string;
}

export interface EgressGateOptions {
  /** The current policy; a throw here fails closed. */
  policy: () => PrivacyPolicy;
  /** Classifies a URL by where its bytes go (after name resolution). A throw here counts as `cloud`. */
  classify: (url: URL) => Promise<EndpointClass>;
  /** The real fetch. */
  fetch?: typeof fetch;
  /** Told of every refusal (for the log and ledger). */
  onBlocked?: (intent: EgressIntent, url: URL, decision: EgressDecision) => void;
}

/**
 * The one door to the network for anything that carries a prompt or talks to a model server.
 * Every SDK client is constructed with `gate.fetchFor(intent)` as its fetch, so the check runs
 * immediately before the bytes leave, on the URL actually requested - whatever decided upstream.
 */
export class EgressGate {
  private readonly realFetch: typeof fetch;

  constructor(private readonly opts: EgressGateOptions) {
    this.realFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Decides for one URL. Never throws: any failure along the way is a refusal. */
  async check(url: URL, _intent: EgressIntent): Promise<EgressDecision> {
    let policy: PrivacyPolicy;
    try {
      policy = this.opts.policy();
    } catch (err) {
      policy = failClosedPolicy(`privacy policy could not be read: ${(err as Error).message}`);
    }
    let endpointClass: EndpointClass;
    try {
      endpointClass = await this.opts.classify(url);
    } catch {
      endpointClass = 'cloud';
    }
    if (policy.allowed.includes(endpointClass)) {
      return { allowed: true, endpointClass, reason: `${endpointClass} endpoint allowed by ${policy.reason}` };
    }
    return {
      allowed: false,
      endpointClass,
      reason: `blocked: ${url.host} is a ${endpointClass} endpoint and this workspace is ${policy.reason}`,
    };
  }

  /** A fetch that refuses, with a ProviderError('blocked'), any request the policy does not allow. */
  fetchFor(intent: EgressIntent): typeof fetch {
    const gated = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      const decision = await this.check(url, intent);
      if (!decision.allowed) {
        this.opts.onBlocked?.(intent, url, decision);
        throw new ProviderError('blocked', decision.reason, { endpointClass: decision.endpointClass });
      }
      return this.realFetch(input, init);
    };
    return gated as typeof fetch;
  }
}
