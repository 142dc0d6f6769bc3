import * as vscode from 'vscode';
import { WebviewPanelHost } from '../webview/panel';
import {
  parseWebviewMessage, type AnswerActions, type AnswerHeader, type AnswerTurn, type HistoryItem, type HostMessage, type WebviewMessage,
} from '../../core/tasks/answerProtocol';
import { HISTORY_SIZE, restoreHistory, toSaved, type HistoryEntry } from '../../core/tasks/answerHistory';
import type { ReadyMessage } from '../../core/protocol';
import { COMMANDS } from '../../core/commands';
import { notify } from '../notify';

/** What the view shows now; also what integration tests observe. The header/markdown/actions are the last turn's. */
export interface AnswerSnapshot {
  open: boolean;
  header: AnswerHeader;
  markdown: string;
  actions: AnswerActions;
  /** Every turn of the answer shown (the first question, then its follow-ups). */
  turns: AnswerTurn[];
  history: HistoryItem[];
  activeId?: string;
  /** What the webview last reported it rendered. */
  rendered?: { seq: number; chars: number; codeBlocks: number };
  /** Messages the webview sent that failed validation (ignored). */
  rejectedMessages: number;
}

export interface AnswerHandlers {
  rerun(override: 'local' | 'cloud'): void;
  insert(code: string): void;
  open(href: string): void;
  /** Asks a follow-up question about this answer, as a new turn. */
  followUp(question: string): void;
}

export interface AnswerSession {
  signal: AbortSignal;
  update(header: Partial<AnswerHeader>, actions?: AnswerActions): void;
  append(text: string): void;
  /** Clears the text for a new attempt (an automatic escalation). */
  restart(): void;
  /** The turn's text so far. */
  text(): string;
}

type Entry = HistoryEntry;

const HISTORY_KEY = 'switchyard.answers';

const emptyHeader = (title: string): AnswerHeader => ({ title, status: 'routing', reasons: [], tokensEstimated: true, costEstimated: true });

/**
 * The answer panel: one webview beside the editor with the history of answers (kept in the workspace
 * state, so they come back after a reload) and the follow-ups of the one shown. The host keeps the
 * state and posts it after the webview's "ready" handshake; streamed text goes as small appends.
 * Closing the panel aborts the request.
 */
export class AnswerView implements vscode.Disposable {
  private readonly view: WebviewPanelHost<HostMessage, WebviewMessage>;
  private seq = 0;
  private entries: Entry[];
  private activeId: string | undefined;
  /** Handlers of the answers asked in this session (a restored answer can be read, not re-run). */
  private readonly handlers = new Map<string, AnswerHandlers>();
  private request: AbortController | undefined;
  private rendered: AnswerSnapshot['rendered'];
  private counter = 0;

  constructor(extensionUri: vscode.Uri, private readonly memento: vscode.Memento, log?: { warn(message: string): void }) {
    this.entries = restoreHistory(memento.get<unknown>(HISTORY_KEY));
    this.activeId = this.entries[0]?.id;
    this.view = new WebviewPanelHost(extensionUri, {
      viewType: 'switchyard.answer', title: 'Switchyard: Answers', page: 'answer', htmlTitle: 'Switchyard answer',
      body: '<nav id="history" aria-label="Answers"></nav>\n<div id="turns"></div>\n<form id="follow-up" hidden></form>',
      placement: 'beside', retainContextWhenHidden: true, parse: parseWebviewMessage, log,
    }, {
      ready: () => this.postState(),
      message: (m) => this.receive(m),
      closed: () => this.request?.abort(), // closing the view stops the request (and its HTTP stream)
    });
  }

  snapshot(): AnswerSnapshot {
    const entry = this.active();
    const last = entry?.turns[entry.turns.length - 1];
    return structuredClone({
      open: this.view.isOpen,
      header: last?.header ?? emptyHeader(''),
      markdown: last?.markdown ?? '',
      actions: entry?.actions ?? {},
      turns: entry?.turns ?? [],
      history: this.history(),
      activeId: this.activeId,
      rendered: this.rendered,
      rejectedMessages: this.view.facts().rejectedMessages,
    });
  }

  /** Shows the panel with the history (after a reload, or from the command palette). */
  show(panel?: vscode.WebviewPanel): void {
    if (panel) this.view.adopt(panel);
    else this.view.show(`Switchyard: ${this.active()?.title ?? 'Answers'}`);
    this.postState();
  }

