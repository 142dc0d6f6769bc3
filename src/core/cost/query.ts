// The requests table: filter, sort and page ledger records in the host, so the webview only ever
// receives one page however large the ledger is.
import type { SortKey, TableQuery, TableRow } from './dashboardProtocol';
import { costIsEstimate, type LedgerRecord } from './record';

export function toRow(r: LedgerRecord): TableRow {
  const u = r.usage ?? r.estimated;
  const row: TableRow = {
    id: r.id, time: r.time, kind: r.kind, route: r.route, provider: r.provider, model: r.model,
    endpointClass: r.endpointClass, tokensIn: u.promptTokens || 0, tokensOut: r.usage ? r.usage.completionTokens || 0 : u.completionTokens || 0,
    cacheRead: u.cacheReadTokens || 0, cacheWrite: u.cacheWriteTokens || 0, estimatedTokens: !r.usage || r.usageEstimated === true,
    totalMs: r.totalMs, outcome: r.outcome, costUsd: r.billedCostUsd ?? r.estimatedCostUsd,
    estimatedCost: costIsEstimate(r), reasons: r.reasons,
  };
  if (r.ttftMs !== undefined) row.ttftMs = r.ttftMs;
  if (r.error) row.error = r.error;
  return row;
}

const tokens = (r: LedgerRecord) => {
  const u = r.usage ?? r.estimated;
  return (u.promptTokens || 0) + (u.completionTokens || 0);
};
const SORT: Record<SortKey, (r: LedgerRecord) => string | number> = {
  time: (r) => r.time,
  kind: (r) => r.kind,
  route: (r) => r.route,
  model: (r) => `${r.provider}/${r.model}`,
  tokens,
  latency: (r) => r.totalMs,
  cost: (r) => r.billedCostUsd ?? r.estimatedCostUsd ?? -1,
  outcome: (r) => r.outcome,
};

/** The sort key of a column. */
export function sortKey(key: SortKey): (r: LedgerRecord) => string | number {
  return SORT[key];
}

/** Whether a record passes the table's filter. */
export function matcher(f: TableQuery['filter'], workspace?: string): (r: LedgerRecord) => boolean {
  const text = f.text?.toLowerCase();
  return (r) => (!f.route || r.route === f.route)
    && (!f.kind || r.kind === f.kind)
    && (!f.outcome || r.outcome === f.outcome)
    && (!f.thisWorkspace || r.workspace === workspace)
    && (!text || `${r.provider}/${r.model} ${r.kind} ${r.route} ${r.outcome} ${r.reasons.join(' ')} ${r.error ?? ''}`.toLowerCase().includes(text));
}

/**
 * One page of rows. `records` are in append order (oldest first), so the default newest-first view
 * needs no sort at all.
 */
export function queryRecords(records: readonly LedgerRecord[], q: TableQuery, workspace?: string): { rows: TableRow[]; total: number } {
  const f = q.filter;
  const filtered = f.route || f.kind || f.outcome || f.thisWorkspace || f.text ? records.filter(matcher(f, workspace)) : records;
  let ordered: readonly LedgerRecord[];
  if (q.sort.key === 'time') {
    // Append order is time order (up to clock skew between windows); a stable sort keeps it cheap.
    ordered = isSortedByTime(filtered) ? filtered : [...filtered].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    if (q.sort.dir === 'desc') {
      const start = Math.max(0, ordered.length - (q.page + 1) * q.pageSize);
      const end = Math.max(0, ordered.length - q.page * q.pageSize);
      return { rows: ordered.slice(start, end).reverse().map(toRow), total: filtered.length };
    }
  } else {
    const key = SORT[q.sort.key];
    const sign = q.sort.dir === 'asc' ? 1 : -1;
    const keyed = filtered.map((r, i) => ({ k: key(r), r, i }));
    keyed.sort((a, b) => (a.k < b.k ? -sign : a.k > b.k ? sign : b.i - a.i)); // ties: newest first
    ordered = keyed.map((x) => x.r);
  }
  const start = q.page * q.pageSize;
  return { rows: ordered.slice(start, start + q.pageSize).map(toRow), total: filtered.length };
}

function isSortedByTime(rs: readonly LedgerRecord[]): boolean {
  for (let i = 1; i < rs.length; i++) if (rs[i - 1].time > rs[i].time) return false;
  return true;
}

/** Local-time bounds of a day period. */
export function periodBounds(from: string, to: string): { fromMs: number; toExclusiveMs: number } {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  return { fromMs: new Date(fy, fm - 1, fd).getTime(), toExclusiveMs: new Date(ty, tm - 1, td + 1).getTime() };
}

// CSV: one row per record, RFC 4180 quoting. Text cells that a spreadsheet would run as a formula
// (starting with = + - @) get a leading apostrophe.
const CSV_COLUMNS = ['time', 'workspace', 'kind', 'route', 'provider', 'model', 'endpointClass', 'outcome',
  'estimatedPromptTokens', 'estimatedCompletionTokens', 'promptTokens', 'completionTokens', 'cacheReadTokens',
  'cacheWriteTokens', 'ttftMs', 'totalMs', 'estimatedCostUsd', 'billedCostUsd', 'costEstimated', 'reasons', 'error', 'id'] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvRow(r: LedgerRecord): string {
  const cells: (string | number | undefined)[] = [
    r.time, r.workspace, r.kind, r.route, r.provider, r.model, r.endpointClass, r.outcome,
    r.estimated.promptTokens, r.estimated.completionTokens, r.usage?.promptTokens, r.usage?.completionTokens,
    r.usage?.cacheReadTokens, r.usage?.cacheWriteTokens, r.ttftMs, r.totalMs, r.estimatedCostUsd, r.billedCostUsd,
    r.usageEstimated || r.priceAssumed ? 'yes' : '', r.reasons.join('; '), r.error, r.id,
  ];
  return cells.map(csvCell).join(',') + '\r\n';
}

export function toCsv(records: Iterable<LedgerRecord>): string {
  let out = csvHeader();
  for (const r of records) out += csvRow(r);
  return out;
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toJson(records: Iterable<LedgerRecord>): string {
  return JSON.stringify([...records], null, 2) + '\n';
}

/** One record as an element of toJson's array (so a streamed export is byte for byte the same). */
export function jsonItem(r: LedgerRecord): string {
  return JSON.stringify(r, null, 2).replace(/^/gm, '  ');
}
