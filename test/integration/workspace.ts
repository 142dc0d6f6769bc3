// Builds a test workspace folder: a copy of a fixture, plus files written on the fly.
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../..');
export const FIXTURES = join(REPO_ROOT, 'test/fixtures');

/**
 * - a string: a fixture folder under test/fixtures/ (or a path relative to `baseDir`);
 * - an object: `fixture` to start from (optional) plus `files` to add, path -> content
 *   (objects are written as JSON, e.g. ".vscode/settings.json": {"switchyard.privacy.neverLeaveMachine": true});
 * - undefined: an empty folder.
 */
export type WorkspaceSpec = string | { fixture?: string; files?: Record<string, string | object> };

function fixturePath(baseDir: string, name: string): string {
  const candidates = isAbsolute(name) ? [name] : [join(FIXTURES, name), resolve(baseDir, name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`workspace fixture "${name}" not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Creates `target` from the spec; `baseDir` resolves relative fixture paths. */
export function prepareWorkspace(spec: WorkspaceSpec | undefined, target: string, baseDir = FIXTURES): void {
  mkdirSync(target, { recursive: true });
  const ws = typeof spec === 'string' ? { fixture: spec } : spec ?? {};
  if (ws.fixture) cpSync(fixturePath(baseDir, ws.fixture), target, { recursive: true });
  for (const [rel, content] of Object.entries(ws.files ?? {})) {
    const file = join(target, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}
