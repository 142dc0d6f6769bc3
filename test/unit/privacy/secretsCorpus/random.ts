// Seeded building blocks for the secret corpus: random strings over the alphabets vendors use.
import { rng } from '../../../seededRandom';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const LOWER = 'abcdefghijklmnopqrstuvwxyz';
export const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const DIGITS = '0123456789';
export const HEX = '0123456789abcdef';
export const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
export const BECH32 = 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L';
export const B64 = `${ALNUM}+/`;
export const B64URL = `${ALNUM}-_`;

/** A seeded random source with the helpers every generator needs. */
export class Rand {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = rng(seed);
  }
  float(): number {
    return this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  str(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }
  alnum(n: number): string { return this.str(ALNUM, n); }
  hex(n: number): string { return this.str(HEX, n); }
  HEX(n: number): string { return this.str(HEX, n).toUpperCase(); }
  digits(n: number): string { return this.str(DIGITS, n); }
  lower(n: number): string { return this.str(LOWER, n); }
  b64(n: number): string { return this.str(B64, n); }
  b64url(n: number): string { return this.str(B64URL, n); }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
  /** A password a person might choose from a generator: mixed case, digits and a symbol or two. */
  password(): string {
    const n = this.int(12, 22);
    let s = '';
    while (!(/[a-z]/.test(s) && /[A-Z]/.test(s) && /\d/.test(s) && /[^A-Za-z0-9]/.test(s))) {
      s = this.str(`${ALNUM}${ALNUM}!#%&*+-.?@^_~`, n);
    }
    return s;
  }
  /** A secret value of a common shape: generator password, alnum, hex or base64. */
  secretValue(): string {
    switch (this.int(0, 4)) {
      case 0: return this.password();
      case 1: return this.alnum(this.int(20, 40));
      case 2: return this.hex(this.pick([32, 40, 64]));
      case 3: return this.b64(this.pick([32, 40, 44])).replace(/^[+/]/, 'Q');
      default: return `${this.alnum(this.int(6, 10))}${this.pick(['!', '#', '$', '%', '@', '&', '*'])}${this.alnum(this.int(6, 10))}`;
    }
  }
  /** A secret value that can stand unquoted in YAML (a leading `#`, `*`, `&` or `!` would mean something else there). */
  plainValue(): string {
    return this.secretValue().replace(/^[^A-Za-z0-9]/, 'Q');
  }
  /** A base64 string of `bytes` random bytes (with padding). */
  base64Bytes(bytes: number): string {
    return Buffer.from(Array.from({ length: bytes }, () => this.int(0, 255))).toString('base64');
  }
  pem(label: string, lines = 8): string {
    const body = Array.from({ length: lines }, () => this.b64(64)).join('\n');
    return `-----BEGIN ${label}-----\n${body}\n${this.b64(this.int(8, 60))}=\n-----END ${label}-----`;
  }
  /** An identifier-like name: `user_service`, `orderCount`. */
  word(): string {
    return this.pick(WORDS);
  }
}

export const WORDS = [
  'user', 'order', 'invoice', 'account', 'session', 'cache', 'queue', 'worker', 'report', 'billing', 'payment', 'client',
  'server', 'router', 'handler', 'config', 'logger', 'metrics', 'events', 'project', 'repo', 'branch', 'commit', 'build',
  'deploy', 'image', 'upload', 'search', 'index', 'profile', 'settings', 'theme', 'layout', 'widget', 'table', 'column',
] as const;

export function camel(snake: string): string {
  return snake.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
