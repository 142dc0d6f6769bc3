// The dashboard front end. It only draws what the host sends (the host aggregates and pages), builds
// the DOM with textContent (never innerHTML), and speaks the typed protocol shared with the host.
import '@vscode/codicons/dist/codicon.css';
import '../shared/base.css';
import './dashboard.css';
import {
  defaultQuery, KINDS, OUTCOMES, parseHostMessage, ROUTES, SORT_KEYS, type DashboardInfo, type HostMessage, type SortKey, type TableQuery, type TableRow, type WebviewMessage,
} from '../../src/core/cost/dashboardProtocol';
import type { Summary } from '../../src/core/cost/summary';
import { formatCount as num, formatPercent as pct, formatUsd, plural } from '../shared/format';
import { connect } from '../shared/vscode';

const vscode = connect<HostMessage, WebviewMessage>(parseHostMessage);

const app = document.getElementById('app') as HTMLElement;
let query: TableQuery = restoreQuery();
let lastState: { summary: Summary; info: DashboardInfo } | undefined;
let exportNote = '';

// ---- tiny DOM helpers ------------------------------------------------------------------------------
type Child = Node | string | false | undefined;
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== false && c !== undefined) el.append(c);
  return el;
}
const SVG = 'http://www.w3.org/2000/svg';
function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}
const icon = (name: string) => h('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
const ROUTE_ICON: Record<string, string> = { local: 'device-desktop', cloud: 'cloud', blocked: 'shield' };

// ---- layout ----------------------------------------------------------------------------------------
const header = h('header', { class: 'header' });
const notices = h('div', { class: 'notices', role: 'status' });
const cards = h('section', { class: 'cards', 'aria-label': 'Totals' });
const charts = h('section', { class: 'charts', 'aria-label': 'Charts' });
const tableSection = h('section', { class: 'panel requests', 'aria-label': 'Recent requests' });
const footer = h('footer', { class: 'footer muted' });
const exportStatus = h('span', { class: 'export-status', role: 'status' });

// ---- messages --------------------------------------------------------------------------------------
vscode.onMessage((m) => {
  switch (m.type) {
    case 'state':
      lastState = { summary: m.summary, info: m.info };
      renderState();
      break;
    case 'page':
      if (m.searching) renderSearching();
      else renderTable(m.rows, m.total);
      break;
    case 'exported':
      exportNote = `Exported ${plural(m.count, 'record')} to ${m.path}`;
      renderExportNote();
      break;
    case 'error':
      exportNote = m.message;
      renderExportNote(true);
      break;
  }
});

function send(m: WebviewMessage): void {
  vscode.post(m);
}

function restoreQuery(): TableQuery {
  const saved = vscode.state() as { query?: TableQuery } | undefined;
  return saved?.query ?? defaultQuery();
}

function setQuery(next: TableQuery): void {
  query = next;
  vscode.setState({ query });
  send({ type: 'query', query });
}

function renderState(): void {
  if (!lastState) return;
  const { summary: sm, info } = lastState;
  header.replaceChildren(
    h('div', { class: 'title' }, h('h1', {}, 'Switchyard'), h('span', { class: 'muted' }, `Where every request went and what it cost · ${monthName(sm.month)}`),
      h('span', { class: 'muted prices-as-of', title: 'When the bundled price table was last checked against the providers\' pricing pages' }, `Prices as of ${info.pricesAsOf}`)),
    h('div', { class: 'actions' },
      button('settings-gear', 'Cost settings', () => send({ type: 'openSettings' })),
      button('output', 'Show log', () => send({ type: 'showLog' }))),
  );
  const warn: HTMLElement[] = [];
  if (info.loading) warn.push(h('div', { class: 'notice' }, icon('loading'), ' Reading the ledger…'));
  if (info.skippedLines.count) {
    warn.push(h('div', { class: 'notice warning' }, icon('warning'),
      ` ${info.skippedLines.count} unreadable ledger line${info.skippedLines.count > 1 ? 's were' : ' was'} skipped (${info.skippedLines.where.join(', ')}). Everything else is counted.`));
  }
  if (sm.unpricedCloudCalls) {
    const models = info.unpricedModels;
    warn.push(h('div', { class: 'notice warning', id: 'unpriced' }, icon('warning'),
      ` ${plural(sm.unpricedCloudCalls, 'cloud call')} this month ran on ${models.length ? models.join(', ') : 'models'} with no known price: the budget cannot be enforced exactly for them. `
      + 'They are counted at a conservative estimate (shown with ~) until you set a price. ',
      ...models.map((model) => button('tag', `Set price of ${model}`, () => send({ type: 'setPrice', model }), true))));
  }
  const ageDays = (Date.now() - Date.parse(`${info.pricesAsOf}T00:00:00`)) / 86_400_000;
  if (ageDays > 180) {
    warn.push(h('div', { class: 'notice', id: 'prices-age' }, icon('history'),
      ` Cloud list prices are as of ${info.pricesAsOf} (${Math.floor(ageDays / 30)} months ago). If your provider changed a price, set it in switchyard.cost.prices.`));
  }
  notices.replaceChildren(...warn);
  renderCards(sm, info);
  renderCharts(sm);
  footer.replaceChildren(
    h('p', {}, icon('info'), ` Cloud costs are billed from the usage each provider reports, at list prices as of ${info.pricesAsOf} (override per model in switchyard.cost.prices). `
      + `Local requests cost their inference time at $${info.localRatePerHourUsd.toFixed(3)}/h${info.localRateIsDefault ? ` (default: ${info.localRateAssumptions})` : ' (your setting)'}. `
      + `Savings price the local requests on ${info.cloudModel}.`),
  );
}

function renderCards(sm: Summary, info: DashboardInfo): void {
  const t = sm.today;
  const m = sm.monthTotals;
  const b = info.budget;
  const budgetCard = b.use === undefined
    ? card('Budget', 'credit-card', 'No cap', 'Set switchyard.budget.dailyUsd or monthlyUsd')
    : card('Budget used', 'credit-card', pct(b.use), [
      b.dailyCapUsd > 0 ? `${formatUsd(b.dailySpentUsd)} of ${formatUsd(b.dailyCapUsd)} today` : '',
      b.monthlyCapUsd > 0 ? `${formatUsd(b.monthlySpentUsd)} of ${formatUsd(b.monthlyCapUsd)} this month` : '',
    ].filter(Boolean).join(' · '), meter(b.use, b.warnAtPercent / 100));
  cards.replaceChildren(
    card('Today', 'calendar', formatUsd(t.cloudUsd + t.cloudUnreportedUsd), `${plural(t.requests, 'request')} · local ${formatUsd(t.localUsd)}`, undefined, 'today-spend'),
    card('This month', 'graph-line', formatUsd(m.cloudUsd + m.cloudUnreportedUsd), `projected ${formatUsd(sm.projectedMonthCloudUsd)} · local ${formatUsd(m.localUsd)}`),
    card('Saved', 'pass', formatUsd(sm.savings.savedUsd), sm.savings.priced ? `all-cloud ${formatUsd(sm.allCloudUsd)} vs actual ${formatUsd(sm.actualUsd)}` : `no price for ${sm.savings.cloudModel}`),
    card('Local share', 'device-desktop', pct(sm.localShare), `${num(m.localRequests)} local · ${num(m.cloudRequests)} cloud · ${num(m.blockedRequests)} blocked`),
    budgetCard,
  );
}

function card(title: string, codicon: string, value: string, detail: string, extra?: Node, id?: string): HTMLElement {
  return h('article', { class: 'card', 'aria-label': title, id },
    h('h2', {}, icon(codicon), ` ${title}`), h('div', { class: 'value' }, value), h('div', { class: 'detail muted' }, detail), extra);
}

function meter(use: number, warnAt: number): HTMLElement {
  const bar = h('div', { class: `meter ${use >= 1 ? 'over' : use >= warnAt ? 'warn' : ''}`, role: 'meter', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(Math.round(use * 100)) });
  const fill = h('div', { class: 'fill' });
  fill.style.width = `${Math.min(100, use * 100)}%`;
  bar.append(fill);
  return bar;
}

// ---- charts (plain SVG) ------------------------------------------------------------------------------
function renderCharts(sm: Summary): void {
  charts.replaceChildren(
    panel('Daily spend', dailyChart(sm), legend([['cloud', 'Cloud'], ['local', 'Local']])),
    panel('Requests by route', bars(Object.entries(sm.byRoute).map(([k, v]) => ({ label: k, value: v.requests, cls: k, note: formatUsd(v.usd) })))),
    panel('Requests by kind', bars(Object.entries(sm.byKind).map(([k, v]) => ({ label: k, value: v.requests, cls: 'kind', note: formatUsd(v.usd) })))),
    panel('All-cloud vs actual', bars([
      { label: 'actual', value: sm.actualUsd, cls: 'local', note: formatUsd(sm.actualUsd) },
      { label: `all on ${sm.savings.cloudModel}`, value: sm.allCloudUsd, cls: 'cloud', note: formatUsd(sm.allCloudUsd) },
    ], true)),
  );
}

function panel(title: string, ...content: Node[]): HTMLElement {
  return h('article', { class: 'panel chart' }, h('h2', {}, title), ...content);
}

function legend(items: [string, string][]): HTMLElement {
  return h('div', { class: 'legend' }, ...items.map(([cls, label]) => h('span', {}, h('span', { class: `swatch ${cls}` }), ` ${label}`)));
}

// Drawn at the panel's pixel width (not scaled from a fixed viewBox), so text keeps its size and nothing
// is cut when the dashboard is narrow; redrawn when the panel is resized.
const dailyHolder = h('div', { class: 'daily-holder' });
let dailyDays: Summary['daily'] = [];
let dailyMonthDays = 31;
new ResizeObserver(() => drawDaily()).observe(dailyHolder);

function dailyChart(sm: Summary): HTMLElement {
  dailyDays = sm.daily;
  const [y, m] = sm.month.split('-').map(Number);
  dailyMonthDays = new Date(y, m, 0).getDate();
  drawDaily();
  return dailyHolder;
}

function drawDaily(): void {
  const W = Math.max(200, Math.floor(dailyHolder.clientWidth || 420));
  const H = 120, top = 14, axis = 16;
  const days = dailyDays;
  const max = Math.max(0.01, ...days.map((d) => d.cloudUsd + d.localUsd));
  // One slot per day of the month: a day's bar and its label share the slot's centre.
  const slot = W / dailyMonthDays;
  const barW = Math.max(1, Math.min(slot * 0.7, 24));
  const every = [1, 2, 5, 7, 10].find((n) => n * slot >= 22) ?? 15;
  const svg = s('svg', { width: W, height: H + axis, viewBox: `0 0 ${W} ${H + axis}`, role: 'img', class: 'daily', 'aria-label': `Daily spend this month, up to ${formatUsd(max)} a day` });
  svg.append(s('line', { x1: 0, y1: H, x2: W, y2: H, class: 'axis' }));
  svg.append(s('text', { x: 2, y: 10, class: 'tick' }, `max ${formatUsd(max)}`));
  days.forEach((d, i) => {
    const cx = (i + 0.5) * slot;
    const x = cx - barW / 2;
    const cloudH = (d.cloudUsd / max) * (H - top);
    const localH = (d.localUsd / max) * (H - top);
    const g = s('g', { 'data-day': i + 1 }, s('title', {}, `${d.date}: cloud ${formatUsd(d.cloudUsd)}, local ${formatUsd(d.localUsd)}, ${d.requests} requests`));
    // A day with requests but no cost still gets a hairline, so it is not mistaken for an idle day.
    const minH = d.requests ? 1 : 0;
    g.append(s('rect', { x, y: H - Math.max(localH, minH), width: barW, height: Math.max(localH, minH), class: 'local', 'data-day': i + 1 }));
    g.append(s('rect', { x, y: H - localH - cloudH, width: barW, height: cloudH, class: 'cloud', 'data-day': i + 1 }));
    svg.append(g);
  });
  for (let day = 1; day <= dailyMonthDays; day++) {
    if ((day - 1) % every !== 0) continue; // 1, 1 + every, ...: evenly spaced, never two crowded together
    const cx = (day - 0.5) * slot;
    svg.append(s('text', { x: cx, y: H + 12, class: 'tick day-label', 'text-anchor': 'middle', 'data-day': day }, String(day)));
  }
  dailyHolder.replaceChildren(svg);
}

function bars(items: { label: string; value: number; cls: string; note: string }[], money = false): HTMLElement {
  const max = Math.max(...items.map((i) => i.value), money ? 0.0001 : 1);
  return h('div', { class: 'bars' }, ...items.map((i) => {
    const fill = h('div', { class: `bar ${i.cls}` });
    fill.style.width = `${(i.value / max) * 100}%`;
    return h('div', { class: 'bar-row' },
      h('span', { class: 'bar-label', title: i.label }, i.label),
      h('div', { class: 'bar-track' }, fill),
      h('span', { class: 'bar-value' }, money ? i.note : `${num(i.value)} · ${i.note}`));
  }));
}

// ---- requests table ----------------------------------------------------------------------------------
const COLUMNS: { key: SortKey | undefined; label: string; cls?: string }[] = [
  { key: 'time', label: 'Time' }, { key: 'kind', label: 'Kind' }, { key: 'route', label: 'Route' }, { key: 'model', label: 'Model' },
  { key: 'tokens', label: 'Tokens in / out', cls: 'num' }, { key: 'latency', label: 'Latency', cls: 'num' }, { key: 'cost', label: 'Cost', cls: 'num' },
  { key: 'outcome', label: 'Outcome' }, { key: undefined, label: 'Why' },
];
const tbody = h('tbody');
const headRow = h('tr');
const pager = h('div', { class: 'pager' });

function buildTableShell(): void {
  const text = h('input', { type: 'search', placeholder: 'Filter: model, reason, error…', 'aria-label': 'Filter requests', value: query.filter.text ?? '' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => setQuery({ ...query, page: 0, filter: { ...query.filter, text: text.value.slice(0, 200) || undefined } }), 200);
  });
  const select = (label: string, key: 'route' | 'kind' | 'outcome', options: readonly string[]) => {
    const el = h('select', { 'aria-label': label }, h('option', { value: '' }, `All ${label.toLowerCase()}s`), ...options.map((o) => h('option', { value: o, selected: query.filter[key] === o }, o)));
    el.addEventListener('change', () => setQuery({ ...query, page: 0, filter: { ...query.filter, [key]: el.value || undefined } }));
    return el;
  };
  const mine = h('input', { type: 'checkbox', id: 'this-ws', checked: !!query.filter.thisWorkspace });
  mine.addEventListener('change', () => setQuery({ ...query, page: 0, filter: { ...query.filter, thisWorkspace: mine.checked || undefined } }));

  for (const c of COLUMNS) {
    const th = h('th', { scope: 'col', class: c.cls });
    if (c.key) {
      const key = c.key;
      const b = h('button', { class: 'sort', type: 'button' }, c.label);
      b.addEventListener('click', () => {
        const dir = query.sort.key === key && query.sort.dir === 'desc' ? 'asc' : 'desc';
        setQuery({ ...query, page: 0, sort: { key, dir } });
      });
      th.append(b);
    } else th.append(c.label);
    headRow.append(th);
  }

  const today = new Date();
  const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  const from = h('input', { type: 'date', 'aria-label': 'Export from', value: iso(new Date(today.getFullYear(), today.getMonth(), 1)) });
  const to = h('input', { type: 'date', 'aria-label': 'Export to', value: iso(today) });
  const format = h('select', { 'aria-label': 'Export format' }, h('option', { value: 'csv' }, 'CSV'), h('option', { value: 'json' }, 'JSON'));
  const exportButton = button('export', 'Export', () => {
    if (!from.value || !to.value || from.value > to.value) {
      exportNote = 'Choose a period: from must be on or before to.';
      renderExportNote(true);
      return;
    }
    send({ type: 'export', format: format.value === 'json' ? 'json' : 'csv', from: from.value, to: to.value });
  }, true);

  tableSection.replaceChildren(
    h('div', { class: 'table-head' }, h('h2', {}, 'Requests'),
      h('div', { class: 'filters' }, text, select('Route', 'route', ROUTES), select('Kind', 'kind', KINDS),
        select('Outcome', 'outcome', OUTCOMES), h('label', { for: 'this-ws', class: 'check' }, mine, ' This workspace'))),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, headRow), tbody)),
    pager,
    h('div', { class: 'export' }, h('span', {}, icon('desktop-download'), ' Export'), from, h('span', { class: 'muted' }, 'to'), to, format, exportButton, exportStatus),
  );
}

