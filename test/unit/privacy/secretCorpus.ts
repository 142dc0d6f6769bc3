// The secret-detection corpus: generated, seeded, and written from vendors' published token formats
// and the places secrets are kept - never from the detectors' own patterns, so it measures them.
//   positives: >= 60 vendor formats plus assignment, header, command-line, connection-string and
//              credential-file forms; every sample holds one distinct secret and says where it is.
//   negatives: clean text by category (placeholders, documented example keys, references to secrets
//              kept elsewhere, hashes, UUIDs, lock files, images, minified code, ordinary source...).
// Decisions: AWS's and Stripe's documented example keys, Stripe publishable keys, Sentry DSNs and
// OAuth client ids are NOT secrets (they are published on purpose); placeholders and environment
// lookups are not either.
import { rng } from '../../seededRandom';
import { ASSIGNMENTS, CLI, CONNECTION_STRINGS, CREDENTIAL_FILES, HEADERS, type FormSample } from './secretsCorpus/forms';
import { NEGATIVE_CATEGORIES } from './secretsCorpus/negatives';
import { camel, Rand } from './secretsCorpus/random';
import { VENDORS } from './secretsCorpus/vendors';

export { rng };

export interface Positive {
  /** The vendor format or the form, e.g. `github-pat`, `curl-user`. */
  format: string;
  group: 'vendor' | FormSample['group'];
  text: string;
  /** Where the secret is in `text`. */
  start: number;
  end: number;
  fileName?: string;
}

export interface Negative {
  category: string;
  text: string;
  fileName?: string;
}

const ASSIGN_CONTEXTS: ReadonlyArray<(name: string, v: string) => string> = [
  (n, v) => `LOG_LEVEL=info\n${n}=${v}\n`,
  (n, v) => `export ${n}="${v}"\n`,
  (n, v) => `const ${camel(n)} = '${v}';\n`,
  (n, v) => `service:\n  ${n.toLowerCase()}: ${v}\n`,
  (n, v) => `{\n  "region": "eu-west-1",\n  "${camel(n)}": "${v}"\n}\n`,
  (n, v) => `${n.toLowerCase()} = "${v}"\n`,
];

const BARE_CONTEXTS: ReadonlyArray<(v: string) => string> = [
  (v) => `client = Client("${v}")\nclient.sync()\n`,
  (v) => `// TODO remove before release: ${v}\n`,
  (v) => `await fetch(url, { method: 'POST', body: JSON.stringify({ key: \`${v}\` }) });\n`,
];

function positive(format: string, group: Positive['group'], text: string, secret: string, fileName?: string): Positive {
  // A multi-line secret inside a JSON or quoted string is there with its line breaks escaped.
  const written = [secret, JSON.stringify(secret).slice(1, -1)].find((s) => text.includes(s));
  if (written === undefined || secret.length < 6) throw new Error(`corpus bug: ${format} does not contain its secret: ${JSON.stringify(secret)} in ${JSON.stringify(text)}`);
  const start = text.indexOf(written);
  return { format, group, text, start, end: start + written.length, fileName };
}

/** `perFormat` samples of every format; each negative generator up to 3 times (distinct texts only). */
export function buildCorpus(seed = 20251203, perFormat = 3): { positives: Positive[]; negatives: Negative[] } {
  const r = new Rand(seed);
  const positives: Positive[] = [];
  for (const v of VENDORS) {
    for (let i = 0; i < perFormat; i++) {
      let secret = v.make(r);
      let text: string;
      if (v.text) {
        const out = v.text(r, secret);
        ({ text, secret } = typeof out === 'string' ? { text: out, secret } : out);
      }
      else if (v.bare && i === perFormat - 1) text = r.pick(BARE_CONTEXTS)(secret);
      else text = ASSIGN_CONTEXTS[(i + v.id.length) % ASSIGN_CONTEXTS.length]!(v.name, secret);
      positives.push(positive(v.id, 'vendor', text, secret));
    }
  }
  const forms = [
    ['assignment', ASSIGNMENTS], ['header', HEADERS], ['cli', CLI], ['connection-string', CONNECTION_STRINGS], ['credential-file', CREDENTIAL_FILES],
  ] as const;
  for (const [group, table] of forms) {
    for (const [format, make] of Object.entries(table)) {
      for (let i = 0; i < perFormat; i++) {
        const s = make(r);
        positives.push(positive(format, group, s.text, s.secret, s.fileName));
      }
    }
  }
  const negatives: Negative[] = [];
  for (const [category, gens] of Object.entries(NEGATIVE_CATEGORIES)) {
    for (const gen of gens) {
      const seen = new Set<string>();
      for (let i = 0; i < 3; i++) {
        const out = gen(r);
        const sample = typeof out === 'string' ? { text: out } : out;
        if (seen.has(sample.text)) continue;
        seen.add(sample.text);
        negatives.push({ category, ...sample });
      }
    }
  }
  return { positives, negatives };
}
