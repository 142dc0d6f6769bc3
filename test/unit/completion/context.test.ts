import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createExclusionMatcher } from '../../../src/core/privacy/node/exclusions';
import { selectSnippets } from '../../../src/core/completion/snippets';

// Completions use the privacy service's one matcher: the user's globs plus the secret-file defaults.
const matchesExclusion = (path: string, patterns: string[]) => createExclusionMatcher({ patterns }).isExcludedPath(path);

test('excluded: the user\'s globs and secret-looking files', () => {
  assert.equal(matchesExclusion('secret/plan.ts', ['secret/**']), true);
  assert.equal(matchesExclusion('src/app.ts', ['secret/**']), false);
  assert.equal(matchesExclusion('config/.env.local', []), true);
  assert.equal(matchesExclusion('keys/server.PEM', []), true, 'case-insensitive');
  assert.equal(matchesExclusion('/home/u/proj/.env', []), true, 'absolute paths too');
});

test('snippets: the window of another file sharing identifiers wins, bounded in size', () => {
  const cart = 'export function cartTotal(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}';
  const unrelated = 'const colours = ["red", "green"];\nexport default colours;';
  const got = selectSnippets('const total = cartTotal(items) + item.price', [
    { path: 'src/colours.ts', text: unrelated },
    { path: 'src/cart.ts', text: cart },
  ], { maxSnippets: 1, maxChars: 80, windowLines: 4 });
  assert.equal(got.length, 1);
  assert.equal(got[0].path, 'src/cart.ts');
  assert.ok(got[0].text.length <= 80);
  assert.deepEqual(selectSnippets('', [{ path: 'a', text: cart }]), []);
});

test('snippet indexes: built once per file version, chosen from without rescanning, only files asked for', async () => {
  const { SnippetIndex } = await import('../../../src/core/completion/snippets');
  const index = new SnippetIndex({ maxSnippets: 2, maxChars: 200, windowLines: 4 });
  const cart = 'export function cartTotal(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price, 0);\n}';
  index.update('src/cart.ts', 1, cart);
  assert.equal(index.has('src/cart.ts', 1), true);
  assert.equal(index.has('src/cart.ts', 2), false, 'an edit makes it stale');
  const context = 'const total = cartTotal(items) + item.price';
  assert.deepEqual(index.select(context, ['src/cart.ts']), selectSnippets(context, [{ path: 'src/cart.ts', text: cart }], { maxSnippets: 2, maxChars: 200, windowLines: 4 }));
  assert.deepEqual(index.select(context, ['src/other.ts']), [], 'a file not indexed (or not allowed) is never used');
  index.update('src/cart.ts', 2, 'let palette = ["red", "green"];');
  assert.deepEqual(index.select(context, ['src/cart.ts']), [], 'the new version replaced the old');
  index.retain(new Set());
  assert.equal(index.has('src/cart.ts', 2), false, 'closed files are dropped');
});
