// Secret scanning before anything leaves for the cloud. secretlint's recommended preset runs in
// process (loaded on first scan, never at activation); our own detectors (secrets/vendors.ts for
// self-naming vendor tokens, secrets/context.ts for assignments, auth headers, command-line flags,
// URLs and credential files) cover what the preset misses. Every finding, secretlint's included,
// passes the same placeholder filter. Findings name the rule and line of a secret, never the secret.
import { runContextRules } from './secrets/context';
import { isPlaceholder } from './secrets/shape';
import { runVendorRules } from './secrets/vendors';

export { entropy } from './secrets/shape';

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

// ---- own detectors -----------------------------------------------------------------------------------

interface Hit { ruleId: string; type: string; start: number; end: number; rank: number }

// When two detectors find the same span, the more specific one names it: a vendor rule, then
// secretlint, then a rule that only knows the context (an assignment, a header, a flag).
const RANK_VENDOR = 0;
const RANK_SECRETLINT = 1;
const RANK_CONTEXT = 2;

function runOwnDetectors(text: string): Hit[] {
  const out: Hit[] = [];
  const lower = text.toLowerCase();
  runVendorRules(text, lower, (ruleId, type, start, end) => out.push({ ruleId, type, start, end, rank: RANK_VENDOR }));
  runContextRules(text, lower, (ruleId, type, start, end) => out.push({ ruleId, type, start, end, rank: RANK_CONTEXT }));
  return out;
}

// ---- secretlint ------------------------------------------------------------------------------------

/** The value a secretlint finding points into, whole: its range may stop short of the value's end or start at its name. */
function valueAt(text: string, start: number, end: number): string {
  const rest = /^[^\s"'`,;]*/.exec(text.slice(end, end + 200))![0];
  const span = text.slice(start, end) + rest;
  return span.slice(span.search(/[^=:\s"']*$/));
}

/** A secretlint finding on a placeholder (its value, or the password of a connection URL, is one). */
function placeholderHit(text: string, h: Hit): boolean {
  const urlPassword = /:\/\/[^:\s/@]*:([^@\s/]+)@/.exec(text.slice(h.start, h.end))?.[1];
  return isPlaceholder(valueAt(text, h.start, h.end)) || (urlPassword !== undefined && isPlaceholder(urlPassword));
}

type Lint = (text: string, fileName: string | undefined) => Promise<Hit[]>;
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
        return { ruleId: `secretlint/${rule}`, type: `${rule} (${m.messageId})`, start: m.range[0], end: m.range[1], rank: RANK_SECRETLINT };
      }).filter((h) => !placeholderHit(text, h));
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
  const raw: Hit[] = [];
  try {
    raw.push(...runOwnDetectors(text));
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

/** Merges overlapping hits (one span covering them all, named by the most specific rule) and adds line, column and a secret-free message. */
function toFindings(text: string, raw: Hit[]): SecretFinding[] {
  // secretlint reports some secrets with their surroundings (a whole connection URL, `name = value`);
  // where our own detectors found the secret there, their exact span is kept, so redaction leaves the
  // rest intact. A secretlint finding that reaches past what we found is kept (merged below).
  const own = raw.filter((h) => h.rank !== RANK_SECRETLINT);
  const precise = raw.filter((h) => h.rank !== RANK_SECRETLINT || !own.some((o) => o.start < h.end && o.end > h.start && (o.start >= h.start ? o.end <= h.end : h.end <= o.end)));
  const sorted = [...precise].sort((a, b) => a.start - b.start || a.rank - b.rank || (b.end - b.start) - (a.end - a.start));
  const kept: typeof raw = [];
  for (const r of sorted) {
    const last = kept[kept.length - 1];
    if (last && r.start < last.end) {
      if (r.end > last.end) last.end = r.end; // extend to cover both
      if (r.rank < last.rank) Object.assign(last, { ruleId: r.ruleId, type: r.type, rank: r.rank });
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
  const parts = findings.slice(0, 5).map((f) => `${f.type}${f.line > 0 ? ` (line ${f.line})` : ''} [rule ${f.ruleId}]`);
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
