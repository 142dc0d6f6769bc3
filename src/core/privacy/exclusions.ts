// Which files are never sent to the cloud and never used as context for anything sent.
// Three sources add up: built-in secret-file defaults, the `switchyard.privacy.exclude` globs,
// and ignore files in the repository (gitignore syntax). Matching is case-insensitive, so
// `.ENV` on a case-insensitive file system cannot slip through.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Name of the repository's ignore file (gitignore syntax), read from each workspace folder root. */
export const IGNORE_FILE = '.switchyardignore';

/** Secret-bearing files, excluded unless the user turns the defaults off. gitignore syntax. */
export const DEFAULT_EXCLUSIONS: readonly string[] = [
  '.env', '.env.*', '*.env', '.envrc',
  '*.pem', '*.key', '*.crt.key', '*.p12', '*.pfx', '*.jks', '*.keystore', '*.truststore', '*.kdbx',
  'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', '*.ppk', '.ssh/',
  '.npmrc', '.yarnrc.yml', '.pypirc', '.netrc', '_netrc', '.pgpass', '.git-credentials', '.dockercfg', '.docker/config.json',
  'credentials', 'credentials.json', 'credentials.*', '*credentials*.json', 'client_secret*.json', 'service-account*.json',
  '.aws/', '.azure/', '.gcloud/', '.kube/config', 'kubeconfig',
  'secrets.*', '*.secret', '*.secrets', 'secrets/',
  '*.tfvars', '*.tfstate', '*.tfstate.backup',
  '.htpasswd', 'wp-config.php', 'master.key', '*.gpg', '*.asc', '*.age',
];

export interface ExclusionSources {
  /** Glob patterns from settings (gitignore syntax: `secrets/**`, `*.sql`, `/config/prod.yml`). */
  patterns?: readonly string[];
  /** Contents of ignore files found in the repository. */
  ignoreFiles?: readonly string[];
  /** Built-in secret-file defaults; on unless explicitly false. */
  defaults?: boolean;
}

export interface ExclusionMatcher {
  /** True when the workspace-relative path (either slash) must not leave nor be used as context. */
  isExcludedPath(relativePath: string): boolean;
  /** Number of patterns in force, for the log. */
  readonly patternCount: number;
}

export function createExclusionMatcher(sources: ExclusionSources): ExclusionMatcher {
  const ig: Ignore = ignore({ ignorecase: true });
  let count = 0;
  const add = (patterns: readonly string[]): void => {
    const clean = patterns.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
    ig.add(clean);
    count += clean.length;
  };
  if (sources.defaults !== false) add(DEFAULT_EXCLUSIONS);
  add(sources.patterns ?? []);
  for (const file of sources.ignoreFiles ?? []) add(file.split(/\r?\n/));
  return {
    patternCount: count,
    isExcludedPath(relativePath: string): boolean {
      const rel = normalise(relativePath);
      if (rel === '') return false;
      try {
        // A path outside the workspace (e.g. a symlink's target) is matched by its segments:
        // patterns without a slash (all defaults) still apply to its base name and folders.
        return ig.ignores(rel);
      } catch {
        return true; // fail closed on anything the matcher cannot handle
      }
    },
  };
}

/** Workspace-relative, forward slashes, no leading `./` or `/`; `../` prefixes and drive letters dropped. */
function normalise(p: string): string {
  let s = p.replace(/\\/g, '/').replace(/^[A-Za-z]:\//, '/');
  s = path.posix.normalize(s);
  while (s.startsWith('../')) s = s.slice(3);
  return s.replace(/^(?:\.\/|\/)+/, '').replace(/^\.$/, '').replace(/\/$/, '');
}

/**
 * Whether a file on disk is excluded, resolving symlinks first: the link's own path and its real
 * target are both matched, so `notes.txt -> ../.env` is excluded. `roots` are workspace folder
 * paths; a target outside every root is matched by its path segments. Unexpected errors fail closed.
 */
export async function isExcludedFile(
  absolutePath: string,
  roots: readonly string[],
  matcher: ExclusionMatcher,
  resolve: (p: string) => Promise<string> = realpath,
): Promise<boolean> {
  try {
    if (matcher.isExcludedPath(relativeTo(absolutePath, roots))) return true;
    let real: string;
    try {
      real = await resolve(absolutePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // nothing on disk to send
      throw err;
    }
    if (real === absolutePath) return false;
    const realRoots = await Promise.all(roots.map((r) => resolve(r).catch(() => r)));
    return matcher.isExcludedPath(relativeTo(real, realRoots));
  } catch {
    return true;
  }
}

function relativeTo(file: string, roots: readonly string[]): string {
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return file; // outside every root: matched by segments
}
