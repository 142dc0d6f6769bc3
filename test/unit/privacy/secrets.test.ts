import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkSecretsForCloud, describeFindings, entropy, placeholder, redactKeyShaped, redactSecrets, scanSecrets } from '../../../src/core/privacy/secrets';
import { buildCorpus } from './secretCorpus';

// Test values are joined from parts so that no line here reads as a real token.
const j = (...parts: string[]): string => parts.join('');
const GH = j('gh', 'p_', 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8');
const AWS_ID = j('AK', 'IAZ3MSJV4WWNKWW5FG');

describe('secret scanning corpus', () => {
  const { positives, negatives } = buildCorpus();

  it('finds >= 95 % of distinct secrets and flags <= 2 % of clean text', async () => {
    const missed: string[] = [];
    for (const s of positives) {
      const findings = await scanSecrets(s.text, { fileName: s.fileName });
      if (!findings.some((f) => f.start! < s.end && f.end! > s.start)) missed.push(s.format);
    }
    const flagged: string[] = [];
    for (const s of negatives) {
      const findings = await scanSecrets(s.text, { fileName: s.fileName });
      if (findings.length > 0) flagged.push(`${s.category}: ${findings.map((f) => f.ruleId).join(',')}`);
    }
    assert.ok(positives.length >= 300 && new Set(positives.filter((p) => p.group === 'vendor').map((p) => p.format)).size >= 60, 'corpus covers >= 60 vendor formats');
    assert.ok(negatives.length >= 300, 'corpus has >= 300 negatives');
    const recall = 1 - missed.length / positives.length;
    const fpr = flagged.length / negatives.length;
    assert.ok(recall >= 0.95, `recall ${recall}; missed ${missed.join(', ')}`);
    assert.ok(fpr <= 0.02, `false-positive rate ${fpr}; ${flagged.join('; ')}`);
  });

  it('never echoes the secret in a finding or its description', async () => {
    for (const s of positives.filter((_, i) => i % 5 === 0)) {
      const findings = await scanSecrets(s.text, { fileName: s.fileName });
      const secret = s.text.slice(s.start, s.end);
      for (const f of findings) assert.ok(!JSON.stringify({ ...f, start: 0, end: 0 }).includes(secret), `${f.ruleId} echoes the secret`);
      assert.ok(!describeFindings(findings).includes(secret));
    }
  });
});

describe("Switchyard's own source", () => {
  function files(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  }

  it('has no finding in any file of src/', async () => {
    const all = files('src').filter((f) => /\.(ts|json|js|mjs)$/.test(f));
    assert.ok(all.length > 50, 'src/ was found');
    const flagged: string[] = [];
    for (const file of all) {
      const findings = await scanSecrets(readFileSync(file, 'utf8'), { fileName: file });
      if (findings.length) flagged.push(`${file}: ${findings.map((f) => `${f.ruleId} line ${f.line}`).join(', ')}`);
    }
    assert.deepEqual(flagged, []);
  });
});

describe('where secrets are written', () => {
  const secret = j('Qm8', 'vX2zR4', 'kLp9Wn3Bc6Hy1Fd5');
  const forms: Record<string, string> = {
    'ini': 'deployToken = "{s}"', 'ini unquoted': 'deployToken={s}', 'json': '{\n    "deploy_token": "{s}"\n}',
    'json escaped': '\\{\n    \\"deploy_token\\": \\"{s}\\"\n\\}', 'xml element': '<deployToken>{s}</deployToken>',
    'xml element over lines': '<deployToken>\n    {s}\n</deployToken>', 'xml add key': '<add key="DeployToken" value="{s}" />',
    'yaml': 'deploy_token: {s}', 'yaml literal block': 'deploy_token: |\n  {s}', 'yaml folded block': 'deploy_token: >\n  {s}',
    'C#': 'string deployToken = "{s}";', 'C# verbatim': 'var deployToken = @"{s}";', 'go typed var': 'var deployToken string = "{s}"',
    'go short': 'deployToken := "{s}"', 'go raw string': 'deployToken := `{s}`', 'kotlin': 'val deployToken: String = "{s}"',
    'php concat': '$deployToken .= "{s}";', 'php array': "'deploy_token' => '{s}',", 'python bytes': 'deploy_token = b"{s}"',
    'java setProperty': 'System.setProperty("DEPLOY_TOKEN", "{s}");', 'php define': "define('DEPLOY_TOKEN', '{s}');",
    'csv': 'deployToken,{s},', 'logstash': '  "deployToken" => "{s}"', 'make ?=': 'DEPLOY_TOKEN ?= {s}', 'make ::=': 'DEPLOY_TOKEN ::= "{s}"',
    'make :::=': 'DEPLOY_TOKEN :::= "{s}"', 'make +=': 'DEPLOY_TOKEN += "{s}"', 'make :=': 'DEPLOY_TOKEN := {s}',
    'shell export': "export DEPLOY_TOKEN='{s}'", 'powershell': '$env:DEPLOY_TOKEN = "{s}"', 'dockerfile': 'ENV DEPLOY_TOKEN={s}',
    'header': 'Authorization: Bearer {s}', 'header in code': '{ "Authorization": "Bearer {s}" }', 'x-api-key header': 'X-Api-Key: {s}',
    'cli flag': './deploy --token={s}', 'curl -u': 'curl -u deploy:{s} https://ci.internal/', 'mysql -p': "mysql -u root -p'{s}' shop",
    'url': 'postgres://deploy:{s}@db.internal:5432/app', 'redis url': 'redis://:{s}@cache:6379', 'ADO.NET': 'Server=db;User Id=sa;Password={s};',
    '.pgpass': 'db.internal:5432:app:deploy:{s}', '.netrc': 'machine api.internal login deploy password {s}',
  };
  for (const [form, template] of Object.entries(forms)) {
    it(form, async () => {
      const text = template.replaceAll('{s}', secret);
      const f = await scanSecrets(text);
      assert.deepEqual(f.map((x) => text.slice(x.start, x.end)), [secret], text);
      assert.equal(redactSecrets(text, f), template.replaceAll('{s}', placeholder(f[0]!.ruleId)));
    });
  }
});

describe('what is not a secret', () => {
  it('an empty setting followed by another is two empty settings, not a value (KEY= then NEXT=)', async () => {
    for (const text of [
      'API_TOKEN=\nSENTRY_DSN_ENVIRONMENT=staging-2\n',
      'DB_PASSWORD=\nDB_HOST_REPLICA_1=db-replica-1.internal\n',
      'export SECRET_KEY=\nexport NEXT_PUBLIC_API_BASE=https://api.internal/v2\n',
    ]) {
      assert.deepEqual(await scanSecrets(text), [], text);
    }
  });

  it('type annotations, identifiers and property accesses', async () => {
    for (const text of [
      'export interface PrivacySettings {\n  secrets: SecretsMode;\n}',
      'const usage = { output_tokens: outputTokens, input_tokens: inputTokens };',
      'const password = this.passwordField.value;\nconst token = session.accessToken;',
      'private apiKey: string | undefined;\nlet authToken: AuthToken;',
      'var apiKey string\nflag.StringVar(&apiKey, "api-key", "", "API key")',
      'password=self.password, token=self.config.auth_token, secret=settings.SECRET_KEY',
      'const token = this.nextToken++;',
      'api_key = os.environ["API_KEY"]\nsecret = os.getenv("CLIENT_SECRET")',
      'withCredentials([usernamePassword(credentialsId: \'0f2ab3c4-5d6e-4f70-8a9b-0c1d2e3f4a5b\', usernameVariable: \'U\', passwordVariable: \'P\')])',
      '"clientSecret": "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/app-secret/)"',
      // Found on real library sources: names made of words, expressions, URNs, paths, MIME tables, fingerprints.
      'tokensToBeRemoved = homeIdTokenMap;\r\nexports.resolveBedrockBearerAuth = resolveBedrockBearerAuth;',
      'RegOpenKeyEx = win32api.RegOpenKeyEx\nhkey_mod = win32con',
      'JWT_BEARER: "urn:ietf:params:oauth:grant-type:jwt-bearer",\nSIGNIN_TOKEN = "/oauth2/v2.0/token";',
      "headers = { 'Connection': 'keep-alive', 'Authorization': type1msg };",
      'shouldRemoveGeneratedDpopKey = isL3DpopResponse ||\n  apiKey: azureADTokenProvider ?? apiKey',
      '{"application/vnd.mediastation.cdkey":["cdkey"],"application/vnd.mfer":["mwf"]}',
      '- Release GPG key: 3ABC01543F22DD2239285CDD818674489FBC127E',
      "url = f'machine {host} login {self.username} password {self.password}'",
      'private_key: CERTIFICATE_PRIVATE_KEY_TYPES,\n--client-id clientID --client-secret clientSecret',
      "cloudKey: 'switchyard.walkthrough.cloudKey',\nconst lengths = { accessKey: 'strengthsWalkthrough' };",
    ]) {
      assert.deepEqual((await scanSecrets(text)).map((f) => f.ruleId), [], text);
    }
  });

  it('secrets with characters code would not have (an .env literal, a connection string, a salt)', async () => {
    const cases: Array<[string, string]> = [
      ['SECRET_KEY=django-insecure-5))l^16l5!4u=eihyq^@+rgti^+psqn=ijyf%0v222+z3_%z@9\n', 'django-insecure-5))l^16l5!4u=eihyq^@+rgti^+psqn=ijyf%0v222+z3_%z@9'],
      ['"Db": "Server=db;User Id=deploy;Password=@#oh0Bn!xpgj;TrustServerCertificate=True"', '@#oh0Bn!xpgj'],
      ['[database]\npassword = &lVKac53E#YOOgBC#zZ1u\n', '&lVKac53E#YOOgBC#zZ1u'],
      ['  "encryptionKey": "3776cb097535572048790296cf3089fb",', '3776cb097535572048790296cf3089fb'],
      ["define( 'AUTH_KEY', '5p.TkpO0WirC%&ssft|^]$pF-K<V(Lmpv(2JXk7Pw;G.E6%Um{y)p@p>NeqhzNUG' );", '5p.TkpO0WirC%&ssft|^]$pF-K<V(Lmpv(2JXk7Pw;G.E6%Um{y)p@p>NeqhzNUG'],
      ["htpasswd -b -c /etc/nginx/.htpasswd deploy 'yydpZ4zES@4mrTk.hY'", 'yydpZ4zES@4mrTk.hY'],
    ];
    for (const [text, secret] of cases) {
      const f = await scanSecrets(text);
      assert.deepEqual(f.map((x) => text.slice(x.start, x.end)), [secret], text);
    }
  });

  it('placeholders and documented example keys, for every vendor rule', async () => {
    const texts = [
      `GITHUB_TOKEN=${j('gh', 'p_')}${'x'.repeat(36)}`,
      `aws_access_key_id = ${j('AK', 'IA')}${'X'.repeat(16)}`,
      `SLACK_BOT_TOKEN=${j('xo', 'xb-')}000000000000-0000000000000-${'x'.repeat(24)}`,
      `STRIPE_SECRET_KEY=${j('sk', '_live_')}${'X'.repeat(24)}`,
      `aws_access_key_id = ${j('AKIAIOSFODNN', '7EXAMPLE')}`,
      `stripe.api_key = "${j('sk_', 'test_', '4eC39HqLyjWDarjtT1zdp7dc')}"`,
      'OPENAI_API_KEY=your_openai_api_key_here',
      'api_key = "<YOUR_API_KEY>"\npassword = "changeme"',
      'DATABASE_URL=postgres://user:password@localhost:5432/mydb',
      'curl -u "$USER:$TOKEN" https://api.example.com/',
    ];
    for (const text of texts) assert.deepEqual((await scanSecrets(text)).map((f) => f.ruleId), [], text);
  });

  it('every rule drops a placeholder of its own shape (the secret with its random part replaced by x)', async () => {
    const { positives } = buildCorpus(11, 1);
    const reported: string[] = [];
    for (const s of positives) {
      const secret = s.text.slice(s.start, s.end);
      const keep = Math.min(8, Math.floor(secret.length / 4));
      const masked = secret.slice(0, keep) + secret.slice(keep).replace(/[A-Za-z0-9]/g, 'x');
      const text = s.text.slice(0, s.start) + masked + s.text.slice(s.end);
      const hits = (await scanSecrets(text, { fileName: s.fileName })).filter((f) => f.start! < s.start + masked.length && f.end! > s.start);
      if (hits.length) reported.push(`${s.format} (${hits.map((h) => h.ruleId).join(', ')})`);
    }
    assert.deepEqual(reported, []);
  });
});

describe('findings and redaction', () => {
  const text = [
    'const region = "eu-west-1";',
    `const id = "${AWS_ID}";`,
    `const gh = "${GH}";`,
    'password = "hunter2Xy!9kLq"',
    'curl -u deploy:Qm9v8LpX2zR4 https://ci.internal/api',
  ].join('\n');

  it('carries the rule id and the exact location', async () => {
    const f = await scanSecrets(text);
    assert.deepEqual(f.map((x) => [x.ruleId, x.line]), [['aws-access-key', 2], ['github-token', 3], ['assignment', 4], ['curl-user', 5]]);
    for (const x of f) {
      const lineStart = text.split('\n').slice(0, x.line - 1).join('\n').length + (x.line > 1 ? 1 : 0);
      assert.equal(x.start, lineStart + x.column! - 1, 'column and offset agree');
      assert.match(x.message, new RegExp(`on line ${x.line}$`));
    }
    assert.equal(text.slice(f[1]!.start, f[1]!.end), GH);
  });

  it('redacts exactly the secret span and keeps every other character', async () => {
    const out = redactSecrets(text, await scanSecrets(text));
    assert.equal(out, [
      'const region = "eu-west-1";',
      'const id = "<redacted:aws-access-key>";',
      'const gh = "<redacted:github-token>";',
      'password = "<redacted:assignment>"',
      'curl -u deploy:<redacted:curl-user> https://ci.internal/api',
    ].join('\n'));
    assert.deepEqual(await scanSecrets(out), [], 'nothing left to find');
  });

  it('redacts exactly the span across the corpus forms (no neighbouring character lost)', async () => {
    const { positives } = buildCorpus(7, 1);
    let exact = 0;
    for (const s of positives) {
      const findings = await scanSecrets(s.text, { fileName: s.fileName });
      const f = findings.find((x) => x.start! < s.end && x.end! > s.start);
      if (!f || f.start !== s.start || f.end !== s.end) continue;
      exact++;
      const out = redactSecrets(s.text, findings);
      assert.ok(out.startsWith(s.text.slice(0, s.start)) || findings.some((x) => x.start! < s.start), s.format);
      assert.ok(out.includes(`${placeholder(f.ruleId)}${s.text.slice(s.end, s.end + 5)}`), `${s.format}: the character after the secret is kept`);
      assert.ok(!out.includes(s.text.slice(s.start, s.end)), `${s.format}: the secret is gone`);
    }
    assert.ok(exact / positives.length > 0.9, `exact spans ${exact}/${positives.length}`);
  });

  it('keeps a request local by default, names the rule, and redacts only when asked', async () => {
    const keep = await checkSecretsForCloud(text, 'keep-local', { source: 'src/config.ts' });
    assert.equal(keep.action, 'keep-local');
    assert.match(keep.reason, /kept local: possible secrets in src\/config\.ts: AWS access key id \(line 2\) \[rule aws-access-key\], GitHub token \(line 3\) \[rule github-token\]/);
    assert.ok(!keep.reason.includes(AWS_ID) && !keep.reason.includes(GH));
    const redact = await checkSecretsForCloud(text, 'redact');
    assert.equal(redact.action, 'redact');
    assert.ok(!redact.text.includes(AWS_ID));
    assert.equal((await checkSecretsForCloud('const x = 1;', 'keep-local')).action, 'send');
  });

  it('entropy separates random strings from words', () => {
    assert.ok(entropy('aaaaaaaaaaaa') < 1);
    assert.ok(entropy('correcthorse') < 3.5);
    assert.ok(entropy('q8Zr2LmX0vTb7KpW') > 3.5);
  });

  it('scrubs key-shaped strings from messages', () => {
    const msg = `Request failed: 401 Incorrect API key provided: ${j('sk-', 'proj-abcdefghijklmnopqrstuvwxyz0123')} (header x-api-key: ${j('sk-', 'ant-api03-AAAAAAAAAAAAAAAAAAAA')}) Authorization: Bearer ${j('eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl')}`;
    const out = redactKeyShaped(msg);
    assert.ok(!out.includes('sk-proj-abcdef'));
    assert.ok(!out.includes('sk-ant-api03-AAAA'));
    assert.ok(!out.includes('eyJhbGciOiJIUzI1NiJ9'));
    assert.match(out, /Request failed: 401 Incorrect API key provided/);
    assert.equal(redactKeyShaped('connection refused on 127.0.0.1:11434'), 'connection refused on 127.0.0.1:11434');
  });
});
