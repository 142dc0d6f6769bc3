// Secret scanning before anything leaves for the cloud. secretlint's recommended preset runs in
// process (loaded on first scan, never at activation); a few extra detectors below cover formats
// the preset misses. Findings name the type and line of a secret, never the secret itself.

export interface SecretFinding {
  /** Detector id, e.g. `aws-access-key` or `secretlint/github`. Also the redaction placeholder's name. */
  ruleId: string;
  /** Plain words for the type, e.g. "AWS access key id". */
  type: string;
  /** 1-based line. 0 when the finding is not tied to a line (scanner failure). */
  line: number;
  /** 1-based column. */
  column?: number;
  /** Secret-free message, e.g. "AWS access key id on line 3". */
  message: string;
  /** Character offsets of the secret in the scanned text, for redaction. Absent when unknown. */
  start?: number;
  end?: number;
}

export interface ScanOptions {
  /** Shown to some secretlint rules (e.g. `.npmrc` handling); never read from disk. */
  fileName?: string;
}

/** Placeholder that replaces a secret on redaction. */
export function placeholder(ruleId: string): string {
  return `<redacted:${ruleId.replace(/^secretlint\//, '')}>`;
}

// ---- extra detectors -------------------------------------------------------------------------------

interface Detector {
  id: string;
  type: string;
  /** Global regex; when `group` is set only that capture group is the secret. */
  pattern: RegExp;
  group?: number;
  /** Extra check on the captured value (e.g. entropy, placeholder filtering). */
  accept?: (value: string) => boolean;
}

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

// Documentation placeholders are not secrets: AWS's own example key and values that say so.
const PLACEHOLDER = /example|sample|dummy|placeholder|changeme|change_me|your[_-]|<[^>]*>|\$\{|\{\{|xxxx|\*\*\*\*|redacted|todo|fixme|^(?:test|password|secret|null|none|true|false)$/i;

function notPlaceholder(v: string): boolean {
  return !PLACEHOLDER.test(v);
}

/** A value assigned to a secret-sounding name: long enough, random enough, not code. */
function looksLikeSecretValue(v: string): boolean {
  if (v.length < 10 || v.length > 200) return false;
  if (!notPlaceholder(v)) return false;
  // Code, not a literal: env lookups, calls, member accesses, template references.
  if (/^(?:process\.env|os\.environ|env\.|getenv|config\.|settings\.|self\.|this\.)/i.test(v) || /[()[\]]/.test(v)) return false;
  if (/^[a-z_]+(?:\.[a-z_]+)+$/i.test(v)) return false; // dotted identifier
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(v)).length;
  if (classes < 2) return false;
  // 3.0 bits/char separates random strings (typically > 3.5) from words and snake_case names.
  return entropy(v) >= 3.0;
}

const SECRET_NAMES = String.raw`(?:password|passwd|passphrase|pwd|secret|secret[_-]?key|client[_-]?secret|api[_-]?key|apikey|access[_-]?key|access[_-]?token|auth[_-]?token|bearer[_-]?token|private[_-]?key|token|credentials?)`;

const EXTRA_DETECTORS: readonly Detector[] = [
  // secretlint's AWS rule reports the secret access key; the key id alone is also a secret worth keeping home.
  // AWS's documented example id (AKIAIOSFODNN7EXAMPLE) is deliberately not a finding.
  { id: 'aws-access-key', type: 'AWS access key id', pattern: /\b((?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z2-7]{16})\b/g, group: 1, accept: (v) => !v.endsWith('EXAMPLE') },
  // Google API keys (Maps, Gemini, Firebase...): the gcp rule only knows service-account files.
  { id: 'google-api-key', type: 'Google API key', pattern: /\b(AIza[0-9A-Za-z_-]{35})(?![0-9A-Za-z_-])/g, group: 1 },
  // OpenAI project, service-account and admin keys (the preset knows the older `sk-...T3BlbkFJ...` shape).
  { id: 'openai-api-key', type: 'OpenAI API key', pattern: /\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,})/g, group: 1 },
  // GitHub fine-grained personal access tokens.
  { id: 'github-fine-grained-pat', type: 'GitHub fine-grained token', pattern: /\b(github_pat_[A-Za-z0-9_]{50,})/g, group: 1 },
  // npm access tokens.
  { id: 'npm-token', type: 'npm access token', pattern: /\b(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])/g, group: 1 },
  // Stripe secret and restricted keys (publishable `pk_` keys are meant to be public).
  { id: 'stripe-key', type: 'Stripe secret key', pattern: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{20,})/g, group: 1, accept: (v) => entropy(v.slice(8)) >= 3 },
  // JSON Web Tokens: three base64url parts, the first two JSON objects (`eyJ` = `{"`).
  { id: 'jwt', type: 'JSON Web Token', pattern: /\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})/g, group: 1 },
  // PEM private keys also when embedded in JSON or escaped strings (the preset wants real line breaks).
  { id: 'private-key', type: 'private key', pattern: /(-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$))/g, group: 1 },
  // Slack tokens and webhooks as a backstop for shapes the preset's stricter patterns skip.
  { id: 'slack-token', type: 'Slack token', pattern: /\b(xox[abposr]-[0-9A-Za-z-]{20,})/g, group: 1 },
  // Credentials in a connection URL: scheme://user:password@host (any scheme).
  { id: 'url-credentials', type: 'password in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s@/"'`]{3,})@[^\s"'`]+/gi, group: 1, accept: (v) => notPlaceholder(v) && !/^\$|^%|^\*+$/.test(v) },
  // Generic: `password = "..."`, `api_key: ...`, `"clientSecret": "..."` with a random-looking value.
  {
    id: 'generic-secret',
    type: 'secret-looking assignment',
    pattern: new RegExp(String.raw`[A-Za-z0-9_.-]*${SECRET_NAMES}[A-Za-z0-9_]*["']?\s*(?::=|=>|[:=])\s*["'\x60]?([^\s"'\x60,;]+)`, 'gi'),
    group: 1,
    accept: looksLikeSecretValue,
  },
];

