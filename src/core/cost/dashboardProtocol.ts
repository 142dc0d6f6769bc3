// The typed messages between the dashboard webview and the extension host. Both sides import this file;
// the host validates every message from the webview with `parseWebviewMessage` before acting on it, and
// the page every message from the host with `parseHostMessage` before drawing it.
// Browser-safe: no Node imports (types only).
import type { Outcome, RequestKind, Route } from '../types';
import { describeType, isCount, isFiniteNumber, isObject, onlyKeys, reject, type Parsed } from '../protocol';
import type { Summary } from './summary';

export const SORT_KEYS = ['time', 'kind', 'route', 'model', 'tokens', 'latency', 'cost', 'outcome'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** The values a filter accepts (and the dashboard offers). */
export const ROUTES: readonly Route[] = ['local', 'cloud', 'blocked'];
export const KINDS: readonly RequestKind[] = ['completion', 'ask', 'refactor', 'architecture'];
export const OUTCOMES: readonly Outcome[] = ['served', 'cancelled', 'cached', 'failed', 'blocked'];
export const MAX_PAGE_SIZE = 200;

export interface TableQuery {
  page: number;
  pageSize: number;
  sort: { key: SortKey; dir: 'asc' | 'desc' };
  filter: { text?: string; route?: Route; kind?: RequestKind; outcome?: Outcome; thisWorkspace?: boolean };
}

/** One row of the requests table: what a user needs to see where a request went, why, and its cost. */
export interface TableRow {
  id: string;
  time: string;
  kind: RequestKind;
  route: Route;
  provider: string;
  model: string;
  endpointClass: string;
  tokensIn: number;
  tokensOut: number;
  cacheRead: number;
  cacheWrite: number;
  /** Token counts are the pre-call estimate (the provider reported none). */
  estimatedTokens: boolean;
  ttftMs?: number;
  totalMs: number;
  outcome: Outcome;
  costUsd?: number;
  /** The cost is an estimate, not provider-billed. */
  estimatedCost: boolean;
  reasons: string[];
  error?: string;
}

export interface DashboardInfo {
  localRatePerHourUsd: number;
  /** Human-readable assumptions behind the default local rate. */
  localRateAssumptions: string;
  localRateIsDefault: boolean;
  cloudModel: string;
  /** When the bundled price table was last checked (YYYY-MM-DD). */
  pricesAsOf: string;
  /** Cloud models used this month that have no price (counted at a conservative price meanwhile). */
  unpricedModels: string[];
  budget: { dailyCapUsd: number; monthlyCapUsd: number; dailySpentUsd: number; monthlySpentUsd: number; warnAtPercent: number; onCap: string; use?: number };
  /** Lines the ledger reader skipped (corrupt or torn), with where. */
  skippedLines: { count: number; where: string[] };
  loading: boolean;
}

export type HostMessage =
  | { type: 'state'; summary: Summary; info: DashboardInfo }
  /** `searching`: a filter or sort is still reading the month (rows follow in another page message). */
  | { type: 'page'; query: TableQuery; rows: TableRow[]; total: number; searching?: boolean }
  | { type: 'exported'; path: string; count: number }
  | { type: 'error'; message: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'query'; query: TableQuery }
  | { type: 'export'; format: 'csv' | 'json'; from: string; to: string }
  | { type: 'openSettings' }
  | { type: 'showLog' }
  /** Set the price of a model with no known price (the host asks for it; the model must be one it reported). */
  | { type: 'setPrice'; model: string }
  /** What the front end drew (ids of the table rows, in order): lets the host and tests confirm it. */
  | { type: 'rendered'; rows: string[]; total: number };

export function defaultQuery(): TableQuery {
  return { page: 0, pageSize: 50, sort: { key: 'time', dir: 'desc' }, filter: {} };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Returns the message if it is well-formed, otherwise a reason. Never trusts the webview. */
export function parseWebviewMessage(x: unknown): Parsed<WebviewMessage> {
  if (!isObject(x) || typeof x.type !== 'string') return reject('not a message');
  switch (x.type) {
    case 'ready':
    case 'openSettings':
    case 'showLog':
      return onlyKeys(x, ['type']) ? { type: x.type } : reject(`unexpected fields in ${x.type}`);
    case 'setPrice':
      if (!onlyKeys(x, ['type', 'model']) || typeof x.model !== 'string' || !x.model || x.model.length > 200) return reject('setPrice needs a model name');
      return { type: 'setPrice', model: x.model };
    case 'query': {
      if (!onlyKeys(x, ['type', 'query'])) return reject('unexpected fields in query');
      const q = parseQuery(x.query);
      return typeof q === 'string' ? reject(q) : { type: 'query', query: q };
    }
    case 'rendered': {
      if (!onlyKeys(x, ['type', 'rows', 'total'])) return reject('unexpected fields in rendered');
      if (!Array.isArray(x.rows) || x.rows.length > MAX_PAGE_SIZE || !x.rows.every((r) => typeof r === 'string' && r.length <= 200)) {
        return reject('rendered rows must be at most 200 ids');
      }
      if (!Number.isInteger(x.total) || (x.total as number) < 0) return reject('rendered total must be a whole number');
      return { type: 'rendered', rows: x.rows as string[], total: x.total as number };
    }
    case 'export': {
      if (!onlyKeys(x, ['type', 'format', 'from', 'to'])) return reject('unexpected fields in export');
      if (x.format !== 'csv' && x.format !== 'json') return reject('export format must be csv or json');
      if (typeof x.from !== 'string' || typeof x.to !== 'string' || !DATE.test(x.from) || !DATE.test(x.to)
        || Number.isNaN(Date.parse(x.from)) || Number.isNaN(Date.parse(x.to)) || x.from > x.to) {
        return reject('export period must be two dates YYYY-MM-DD, from <= to');
      }
      return { type: 'export', format: x.format, from: x.from, to: x.to };
    }
    default:
      return reject(`unknown message type ${describeType(x)}`);
  }
}

/** Returns the host's message if it has the shape the page draws, otherwise a reason. */
export function parseHostMessage(x: unknown): Parsed<HostMessage> {
  if (!isObject(x) || typeof x.type !== 'string') return reject('not a message');
  switch (x.type) {
    case 'state':
      return isSummary(x.summary) && isInfo(x.info) ? { type: 'state', summary: x.summary, info: x.info } : reject('malformed state');
    case 'page': {
      const query = parseQuery(x.query);
      if (typeof query === 'string') return reject(`page: ${query}`);
      if (!Array.isArray(x.rows) || !x.rows.every(isRow) || !isCount(x.total)) return reject('page needs rows and a total');
      if (x.searching !== undefined && typeof x.searching !== 'boolean') return reject('page searching must be true or false');
      return { type: 'page', query, rows: x.rows, total: x.total, ...(x.searching ? { searching: true } : {}) };
    }
    case 'exported':
      return typeof x.path === 'string' && isCount(x.count) ? { type: 'exported', path: x.path, count: x.count } : reject('exported needs a path and a count');
    case 'error':
      return typeof x.message === 'string' ? { type: 'error', message: x.message } : reject('error needs a message');
    default:
      return reject(`unknown message type ${describeType(x)}`);
  }
}

// The page draws these fields; deeper numbers are only formatted, so their presence is what matters.
function isSummary(s: unknown): s is Summary {
  return isObject(s) && typeof s.month === 'string' && isObject(s.today) && isObject(s.monthTotals) && Array.isArray(s.daily)
    && isObject(s.byRoute) && isObject(s.byKind) && isObject(s.savings) && typeof s.savings.cloudModel === 'string'
    && isFiniteNumber(s.actualUsd) && isFiniteNumber(s.allCloudUsd) && isFiniteNumber(s.localShare);
}

function isInfo(i: unknown): i is DashboardInfo {
  return isObject(i) && isFiniteNumber(i.localRatePerHourUsd) && typeof i.pricesAsOf === 'string' && typeof i.cloudModel === 'string'
    && Array.isArray(i.unpricedModels) && i.unpricedModels.every((m) => typeof m === 'string')
    && isObject(i.budget) && isObject(i.skippedLines) && isCount(i.skippedLines.count) && Array.isArray(i.skippedLines.where);
}

function isRow(r: unknown): r is TableRow {
  return isObject(r) && typeof r.id === 'string' && typeof r.time === 'string' && typeof r.route === 'string' && Array.isArray(r.reasons);
}

function parseQuery(x: unknown): TableQuery | string {
  if (!isObject(x) || !onlyKeys(x, ['page', 'pageSize', 'sort', 'filter'])) return 'query must be { page, pageSize, sort, filter }';
  const { page, pageSize, sort, filter } = x;
  if (!Number.isInteger(page) || (page as number) < 0 || (page as number) > 1e6) return 'page must be a whole number >= 0';
  if (!Number.isInteger(pageSize) || (pageSize as number) < 1 || (pageSize as number) > MAX_PAGE_SIZE) return `pageSize must be 1..${MAX_PAGE_SIZE}`;
  if (!isObject(sort) || !onlyKeys(sort, ['key', 'dir']) || !(SORT_KEYS as readonly unknown[]).includes(sort.key)
    || (sort.dir !== 'asc' && sort.dir !== 'desc')) return 'sort must be { key, dir: asc|desc }';
  if (!isObject(filter) || !onlyKeys(filter, ['text', 'route', 'kind', 'outcome', 'thisWorkspace'])) return 'filter has unexpected fields';
  const out: TableQuery['filter'] = {};
  if (filter.text !== undefined) {
    if (typeof filter.text !== 'string' || filter.text.length > 200) return 'filter text must be a string of at most 200 characters';
    if (filter.text.trim()) out.text = filter.text.trim();
  }
  if (filter.route !== undefined) {
    if (!(ROUTES as readonly unknown[]).includes(filter.route)) return 'unknown route';
    out.route = filter.route as Route;
  }
  if (filter.kind !== undefined) {
    if (!(KINDS as readonly unknown[]).includes(filter.kind)) return 'unknown kind';
    out.kind = filter.kind as RequestKind;
  }
  if (filter.outcome !== undefined) {
    if (!(OUTCOMES as readonly unknown[]).includes(filter.outcome)) return 'unknown outcome';
    out.outcome = filter.outcome as Outcome;
  }
  if (filter.thisWorkspace !== undefined) {
    if (typeof filter.thisWorkspace !== 'boolean') return 'thisWorkspace must be true or false';
    if (filter.thisWorkspace) out.thisWorkspace = true;
  }
  return { page: page as number, pageSize: pageSize as number, sort: { key: sort.key as SortKey, dir: sort.dir }, filter: out };
}
