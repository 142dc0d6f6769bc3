// Detectors for secrets recognised by where they sit rather than by their shape: a value assigned
// to a secret-sounding name (in any of the usual languages and config formats), an HTTP auth
// header, a command-line password flag, a password in a URL, and credential files (.pgpass,
// .netrc, Docker/npm auth). The value must still look like a secret (see shape.ts).
import { classChanges, entropy, isDocumented, isIdentifierWords, isPlaceholder, isReference, looksRandom, secretValue } from './shape';
import { fromBase64Utf8 } from '../../base64';

export type Emit = (ruleId: string, type: string, start: number, end: number) => void;

// ---- names -----------------------------------------------------------------------------------------

/** The last word of a name that says it holds something about a secret, not the secret. */
const NOT_SECRET_LAST = new Set([
  'id', 'ids', 'sid', 'url', 'uri', 'urls', 'endpoint', 'host', 'path', 'file', 'files', 'dir', 'name', 'names', 'type', 'types',
  'length', 'len', 'size', 'count', 'limit', 'min', 'max', 'ttl', 'expiry', 'expires', 'expire', 'expiration', 'timeout', 'lifetime',
  'header', 'prefix', 'suffix', 'format', 'field', 'version', 'policy', 'mode', 'enabled', 'required', 'hash', 'hashed', 'digest',
  'algorithm', 'alg', 'label', 'hint', 'description', 'placeholder', 'pattern', 'regex', 'source', 'store', 'provider', 'manager',
  'service', 'validator', 'validators', 'rotation', 'days', 'arn', 'ref', 'location', 'scope', 'scopes', 'audience', 'issuer', 'kind',
  'class', 'schema', 'template', 'encoding', 'input', 'output', 'status', 'state', 'index', 'alias', 'env', 'var', 'variable',
  'param', 'usage', 'fingerprint', 'tokens', 'budget', 'rate', 'cost', 'price', 'used', 'reset', 'level', 'visible', 'shortcut',
  'hashers', 'hasher', 'parameters', 'selector', 'cookie', 'strategy', 'handler', 'callback', 'exists', 'set', 'error', 'message',
  'domain', 'vault', 'range', 'char', 'chars', 'charset', 'alphabet', 'realm', 'tenant', 'region', 'server', 'method', 'scheme', 'flow', 'grant', 'mechanism', 'plugin', 'module',
]);
/** Words that make a secret-sounding name harmless: `public_key`, `csrf_token`. */
const HARMLESS_WORDS = new Set(['public', 'publishable', 'pub', 'csrf', 'xsrf', 'sha', 'md5', 'checksum', 'integrity', 'keyboard', 'keys', 'monkey', 'turkey', 'author']);
/** `<word> key` that is not a secret: `cache_key`, `primaryKey`. */
const HARMLESS_KEY = new Set([
  'primary', 'foreign', 'sort', 'partition', 'cache', 'idempotency', 'lookup', 'map', 'object', 'row', 'hash', 'dedup', 'dedupe',
  'translation', 'i18n', 'list', 'group', 'composite', 'unique', 'index', 'routing', 'shard', 'join', 'registry', 'kms', 'gpg',
  'pgp', 'hot', 'storage', 'redis', 'cursor', 'query', 'sequence', 'natural', 'bucket', 'schema', 'entity', 'react', 'item', 'meta',
  'metadata', 'field', 'column', 'table', 'message', 'event', 'config', 'setting', 'settings', 'env', 'dict', 'json', 'data', 'node',
]);

function words(name: string): string[] {
  return name.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/).filter(Boolean).map((w) => w.toLowerCase());
}

function secretWord(w: string): boolean {
  return w === 'pass' || w === 'pw' || w === 'pwd' || w.includes('passw') || w.includes('passphrase') || w.includes('pword')
    || w.includes('secret') || (w.includes('token') && !w.includes('tokeniz')) || w.includes('apikey') || w.includes('credential')
    || w === 'creds' || w === 'cred' || w === 'auth' || w === 'authorization' || w.startsWith('authkey') || w.startsWith('authtoken')
    || w === 'bearer' || w === 'contribsys';
}

