// The answer view's front end: the history of answers, and the answer shown - each turn's route header
// and its streamed text as sanitized Markdown (no raw HTML, no images, allow-listed links), Copy /
// Insert on each code block, and a box for a follow-up question.
import MarkdownIt from 'markdown-it';
import {
  isAllowedLink, parseHostMessage, type AnswerActions, type AnswerHeader, type AnswerTurn, type HistoryItem, type HostMessage, type WebviewMessage,
} from '../../src/core/tasks/answerProtocol';
import { formatUsd } from '../shared/format';
import { connect } from '../shared/vscode';
import '../shared/base.css';
import './answer.css';

const vscode = connect<HostMessage, WebviewMessage>(parseHostMessage);

const DEMO_NOTICE = 'Demo model: shows how Switchyard works; its answers are not meaningful. Install Ollama or download a real model (Switchyard: Get Started).';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
md.disable('image'); // model output must not load anything (the CSP forbids it too)
md.validateLink = (url: string) => isAllowedLink(url);

// Code blocks get their own wrapper with buttons; the code itself stays in `codes`, by index.
let codes: string[] = [];
md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx];
  const lang = token.info.trim().split(/\s+/)[0] ?? '';
  const index = codes.push(token.content) - 1;
  return `<div class="code"><div class="code-bar"><span class="lang">${md.utils.escapeHtml(lang)}</span>`
    + `<button data-copy="${index}">Copy</button><button data-insert="${index}">Insert</button></div>`
    + `<pre><code>${md.utils.escapeHtml(token.content)}</code></pre></div>`;
};
// Links carry no href: in a webview, VS Code's host frame opens any http(s) anchor itself, whatever this
// page does. Here only the extension opens a link, after the user confirmed its full address.
md.renderer.rules.link_open = (tokens, idx) => {
  const href = String(tokens[idx].attrGet('href') ?? '');
  const safe = md.utils.escapeHtml(href);
  return `<a class="link" role="link" tabindex="0" data-href="${safe}" title="${safe}">`;
};

const historyEl = document.getElementById('history')!;
const turnsEl = document.getElementById('turns')!;
const followEl = document.getElementById('follow-up') as HTMLFormElement;
let turns: AnswerTurn[] = [];
let actions: AnswerActions = {};
let seq = 0;
let scheduled = false;

