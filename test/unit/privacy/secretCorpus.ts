// A generated corpus for measuring secret detection: positives in realistic formats across many
// secret types, and negatives that look close (hashes, UUIDs, documented examples, placeholders).
// Seeded, so every run scans the same text.
//
// Decisions recorded here:
// - AWS's documented example key id `AKIAIOSFODNN7EXAMPLE` (and secret `...EXAMPLEKEY`) is a NEGATIVE:
//   it appears in docs and tests everywhere and is not a credential.
// - Stripe publishable keys (`pk_live_...`) are NEGATIVE: they are meant to be embedded in web pages.
// - Placeholders (`password = "changeme"`, `<your-api-key>`, `${API_KEY}`) and environment lookups are NEGATIVE.

import { rng } from '../../seededRandom';

export { rng };

export interface Sample {
  type: string;
  text: string;
  fileName?: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;

export function buildCorpus(seed = 20240501, perType = 8): { positives: Sample[]; negatives: Sample[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const str = (alphabet: string, n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
  const digits = (n: number): string => str('0123456789', n);
  const b64url = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const pem = (label: string): string => {
    const body = Array.from({ length: 6 }, () => str(B64, 64)).join('\n');
    return `-----BEGIN ${label}-----\n${body}\n${str(B64, 20)}==\n-----END ${label}-----`;
  };
  const ctx = (line: string): string => pick([
    `// configuration\n${line}\nconsole.log('ready');`,
    `import os\n\n${line}\nprint("ok")`,
    `${line}`,
    `# settings\n${line}\n`,
  ]);

  const generators: Record<string, () => Sample> = {
    'aws-access-key-id': () => ({ type: 'aws', text: ctx(`aws_access_key_id = ${pick(['AKIA', 'ASIA'])}${str(UPPER32, 16)}`) }),
    'aws-secret': () => ({ type: 'aws', text: ctx(`aws_secret_access_key = "${str(B64, 40)}"`) }),
    'github-pat': () => ({ type: 'github', text: ctx(`const token = "ghp_${str(ALNUM, 36)}";`) }),
    'github-oauth': () => ({ type: 'github', text: ctx(`GITHUB_TOKEN=${pick(['gho', 'ghu', 'ghs', 'ghr'])}_${str(ALNUM, 36)}`) }),
    'github-fine-grained': () => ({ type: 'github', text: ctx(`token: github_pat_${str(ALNUM, 22)}_${str(ALNUM, 59)}`) }),
    'slack-token': () => ({ type: 'slack', text: ctx(`SLACK_BOT_TOKEN=xoxb-${digits(12)}-${digits(13)}-${str(ALNUM, 24)}`) }),
    'slack-user-token': () => ({ type: 'slack', text: ctx(`slack = "xoxp-${digits(12)}-${digits(12)}-${digits(13)}-${str(HEX, 32)}"`) }),
    'slack-webhook': () => ({ type: 'slack', text: ctx(`webhook = "https://hooks.slack.com/services/T${str(UPPER32, 10)}/B${str(UPPER32, 10)}/${str(ALNUM, 24)}"`) }),
    'stripe-live': () => ({ type: 'stripe', text: ctx(`stripe.api_key = "sk_live_${str(ALNUM, 24 + Math.floor(r() * 75))}"`) }),
    'stripe-test': () => ({ type: 'stripe', text: ctx(`const stripe = new Stripe('sk_test_${str(ALNUM, 24 + Math.floor(r() * 75))}');`) }),
    'stripe-restricted': () => ({ type: 'stripe', text: ctx(`STRIPE_KEY=rk_live_${str(ALNUM, 24 + Math.floor(r() * 75))}`) }),
    'google-api-key': () => ({ type: 'google', text: ctx(`const mapsKey = "AIza${str(`${ALNUM}-_`, 35)}";`) }),
    'gcp-service-account': () => ({
      type: 'google',
      fileName: 'service-account.json',
      text: JSON.stringify({ type: 'service_account', project_id: 'demo-123', private_key_id: str(HEX, 40), private_key: `${pem('PRIVATE KEY')}\n`, client_email: 'svc@demo-123.iam.gserviceaccount.com' }, null, 2),
    }),
    'private-key-rsa': () => ({ type: 'private-key', text: pem('RSA PRIVATE KEY') }),
    'private-key-pkcs8': () => ({ type: 'private-key', text: `const key = \`${pem('PRIVATE KEY')}\`;` }),
    'private-key-ec': () => ({ type: 'private-key', text: pem('EC PRIVATE KEY') }),
    'private-key-openssh': () => ({ type: 'private-key', text: pem('OPENSSH PRIVATE KEY') }),
    jwt: () => {
      const token = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: digits(10), name: 'Jane Doe', iat: 1516239022 + Math.floor(r() * 1e6) })}.${str(B64URL, 43)}`;
      return { type: 'jwt', text: ctx(`Authorization: Bearer ${token}`) };
    },
    'openai-project-key': () => ({ type: 'openai', text: ctx(`OPENAI_API_KEY=sk-proj-${str(`${ALNUM}-_`, 74)}T3BlbkFJ${str(`${ALNUM}-_`, 74)}`) }),
    'openai-legacy-key': () => ({ type: 'openai', text: ctx(`openai.api_key = "sk-${str(ALNUM, 20)}T3BlbkFJ${str(ALNUM, 20)}"`) }),
    'anthropic-key': () => ({ type: 'anthropic', text: ctx(`ANTHROPIC_API_KEY=sk-ant-api03-${str(`${ALNUM}-_`, 93)}AA`) }),
    'npm-token': () => ({ type: 'npm', fileName: '.npmrc', text: `//registry.npmjs.org/:_authToken=npm_${str(ALNUM, 36)}\n` }),
    'postgres-url': () => ({ type: 'database', text: ctx(`DATABASE_URL=postgres://app_user:${str(ALNUM, 16)}@db.internal:5432/app`) }),
    'mysql-url': () => ({ type: 'database', text: ctx(`url = "mysql://root:${str(ALNUM, 14)}@127.0.0.1:3306/shop"`) }),
    'mongodb-url': () => ({ type: 'database', text: ctx(`const uri = "mongodb+srv://admin:${str(ALNUM, 18)}@cluster0.${str('abcdefghij', 5)}.mongodb.net/prod";`) }),
    'basic-auth-url': () => ({ type: 'basic-auth', text: ctx(`curl https://deploy:${str(ALNUM, 14)}@git.example.com/repo.git`) }),
    'generic-password': () => ({ type: 'generic', text: ctx(`password = "${str(ALNUM, 6)}!${str(ALNUM, 8)}"`) }),
    'generic-api-key-yaml': () => ({ type: 'generic', text: `service:\n  name: billing\n  api_key: ${str(ALNUM, 32)}\n` }),
    'generic-client-secret-json': () => ({ type: 'generic', text: JSON.stringify({ clientId: 'web-app', clientSecret: str(`${ALNUM}~._-`, 40) }, null, 2) }),
    'generic-token-env': () => ({ type: 'generic', text: `API_TOKEN=${str(HEX, 40)}\nDEBUG=false\n` }),
    'sendgrid-key': () => ({ type: 'sendgrid', text: ctx(`SENDGRID_API_KEY=SG.${str(`${ALNUM}-_`, 22)}.${str(`${ALNUM}-_`, 43)}`) }),
  };

  const negatives: Sample[] = [];
  const neg = (type: string, text: string, fileName?: string): void => {
    negatives.push({ type, text, fileName });
  };
  const uuid = (): string => `${str(HEX, 8)}-${str(HEX, 4)}-4${str(HEX, 3)}-a${str(HEX, 3)}-${str(HEX, 12)}`;
  for (let i = 0; i < perType; i++) {
    neg('code', `export function add(a: number, b: number): number {\n  return a + b; // ${str('abcdefghij ', 30)}\n}`);
    neg('code', `const passwordField = document.querySelector('#password');\nconst token = await getToken(user);\nif (!token) throw new Error('no token');`);
    neg('code', `def authenticate(password, secret_key):\n    return hmac.compare_digest(hash_password(password), stored)`);
    neg('uuid', `const requestId = "${uuid()}";\nconst sessionId = '${uuid()}';`);
    neg('lockfile', `"node_modules/${str('abcdefgh', 6)}": {\n  "version": "1.${digits(1)}.${digits(1)}",\n  "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz",\n  "integrity": "sha512-${str(B64, 86)}=="\n}`, 'package-lock.json');
    neg('lockfile', `${str('abcdefgh', 7)}@^2.0.0:\n  version "2.0.${digits(1)}"\n  resolved "https://registry.yarnpkg.com/x/-/x-2.0.0.tgz#${str(HEX, 40)}"\n  integrity sha1-${str(B64, 27)}=`, 'yarn.lock');
    neg('git-sha', `commit ${str(HEX, 40)}\nMerge: ${str(HEX, 7)} ${str(HEX, 7)}\nAuthor: Dev <dev@example.com>`);
    neg('hash', `const expected = "${str(HEX, 64)}"; // sha256 of the fixture`);
    neg('aws-example', `aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`);
    neg('placeholder', `password = "changeme"\napi_key = "<your-api-key>"\ntoken: \${API_TOKEN}`);
    neg('placeholder', `OPENAI_API_KEY=your_openai_api_key_here\nSTRIPE_KEY=sk_test_XXXXXXXXXXXXXXXXXXXXXXXX`);
    neg('env-lookup', `api_key = os.environ["API_KEY"]\nsecret = process.env.CLIENT_SECRET\npassword = config.get("db.password")`);
    neg('stripe-publishable', `const stripe = Stripe('pk_live_${str(ALNUM, 24)}');`);
    neg('css', `.button { color: #${str(HEX, 6)}; background: rgba(0,0,0,.${digits(1)}); }`);
    neg('base64-image', `const icon = "data:image/png;base64,${str(B64, 120)}";`);
    neg('url', `const docs = "https://example.com/api/v2/users?page=${digits(2)}&sort=asc";\nfetch(\`\${base}/items/\${id}\`);`);
    neg('config', `token_url = "https://auth.example.com/oauth/token"\npassword_min_length = 12\nsecret_rotation_days = 90`);
    neg('public-key', `-----BEGIN PUBLIC KEY-----\n${str(B64, 64)}\n${str(B64, 64)}\n-----END PUBLIC KEY-----`);
    neg('prose', `The access token expires after one hour; refresh it with the refresh token. Never commit your password or secret key.`);
    neg('test-names', `it('rejects an invalid api_key', () => {\n  expect(validate({ api_key: "" })).toBe(false);\n});`);
  }
  const positives: Sample[] = [];
  for (const [, gen] of Object.entries(generators)) for (let i = 0; i < perType; i++) positives.push(gen());
  return { positives, negatives };
}
