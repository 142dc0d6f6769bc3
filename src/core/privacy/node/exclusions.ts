// Which files are never sent to the cloud and never used as context for anything sent.
// Several sources add up: built-in secret-file defaults, the `switchyard.privacy.exclude` globs of
// each settings level, and ignore files in the repository (gitignore syntax). Each source is its own
// matcher and a file is excluded when ANY source excludes it: a `!pattern` only narrows its own
// source's patterns, so a workspace's `!.env` or a repository's `!id_rsa*` cannot re-include a file
// another source excludes. Matching is case-insensitive, so `.ENV` on a case-insensitive file
// system cannot slip through.
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';

/** Name of the repository's ignore file (gitignore syntax), read from each workspace folder root. */
export const IGNORE_FILE = '.switchyardignore';

/** Secret-bearing files, excluded unless the user turns the defaults off. gitignore syntax. */
export const DEFAULT_EXCLUSIONS: readonly string[] = [
  // environment files in every common spelling
  '.env', '.env.*', '.env-*', '.env_*', '*.env', '.envrc', '.flaskenv', '.dev.vars',
  // keys, certificates and key stores
  '*.pem', '*.key', '*.crt.key', '*.p12', '*.pfx', '*.jks', '*.keystore', '*.truststore', '*.kdbx', '*.p8', '*.der.key',
  'id_rsa*', 'id_dsa*', 'id_ecdsa*', 'id_ed25519*', '*.ppk', '.ssh/', '*.ovpn',
  // package-manager, tool and login credentials
  '.npmrc', '.yarnrc.yml', '.pypirc', '.netrc', '_netrc', '.pgpass', '.my.cnf', '.git-credentials', '.dockercfg', '.docker/config.json',
  '.gem/credentials', '.cargo/credentials', '.cargo/credentials.toml', '.composer/auth.json', 'auth.json', '.s3cfg', '.boto', '.databrickscfg',
  // cloud service accounts and CLI folders
  'credentials', 'credentials.json', 'credentials.*', '*credentials*.json', 'client_secret*.json', 'service-account*.json',
  'service_account*.json', '*-service-account*.json', '*_service_account*.json', 'gcp-key*.json', 'gcp_key*.json', '*-gcp-key.json',
  'google-services.json', 'GoogleService-Info.plist', 'firebase-adminsdk*.json', '*firebase-adminsdk*.json',
  '.aws/', '.azure/', '.gcloud/', '.config/gcloud/', '.kube/config', 'kubeconfig', '*.kubeconfig',
  // application secrets
  'local.settings.json', 'appsettings.*.local.json', 'secrets.*', '*.secret', '*.secrets', 'secrets/', '.secrets/',
  'vault.yml', 'vault.yaml', 'vault.json', '*.vault.yml', '*.vault.yaml', 'vault-pass*', '.vault_pass*', '.vault-pass*',
  'master.key', 'credentials.yml.enc', '*.tfvars', '*.tfvars.json', '*.tfstate', '*.tfstate.backup', '.terraformrc', 'terraform.rc',
  '.htpasswd', 'wp-config.php', '*.gpg', '*.asc', '*.age', '*.keychain', '*.keychain-db', 'keyfile*.json',
];

/** One source's patterns, matched on its own. */
export interface PatternSource {
  /** For the log and for "excluded by ...", e.g. `user settings`, `.switchyardignore in "api"`. */
  name: string;
  /** gitignore syntax; `#` comments and blank lines allowed. */
  patterns: readonly string[];
}

export interface ExclusionSources {
  /** Built-in secret-file defaults; on unless explicitly false. */
  defaults?: boolean;
  /** Every other source, each matched separately. */
  sources?: readonly PatternSource[];
  /** Shorthand: glob patterns from settings, one source. */
  patterns?: readonly string[];
  /** Shorthand: contents of ignore files, each its own source. */
  ignoreFiles?: readonly string[];
}

export interface ExclusionMatcher {
  /** True when the workspace-relative path (either slash) must not leave nor be used as context. */
  isExcludedPath(relativePath: string): boolean;
  /** The source that excludes the path (the first that does), or undefined. */
  excludedBy(relativePath: string): string | undefined;
  /** Number of patterns in force, for the log. */
  readonly patternCount: number;
}

/** Never throws on bad patterns: a source whose patterns cannot be compiled excludes everything. */
export function createExclusionMatcher(input: ExclusionSources): ExclusionMatcher {
  const sources: PatternSource[] = [
    ...(input.defaults !== false ? [{ name: 'the built-in secret-file list', patterns: DEFAULT_EXCLUSIONS }] : []),
    ...(input.patterns?.length ? [{ name: 'switchyard.privacy.exclude', patterns: input.patterns }] : []),
    ...(input.ignoreFiles ?? []).map((text) => ({ name: IGNORE_FILE, patterns: text.split(/\r?\n/) })),
    ...(input.sources ?? []),
  ];
  const matchers: Array<{ name: string; ig: Ignore | undefined }> = [];
  let count = 0;
  for (const source of sources) {
    const clean = source.patterns.map((p) => p.trim()).filter((p) => p !== '' && !p.startsWith('#'));
    if (clean.length === 0) continue;
    count += clean.length;
    let ig: Ignore | undefined;
    try {
      ig = ignore({ ignorecase: true }).add(clean);
    } catch {
      ig = undefined; // fail closed below
    }
    matchers.push({ name: source.name, ig });
  }
  const excludedBy = (relativePath: string): string | undefined => {
    const rel = normalise(relativePath);
    if (rel === '') return undefined;
    for (const m of matchers) {
      try {
        // A path outside the workspace (e.g. a symlink's target) is matched by its segments:
        // patterns without a slash (all defaults) still apply to its base name and folders.
        if (!m.ig || m.ig.ignores(rel)) return m.name;
      } catch {
        return m.name; // fail closed on anything the matcher cannot handle
      }
    }
    return undefined;
  };
  return {
    patternCount: count,
    excludedBy,
    isExcludedPath: (relativePath) => excludedBy(relativePath) !== undefined,
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