function el(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(label: string, data: Record<string, string>, cls?: string): HTMLElement {
  const b = el('button', cls, label);
  Object.assign(b.dataset, data);
  return b;
}

function renderHistory(items: HistoryItem[], activeId: string | undefined): void {
  historyEl.replaceChildren();
  historyEl.hidden = items.length < 2;
  if (items.length < 2) return;
  const label = el('label', 'history-label', 'Answers') as HTMLLabelElement;
  const select = document.createElement('select');
  select.id = 'history-select';
  label.htmlFor = select.id;
  for (const item of items) {
    const time = new Date(item.time);
    const when = Number.isNaN(time.getTime()) ? '' : `${time.toLocaleDateString()} ${time.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })} · `;
    const option = new Option(`${when}${item.locked ? '🔒 ' : ''}${item.title}${item.route ? ` (${item.route})` : ''}`, item.id, false, item.id === activeId);
    select.append(option);
  }
  select.addEventListener('change', () => vscode.post({ type: 'show', id: select.value }));
  historyEl.append(label, select);
}

function renderHeader(h: AnswerHeader, a: AnswerActions | undefined, question: string | undefined): HTMLElement {
  const header = el('header', 'turn-header');
  const top = el('div', 'top');
  top.append(el('span', 'title', question ? `Follow-up: ${question}` : h.title));
  if (h.route) top.append(el('span', `badge route-${h.route}`, h.route));
  if (h.locked) top.append(el('span', 'badge lock', '🔒 never-leave-machine'));
  if (h.demo) top.append(el('span', 'badge demo', 'demo model'));
  top.append(el('span', `status status-${h.status}`, h.status));
  header.append(top);

  const facts: string[] = [];
  if (h.provider) facts.push(`${h.provider}${h.model ? ` · ${h.model}` : ''}`);
  if (h.tokensIn !== undefined) facts.push(`${h.tokensEstimated ? '~' : ''}${h.tokensIn} in / ${h.tokensEstimated ? '~' : ''}${h.tokensOut ?? 0} out tokens${h.tokensEstimated ? ' (estimate)' : ''}`);
  if (h.ttftMs !== undefined) facts.push(`first token ${Math.round(h.ttftMs)} ms`);
  if (h.totalMs !== undefined) facts.push(`total ${(h.totalMs / 1000).toFixed(1)} s`);
  if (h.costUsd !== undefined) facts.push(`${h.costEstimated ? 'est. ' : ''}${formatUsd(h.costUsd, { rounded: true })}`);
  if (facts.length) header.append(el('div', 'facts', facts.join('  ·  ')));
  if (h.demo) header.append(el('div', 'demo-notice', DEMO_NOTICE));

  if (h.reasons.length) {
    const why = el('ul', 'reasons');
    for (const r of h.reasons) why.append(el('li', undefined, r));
    header.append(why);
  }
  if (h.unsure) {
    const unsure = el('div', 'unsure', `The local answer looks unsure: ${h.unsure}.`);
    if (h.cloudWhyNot) unsure.append(el('span', 'why-not', ` The cloud cannot take it: ${h.cloudWhyNot}.`));
    header.append(unsure);
  }
  if (h.error) header.append(el('div', 'error', h.error));
  if (!a) return header;

  const bar = el('div', 'actions');
  if (a.askCloud) {
    const cost = a.askCloud.estimatedCostUsd === undefined ? '' : ` (est. ${formatUsd(a.askCloud.estimatedCostUsd, { rounded: true })})`;
    bar.append(button(`Ask the cloud instead${cost}`, { rerun: 'cloud' }, 'primary'));
  }
  if (a.setKey) bar.append(button('Set a cloud key', { setKey: '1' }, 'primary'));
  if (a.keepLocal) bar.append(button(h.status === 'failed' ? 'Retry locally' : 'Keep it local', { rerun: 'local' }));
  if (a.stop) bar.append(button('Stop', { stop: '1' }));
  if (bar.childElementCount) header.append(bar);
  return header;
}

/** Renders every turn; the last one gets the actions and is the one that streams. */
function renderTurns(): void {
  scheduled = false;
  codes = [];
  turnsEl.replaceChildren();
  turns.forEach((t, i) => {
    const last = i === turns.length - 1;
    const section = el('section', 'turn');
    section.append(renderHeader(t.header, last ? actions : undefined, t.question));
    const answer = el('div', 'answer');
    if (last) answer.id = 'answer';
    const before = codes.length;
    answer.innerHTML = md.render(t.markdown); // html:false: the source cannot inject markup
    section.append(answer);
    turnsEl.append(section);
    if (last) vscode.post({ type: 'rendered', seq, chars: t.markdown.length, codeBlocks: codes.length - before });
  });
}

function renderFollowUp(enabled: boolean, busy: boolean): void {
  followEl.hidden = turns.length === 0;
  followEl.replaceChildren();
  if (turns.length === 0) return;
  if (!enabled) {
    followEl.append(el('div', 'follow-note', 'Follow-ups can be asked on answers from this session.'));
    return;
  }
  const input = document.createElement('textarea');
  input.id = 'follow-up-input';
  input.rows = 2;
  input.placeholder = 'Ask a follow-up (Ctrl+Enter)';
  input.disabled = busy;
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      followEl.requestSubmit();
    }
  });
  const send = button('Ask Follow-up', {}, 'primary');
  (send as HTMLButtonElement).type = 'submit';
  (send as HTMLButtonElement).disabled = busy;
  followEl.append(input, send);
}

followEl.addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('follow-up-input') as HTMLTextAreaElement | null;
  const question = input?.value.trim();
  if (!question) return;
  vscode.post({ type: 'followUp', question });
  input!.value = '';
});

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(renderTurns);
}

vscode.onMessage((msg) => {
  seq = msg.seq;
  if (msg.type === 'state') {
    turns = msg.turns;
    actions = msg.actions;
    renderHistory(msg.history, msg.activeId);
    renderTurns();
    renderFollowUp(msg.followUp, actions.stop === true);
  } else if (turns.length) {
    const last = turns[turns.length - 1];
    if (msg.type === 'append') last.markdown += msg.text;
    else last.header = msg.header;
    schedule();
  }
});

function openLink(link: HTMLElement): void {
  const href = link.dataset.href;
  if (href) vscode.post({ type: 'open', href });
}

document.addEventListener('click', (event) => {
  const target = event.target as HTMLElement | null;
  if (!target) return;
  const link = target.closest<HTMLElement>('a.link');
  if (link) {
    event.preventDefault();
    openLink(link);
    return;
  }
  const b = target.closest('button');
  if (!b || b.form === followEl) return; // the follow-up form submits itself
  const { copy, insert, rerun, stop, setKey } = b.dataset;
  if (copy !== undefined && codes[Number(copy)] !== undefined) vscode.post({ type: 'copy', code: codes[Number(copy)] });
  else if (insert !== undefined && codes[Number(insert)] !== undefined) vscode.post({ type: 'insert', code: codes[Number(insert)] });
  else if (rerun === 'cloud' || rerun === 'local') vscode.post({ type: 'rerun', override: rerun });
  else if (setKey) vscode.post({ type: 'setKey' });
  else if (stop) vscode.post({ type: 'stop' });
});

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  if (event.key === 'Enter' && target?.matches('a.link')) openLink(target);
});

vscode.ready();
