// The messages between the answer view's host (extension) and its webview, shared by both sides.
// Each side validates what it receives: the webview renders model output, so nothing it sends is trusted.
import type { Route } from '../types';
import { describeType, isCount, isObject, reject, type Parsed } from '../protocol';

export type AnswerStatus = 'routing' | 'streaming' | 'done' | 'failed' | 'blocked' | 'cancelled';

/** What the header shows: where the request went, why, and what it took. Never prompt text or keys. */
export interface AnswerHeader {
  title: string;
  status: AnswerStatus;
  route?: Route;
  provider?: string;
  model?: string;
  reasons: string[];
  tokensIn?: number;
  tokensOut?: number;
  /** Token counts are the estimate (no usage reported yet). */
  tokensEstimated: boolean;
  ttftMs?: number;
  totalMs?: number;
  costUsd?: number;
  costEstimated: boolean;
  /** Local answers: why it looked unsure, when it did. */
  unsure?: string;
  /** Why the cloud cannot take this request (shown beside an unsure answer), when it cannot. */
  cloudWhyNot?: string;
  /** Made in a never-leave-machine workspace: nothing of it left the machine. */
  locked?: boolean;
  /** The model is Switchyard's development demo model: its output is not meaningful. */
  demo?: boolean;
  error?: string;
}

export interface AnswerActions {
  askCloud?: { estimatedCostUsd?: number };
  keepLocal?: boolean;
  /** The cloud could take an unsure answer but no key is set. */
  setKey?: boolean;
  stop?: boolean;
}

/** One question and its answer; an answer's follow-ups are further turns. */
export interface AnswerTurn {
  /** The follow-up question (the first turn's question is in the title). */
  question?: string;
  header: AnswerHeader;
  markdown: string;
}

/** An answer in the history list. */
export interface HistoryItem {
  id: string;
  title: string;
  /** ISO time the answer was asked. */
  time: string;
  route?: AnswerHeader['route'];
  locked?: boolean;
}

export type HostMessage =
  | {
    type: 'state'; seq: number; history: HistoryItem[]; activeId?: string; turns: AnswerTurn[]; actions: AnswerActions;
    /** Follow-up questions can be asked here (the answer's request is known in this session). */
    followUp: boolean;
  }
  | { type: 'append'; seq: number; text: string }
  /** The last turn's header changed (e.g. the running token count), text unchanged. */
  | { type: 'header'; seq: number; header: AnswerHeader };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'rendered'; seq: number; chars: number; codeBlocks: number }
  | { type: 'copy'; code: string }
  | { type: 'insert'; code: string }
  | { type: 'rerun'; override: 'local' | 'cloud' }
  | { type: 'open'; href: string }
  | { type: 'show'; id: string }
  | { type: 'followUp'; question: string }
  | { type: 'setKey' }
  | { type: 'stop' };

const MAX_CODE = 1_000_000;

/** A message from the webview, or why it was refused (ignored, never trusted). */
export function parseWebviewMessage(v: unknown): Parsed<WebviewMessage> {
  if (!isObject(v) || typeof v.type !== 'string') return reject('not a message');
  switch (v.type) {
    case 'ready':
    case 'stop':
    case 'setKey':
      return { type: v.type };
    case 'show':
      return typeof v.id === 'string' && v.id.length <= 100 ? { type: 'show', id: v.id } : reject('show needs an answer id');
    case 'followUp':
      return typeof v.question === 'string' && v.question.trim() !== '' && v.question.length <= 10_000
        ? { type: 'followUp', question: v.question.trim() } : reject('followUp needs a question of at most 10,000 characters');
    case 'rendered':
      return isCount(v.seq) && isCount(v.chars) && isCount(v.codeBlocks)
        ? { type: 'rendered', seq: v.seq, chars: v.chars, codeBlocks: v.codeBlocks } : reject('rendered needs whole numbers seq, chars, codeBlocks');
    case 'copy':
    case 'insert':
      return typeof v.code === 'string' && v.code.length <= MAX_CODE ? { type: v.type, code: v.code } : reject(`${v.type} needs code of at most 1 MB`);
    case 'rerun':
      return v.override === 'local' || v.override === 'cloud' ? { type: 'rerun', override: v.override } : reject('rerun override must be local or cloud');
    case 'open':
      return typeof v.href === 'string' && v.href.length <= 2000 ? { type: 'open', href: v.href } : reject('open needs a link of at most 2,000 characters');
    default:
      return reject(`unknown message type ${describeType(v)}`);
  }
}

/** A message from the host, or why it was refused (the webview draws only what it validated). */
export function parseHostMessage(v: unknown): Parsed<HostMessage> {
  if (!isObject(v) || !isCount(v.seq)) return reject('not a message');
  if (v.type === 'append' && typeof v.text === 'string') return { type: 'append', seq: v.seq, text: v.text };
  if (v.type === 'header' && isHeader(v.header)) return v as unknown as HostMessage;
  if (v.type === 'state' && Array.isArray(v.history) && Array.isArray(v.turns) && isObject(v.actions)
    && v.turns.every((t) => isObject(t) && typeof t.markdown === 'string' && isHeader(t.header))) {
    return v as unknown as HostMessage;
  }
  return reject(`malformed ${describeType(v)}`);
}

function isHeader(h: unknown): h is AnswerHeader {
  return isObject(h) && typeof h.title === 'string' && Array.isArray(h.reasons);
}

/** Link targets the answer view may open: web pages, and files of the workspace by relative path. */
export function isAllowedLink(href: string): boolean {
  const h = href.trim();
  if (h === '' || h.startsWith('//')) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(h)?.[1]?.toLowerCase();
  if (scheme === undefined) return true; // a relative path or #anchor
  return scheme === 'http' || scheme === 'https';
}

/** A relative link's path and optional 1-based line ("src/a.ts#L12" or "src/a.ts:12"). */
export function parseFileLink(href: string): { path: string; line?: number } | undefined {
  if (!isAllowedLink(href) || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('#')) return undefined;
  const m = /^(.*?)(?:#L(\d+)(?:-L?\d+)?|:(\d+)(?::\d+)?)?$/.exec(href.trim());
  if (!m || !m[1]) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
  path = path.replace(/^\.\//, '');
  if (path.startsWith('/') || path.split('/').includes('..')) return undefined;
  const line = Number(m[2] ?? m[3]);
  return { path, ...(Number.isInteger(line) && line > 0 ? { line } : {}) };
}
