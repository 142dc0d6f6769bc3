import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseFileLink } from '../../../src/core/tasks/answerProtocol';
import { isPlainRelativePath, resolveInsideWorkspace } from '../../../src/core/tasks/node/linkTarget';

describe('file links from a model answer open only files inside the workspace', () => {
  const base = mkdtempSync(join(tmpdir(), 'switchyard-links-'));
  const root = join(base, 'repo');
  const outside = join(base, 'home');
  after(() => rmSync(base, { recursive: true, force: true }));
  mkdirSync(join(root, 'src'), { recursive: true });
  mkdirSync(join(outside, '.ssh'), { recursive: true });
  writeFileSync(join(root, 'src', 'cart.ts'), 'export {}');
  writeFileSync(join(outside, '.ssh', 'id_rsa'), 'key');
  symlinkSync(join(outside, '.ssh'), join(root, 'src', 'keys'));
  const open = (link: string) => {
    const parsed = parseFileLink(link);
    return parsed ? resolveInsideWorkspace(root, parsed.path, [root]) : Promise.resolve(undefined);
  };

  it('opens a plain workspace file, with either separator', async () => {
    assert.equal(await open('src/cart.ts'), join(root, 'src', 'cart.ts'));
    assert.equal(await open('src\\cart.ts#L3'), join(root, 'src', 'cart.ts'));
  });

  it('refuses `..` with backslashes, absolute and UNC paths', async () => {
    for (const link of ['..\\home\\.ssh\\id_rsa', '..\\..\\..\\Users\\me\\.ssh\\id_rsa', 'src\\..\\..\\home\\.ssh\\id_rsa', 'src/..\\..\\home/.ssh/id_rsa',
      'C:\\Users\\me\\.ssh\\id_rsa', 'c:/Users/me/.ssh/id_rsa', '\\\\server\\share\\id_rsa', '/etc/passwd']) {
      assert.equal(isPlainRelativePath(link), false, link);
      assert.equal(await resolveInsideWorkspace(root, link, [root]), undefined, link);
      assert.equal(await open(link), undefined, link);
    }
  });

  it('refuses a symlink that leads out of the workspace, by its real path', async () => {
    assert.equal(isPlainRelativePath('src/keys/id_rsa'), true);
    assert.equal(await open('src/keys/id_rsa'), undefined);
  });

  it('a missing file is nothing to open', async () => {
    assert.equal(await open('src/missing.ts'), undefined);
  });
});