  /**
   * Starts a new answer (aborting any running one) at the top of the history, or - with `followUpOf` -
   * a new turn of that answer. The session's signal aborts when the view closes, Stop is pressed or
   * another request starts; a superseded session's updates are ignored.
   */
  begin(title: string, handlers: AnswerHandlers, followUpOf?: { id: string; question: string }): AnswerSession & { id: string } {
    this.request?.abort();
    const request = new AbortController();
    this.request = request;
    const parent = followUpOf && this.entries.find((e) => e.id === followUpOf.id);
    let entry: Entry;
    if (parent) {
      entry = parent;
      entry.turns.push({ question: followUpOf.question, header: emptyHeader(`Follow-up: ${followUpOf.question}`), markdown: '' });
    } else {
      entry = { id: `${Date.now().toString(36)}-${++this.counter}`, title, time: new Date().toISOString(), turns: [{ header: emptyHeader(title), markdown: '' }], actions: {} };
      this.entries.unshift(entry);
      this.entries.length = Math.min(this.entries.length, HISTORY_SIZE);
    }
    entry.actions = { stop: true };
    this.handlers.set(entry.id, handlers);
    this.activeId = entry.id;
    this.rendered = undefined;
    this.view.show(`Switchyard: ${entry.title}`);
    this.postState();
    this.save(); // the question survives a reload; a reload mid-answer restores it as interrupted
    const turn = entry.turns[entry.turns.length - 1];
    const live = () => this.request === request;
    return {
      id: entry.id,
      signal: request.signal,
      update: (header, actions) => { if (live()) this.update(entry, turn, header, actions); },
      append: (text) => { if (live()) this.append(entry, turn, text); },
      restart: () => { if (live()) { turn.markdown = ''; this.postState(); } },
      text: () => turn.markdown,
    };
  }

  private active(): Entry | undefined {
    return this.entries.find((e) => e.id === this.activeId);
  }

  private history(): HistoryItem[] {
    return this.entries.map((e) => ({ id: e.id, title: e.title, time: e.time, route: e.turns[0]?.header.route, locked: e.turns.some((t) => t.header.locked) || undefined }));
  }

  private update(entry: Entry, turn: AnswerTurn, header: Partial<AnswerHeader>, actions?: AnswerActions): void {
    const { title } = turn.header;
    turn.header = { ...turn.header, ...header, title };
    if (actions) entry.actions = actions;
    if (entry.id === this.activeId) {
      // A header-only change while streaming (the running token count) does not resend the text.
      if (!actions && turn === entry.turns[entry.turns.length - 1] && this.view.isReady) this.view.post({ type: 'header', seq: ++this.seq, header: turn.header });
      else this.postState();
    }
    if (turn.header.status !== 'routing' && turn.header.status !== 'streaming') this.save();
  }

  private append(entry: Entry, turn: AnswerTurn, text: string): void {
    turn.markdown += text;
    if (this.view.isReady && entry.id === this.activeId) this.view.post({ type: 'append', seq: ++this.seq, text });
  }

  private save(): void {
    void this.memento.update(HISTORY_KEY, toSaved(this.entries));
  }

  private receive(msg: Exclude<WebviewMessage, ReadyMessage>): void {
    const handlers = this.activeId ? this.handlers.get(this.activeId) : undefined;
    switch (msg.type) {
      case 'rendered':
        this.rendered = { seq: msg.seq, chars: msg.chars, codeBlocks: msg.codeBlocks };
        break;
      case 'copy':
        void vscode.env.clipboard.writeText(msg.code).then(() => vscode.window.setStatusBarMessage('Switchyard: code copied', 2000));
        break;
      case 'insert':
        if (handlers) handlers.insert(msg.code);
        else void notify('warn', 'this answer is from an earlier session; copy the code instead.');
        break;
      case 'rerun':
        handlers?.rerun(msg.override);
        break;
      case 'open':
        handlers?.open(msg.href);
        break;
      case 'followUp':
        handlers?.followUp(msg.question);
        break;
      case 'setKey':
        void vscode.commands.executeCommand(COMMANDS.setApiKey);
        break;
      case 'show':
        if (this.entries.some((e) => e.id === msg.id)) {
          this.activeId = msg.id;
          this.rendered = undefined;
          this.view.setTitle(`Switchyard: ${this.active()!.title}`);
          this.postState();
        }
        break;
      case 'stop':
        this.request?.abort();
        break;
    }
  }

  private postState(): void {
    if (!this.view.isReady) return; // the "ready" handshake posts the state
    const entry = this.active();
    const followUp = entry !== undefined && this.handlers.has(entry.id);
    this.view.post({ type: 'state', seq: ++this.seq, history: this.history(), activeId: this.activeId, turns: entry?.turns ?? [], actions: entry?.actions ?? {}, followUp });
  }

  dispose(): void {
    this.request?.abort();
    this.view.dispose();
  }
}
