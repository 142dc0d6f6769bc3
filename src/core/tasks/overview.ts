// A workspace overview for Explain Architecture, under a token budget: a file tree, then manifests,
// READMEs and entry points, most telling first. The adapter lists files (already without privacy-
// excluded ones) and reads them; this module decides what fits.
import ignore from 'ignore';

export interface GitignoreFile {
  /** Workspace-relative folder holding the .gitignore ('' for the root). */
  dir: string;
  content: string;
}

/** True for paths a .gitignore (at its own level or above) ignores. `.git/` is always ignored. */
export function gitignoreFilter(files: readonly GitignoreFile[]): (path: string) => boolean {
  const rules = files.map((f) => ({ prefix: f.dir ? `${f.dir.replace(/\/+$/, '')}/` : '', ig: ignore().add(f.content) }));
  return (path) => {
    if (path === '.git' || path.startsWith('.git/') || path.includes('/.git/')) return true;
    return rules.some((r) => path.startsWith(r.prefix) && r.ig.ignores(path.slice(r.prefix.length)));
  };
}

const MANIFESTS = /(^|\/)(package\.json|tsconfig\.json|Cargo\.toml|pyproject\.toml|setup\.py|requirements\.txt|go\.mod|pom\.xml|build\.gradle(\.kts)?|Gemfile|composer\.json|CMakeLists\.txt|Makefile|Dockerfile|docker-compose\.ya?ml|.+\.csproj)$/i;
const READMES = /(^|\/)(README|ARCHITECTURE|DESIGN|CONTRIBUTING)(\.[a-z]+)?$/i;
const ENTRIES = /(^|\/)((src\/)?(index|main|app|extension|server|cli|lib|mod)\.(ts|tsx|js|mjs|cjs|py|rs|go|java|kt|cs|rb|php|c|cc|cpp)|__main__\.py|manage\.py|cmd\/[^/]+\/main\.go)$/i;

export type FileRole = 'manifest' | 'readme' | 'entry';

/** Which files to show in full (within budget), in order: shallow ones first, manifests, then READMEs, then entry points. */
export function pickKeyFiles(paths: readonly string[], limit = 24): { path: string; role: FileRole }[] {
  const depth = (p: string) => p.split('/').length;
  const pick = (re: RegExp, role: FileRole, maxDepth: number) =>
    paths.filter((p) => re.test(p) && depth(p) <= maxDepth).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b)).map((path) => ({ path, role }));
  const out = [...pick(READMES, 'readme', 2).slice(0, 4), ...pick(MANIFESTS, 'manifest', 2).slice(0, 8), ...pick(ENTRIES, 'entry', 4).slice(0, 10)];
  const seen = new Set<string>();
  return out.filter((f) => !seen.has(f.path) && seen.add(f.path)).slice(0, limit);
}

/** An indented tree of paths, cut at `maxLines` with a count of what was left out. */
export function renderTree(paths: readonly string[], maxLines: number): { text: string; shown: number } {
  const lines: string[] = [];
  const opened = new Set<string>();
  let shown = 0;
  for (const p of [...paths].sort()) {
    const parts = p.split('/');
    const needed: string[] = [];
    for (let d = 1; d < parts.length; d++) {
      const dir = parts.slice(0, d).join('/');
      if (!opened.has(dir)) needed.push(`${'  '.repeat(d - 1)}${parts[d - 1]}/`);
    }
    if (lines.length + needed.length + 1 > maxLines) break;
    for (let d = 1; d < parts.length; d++) opened.add(parts.slice(0, d).join('/'));
    lines.push(...needed, `${'  '.repeat(parts.length - 1)}${parts[parts.length - 1]}`);
    shown++;
  }
  if (shown < paths.length) lines.push(`… and ${paths.length - shown} more files`);
  return { text: lines.join('\n'), shown };
}

export interface OverviewInput {
  /** Workspace-relative paths, already filtered by .gitignore and the privacy exclusions. */
  paths: readonly string[];
  read: (path: string) => Promise<string | undefined>;
  count: (text: string) => Promise<number>;
  budgetTokens: number;
  signal: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface Overview {
  text: string;
  tokens: number;
  /** Files whose content is included. */
  included: string[];
  /** Files that were left out or cut to stay within budget. */
  trimmed: string[];
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

export async function buildOverview(i: OverviewInput): Promise<Overview> {
  const check = () => { if (i.signal.aborted) throw new Cancelled(); };
  i.onProgress?.(`listing ${i.paths.length} files`);
  const treeBudget = Math.floor(i.budgetTokens * 0.25);
  // About 6 tokens per tree line; then shrink until it fits.
  let maxLines = Math.max(10, Math.floor(treeBudget / 6));
  let tree = renderTree(i.paths, maxLines);
  let treeTokens = await i.count(tree.text);
  while (treeTokens > treeBudget && maxLines > 10) {
    maxLines = Math.max(10, Math.floor(maxLines * 0.7));
    tree = renderTree(i.paths, maxLines);
    treeTokens = await i.count(tree.text);
  }
  const sections = [`## File tree (${i.paths.length} files)\n\n\`\`\`\n${tree.text}\n\`\`\``];
  let used = treeTokens + 20;
  const included: string[] = [];
  const trimmed: string[] = [];
  const perFile = Math.max(200, Math.floor(i.budgetTokens / 6));

  for (const { path, role } of pickKeyFiles(i.paths)) {
    check();
    const room = Math.min(perFile, i.budgetTokens - used - 30);
    if (room < 80) {
      trimmed.push(path);
      continue;
    }
    i.onProgress?.(`reading ${path}`);
    const content = await i.read(path);
    check();
    if (content === undefined || content.trim() === '') continue;
    let body = content;
    let tokens = await i.count(body);
    if (tokens > room) {
      body = `${content.slice(0, Math.floor(room * 3))}\n… (cut)`;
      tokens = await i.count(body);
      trimmed.push(path);
    }
    const label = role === 'entry' ? `Entry point: ${path}` : path;
    const fence = '`'.repeat(Math.max(3, ...[...body.matchAll(/`{3,}/g)].map((m) => m[0].length + 1)));
    sections.push(`## ${label}\n\n${fence}\n${body}\n${fence}`);
    used += tokens + 15;
    included.push(path);
  }
  const text = sections.join('\n\n');
  return { text, tokens: await i.count(text), included, trimmed };
}
