// Files that never get completions and never become context: the user's patterns plus files that
// usually hold secrets (a suggestion there could echo a key into the editor or a prompt).
import picomatch from 'picomatch';

export const SECRET_FILE_PATTERNS: readonly string[] = [
  '**/.env', '**/.env.*', '**/*.pem', '**/*.key', '**/*.p12', '**/*.pfx', '**/id_rsa*', '**/id_ed25519*', '**/.netrc', '**/.npmrc', '**/credentials*.json',
];

let cached: { key: string; match: (path: string) => boolean } | undefined;

/** True when the workspace-relative (or absolute) path matches a pattern; case-insensitive. */
export function matchesExclusion(path: string, patterns: readonly string[]): boolean {
  const all = [...SECRET_FILE_PATTERNS, ...patterns];
  const key = all.join('\u0000');
  if (cached?.key !== key) cached = { key, match: picomatch(all, { dot: true, nocase: true }) };
  const p = path.replace(/\\/g, '/');
  return cached.match(p) || cached.match(p.replace(/^\/+/, ''));
}
