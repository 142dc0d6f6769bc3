// The messages between the answer view's host (extension) and its webview, shared by both sides.
// Each side validates what it receives: the webview renders model output, so nothing it sends is trusted.
import type { Route } from '../types';

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
  error?: string;
}

export interface AnswerActions {
  askCloud?: { estimatedCostUsd?: number };
  keepLocal?: boolean;
  stop?: boolean;
}

export type HostMessage =
  | { type: 'state'; seq: number; header: AnswerHeader; markdown: string; actions: AnswerActions }
  | { type: 'append'; seq: number; text: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'rendered'; seq: number; chars: number; codeBlocks: number }
  | { type: 'copy'; code: string }
  | { type: 'insert'; code: string }
  | { type: 'rerun'; override: 'local' | 'cloud' }
  | { type: 'open'; href: string }
  | { type: 'stop' };

const MAX_CODE = 1_000_000;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const nat = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A message from the webview, or undefined when it is not one of ours (ignored, never trusted). */
export function parseWebviewMessage(v: unknown): WebviewMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
    case 'stop':
      return { type: v.type };
    case 'rendered':
      return nat(v.seq) && nat(v.chars) && nat(v.codeBlocks) ? { type: 'rendered', seq: v.seq, chars: v.chars, codeBlocks: v.codeBlocks } : undefined;
    case 'copy':
    case 'insert':
      return typeof v.code === 'string' && v.code.length <= MAX_CODE ? { type: v.type, code: v.code } : undefined;
    case 'rerun':
      return v.override === 'local' || v.override === 'cloud' ? { type: 'rerun', override: v.override } : undefined;
    case 'open':
      return typeof v.href === 'string' && v.href.length <= 2000 ? { type: 'open', href: v.href } : undefined;
    default:
      return undefined;
  }
}

/** A message from the host, or undefined. */
export function parseHostMessage(v: unknown): HostMessage | undefined {
  if (!isObj(v) || !nat(v.seq)) return undefined;
  if (v.type === 'append' && typeof v.text === 'string') return { type: 'append', seq: v.seq, text: v.text };
  if (v.type === 'state' && typeof v.markdown === 'string' && isObj(v.header) && isObj(v.actions)
    && typeof v.header.title === 'string' && Array.isArray(v.header.reasons)) {
    return v as unknown as HostMessage;
  }
  return undefined;
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
