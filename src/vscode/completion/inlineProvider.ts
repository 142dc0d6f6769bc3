import * as vscode from 'vscode';
import type { CompletionPipeline } from '../../core/completion/pipeline';
import { MAX_INDEXED_LINES, SnippetIndex } from '../../core/completion/snippets';
import type { Snippet } from '../../core/completion/templates';
import type { Services } from '../services';
import { errorMessage } from '../../core/errors';

/** Schemes whose documents get completions: local files, new buffers, remote workspaces. */
export const COMPLETION_SCHEMES = ['file', 'untitled', 'vscode-remote', 'vscode-vfs'];

/** Translates VS Code's inline completion calls into pipeline requests. Thin on purpose. */
export class InlineProvider implements vscode.InlineCompletionItemProvider {
  /** Exclusion per document URI; cleared when settings change. */
  private readonly excluded = new Map<string, Promise<boolean>>();
  private readonly snippetCache = new Map<string, { key: string; snippets: Snippet[] }>();
  /** Per-file identifier indexes of the other open files, one per file version. */
  private readonly index = new SnippetIndex();
  /** The URI of each snippet path: the sources whose privacy a request off this machine must respect. */
  private readonly snippetUris = new Map<string, string>();

  constructor(private readonly s: Services, private readonly pipeline: CompletionPipeline) {}

  clearExclusions(): void {
    this.excluded.clear();
    this.snippetCache.clear();
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = this.s.settings.current.completion;
    if (!settings.enabled || settings.disabledLanguages.includes(document.languageId)) return undefined;
    if (await this.isExcluded(document.uri)) return undefined;
    if (token.isCancellationRequested) return undefined;

    const controller = new AbortController();
    const sub = token.onCancellationRequested(() => controller.abort());
    try {
      const snippets = settings.openFilesContext ? await this.snippets(document, position) : undefined;
      const sources = [document.uri.toString(), ...(snippets ?? []).map((sn) => this.snippetUris.get(sn.path) ?? sn.path)];
      const result = await this.pipeline.provide({
        docKey: document.uri.toString(),
        doc: { lineCount: document.lineCount, lineText: (i) => document.lineAt(i).text },
        line: position.line,
        character: position.character,
        languageId: document.languageId,
        path: vscode.workspace.asRelativePath(document.uri, false),
        repoName: vscode.workspace.name,
        snippets,
        immediate: context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke,
        sources,
      }, controller.signal);
      if (!result || token.isCancellationRequested) return undefined;
      // The range covers the auto-closed closers the suggestion supplies itself, so Tab does not double them.
      return [new vscode.InlineCompletionItem(result.text, new vscode.Range(position, position.translate(0, result.replace ?? 0)))];
    } catch (err) {
      // Never an error per keystroke: the log has it, the status bar shows the state.
      this.s.log.warn(`completion failed: ${errorMessage(err)}`);
      return undefined;
    } finally {
      sub.dispose();
    }
  }

  /**
   * The privacy service's verdict (exclusion settings, built-in secret-file patterns, ignore files,
   * symlink targets), remembered per document until settings change. Fails closed.
   */
  private isExcluded(uri: vscode.Uri): Promise<boolean> {
    const key = uri.toString();
    let known = this.excluded.get(key);
    if (!known) {
      known = this.s.privacy.isExcluded(uri).catch(() => true);
      this.excluded.set(key, known);
    }
    return known;
  }

  /**
   * Snippets of other open files of the same language. Recomputed only when the set of open files
   * changes or the cursor moves to another region, so the prompt start stays byte-identical. Each
   * file is indexed once per version; choosing then only touches windows sharing an identifier.
   */
  private async snippets(document: vscode.TextDocument, position: vscode.Position): Promise<Snippet[] | undefined> {
    const others = vscode.workspace.textDocuments.filter((d) => d !== document && d.languageId === document.languageId
      && COMPLETION_SCHEMES.includes(d.uri.scheme) && !d.isClosed);
    if (!others.length) return undefined;
    const region = Math.floor(position.line / 64);
    const key = `${region}|${others.map((d) => `${d.uri.toString()}@${d.version}`).join(',')}`;
    const docKey = document.uri.toString();
    const hit = this.snippetCache.get(docKey);
    if (hit && (hit.key === key || hit.key.startsWith(`${region}|`))) return hit.snippets;
    const paths: string[] = [];
    for (const d of others.slice(0, 8)) {
      if (await this.isExcluded(d.uri)) continue; // excluded files never become context
      const path = vscode.workspace.asRelativePath(d.uri, false);
      if (this.snippetUris.size > 500) this.snippetUris.clear(); // a path missing here counts as unknown content: the window's policy
      this.snippetUris.set(path, d.uri.toString());
      if (!this.index.has(path, d.version)) this.index.update(path, d.version, d.getText(new vscode.Range(0, 0, Math.min(d.lineCount, MAX_INDEXED_LINES), 0)));
      paths.push(path);
    }
    this.index.retain(new Set(paths));
    const from = Math.max(0, position.line - 30);
    const context = document.getText(new vscode.Range(from, 0, position.line + 1, 0));
    const snippets = this.index.select(context, paths);
    if (this.snippetCache.size > 50) this.snippetCache.clear();
    this.snippetCache.set(docKey, { key, snippets });
    return snippets;
  }
}
