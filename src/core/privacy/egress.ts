// What the egress gate decides about, and what callers may know of its refusals, without the gate
// itself (node/gate.ts: name resolution, pinned connections), so browser-safe code can use them.
import type { EndpointClass, ProviderId, RequestKind } from '../types';

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
  /**
   * Where the request's content comes from (file or folder URIs). The policy is the strictest of
   * theirs; absent or empty, the strictest of the whole window (fail closed).
   */
  sources?: readonly string[];
}

export interface EgressDecision {
  allowed: boolean;
  endpointClass: EndpointClass;
  reason: string;
  /** The addresses the check saw; the request is pinned to them where possible. */
  addresses?: string[];
}

/** An https fetch that connects to `address` whatever the name resolves to now. */
export type PinnedHttpsFetch = (url: URL, init: RequestInit, address: string) => Promise<Response>;

/** What sends a checked request instead of the gate's own fetch (e.g. with a team's private CA). */
export interface GateTransport {
  fetch: typeof fetch;
  /** https to the checked address; must trust the same authorities as `fetch`. */
  pinnedHttps: PinnedHttpsFetch;
}

/** What hands out gated fetches (the EgressGate); providers take this, not the gate itself. */
export interface EgressFetcher {
  fetchFor(intent: EgressIntent, transport?: GateTransport): typeof fetch;
}

const REQUEST_KINDS: readonly string[] = ['completion', 'ask', 'refactor', 'architecture'];

/** True when the purpose is a model request (as opposed to a health check, listing or pull). */
export function isModelRequest(purpose: EgressPurpose): purpose is RequestKind {
  return REQUEST_KINDS.includes(purpose);
}

const reported = new WeakSet<object>();

/** Marks a refusal the gate has reported, for blockReportedByGate. */
export function markReportedByGate(err: object): void {
  reported.add(err);
}

/**
 * True when the gate has already reported this refusal (log + blocked ModelCallEvent), so a caller
 * catching the ProviderError does not record the same block twice.
 */
export function blockReportedByGate(err: unknown): boolean {
  return typeof err === 'object' && err !== null && reported.has(err);
}
