// The answer view's front end: renders the streamed answer as sanitized Markdown (no raw HTML, no
// images, allow-listed links), with Copy / Insert on each code block and the route header on top.
import MarkdownIt from 'markdown-it';
import {
  isAllowedLink, parseHostMessage, type AnswerActions, type AnswerHeader, type WebviewMessage,
} from '../../src/core/tasks/answerProtocol';
import './answer.css';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void };
const vscode = acquireVsCodeApi();

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

const headerEl = document.getElementById('header')!;
const answerEl = document.getElementById('answer')!;
let markdown = '';
let seq = 0;
let scheduled = false;

function el(tag: string, cls?: string, text?: string): HTMLElement {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function usd(n: number): string {
  return n >= 0.01 || n === 0 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;
}

function renderHeader(h: AnswerHeader, a: AnswerActions): void {
  headerEl.replaceChildren();
  const top = el('div', 'top');
  top.append(el('span', 'title', h.title));
  if (h.route) top.append(el('span', `badge route-${h.route}`, h.route));
  top.append(el('span', `status status-${h.status}`, h.status));
  headerEl.append(top);

  const facts: string[] = [];
  if (h.provider) facts.push(`${h.provider}${h.model ? ` · ${h.model}` : ''}`);
  if (h.tokensIn !== undefined) facts.push(`${h.tokensEstimated ? '~' : ''}${h.tokensIn} in / ${h.tokensEstimated ? '~' : ''}${h.tokensOut ?? 0} out tokens`);
  if (h.ttftMs !== undefined) facts.push(`first token ${Math.round(h.ttftMs)} ms`);
  if (h.totalMs !== undefined) facts.push(`total ${(h.totalMs / 1000).toFixed(1)} s`);
  if (h.costUsd !== undefined) facts.push(`${h.costEstimated ? 'est. ' : ''}${usd(h.costUsd)}`);
  if (facts.length) headerEl.append(el('div', 'facts', facts.join('  ·  ')));

  if (h.reasons.length) {
    const why = el('ul', 'reasons');
    for (const r of h.reasons) why.append(el('li', undefined, r));
    headerEl.append(why);
  }
  if (h.unsure) headerEl.append(el('div', 'unsure', `The local answer looks unsure: ${h.unsure}`));
  if (h.error) headerEl.append(el('div', 'error', h.error));

  const bar = el('div', 'actions');
  if (a.askCloud) {
    const cost = a.askCloud.estimatedCostUsd === undefined ? '' : ` (est. ${usd(a.askCloud.estimatedCostUsd)})`;
    const b = el('button', 'primary', `Ask the cloud instead${cost}`);
    b.dataset.rerun = 'cloud';
    bar.append(b);
  }
  if (a.keepLocal) {
    const b = el('button', undefined, h.status === 'failed' ? 'Retry locally' : 'Keep it local');
    b.dataset.rerun = 'local';
    bar.append(b);
  }
  if (a.stop) {
    const b = el('button', undefined, 'Stop');
    b.dataset.stop = '1';
    bar.append(b);
  }
  if (bar.childElementCount) headerEl.append(bar);
}

function renderAnswer(): void {
  scheduled = false;
  codes = [];
  answerEl.innerHTML = md.render(markdown); // html:false: the source cannot inject markup
  vscode.postMessage({ type: 'rendered', seq, chars: markdown.length, codeBlocks: codes.length });
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(renderAnswer);
}

window.addEventListener('message', (event: MessageEvent) => {
  const msg = parseHostMessage(event.data);
  if (!msg) return;
  seq = msg.seq;
  if (msg.type === 'state') {
    markdown = msg.markdown;
    renderHeader(msg.header, msg.actions);
    renderAnswer();
  } else {
    markdown += msg.text;
    schedule();
  }
});

document.addEventListener('click', (event) => {
  const target = event.target as HTMLElement | null;
  if (!target) return;
  const link = target.closest('a');
  if (link) {
    event.preventDefault();
    const href = link.getAttribute('href');
    if (href) vscode.postMessage({ type: 'open', href });
    return;
  }
  const button = target.closest('button');
  if (!button) return;
  const { copy, insert, rerun, stop } = button.dataset;
  if (copy !== undefined && codes[Number(copy)] !== undefined) vscode.postMessage({ type: 'copy', code: codes[Number(copy)] });
  else if (insert !== undefined && codes[Number(insert)] !== undefined) vscode.postMessage({ type: 'insert', code: codes[Number(insert)] });
  else if (rerun === 'cloud' || rerun === 'local') vscode.postMessage({ type: 'rerun', override: rerun });
  else if (stop) vscode.postMessage({ type: 'stop' });
});

vscode.postMessage({ type: 'ready' });
