// What a secret value looks like, and what only looks like one: placeholders, documented example
// keys, identifiers, type annotations, property accesses, hashes, paths and URLs.

/** Shannon entropy in bits per character: random keys score ~4-6, words and identifiers far less. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

// Keys published in vendors' documentation, joined from parts so this file never reads as a key.
const DOCUMENTED = [
  ['AKIAIOSFODNN', '7EXAMPLE'], ['wJalrXUtnFEMI/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'], ['AKIAI44QH8DHB', 'EXAMPLE'],
  ['je7MtGbClwBF/2Zp9Utk/h3yCo8nvb', 'EXAMPLEKEY'], ['sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'], ['sk_test_', 'BQokikJOvBiI2HlWgH4olfQ2'],
  ['AIzaSyDdI0hCZtE6vySjMm', '-WEfRq3CPzqKqqsHI'], ['ghp_16C7e42F292c6912E7710c', '838347Ae178B4a'],
  ['SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV', '_adQssw5c'], ['dXNlcm5hbWU6', 'cGFzc3dvcmQ='],
  // RFC 6749 / 6750 (OAuth 2.0) examples.
  ['czZCaGRSa3F0Mz', 'pnWDFmQmF0M2JW'], ['h480djs', '93hd8'], ['mF_9.B5f', '-4.1JqM'], ['tGzv3JOkF0XG5Qx', '2TlKWIA'], ['SplxlOBeZQQ', 'YbYS6WxSbIA'],
].map((parts) => parts.join(''));

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|change[_-]?(?:me|it)|your[_-]|[_-]here(?![a-z])|redacted|replace[_-]?me|insert[_-]|not[_-]?a[_-]?real|lorem|(?<![a-z0-9])(?:fake|mock|todo|fixme)(?![a-z0-9])|x{4,}|\.\.\.|\*{3,}|<[A-Za-z][\w .()-]*>|\$\{|\{\{|\$\(|^%\w+%$|^\$\w+$/i;
// In a long value (a PEM body, a JWT) short words turn up by chance: only unmistakable signs count there.
const PLACEHOLDER_LONG = /example|placeholder|your[_-]|x{8,}|\.\.\.|\*{3,}|<[A-Za-z][\w .()-]*>|\$\{|\{\{/i;
const SEQUENCES = ['abcdefgh', 'bcdefghi', '12345678', '23456789', '98765432', 'qwertyui', 'asdfghjk', 'zyxwvuts'];

/** One of the keys vendors publish in their documentation. */
export function isDocumented(value: string): boolean {
  return DOCUMENTED.some((d) => value.includes(d)) || /EXAMPLE(?:KEY)?$/.test(value);
}

/** A documentation placeholder or example value, not a credential: the same test for every rule. */
export function isPlaceholder(value: string): boolean {
  if (isDocumented(value)) return true;
  if (value.length > 120) return PLACEHOLDER_LONG.test(value) || /(.)\1{9,}/.test(value);
  if (PLACEHOLDER_WORDS.test(value)) return true;
  if (/(.)\1{7,}/.test(value)) return true; // aaaaaaaa, 00000000
  const lower = value.toLowerCase();
  if (SEQUENCES.some((s) => lower.includes(s))) return true;
  return new Set(value).size < Math.min(6, value.length / 2); // few distinct characters
}

function charClass(c: number): number {
  if (c >= 97 && c <= 122) return 0;
  if (c >= 65 && c <= 90) return 1;
  if (c >= 48 && c <= 57) return 2;
  return 3;
}

/** Share of neighbouring characters that change class (lower/upper/digit/other): random ~0.4-0.6, identifiers < 0.2. */
export function classChanges(s: string): number {
  if (s.length < 2) return 0;
  let n = 0;
  for (let i = 1; i < s.length; i++) if (charClass(s.charCodeAt(i)) !== charClass(s.charCodeAt(i - 1))) n++;
  return n / (s.length - 1);
}

/** One part of a name: a word, an acronym, a word with a number (`sha256`, `ed25519`), a small number. */
function namePart(p: string, last: boolean): boolean {
  if (/^\d{1,2}$/.test(p)) return true;
  const letters = p.replace(/\d+$/, '');
  if (!/^[A-Za-z]+$/.test(letters) || (letters.length === 1 && p.length > 2 && !last)) return false; // v2, L3, but not X07
  if (/^[A-Z]{1,5}$/.test(letters) || letters.length <= 4) return true; // acronyms and short words
  // Long words may hold five consonants in a row (`walkthrough`, `lengths`); random parts are short.
  return /[aeiouy]/i.test(letters) && !new RegExp(`[^aeiouy]{${letters.length >= 8 ? 6 : 5},}`, 'i').test(letters);
}

/**
 * A name made of words: `SecretsMode`, `output_tokens`, `x-api-key`, `isL3DpopResponse`, `/oauth2/v2.0/token`.
 * Its camelCase / snake_case / dotted parts are words, acronyms or short numbers, and with more than
 * three parts, half its letters are in real (Capitalised or lower-case) words; a random token splits
 * into short parts with digits inside them.
 */
