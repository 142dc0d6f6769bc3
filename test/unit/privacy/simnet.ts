// A simulated network for privacy tests. Every fake server really listens on 127.0.0.1, so to test
// "the cloud" we give endpoints names and addresses that a fake DNS maps to public, private or
// loopback addresses, and a fake "wire" (the gate's underlying fetch) that delivers any request to
// the fake server on the URL's port. So if the gate let a cloud request through, the fake cloud
// server WOULD receive it: a zero count is evidence, not an artefact of an unreachable host.
import Anthropic from '@anthropic-ai/sdk';
import { isIP } from 'node:net';
import OpenAI from 'openai';
import { EgressGate, type EgressDecision, type EgressGateOptions, type EgressIntent } from '../../../src/core/privacy/node/gate';
import { EndpointClassifier, type Resolver } from '../../../src/core/privacy/node/endpoints';
import type { PrivacyPolicy } from '../../../src/core/privacy/policy';
import type { CloudProviderId } from '../../../src/core/types';

export interface WireHit {
  /** Host as the gate passed it on (after pinning). */
  host: string;
  port: string;
  path: string;
}

/** DNS by table; names may map to different answers on successive lookups (rebinding). */
export function fakeDns(table: Record<string, string[] | string[][]>): Resolver & { lookups: string[] } {
  const count = new Map<string, number>();
  const lookups: string[] = [];
  const fn = async (host: string): Promise<string[]> => {
    lookups.push(host);
    const entry = table[host];
    if (!entry) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    if (Array.isArray(entry[0])) {
      const n = count.get(host) ?? 0;
      count.set(host, n + 1);
      const answers = entry as string[][];
      return answers[Math.min(n, answers.length - 1)]!;
    }
    return entry as string[];
  };
  return Object.assign(fn, { lookups });
}

/** The wire: delivers to 127.0.0.1:<port of the URL>, recording what went out. */
export function fakeWire(hits: WireHit[]): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    hits.push({ host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port, path: url.pathname });
    const target = new URL(url.href);
    target.hostname = '127.0.0.1';
    if (typeof input !== 'string' && !(input instanceof URL)) return fetch(new Request(target, input), init);
    return fetch(target, init);
  }) as typeof fetch;
}

export function isLoopbackLiteral(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return (isIP(h) === 4 && h.startsWith('127.')) || h === '::1' || /^::ffff:(127\.|7f)/.test(h);
}

export interface GateRig {
  gate: EgressGate;
  hits: WireHit[];
  blocked: Array<{ intent: EgressIntent; url: string; decision: EgressDecision }>;
}

export function rig(policy: (sources?: readonly string[]) => PrivacyPolicy, dns: Resolver, trustedNetworkHosts: string[] = [], extra: Partial<EgressGateOptions> = {}): GateRig {
  const hits: WireHit[] = [];
  const blocked: GateRig['blocked'] = [];
  const classifier = new EndpointClassifier({ resolve: dns, trustedNetworkHosts });
  const gate = new EgressGate({
    policy,
    classify: (url) => classifier.classify(url),
    fetch: fakeWire(hits),
    onBlocked: (intent, url, decision) => blocked.push({ intent, url: url.href, decision }),
    ...extra,
  });
  return { gate, hits, blocked };
}

/** The ProviderError('blocked') somewhere in an SDK error's cause chain. */
export function blockedCause(err: unknown): { code: string; message: string } | undefined {
  for (let e: unknown = err, i = 0; e && i < 6; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: string }).code === 'blocked') return e as { code: string; message: string };
  }
  return undefined;
}

/** One chat call with the real cloud SDK client of `provider`, through `fetch` (the gate's). */
export async function callCloud(provider: CloudProviderId, base: string, fetch: typeof globalThis.fetch, prompt: string): Promise<void> {
  if (provider === 'openai') {
    const c = new OpenAI({ baseURL: base, apiKey: 'sk-test', maxRetries: 0, fetch });
    await c.chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: prompt }] });
  } else {
    const c = new Anthropic({ baseURL: base, apiKey: 'sk-ant-test', maxRetries: 0, fetch });
    await c.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: prompt }] });
  }
}