/**
 * How strongly a name says "secret": `strong` (password, token, api key...), `weak` (a bare `key`,
 * a vendor name: the value must look more random), or undefined (not a secret's name).
 */
export function nameStrength(name: string): 'strong' | 'weak' | undefined {
  const ws = words(name);
  if (ws.length === 0 || ws.some((w) => HARMLESS_WORDS.has(w)) || NOT_SECRET_LAST.has(ws[ws.length - 1]!)) return undefined;
  if (ws.some(secretWord)) return 'strong';
  const k = ws.findIndex((w) => w === 'key' || (w.endsWith('key') && w.length > 3));
  if (k < 0) return undefined;
  const before = ws[k] === 'key' ? ws[k - 1] : ws[k]!.slice(0, -3);
  if (before !== undefined && HARMLESS_KEY.has(before)) return undefined;
  return before === undefined || before.length <= 1 ? 'weak' : 'strong'; // `key`, `hkey`: only a clearly random value
}

// ---- assignments -----------------------------------------------------------------------------------

// Where to look: a secret word somewhere in a name. The name around it is then read whole.
const KEYWORD = /pass|pw|secret|token|key|auth|cred|bearer|contribsys/gi;
/** [A-Za-z0-9_$.-]: the characters of a name, by code (faster than a regex per character). */
function nameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36 || c === 46 || c === 45;
}
// What may follow a name before its operator: closing quotes/brackets, spaces, a type, or the operator itself.
const AFTER_NAME = /^[\\"'`\] \t:=?.+|<,(]/;
// After the name: closing quotes/brackets, an optional type (`string`, `: &str`), the operator, the
// value. Horizontal space only: a value never starts on the next line (`KEY=` then `NEXT=` is two
// empty settings), except a YAML block scalar (`key: |`), whose value is the next line.
const OP_VALUE = /((?:\\?["'`\]])*)[ \t]*(?::[ \t]*&?'?\w*[ \t]*(?==))?(?:(?:string|String|str|char\*?|var|val)[ \t]+)?(:{1,3}=|\?\?=|\?=|\.=|\+=|\|\|=|=>|<-|=(?![=~>])|:(?![:=/\\])|,|\()[ \t]*(?:(?:[bBrRuUfF]{1,2}|@)?(\\?)(["'`])(.*?)\3\4|([|>][-+]?)[ \t]*\r?\n[ \t]+([^\s#]+)|([^\s"'`,;)}\]<>|\\]+))/dy;

function assignments(text: string, emit: Emit): void {
  let lastNameEnd = -1;
  KEYWORD.lastIndex = 0;
  for (const m of text.matchAll(KEYWORD)) {
    let start = m.index;
    let end = start + m[0].length;
    if (end <= lastNameEnd) continue; // the same name, already read
    while (start > 0 && nameChar(text.charCodeAt(start - 1))) start--;
    while (end < text.length && nameChar(text.charCodeAt(end))) end++;
    lastNameEnd = end;
    if (!AFTER_NAME.test(text[end] ?? '')) continue;
    const name = text.slice(start, end).replace(/^[-$@.]+|[.-]+$/g, '');
    OP_VALUE.lastIndex = end;
    const v = OP_VALUE.exec(text);
    if (!v?.indices) continue;
    const group = v[5] !== undefined ? 5 : v[7] !== undefined ? 7 : 8;
    let value = v[group];
    let span = v.indices[group];
    if (value === undefined || !span) continue;
    const op = v[2]!;
    let quoted = group === 5;
    // A quoted name is the whole string: `'age secret key', '...'` names nothing.
    const quote = /["'`]/.exec(v[1]!)?.[0];
    if (quote && text[start - 1] !== quote) continue;
    // `name, value` is a call with a quoted name (`setProperty("KEY", "...")`) or a CSV line starting with the name.
    if (op === ',' && (quote ? !/^\\?["'`]$/.test(v[1]!) : start > 0 && text[start - 1] !== '\n')) continue;
    // A quoted header value in code: `"Authorization": "Bearer abc..."` - the token is the secret.
    const scheme = quoted ? /^(?:Bearer|Basic|Token|token)[ \t]+/.exec(value) : null;
    if (scheme) {
      value = value.slice(scheme[0].length);
      span = [span[0] + scheme[0].length, span[1]];
    }
    if (/\s/.test(value)) continue;
    // `NAME=value` on a line of its own (.env, shell): a literal, everything up to the next space.
    const envLine = group === 8 && op === '=' && /^[A-Z][A-Z0-9_]*$/.test(name) && /(?:^|\n)(?:export[ \t]+)?$/.test(text.slice(Math.max(0, start - 8), start));
    if (envLine) {
      const whole = /^\S+/.exec(text.slice(span[0]))![0].replace(/["'`;]+$/, '');
      value = whole;
      span = [span[0], span[0] + whole.length];
      quoted = true;
    }
    // An unquoted query-string value ends at the next parameter: `password=abc&ssl=true`.
    const amp = quoted ? -1 : value.search(/&\w+=/);
    if (amp > 0) {
      value = value.slice(0, amp);
      span = [span[0], span[0] + amp];
    }
    // An unquoted value that goes on as an expression (`a || b`, `a ?? b`, `a.b()`) is code.
    if (!quoted && group === 8 && /^[ \t]*(?:\|\||&&|\?\?|\?|[-+*/%]|\.\w|\()/.test(text.slice(span[1], span[1] + 4))) continue;
    // A quoted key with an unquoted identifier (`'Authorization': type1msg`) is code: JSON would quote a string.
    if (quote && !quoted && /^[A-Za-z_$][\w$]*$/.test(value)) continue;
    // A short query parameter (`badge.svg?token=lWZ9OBQ7GM`) is a public id more often than a secret.
    if (/[?&]$/.test(text.slice(start - 1, start)) && value.length < 12) continue;
    const strength = nameStrength(name);
    if (!strength) continue;
    // A bare `key` after a word that makes it harmless: `GPG key: <fingerprint>`, `public key = ...`.
    const before = strength === 'weak' ? /([A-Za-z]+)[ \t]+$/.exec(text.slice(Math.max(0, start - 30), start))?.[1]?.toLowerCase() : undefined;
    if (before && (HARMLESS_KEY.has(before) || HARMLESS_WORDS.has(before))) continue;
    // A call only counts when the value is clearly a secret (`setKey("...")`).
    const strict = strength === 'weak' || op === '(';
    if (!secretValue(value, { strict, quoted })) continue;
    // A short unquoted word with a number in it (`win32con`) is a name; a short password is mixed all through.
    if (!quoted && value.length < 12 && classChanges(value) < 0.4) continue;
    emit('assignment', `secret assigned to ${name.length > 40 ? 'a secret-named setting' : name}`, span[0], span[1]);
  }
}

// XML: <password>...</password> (also over lines), and <add key="ApiKey" value="..."/>.
const XML_ELEMENT = /<([\w.:-]+)>[ \t]*\r?\n?[ \t]*([^<\s]+)[ \t]*\r?\n?[ \t]*<\/\1>/dg;
const XML_KEY_VALUE = /\bkey=(["'])([^"'\n]+)\1[ \t]+value=(["'])([^"'\n]*)\3/dgi;

function xml(text: string, emit: Emit): void {
  if (!text.includes('</') && !/key=/i.test(text)) return;
  for (const m of text.matchAll(XML_ELEMENT)) {
    if (nameStrength(m[1]!) && m.indices?.[2] && secretValue(m[2]!, { quoted: true })) emit('assignment', `secret in <${m[1]}>`, m.indices[2][0], m.indices[2][1]);
  }
  for (const m of text.matchAll(XML_KEY_VALUE)) {
    if (nameStrength(m[2]!) && m.indices?.[4] && secretValue(m[4]!, { quoted: true })) emit('assignment', `secret assigned to ${m[2]}`, m.indices[4][0], m.indices[4][1]);
  }
}

// ---- headers ---------------------------------------------------------------------------------------

const AUTH_SCHEME = /\b(Bearer|Basic|Token|token)[ \t]+([A-Za-z0-9._~+/=-]{12,})(?![\w$}])/dg;

/** `user:password` inside Basic credentials, when the password is one. */
function basicCredentials(b64: string): boolean {
  const decoded = fromBase64Utf8(b64);
  const colon = decoded.indexOf(':');
  if (colon < 0 || /[^\x20-\x7e]/.test(decoded)) return false;
  return plausiblePassword(decoded.slice(colon + 1), decoded.slice(0, colon));
}

function headers(text: string, emit: Emit): void {
  for (const m of text.matchAll(AUTH_SCHEME)) {
    const [, scheme, value] = m;
    const span = m.indices?.[2];
    if (!span || value === undefined) continue;
    const ok = !isDocumented(value) && (scheme === 'Basic' ? basicCredentials(value) : secretValue(value, { quoted: true }));
    if (ok) emit('auth-header', `${scheme} credentials in an Authorization header`, span[0], span[1]);
  }
}

// ---- passwords given on a command line, in URLs and in credential files ---------------------------

/** Obvious non-passwords people write in examples and local setups. */
const COMMON = new Set(['password', 'passwd', 'pass', 'secret', 'changeme', 'admin', 'root', 'guest', 'test', 'user', 'username', 'postgres', 'mysql', 'redis', 'pwd', 'token', 'apikey', 'example', 'default', 'letmein', 'foobar', 'foo', 'bar']);

/** A password that is not an obvious stand-in: for places that hold passwords and nothing else. */
function plausiblePassword(p: string, user?: string): boolean {
  if (p.length < 4 || p === user || COMMON.has(p.toLowerCase()) || isPlaceholder(p) || isReference(p, true)) return false;
  if (/^[a-z]+$/.test(p) && p.length < 12) return false; // a lowercase word
  if (isIdentifierWords(p)) return false; // a variable's name: `--client-secret clientSecret`
  return entropy(p) >= 2.5 || looksRandom(p);
}

const QUOTED_OR_BARE = String.raw`(?:'([^'\n]+)'|"([^"\n]+)"|([^\s'"]+))`;
const CONT = String.raw`(?:[^\n]|\\\r?\n)*?`; // the rest of a command, across backslash continuations
const CLI_RULES: ReadonlyArray<{ id: string; type: string; pattern: RegExp; keyword: string | RegExp; userPass?: boolean }> = [
  { id: 'curl-user', type: 'password in a curl -u option', keyword: 'curl', userPass: true, pattern: new RegExp(String.raw`\bcurl\b${CONT}[ \t](?:-u|--user)(?:=|[ \t]*)${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password in a mysql -p option', keyword: 'mysql', pattern: new RegExp(String.raw`\bmysql(?:dump|admin|import|sh|slap|check)?\b${CONT}[ \t]-p${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password in an sshpass -p option', keyword: 'sshpass', pattern: new RegExp(String.raw`\bsshpass\b${CONT}[ \t]-p[ \t]*${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password in a redis-cli -a option', keyword: 'redis-cli', pattern: new RegExp(String.raw`\bredis-cli\b${CONT}[ \t]-a[ \t]+${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password in a docker login option', keyword: 'login', pattern: new RegExp(String.raw`\b(?:docker|podman|helm|oras)[ \t]+(?:registry[ \t]+)?login\b${CONT}[ \t](?:-p|--password)(?:=|[ \t]+)${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password in an htpasswd -b command', keyword: 'htpasswd', pattern: new RegExp(String.raw`\bhtpasswd\b[ \t]+-\w*b\w*(?:[ \t]+-\w+)*[ \t]+\S+[ \t]+\S+[ \t]+${QUOTED_OR_BARE}`, 'dg') },
  { id: 'cli-password', type: 'password or token in a command-line flag', keyword: /-(?:pass|pwd|token|api|secret|client|auth|access)/, pattern: new RegExp(String.raw`(?:^|[ \t])--?(?:password|passwd|pass|pwd|token|api[-_]?key|secret|client[-_]secret|auth[-_]token|access[-_]token)(?:=|[ \t]+)${QUOTED_OR_BARE}`, 'dgim') },
];

function commandLines(text: string, lower: string, emit: Emit): void {
  for (const r of CLI_RULES) {
    if (typeof r.keyword === 'string' ? !lower.includes(r.keyword) : !r.keyword.test(lower)) continue;
    for (const m of text.matchAll(r.pattern)) {
      const g = m[1] !== undefined ? 1 : m[2] !== undefined ? 2 : 3;
      const span = m.indices?.[g];
      let value = m[g];
      if (!span || value === undefined) continue;
      let start = span[0];
      let user: string | undefined;
      if (r.userPass) {
        const colon = value.indexOf(':');
        if (colon < 0) continue; // curl asks for the password
        user = value.slice(0, colon);
        value = value.slice(colon + 1);
        start += colon + 1;
      }
      if (plausiblePassword(value, user)) emit(r.id, r.type, start, start + value.length);
    }
  }
}

// scheme://user:password@host, scheme://:password@host
const URL_CREDENTIALS = /:\/\/([^\s:/@"'`<>]*):([^\s@/"'`<>]+)@[\w.-]+/dg;

function urls(text: string, emit: Emit): void {
  if (!text.includes('://')) return;
  for (const m of text.matchAll(URL_CREDENTIALS)) {
    const span = m.indices?.[2];
    if (span && plausiblePassword(decodeURIComponentSafe(m[2]!), m[1])) emit('url-credentials', 'password in a URL', span[0], span[1]);
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const PGPASS = /^[^:\s#][^:\s]*:(?:\d+|\*):[^:\s]+:[^:\s]+:(\S+)$/dgm;
const NETRC = /\bmachine[ \t]+\S+(?:\s+(?:login|account)[ \t]+\S+)*\s+password[ \t]+([^\s'"`]+)/dg;
const BASE64_AUTH = /(?:"auth"|\b_auth)[ \t]*[:=][ \t]*"?([A-Za-z0-9+/]{8,}={0,2})/dg;

function credentialFiles(text: string, lower: string, emit: Emit): void {
  if (text.includes(':')) {
    for (const m of text.matchAll(PGPASS)) {
      const span = m.indices?.[1];
      if (span && m[1] !== '*' && plausiblePassword(m[1]!)) emit('pgpass', 'password in a .pgpass line', span[0], span[1]);
    }
  }
  if (lower.includes('machine')) {
    for (const m of text.matchAll(NETRC)) {
      const span = m.indices?.[1];
      if (span && plausiblePassword(m[1]!)) emit('netrc', 'password in a .netrc entry', span[0], span[1]);
    }
  }
  if (lower.includes('auth')) {
    for (const m of text.matchAll(BASE64_AUTH)) {
      const span = m.indices?.[1];
      if (span && basicCredentials(m[1]!)) emit('registry-auth', 'registry credentials (Docker or npm auth)', span[0], span[1]);
    }
  }
}

/** Every context rule over `text`; `lower` is the text in lower case. */
export function runContextRules(text: string, lower: string, emit: Emit): void {
  assignments(text, emit);
  xml(text, emit);
  headers(text, emit);
  commandLines(text, lower, emit);
  urls(text, emit);
  credentialFiles(text, lower, emit);
}
