// Where a file link written by a model may lead: only to a file inside a workspace folder. The link
// is model output, so it is checked like untrusted input: `..` segments with either separator,
// absolute paths (POSIX, drive letters, UNC) and symlinks that lead out of the workspace are refused.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';

/** True for a plain relative path: no `..` segment and nothing absolute, whichever separator is used. */
export function isPlainRelativePath(link: string): boolean {
  if (link === '' || /^[\\/]/.test(link) || /^[a-z]:/i.test(link)) return false;
  return !link.split(/[\\/]+/).some((segment) => segment === '..');
}

/**
 * The real path of `link` resolved against `folder`, when it is an existing file inside one of
 * `roots` (compared by real paths, so a symlink out of the workspace does not count); else undefined.
 */
export async function resolveInsideWorkspace(
  folder: string,
  link: string,
  roots: readonly string[],
  resolve: (p: string) => Promise<string> = realpath,
): Promise<string | undefined> {
  if (!isPlainRelativePath(link)) return undefined;
  let target: string;
  try {
    target = await resolve(path.resolve(folder, ...link.split(/[\\/]+/)));
  } catch {
    return undefined; // missing or unreadable: nothing to open
  }
  const realRoots = await Promise.all(roots.map((r) => resolve(r).catch(() => undefined)));
  const inside = realRoots.some((root) => {
    if (!root) return false;
    const rel = path.relative(root, target);
    return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
  });
  return inside ? target : undefined;
}