function runExtraDetectors(text: string): Array<{ ruleId: string; type: string; start: number; end: number }> {
  const out: Array<{ ruleId: string; type: string; start: number; end: number }> = [];
  for (const d of EXTRA_DETECTORS) {
    d.pattern.lastIndex = 0;
    for (const m of text.matchAll(d.pattern)) {
      const value = m[d.group ?? 0];
      if (value === undefined || m.index === undefined) continue;
      if (d.accept && !d.accept(value)) continue;
      const start = m.index + m[0].indexOf(value);
      out.push({ ruleId: d.id, type: d.type, start, end: start + value.length });
    }
  }
  return out;
}

// ---- secretlint ------------------------------------------------------------------------------------

type Lint = (text: string, fileName: string | undefined) => Promise<Array<{ ruleId: string; type: string; start: number; end: number }>>;
let secretlint: Promise<Lint> | undefined;

/** Loads secretlint on first use: it is not needed until something is about to go to the cloud. */
function loadSecretlint(): Promise<Lint> {
  secretlint ??= (async () => {
    const [{ lintSource }, { creator }] = await Promise.all([
      import('@secretlint/core'),
      import('@secretlint/secretlint-rule-preset-recommend'),
    ]);
    const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: creator }] };
    return async (text, fileName) => {
      const result = await lintSource({
        source: { filePath: fileName ?? 'untitled.txt', content: text, contentType: 'text' },
        options: { config, noPhysicFilePath: true, maskSecrets: true },
      });
      return result.messages.map((m) => {
        const rule = m.ruleId.replace('@secretlint/secretlint-rule-', '');
        // messageId names the kind (e.g. GITHUB_TOKEN); `message` itself would contain the secret.
        return { ruleId: `secretlint/${rule}`, type: `${rule} (${m.messageId})`, start: m.range[0], end: m.range[1] };
      });
    };
  })();
  secretlint.catch(() => {
    secretlint = undefined; // try again next time
  });
  return secretlint;
}

// ---- public API ------------------------------------------------------------------------------------

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Every secret found in `text`, by type and position. If a detector fails, the result carries a
 * `scanner-error` finding so callers keep the request local (fail closed).
 */
