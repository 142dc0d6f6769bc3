// Classifies an endpoint by where its bytes go, after resolving its host name:
//   machine  every resolved address is loopback (127.0.0.0/8, ::1, ::ffff:127.x), or a unix socket
//   network  a private / link-local / unique-local address the user listed in privacy.trustedNetworkHosts
//   cloud    anything else - and anything that cannot be determined (the gate then refuses it where
//            only the machine is allowed)
import { BlockList, isIP } from 'node:net';
import type { EndpointClass } from '../../types';
import { errorMessage } from '../../errors';

/** Resolves a host name to every address it maps to (the adapter uses dns.promises.lookup with all: true). */
export type Resolver = (hostname: string) => Promise<string[]>;

export interface Classification {
  endpointClass: EndpointClass;
  /** The checked addresses (IP literals). The gate connects to one of these, never re-resolving. */
  addresses: string[];
  /** Plain words, e.g. "api.example.com resolves to 203.0.113.5 (not loopback)". */
  detail: string;
}

export interface EndpointClassifierOptions {
  resolve: Resolver;
  /** Host names, addresses or CIDR ranges (e.g. `10.0.0.0/8`) the user trusts as `network`. */
  trustedNetworkHosts?: readonly string[];
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

// Addresses that can only be on a private network: RFC 1918, carrier-grade NAT, link-local, ULA.
const PRIVATE = new BlockList();
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addSubnet('169.254.0.0', 16, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('fe80::', 10, 'ipv6');

/** `::ffff:127.0.0.1` / `::ffff:7f00:1` -> `127.0.0.1`; other addresses unchanged (brackets removed). */
export function unmapAddress(address: string): string {
  const a = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
  if (isIP(a) !== 6) return a;
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted?.[1] && isIP(dotted[1]) === 4) return dotted[1];
  const groups = expandIPv6(a);
  if (groups && groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const hi = groups[6]!;
    const lo = groups[7]!;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return a;
}

function expandIPv6(a: string): number[] | undefined {
  if (a.includes('.')) return undefined;
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined ? (tail ? tail.split(':') : []) : [];
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? h.length !== 8 : missing < 0) return undefined;
  const parts = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t];
  const nums = parts.map((p) => parseInt(p, 16));
  return nums.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? nums : undefined;
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

export function isLoopbackAddress(address: string): boolean {
  const a = unmapAddress(address);
  const f = family(a);
  return f !== undefined && LOOPBACK.check(a, f);
}

export function isPrivateAddress(address: string): boolean {
  const a = unmapAddress(address);
  const f = family(a);
  return f !== undefined && PRIVATE.check(a, f);
}

/** The trusted list split into names and an address/CIDR block list. Bad entries are ignored (never trusted). */
function parseTrusted(entries: readonly string[]): { names: Set<string>; addresses: BlockList } {
  const names = new Set<string>();
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
    if (entry === '') continue;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const base = unmapAddress(cidr[1]!);
      const f = family(base);
      const bits = Number(cidr[2]);
      if (f && bits <= (f === 'ipv4' ? 32 : 128)) addresses.addSubnet(base, bits, f);
      continue;
    }
    const a = unmapAddress(entry);
    const f = family(a);
    if (f) addresses.addAddress(a, f);
    else names.add(entry.replace(/\.$/, ''));
  }
  return { names, addresses };
}

export class EndpointClassifier {
  private readonly trusted: ReturnType<typeof parseTrusted>;

  constructor(private readonly opts: EndpointClassifierOptions) {
    this.trusted = parseTrusted(opts.trustedNetworkHosts ?? []);
  }

  /** Never throws: anything unexpected is `cloud`. */
  async classify(url: URL): Promise<Classification> {
    try {
      return await this.classifyUnsafe(url);
    } catch (err) {
      return { endpointClass: 'cloud', addresses: [], detail: `${url.host || url.href} could not be classified (${errorMessage(err)})` };
    }
  }

  private async classifyUnsafe(url: URL): Promise<Classification> {
    if (url.protocol === 'unix:' || url.protocol === 'embedded:') {
      return { endpointClass: 'machine', addresses: [], detail: `${url.protocol} endpoint stays on this machine` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { endpointClass: 'cloud', addresses: [], detail: `unsupported scheme ${url.protocol}` };
    }
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
    if (host === '') return { endpointClass: 'cloud', addresses: [], detail: 'no host' };
    const literal = family(unmapAddress(host)) !== undefined;
    const addresses = literal ? [unmapAddress(host)] : await this.opts.resolve(host);
    if (addresses.length === 0) return { endpointClass: 'cloud', addresses, detail: `${host} did not resolve` };
    const shown = literal ? host : `${host} (${addresses.join(', ')})`;
    if (addresses.every(isLoopbackAddress)) {
      return { endpointClass: 'machine', addresses, detail: `${shown} is loopback` };
    }
    const nameTrusted = !literal && this.trusted.names.has(host);
    const allTrustedPrivate = addresses.every((a) => {
      if (isLoopbackAddress(a)) return true;
      const u = unmapAddress(a);
      const f = family(u);
      return f !== undefined && isPrivateAddress(u) && (nameTrusted || this.trusted.addresses.check(u, f));
    });
    if (allTrustedPrivate) return { endpointClass: 'network', addresses, detail: `${shown} is a trusted private host` };
    const why = addresses.some((a) => !isLoopbackAddress(a) && !isPrivateAddress(a)) ? 'not a private address'
      : nameTrusted || addresses.some((a) => this.trusted.addresses.check(unmapAddress(a), family(unmapAddress(a))!)) ? 'not every address is trusted'
      : 'a private host not listed in switchyard.privacy.trustedNetworkHosts';
    return { endpointClass: 'cloud', addresses, detail: `${shown}: ${why}` };
  }
}