function renderTable(rows: TableRow[], total: number): void {
  headRow.querySelectorAll('th').forEach((th, i) => {
    const key = COLUMNS[i].key;
    th.setAttribute('aria-sort', key && key === query.sort.key ? (query.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    const b = th.querySelector('button');
    if (b && key) b.dataset.active = String(key === query.sort.key);
  });
  tbody.replaceChildren(...(rows.length ? rows.map(row) : [h('tr', {}, h('td', { colspan: String(COLUMNS.length), class: 'empty muted' }, 'No requests match.'))]));
  const first = total ? query.page * query.pageSize + 1 : 0;
  const last = Math.min(total, (query.page + 1) * query.pageSize);
  const prev = button('chevron-left', 'Previous page', () => setQuery({ ...query, page: query.page - 1 }));
  const next = button('chevron-right', 'Next page', () => setQuery({ ...query, page: query.page + 1 }));
  prev.disabled = query.page === 0;
  next.disabled = last >= total;
  pager.replaceChildren(h('span', { class: 'muted' }, `${num(first)}–${num(last)} of ${num(total)}`), prev, next);
  send({ type: 'rendered', rows: rows.map((r) => r.id), total });
}

function renderSearching(): void {
  tbody.replaceChildren(h('tr', {}, h('td', { colspan: String(COLUMNS.length), class: 'empty muted' }, icon('loading'), ' Searching this month\'s requests…')));
}

function row(r: TableRow): HTMLElement {
  const time = new Date(r.time);
  const tokens = `${r.estimatedTokens ? '~' : ''}${num(r.tokensIn)} / ${r.estimatedTokens ? '~' : ''}${num(r.tokensOut)}`;
  const cache = [r.cacheRead ? `${num(r.cacheRead)} cache read` : '', r.cacheWrite ? `${num(r.cacheWrite)} cache write` : ''].filter(Boolean).join(', ');
  const why = [...r.reasons, r.error ? `error: ${r.error}` : ''].filter(Boolean).join('; ');
  const tr = h('tr', { 'data-id': r.id },
    h('td', { title: r.time }, time.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' })),
    h('td', {}, r.kind),
    h('td', {}, h('span', { class: `badge ${r.route}` }, icon(ROUTE_ICON[r.route] ?? 'question'), ` ${r.route}`)),
    h('td', { class: 'model', title: `${r.endpointClass} endpoint` }, `${r.provider}/${r.model}`),
    h('td', { class: 'num', title: cache || (r.estimatedTokens ? 'estimated before the call' : 'reported by the provider') }, tokens),
    h('td', { class: 'num', title: r.ttftMs !== undefined ? `first token ${Math.round(r.ttftMs)} ms` : '' }, `${num(Math.round(r.totalMs))} ms`),
    h('td', { class: 'num', title: r.estimatedCost ? 'estimate' : 'billed' }, r.costUsd === undefined ? '—' : `${r.estimatedCost ? '~' : ''}${formatUsd(r.costUsd)}`),
    h('td', {}, h('span', { class: `outcome ${r.outcome}` }, r.outcome)),
    h('td', { class: 'why' }, why),
  );
  // Column names for the narrow layout, where each request is a card with labelled fields.
  tr.querySelectorAll('td').forEach((td, i) => { td.dataset.label = COLUMNS[i].label; });
  return tr;
}

function renderExportNote(error = false): void {
  exportStatus.textContent = exportNote;
  exportStatus.className = `export-status ${error ? 'error' : 'muted'}`;
}

function button(codicon: string, label: string, onClick: () => void, withText = false): HTMLButtonElement {
  const b = h('button', { type: 'button', class: withText ? 'primary' : 'icon', title: label, 'aria-label': label }, icon(codicon), withText ? ` ${label}` : undefined);
  b.addEventListener('click', onClick);
  return b;
}

function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(y, m - 1, 1).toLocaleString(undefined, { month: 'long', year: 'numeric' });
}

// Keep the sort keys in one place: a typo in COLUMNS would otherwise be a silently dead header.
for (const c of COLUMNS) if (c.key && !(SORT_KEYS as readonly string[]).includes(c.key)) throw new Error(`unknown sort key ${c.key}`);

// ---- start: build the page shell, then tell the host we are ready for state -------------------------
app.replaceChildren(header, notices, cards, charts, tableSection, footer);
app.removeAttribute('aria-busy');
buildTableShell();
vscode.ready();