export function isIdentifierWords(v: string): boolean {
  if (!/^[/+]?[A-Za-z_$][\w$.:/+-]*$/.test(v)) return false;
  const parts = v.replace(/^[/+]/, '').split(/[_.$:/+-]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter(Boolean);
  if (parts.length === 1) return /^[A-Za-z]+$/.test(v) && /[aeiouy]/i.test(v) && !/[^aeiouy]{5,}/i.test(v);
  if (!parts.every((p, i) => namePart(p, i === parts.length - 1))) return false;
  if (parts.length <= 3) return true;
  const letters = parts.reduce((n, p) => n + p.length, 0);
  const word = (p: string): boolean => (/^[A-Z]?[a-z]{2,}\d*$/.test(p) && p.replace(/\d+$/, '').length >= 3 && /[aeiouy]/i.test(p)) || (/^[A-Z]{4,}$/.test(p) && (p.match(/[AEIOUY]/g)?.length ?? 0) >= p.length * 0.3);
  return parts.filter(word).reduce((n, p) => n + p.length, 0) >= letters / 2 && (parts.length <= 4 || letters / parts.length >= 3.5);
}

/** `a.b.c`, `win32api.RegOpenKeyEx`: names joined by dots, the last one made of words. */
function isPropertyAccess(v: string): boolean {
  if (!/^[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)+$/.test(v)) return false;
  return !/\d/.test(v) || isIdentifierWords(v.slice(v.lastIndexOf('.') + 1));
}

const PATH = /^(?:~|\.{1,2})?\/(?:etc|usr|home|var|opt|tmp|bin|srv|mnt|Users|root|app|data|run|proc|dev|lib|workspace|build)\b|^(?:~|\.{1,2})\/|^[A-Za-z]:\\/;

/**
 * Values that are code or a reference to a secret kept elsewhere, not a secret. An unquoted value
 * in source is code unless shown otherwise: calls, indexing and property accesses are references.
 */
export function isReference(v: string, quoted = false): boolean {
  if (/^\$\w+$|\$\{|\{\{|#\{|^%\w+%$|^@\w+@$|^\$\(/.test(v)) return true; // $VAR, %VAR%, ${...}, {{...}}, #{...}
  if (/^\{[\w.]*\}$|^%[sd]$|^%\(\w+\)[sd]$/.test(v)) return true; // format placeholders: {self.password}, %s, %(password)s
  if (/^@?[\w.]+\(.*\)$/.test(v)) return true; // a call: @Microsoft.KeyVault(...), env("X")
  if (/^\^?\[[^\]]+\]|\[\^?[A-Za-z0-9]-[A-Za-z0-9]|\]\{\d+(?:,\d*)?\}|\(\?[:=!<]|\\[wdsbS]/.test(v)) return true; // a regular expression
  if (!quoted && (/^[$@&*#][A-Za-z_][\w.]*$|[()[\]{}]|^\w+(?:\+\+|--)$|\+\+$|--$/.test(v) || isPropertyAccess(v))) return true;
  if (!quoted && /^\w+=[^=]/.test(v)) return true; // `name=value` inside a call or a query, not one value
  if (!quoted && /^(?:this|self|ctx|context|req|res|request|response|props|state|options|opts|config|cfg|settings|env|process|os|window|document|args|params)\./.test(v)) return true;
  return PATH.test(v)
    || /^(?:true|false|null|nil|none|undefined|string|number|boolean|bool|int|str|bytes|any|object|required|optional)$/i.test(v)
    || /^[a-z][a-z0-9+.-]*:\/\/|^urn:/i.test(v) // a URL or URN (credentials in URLs have their own rule)
    || /^arn:|^\$2[aby]?\$|^\$(?:argon2\w*|[156])\$|^(?:sha\d*|md5|pbkdf2_\w+|argon2\w*|scrypt)[:$~-]/i.test(v) // ARN, password hashes, digests
    || /^[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(v) // e-mail
    || /^v?\d+(?:\.\d+){1,3}(?:[-+][\w.]+)?$|^\d{4}-\d\d-\d\d/.test(v); // versions, dates
}

/**
 * A value that reads as random (a key, a token, a generated password) rather than a word, an
 * identifier, a type name or a number. `strict` asks more (for names that only say "key").
 */
export function looksRandom(v: string, strict = false): boolean {
  if (v.length < (strict ? 16 : 8) || v.length > 1000 || /[^\x20-\x7e]/.test(v)) return false; // keys are printable ASCII
  if (/^\d+$/.test(v)) return !strict && v.length >= 14 && entropy(v) >= 2.5; // a number, unless long and random (a numeric token)
  if (isIdentifierWords(v) || /^[A-Za-z]+(?: [A-Za-z]+)+$/.test(v)) return false; // a name or words, not a key
  // Hex (digests, keys) changes class less often when digits dominate: entropy alone decides there.
  const changes = /^[0-9a-f]{16,}$/i.test(v) ? 1 : classChanges(v);
  const h = entropy(v);
  if (strict) return h >= 3.5 && changes >= 0.3;
  return h >= Math.min(2.9, Math.log2(v.length) * 0.8) && changes >= 0.2;
}

/** Shape check shared by the context rules: not a placeholder, not code, random enough. */
export function secretValue(v: string, opts: { strict?: boolean; quoted?: boolean } = {}): boolean {
  const decoded = /%[0-9A-Fa-f]{2}/.test(v) ? percentDecoded(v) : v;
  if (decoded !== v && (isPlaceholder(decoded) || /^\w+=\w+$/.test(decoded))) return false; // secret%3Dpassword
  return !isPlaceholder(v) && !isReference(v, opts.quoted) && looksRandom(v, opts.strict);
}

function percentDecoded(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}
