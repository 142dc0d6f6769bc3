import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOverview, Cancelled, gitignoreFilter, pickKeyFiles, renderTree } from '../../../src/core/tasks/overview';
import { countTokens } from '../../../src/core/node/tokens';

test('.gitignore rules apply at their own level and below; .git is always ignored', () => {
  const ignored = gitignoreFilter([{ dir: '', content: 'node_modules/\n*.log\n' }, { dir: 'web', content: 'build/\n' }]);
  assert.equal(ignored('node_modules/x/index.js'), true);
  assert.equal(ignored('src/a.log'), true);
  assert.equal(ignored('web/build/app.js'), true);
  assert.equal(ignored('build/keep.js'), false, 'web/.gitignore does not reach the root');
  assert.equal(ignored('.git/HEAD'), true);
  assert.equal(ignored('src/main.ts'), false);
});

test('key files: READMEs, manifests, then entry points, shallow first', () => {
  const picked = pickKeyFiles(['src/deep/a/b/index.ts', 'src/deep/index.ts', 'src/util.ts', 'package.json', 'README.md', 'src/main.ts', 'docs/README.md', 'lib/x/y/z/Cargo.toml']);
  assert.deepEqual(picked.map((p) => `${p.role}:${p.path}`), ['readme:README.md', 'readme:docs/README.md', 'manifest:package.json', 'entry:src/main.ts', 'entry:src/deep/index.ts']);
});

test('the tree is indented and cut with a count of what was left out', () => {
  const { text, shown } = renderTree(['src/a.ts', 'src/b.ts', 'README.md', 'test/t.ts'], 4);
  assert.equal(text, 'README.md\nsrc/\n  a.ts\n  b.ts\n… and 1 more files');
  assert.equal(shown, 3);
});

test('the overview stays within its token budget and includes the most telling files', async () => {
  const paths = ['README.md', 'package.json', 'src/extension.ts', ...Array.from({ length: 400 }, (_, n) => `src/mod${n}/file${n}.ts`)];
  const files: Record<string, string> = {
    'README.md': '# Demo\nA demo project that does things.\n',
    'package.json': JSON.stringify({ name: 'demo', main: 'dist/extension.js' }, null, 2),
    'src/extension.ts': 'export function activate() {}\n'.repeat(400),
  };
  const progress: string[] = [];
  const o = await buildOverview({ paths, read: async (p) => files[p], count: countTokens, budgetTokens: 1500, signal: new AbortController().signal, onProgress: (m) => progress.push(m) });
  assert.ok(o.tokens <= 1500, `${o.tokens} tokens`);
  assert.deepEqual(o.included, ['README.md', 'package.json', 'src/extension.ts']);
  assert.ok(o.trimmed.includes('src/extension.ts'), 'the long entry point was cut');
  assert.match(o.text, /## File tree \(403 files\)/);
  assert.match(o.text, /more files/);
  assert.match(o.text, /## Entry point: src\/extension\.ts/);
  assert.ok(progress.some((m) => m === 'reading README.md'));
});

test('cancelling stops the gathering', async () => {
  const ac = new AbortController();
  const reads: string[] = [];
  await assert.rejects(buildOverview({
    paths: ['README.md', 'package.json', 'src/main.ts'],
    read: async (p) => { reads.push(p); ac.abort(); return 'x'; },
    count: async (t) => Math.ceil(t.length / 4), budgetTokens: 4000, signal: ac.signal,
  }), Cancelled);
  assert.deepEqual(reads, ['README.md']);
});
