/**
 * The webview kit, host side: one panel with its page, the "ready" handshake, posting gated on it, the
 * page's messages validated by the view's protocol (malformed ones counted, logged and dropped), and
 * dispose. A view keeps only its own logic. The page side is media/shared/ (`connect`), the protocol
 * convention src/core/protocol.ts. A third view is a few lines:
 *
 * ```ts
 * // src/core/notes/notesProtocol.ts (browser-safe): the two message unions and a parser per direction
 * export type HostMessage = { type: 'state'; notes: string[] };
 * export type WebviewMessage = ReadyMessage | { type: 'add'; text: string };
 * export function parseWebviewMessage(raw: unknown): Parsed<WebviewMessage> { ... }
 * export function parseHostMessage(raw: unknown): Parsed<HostMessage> { ... }
 *
 * // src/vscode/notes.ts
 * const view = new WebviewPanelHost<HostMessage, WebviewMessage>(extensionUri, {
 *   viewType: 'switchyard.notes', title: 'Switchyard Notes', page: 'notes', body: '<main id="app"></main>',
 *   placement: 'active', parse: parseWebviewMessage, log,
 * }, {
 *   ready: () => view.post({ type: 'state', notes }),
 *   message: (m) => { if (m.type === 'add') notes.push(m.text); },
 * });
 * view.show();
 *
 * // media/notes/main.ts: bundled to dist/webview/notes.js by esbuild.mjs
 * const page = connect<HostMessage, WebviewMessage>(parseHostMessage);
 * page.onMessage((m) => draw(m.notes));
 * page.ready();
 * ```
 */
import * as vscode from 'vscode';
import { Gate } from '../../core/webview/gate';
import { isRejected, type Message, type Parse, type ReadyMessage } from '../../core/protocol';
import { webviewHtml } from './html';

export interface PanelSpec<ToHost extends Message> {
  viewType: string;
  /** The panel's tab title (a view may change it with `setTitle`). */
  title: string;
  /** The page's bundle under dist/webview (`<page>.js`, `<page>.css`). */
  page: string;
  /** The document title of the page. */
  htmlTitle?: string;
  /** Static markup of the body (no user content: that arrives later by message). */
  body: string;
  /**
   * `beside`: opens and reveals next to the editor without taking focus (an answer streaming in while
   * the user keeps typing). `active`: opens in the active editor group; revealing focuses it where it is.
   */
  placement: 'beside' | 'active';
  /** Keep the page alive while hidden; otherwise it is torn down and says "ready" again when shown. */
  retainContextWhenHidden?: boolean;
  /** Tab icon, relative to the extension's folder. */
  icon?: string;
  /** Validates what the page sends (its protocol's `parseWebviewMessage`). */
  parse: Parse<ToHost>;
  /** Where a refused page message is reported. */
  log?: { warn(message: string): void };
}

export interface PanelEvents<ToHost extends Message> {
  /** The page loaded (or was shown again after being torn down): post its whole state. */
  ready(): void;
  /** A validated message from the page, other than "ready". */
  message(m: Exclude<ToHost, ReadyMessage>): void | Promise<void>;
  /** The panel closed (by the user, or replaced by a restored one). */
  closed?(): void;
}

/** What a panel can say about itself, for automation and tests. */
export interface PanelFacts {
  open: boolean;
  visible: boolean;
  ready: boolean;
  /** Messages from the page that failed validation (ignored). */
  rejectedMessages: number;
}

export class WebviewPanelHost<ToPage extends Message, ToHost extends Message> implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private readonly gate = new Gate<ToPage>((m) => void this.panel?.webview.postMessage(m));
  private rejected = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly spec: PanelSpec<ToHost>,
    private readonly events: PanelEvents<ToHost>,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The page said "ready" and has not been torn down since: what is posted now is delivered. */
  get isReady(): boolean {
    return this.gate.isOpen;
  }

  facts(): PanelFacts {
    return { open: this.isOpen, visible: !!this.panel?.visible, ready: this.isReady, rejectedMessages: this.rejected };
  }

  /** Reveals the panel, or creates it; returns true when it was created. */
  show(title?: string): boolean {
    if (this.panel) {
      if (title !== undefined) this.panel.title = title;
      if (this.spec.placement === 'beside') this.panel.reveal(vscode.ViewColumn.Beside, true);
      else this.panel.reveal();
      return false;
    }
    const beside = this.spec.placement === 'beside';
    const panel = vscode.window.createWebviewPanel(
      this.spec.viewType,
      title ?? this.spec.title,
      beside ? { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true } : vscode.ViewColumn.Active,
      { enableScripts: true, localResourceRoots: [this.root()], retainContextWhenHidden: this.spec.retainContextWhenHidden },
    );
    if (this.spec.icon) panel.iconPath = vscode.Uri.joinPath(this.extensionUri, this.spec.icon);
    this.adopt(panel);
    return true;
  }

  /** Takes a panel: a new one, or one VS Code restored after a reload (a webview panel serializer). */
  adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.gate.close();
    panel.webview.options = { enableScripts: true, localResourceRoots: [this.root()] };
    panel.webview.html = webviewHtml(panel.webview, {
      root: this.root(), name: this.spec.page, title: this.spec.htmlTitle ?? this.spec.title, body: this.spec.body,
    });
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    // A hidden page without retained context is torn down; it says "ready" again when shown.
    if (!this.spec.retainContextWhenHidden) panel.onDidChangeViewState(() => { if (!panel.visible) this.gate.close(); });
    panel.onDidDispose(() => {
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.gate.close();
      this.events.closed?.();
    });
  }

  setTitle(title: string): void {
    if (this.panel) this.panel.title = title;
  }

  /** Posts to the page once it is ready; before that the message is dropped (`ready` posts the state). */
  post(message: ToPage): boolean {
    return this.gate.post(message);
  }

  private receive(raw: unknown): void {
    const m = this.spec.parse(raw);
    if (isRejected(m)) {
      this.rejected++;
      this.spec.log?.warn(`${this.spec.page}: ignored a malformed message (${m.error})`);
      return;
    }
    if (m.type === 'ready') {
      this.gate.open();
      this.events.ready();
      return;
    }
    void this.events.message(m as Exclude<ToHost, ReadyMessage>);
  }

  private root(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
