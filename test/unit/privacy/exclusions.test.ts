import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createExclusionMatcher, isExcludedFile } from '../../../src/core/privacy/node/exclusions';

describe('exclusion matcher', () => {
  const m = createExclusionMatcher({ patterns: ['internal/**', '*.sql'], ignoreFiles: ['# team rules\nvendor/keys/\n!vendor/keys/README.md\n/config/prod.yml\n'] });

  it('excludes secret-bearing files by default, at any depth and in any case', () => {
    for (const p of ['.env', '.env.local', 'app/.ENV.production', 'certs/server.pem', 'tls/server.KEY', 'home/.ssh/id_rsa', 'id_ed25519.pub',
      'store.p12', 'cert.pfx', 'release.keystore', '.npmrc', 'sub/.netrc', '.aws/credentials', 'credentials.json', 'prod.tfvars', 'secrets/db.txt']) {
      assert.equal(m.isExcludedPath(p), true, p);
    }
  });

  it('keeps ordinary files', () => {
    for (const p of ['src/index.ts', 'README.md', 'package.json', 'environment.ts', 'src/keyboard.ts', 'docs/pem-format.md', 'config/dev.yml']) {
      assert.equal(m.isExcludedPath(p), false, p);
    }
  });

  it('applies setting globs and ignore files (gitignore syntax, case-insensitive)', () => {
    assert.equal(m.isExcludedPath('internal/a/b.ts'), true);
    assert.equal(m.isExcludedPath('db/Dump.SQL'), true);
    assert.equal(m.isExcludedPath('vendor/keys/signing.txt'), true);
    assert.equal(m.isExcludedPath('config/prod.yml'), true);
    assert.equal(m.isExcludedPath('other/config/prod.yml'), false, 'anchored pattern');
    assert.equal(m.isExcludedPath('Internal\\x\\y.ts'), true, 'Windows separators');
  });

  it('normalises odd paths rather than letting them through', () => {
    assert.equal(m.isExcludedPath('./.env'), true);
    assert.equal(m.isExcludedPath('/abs/path/.env'), true);
    assert.equal(m.isExcludedPath('../outside/id_rsa'), true);
    assert.equal(m.isExcludedPath('a/../.env'), true);
  });

  it('built-in defaults can be turned off by the user', () => {
    const off = createExclusionMatcher({ defaults: false, patterns: [] });
    assert.equal(off.isExcludedPath('.env'), false);
  });
});

describe('isExcludedFile resolves symlinks', () => {
  const root = mkdtempSync(join(tmpdir(), 'switchyard-excl-'));
  const outside = mkdtempSync(join(tmpdir(), 'switchyard-outside-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'internal'));
  writeFileSync(join(root, '.env'), 'TOKEN=x');
  writeFileSync(join(root, 'src', 'app.ts'), 'export {}');
  writeFileSync(join(root, 'internal', 'plan.md'), 'secret plans');
  writeFileSync(join(outside, 'id_rsa'), 'key');
  symlinkSync(join(root, '.env'), join(root, 'src', 'notes.txt'));
  symlinkSync(join(root, 'internal'), join(root, 'src', 'docs'));
  symlinkSync(join(outside, 'id_rsa'), join(root, 'src', 'deploy.txt'));
  symlinkSync(join(root, 'src', 'app.ts'), join(root, 'src', 'alias.ts'));
  const m = createExclusionMatcher({ patterns: ['internal/**'] });

  it('excludes a harmless-looking link to an excluded file', async () => {
    assert.equal(await isExcludedFile(join(root, 'src', 'notes.txt'), [root], m), true);
  });
  it('excludes files reached through a linked folder', async () => {
    assert.equal(await isExcludedFile(join(root, 'src', 'docs', 'plan.md'), [root], m), true);
  });
  it('excludes a link to a secret file outside the workspace', async () => {
    assert.equal(await isExcludedFile(join(root, 'src', 'deploy.txt'), [root], m), true);
  });
  it('keeps ordinary files and links to them', async () => {
    assert.equal(await isExcludedFile(join(root, 'src', 'app.ts'), [root], m), false);
    assert.equal(await isExcludedFile(join(root, 'src', 'alias.ts'), [root], m), false);
  });
  it('fails closed when resolution fails unexpectedly', async () => {
    const boom = (): Promise<string> => Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
    assert.equal(await isExcludedFile(join(root, 'src', 'app.ts'), [root], m, boom), true);
  });
});

describe('negation never crosses sources', () => {
  const secretFiles = ['.env', 'config/.env', 'id_rsa', 'keys/id_rsa.pub', 'secrets/db.txt'];

  it('a workspace, folder or ignore-file `!` pattern cannot re-include what another source excludes', () => {
    const hostile = ['!.env', '!**/.env', '!id_rsa*', '!**/id_rsa*', '!secrets/', '!secrets/**', '!*'];
    for (const [name, m] of [
      ['workspace settings', createExclusionMatcher({ sources: [{ name: 'workspace', patterns: hostile }] })],
      ['folder settings', createExclusionMatcher({ sources: [{ name: 'user', patterns: ['*.sql'] }, { name: 'folder', patterns: hostile }] })],
      ['.switchyardignore', createExclusionMatcher({ ignoreFiles: [hostile.join('\n')] })],
      ['user settings', createExclusionMatcher({ patterns: hostile })],
    ] as const) {
      for (const p of secretFiles) assert.equal(m.isExcludedPath(p), true, `${name}: ${p}`);
    }
  });

  it('a source\'s `!` still narrows that source\'s own patterns', () => {
    const m = createExclusionMatcher({ sources: [{ name: 'repo', patterns: ['docs/*', '!docs/index.md', '!docs/dump.sql'] }, { name: 'user', patterns: ['*.sql'] }] });
    assert.equal(m.isExcludedPath('docs/plan.md'), true);
    assert.equal(m.isExcludedPath('docs/index.md'), false);
    assert.equal(m.isExcludedPath('docs/dump.sql'), true, 'another source still excludes it');
  });

  it('says which source excludes a file', () => {
    const m = createExclusionMatcher({ sources: [{ name: '.switchyardignore in "api"', patterns: ['internal/'] }] });
    assert.equal(m.excludedBy('.env'), 'the built-in secret-file list');
    assert.equal(m.excludedBy('internal/a.ts'), '.switchyardignore in "api"');
    assert.equal(m.excludedBy('src/a.ts'), undefined);
  });
});

describe('the built-in secret-file list', () => {
  const m = createExclusionMatcher({});
  it('covers the common secret-file names', () => {
    for (const p of ['.env-local', '.env_prod', '.env.production.local', 'service_account.json', 'service-account-prod.json', 'local.settings.json',
      'gcp-key.json', 'vault.yml', 'group_vars/all/vault.yaml', 'firebase-adminsdk-abc12.json', 'google-services.json', '.vault_pass.txt',
      'credentials.yml.enc', 'terraform.tfvars.json', '.my.cnf', '.docker/config.json', 'prod.kubeconfig', '.cargo/credentials.toml', 'AuthKey_ABC.p8']) {
      assert.equal(m.isExcludedPath(p), true, p);
    }
  });
  it('still keeps ordinary source files', () => {
    for (const p of ['src/environment.ts', 'src/vault.ts', 'settings.json', 'src/service.ts', 'docs/env.md', 'keys.ts']) {
      assert.equal(m.isExcludedPath(p), false, p);
    }
  });
});
