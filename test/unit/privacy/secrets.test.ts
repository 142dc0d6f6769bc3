import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSecretsForCloud, describeFindings, entropy, redactKeyShaped, redactSecrets, scanSecrets } from '../../../src/core/privacy/secrets';
import { buildCorpus } from './secretCorpus';

describe('secret scanning corpus', () => {
  const { positives, negatives } = buildCorpus();

  it('finds secrets across types with recall >= 0.95 and a false-positive rate <= 0.05', async () => {
    let found = 0;
    const missedTypes = new Set<string>();
    for (const s of positives) {
      if ((await scanSecrets(s.text, { fileName: s.fileName })).length > 0) found++;
      else missedTypes.add(s.type);
    }
    let falsePositives = 0;
    const fpTypes = new Set<string>();
    for (const s of negatives) {
      if ((await scanSecrets(s.text, { fileName: s.fileName })).length > 0) {
        falsePositives++;
        fpTypes.add(s.type);
      }
    }
    const recall = found / positives.length;
    const fpr = falsePositives / negatives.length;
    assert.ok(positives.length >= 200 && negatives.length >= 100, 'corpus is big enough to mean something');
    assert.ok(recall >= 0.95, `recall ${recall}; missed ${[...missedTypes].join(', ')}`);
    assert.ok(fpr <= 0.05, `false-positive rate ${fpr}; on ${[...fpTypes].join(', ')}`);
  });

  it('never echoes the secret in a finding', async () => {
    for (const s of positives.slice(0, 120)) {
      const findings = await scanSecrets(s.text, { fileName: s.fileName });
      const secret = s.text.slice(findings[0]!.start, findings[0]!.end);
      assert.ok(secret.length >= 8);
      for (const f of findings) {
        assert.ok(!JSON.stringify({ ...f, start: 0, end: 0 }).includes(secret), `finding ${f.ruleId} echoes the secret`);
      }
      assert.ok(!describeFindings(findings).includes(secret));
    }
  });
});

describe('findings and redaction', () => {
  const text = [
    'const region = "eu-west-1";',
    'const id = "AKIAZ3MSJV4WWNKWW5FG";',
    'const gh = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";',
    'password = "hunter2Xy!9kLq"',
  ].join('\n');

  it('reports type and line', async () => {
    const f = await scanSecrets(text);
    assert.deepEqual(f.map((x) => x.line), [2, 3, 4]);
    assert.ok(f.every((x) => /on line \d/.test(x.message)));
    assert.equal(f[0]!.ruleId, 'aws-access-key');
  });

  it('redacts with typed placeholders and keeps the rest', async () => {
    const out = redactSecrets(text, await scanSecrets(text));
    assert.match(out, /const id = "<redacted:aws-access-key>";/);
    assert.match(out, /<redacted:github>/);
    assert.match(out, /password = "<redacted:generic-secret>"/);
    assert.match(out, /eu-west-1/);
    assert.equal((await scanSecrets(out)).length, 0, 'nothing left to find');
  });

  it('keeps a request local by default and redacts only when asked', async () => {
    const keep = await checkSecretsForCloud(text, 'keep-local', { source: 'src/config.ts' });
    assert.equal(keep.action, 'keep-local');
    assert.match(keep.reason, /kept local: possible secrets in src\/config\.ts: AWS access key id \(line 2\)/);
    const redact = await checkSecretsForCloud(text, 'redact');
    assert.equal(redact.action, 'redact');
    assert.ok(!redact.text.includes('AKIAZ3MSJV4WWNKWW5FG'));
    const clean = await checkSecretsForCloud('const x = 1;', 'keep-local');
    assert.equal(clean.action, 'send');
  });

  it('entropy separates random strings from words', () => {
    assert.ok(entropy('aaaaaaaaaaaa') < 1);
    assert.ok(entropy('correcthorse') < 3.5);
    assert.ok(entropy('q8Zr2LmX0vTb7KpW') > 3.5);
  });

  it('scrubs key-shaped strings from messages', () => {
    const msg = 'Request failed: 401 Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123 (header x-api-key: sk-ant-api03-AAAAAAAAAAAAAAAAAAAA) Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl';
    const out = redactKeyShaped(msg);
    assert.ok(!out.includes('sk-proj-abcdef'));
    assert.ok(!out.includes('sk-ant-api03-AAAA'));
    assert.ok(!out.includes('eyJhbGciOiJIUzI1NiJ9'));
    assert.match(out, /Request failed: 401 Incorrect API key provided/);
    assert.equal(redactKeyShaped('connection refused on 127.0.0.1:11434'), 'connection refused on 127.0.0.1:11434');
  });
});
