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
export type FolderSpec = string | { fixture?: string; files?: Record<string, string | object> };

/**
 * A multi-root workspace: each folder (by name) built like a single folder, plus the
 * `.code-workspace` file's own `settings` (the workspace level; each folder's `.vscode/settings.json`
 * is the folder level). It opens as `<target>/workspace.code-workspace`.
 */
export interface MultiRootSpec {
  folders: Record<string, FolderSpec>;
  settings?: Record<string, unknown>;
}

export type WorkspaceSpec = FolderSpec | MultiRootSpec;

export const WORKSPACE_FILE = 'workspace.code-workspace';

function isMultiRoot(spec: WorkspaceSpec | undefined): spec is MultiRootSpec {
  return typeof spec === 'object' && spec !== null && 'folders' in spec;
}

function fixturePath(baseDir: string, name: string): string {
  const candidates = isAbsolute(name) ? [name] : [join(FIXTURES, name), resolve(baseDir, name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`workspace fixture "${name}" not found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Creates `target` from the spec; `baseDir` resolves relative fixture paths. Returns what to open:
 * the folder, or the `.code-workspace` file of a multi-root spec.
 */
export function prepareWorkspace(spec: WorkspaceSpec | undefined, target: string, baseDir = FIXTURES): string {
  if (isMultiRoot(spec)) {
    mkdirSync(target, { recursive: true });
    for (const [name, folder] of Object.entries(spec.folders)) prepareFolder(folder, join(target, name), baseDir);
    const file = join(target, WORKSPACE_FILE);
    writeFileSync(file, JSON.stringify({ folders: Object.keys(spec.folders).map((path) => ({ path })), settings: spec.settings ?? {} }, null, 2));
    return file;
  }
  prepareFolder(spec, target, baseDir);
  return target;
}

function prepareFolder(spec: FolderSpec | undefined, target: string, baseDir: string): void {
  mkdirSync(target, { recursive: true });
  const ws = typeof spec === 'string' ? { fixture: spec } : spec ?? {};
  if (ws.fixture) cpSync(fixturePath(baseDir, ws.fixture), target, { recursive: true });
  for (const [rel, content] of Object.entries(ws.files ?? {})) {
    const file = join(target, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}
