import * as vscode from 'vscode';
import { webviewHtml } from '../webviewHtml';
import {
  parseWebviewMessage, type AnswerActions, type AnswerHeader, type HostMessage, type WebviewMessage,
} from '../../core/tasks/answerProtocol';

/** What the view shows now; also what integration tests observe. */
export interface AnswerSnapshot {
  open: boolean;
  header: AnswerHeader;
  markdown: string;
  actions: AnswerActions;
  /** What the webview last reported it rendered. */
  rendered?: { seq: number; chars: number; codeBlocks: number };
  /** Messages the webview sent that failed validation (ignored). */
  rejectedMessages: number;
}

export interface AnswerHandlers {
  rerun(override: 'local' | 'cloud'): void;
  insert(code: string): void;
  open(href: string): void;
}

export interface AnswerSession {
  signal: AbortSignal;
  update(header: Partial<AnswerHeader>, actions?: AnswerActions): void;
  append(text: string): void;
  /** Clears the text for a new attempt (an automatic escalation). */
  restart(): void;
}

const emptyHeader = (title: string): AnswerHeader => ({ title, status: 'routing', reasons: [], tokensEstimated: true, costEstimated: true });

/**
 * The answer panel: one reusable webview beside the editor. The host keeps the state and posts it after
 * the webview's "ready" handshake; streamed text goes as small appends. Closing the panel aborts the request.
 */
export class AnswerView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private seq = 0;
  private state: AnswerSnapshot = { open: false, header: emptyHeader(''), markdown: '', actions: {}, rejectedMessages: 0 };
  private handlers: AnswerHandlers | undefined;
  private request: AbortController | undefined;

  constructor(private readonly extensionUri: vscode.Uri) {}

  snapshot(): AnswerSnapshot {
    return structuredClone({ ...this.state, open: this.panel !== undefined });
  }

  /**
   * Starts a new answer (aborting any running one). The session's signal aborts when the view closes,
   * Stop is pressed or another answer starts; a superseded session's updates are ignored.
   */
  begin(title: string, handlers: AnswerHandlers): AnswerSession {
    this.request?.abort();
    const request = new AbortController();
    this.request = request;
    this.handlers = handlers;
    this.state = { ...this.state, header: emptyHeader(title), markdown: '', actions: { stop: true }, rendered: undefined };
    this.ensurePanel(title);
    this.postState();
    const live = () => this.request === request;
    return {
      signal: request.signal,
      update: (header, actions) => { if (live()) this.update(header, actions); },
      append: (text) => { if (live()) this.append(text); },
      restart: () => { if (live()) { this.state.markdown = ''; this.postState(); } },
    };
  }

  private update(header: Partial<AnswerHeader>, actions?: AnswerActions): void {
    this.state.header = { ...this.state.header, ...header };
    if (actions) this.state.actions = actions;
    if (this.panel) this.panel.title = `Switchyard: ${this.state.header.title}`;
    this.postState();
  }

  private append(text: string): void {
    this.state.markdown += text;
    if (this.ready) this.post({ type: 'append', seq: ++this.seq, text });
  }

  private ensurePanel(title: string): void {
    if (this.panel) {
      this.panel.title = `Switchyard: ${title}`;
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    const panel = vscode.window.createWebviewPanel('switchyard.answer', `Switchyard: ${title}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [root],
      retainContextWhenHidden: true,
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview, root);
    panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw));
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.request?.abort(); // closing the view stops the request (and its HTTP stream)
    });
  }

  private receive(raw: unknown): void {
    const msg: WebviewMessage | undefined = parseWebviewMessage(raw);
    if (!msg) {
      this.state.rejectedMessages++;
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        break;
      case 'rendered':
        this.state.rendered = { seq: msg.seq, chars: msg.chars, codeBlocks: msg.codeBlocks };
        break;
      case 'copy':
        void vscode.env.clipboard.writeText(msg.code).then(() => vscode.window.setStatusBarMessage('Switchyard: code copied', 2000));
        break;
      case 'insert':
        this.handlers?.insert(msg.code);
        break;
      case 'rerun':
        this.handlers?.rerun(msg.override);
        break;
      case 'open':
        this.handlers?.open(msg.href);
        break;
      case 'stop':
        this.request?.abort();
        break;
    }
  }

  private postState(): void {
    if (!this.ready) return; // the "ready" handshake posts the state
    this.post({ type: 'state', seq: ++this.seq, header: this.state.header, markdown: this.state.markdown, actions: this.state.actions });
  }

  private post(message: HostMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview, root: vscode.Uri): string {
    return webviewHtml(webview, { root, name: 'answer', title: 'Switchyard answer', body: '<header id="header"></header>\n<main id="answer"></main>' });
  }

  dispose(): void {
    this.request?.abort();
    this.panel?.dispose();
  }
}