export async function scanSecrets(text: string, opts: ScanOptions = {}): Promise<SecretFinding[]> {
  const raw = runExtraDetectors(text);
  try {
    const lint = await loadSecretlint();
    raw.push(...(await lint(text, opts.fileName)));
  } catch (err) {
    return [...toFindings(text, raw), {
      ruleId: 'scanner-error',
      type: 'secret scan failure',
      line: 0,
      message: `the secret scanner failed (${err instanceof Error ? err.name : 'error'}); treating the text as containing a secret`,
    }];
  }
  return toFindings(text, raw);
}

/** Merges overlapping hits (the longest wins) and adds line, column and a secret-free message. */
function toFindings(text: string, raw: Array<{ ruleId: string; type: string; start: number; end: number }>): SecretFinding[] {
  const sorted = [...raw].sort((a, b) => a.start - b.start || (b.end - b.start) - (a.end - a.start));
  const kept: typeof raw = [];
  for (const r of sorted) {
    const last = kept[kept.length - 1];
    if (last && r.start < last.end) {
      if (r.end > last.end) last.end = r.end; // extend to cover both
      continue;
    }
    kept.push({ ...r });
  }
  return kept.map((r) => {
    const { line, column } = lineAndColumn(text, r.start);
    return { ruleId: r.ruleId, type: r.type, line, column, start: r.start, end: r.end, message: `${r.type} on line ${line}` };
  });
}

/** `text` with each located finding replaced by `<redacted:rule>`. */
export function redactSecrets(text: string, findings: readonly SecretFinding[]): string {
  const located = findings.filter((f) => f.start !== undefined && f.end !== undefined)
    .sort((a, b) => b.start! - a.start!);
  let out = text;
  let limit = Infinity;
  for (const f of located) {
    if (f.end! > limit) continue; // overlaps one already replaced
    out = out.slice(0, f.start) + placeholder(f.ruleId) + out.slice(f.end);
    limit = f.start!;
  }
  return out;
}

/** One line for the user: what was found where, never the value. */
export function describeFindings(findings: readonly SecretFinding[], source?: string): string {
  const where = source ? ` in ${source}` : '';
  const parts = findings.slice(0, 5).map((f) => (f.line > 0 ? `${f.type} (line ${f.line})` : f.type));
  const more = findings.length > 5 ? ` and ${findings.length - 5} more` : '';
  return `possible secret${findings.length === 1 ? '' : 's'}${where}: ${parts.join(', ')}${more}`;
}

export type SecretsMode = 'keep-local' | 'redact';

export interface SecretsVerdict {
  /** `send`: nothing found; `redact`: send `text` (redacted); `keep-local`: do not send to the cloud. */
  action: 'send' | 'redact' | 'keep-local';
  text: string;
  findings: SecretFinding[];
  /** Plain words for the log and the "why this route" view; empty when nothing was found. */
  reason: string;
}

/**
 * What to do with text bound for the cloud. Keep-local by default; redaction only when every
 * finding can be located (a scanner failure always keeps the request local).
 */
export async function checkSecretsForCloud(text: string, mode: SecretsMode, opts: ScanOptions & { source?: string } = {}): Promise<SecretsVerdict> {
  const findings = await scanSecrets(text, opts);
  if (findings.length === 0) return { action: 'send', text, findings, reason: '' };
  const what = describeFindings(findings, opts.source);
  if (mode === 'redact' && findings.every((f) => f.start !== undefined)) {
    return { action: 'redact', text: redactSecrets(text, findings), findings, reason: `${what}; redacted before sending` };
  }
  return { action: 'keep-local', text, findings, reason: `kept local: ${what}` };
}

/** Replaces key-shaped strings in a message bound for a log or an error (defence in depth). */
export function redactKeyShaped(message: string): string {
  return message
    .replace(/\b(?:sk|rk|pk)[-_](?:ant-|proj-|svcacct-|admin-|live_|test_)?[A-Za-z0-9_-]{16,}/g, '<redacted:key>')
    .replace(/\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|npm_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{30,}|(?:AKIA|ASIA)[A-Z2-7]{16})/g, '<redacted:key>')
    .replace(/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, '<redacted:jwt>')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{12,}/gi, '$1 <redacted>')
    .replace(/((?:api[_-]?key|x-api-key|authorization|password|token)["']?\s*[:=]\s*["']?)[^\s"',;]{8,}/gi, '$1<redacted>')
    .replace(/(:\/\/[^\s:/@]+:)[^\s@/]+@/g, '$1<redacted>@');
}
