// The answer history kept in workspace state: what is saved, and how a saved copy is read back.
import type { AnswerActions, AnswerTurn, HistoryItem } from './answerProtocol';

export interface HistoryEntry extends HistoryItem {
  turns: AnswerTurn[];
  actions: AnswerActions;
}

export const HISTORY_SIZE = 30;
/** Kept per turn in the saved history; longer answers are cut (the ledger keeps no text at all). */
export const SAVED_CHARS = 60_000;
export const INTERRUPTED = 'The window was reloaded or closed before this answer finished.';

/** What goes into workspace state: no handlers or actions, text cut to SAVED_CHARS. */
export function toSaved(entries: readonly HistoryEntry[]): unknown[] {
  return entries.map((e) => ({
    id: e.id, title: e.title, time: e.time,
    turns: e.turns.map((t) => ({ ...t, markdown: t.markdown.slice(0, SAVED_CHARS) })),
  }));
}

/**
 * The saved history, checked: anything malformed is dropped, never trusted. A turn saved while it was
 * still routing or streaming comes back cancelled with the reason, never as a spinner that never ends.
 */
export function restoreHistory(saved: unknown): HistoryEntry[] {
  if (!Array.isArray(saved)) return [];
  const out: HistoryEntry[] = [];
  for (const e of saved) {
    if (typeof e !== 'object' || e === null) continue;
    const { id, title, time, turns } = e as Partial<HistoryEntry>;
    if (typeof id !== 'string' || typeof title !== 'string' || typeof time !== 'string' || !Array.isArray(turns)) continue;
    const good = turns
      .filter((t): t is AnswerTurn => typeof t?.markdown === 'string' && typeof t.header?.title === 'string' && Array.isArray(t.header.reasons))
      .map((t) => (t.header.status === 'routing' || t.header.status === 'streaming'
        ? { ...t, header: { ...t.header, status: 'cancelled' as const, error: t.header.error ?? INTERRUPTED } }
        : t));
    if (good.length) out.push({ id, title, time, turns: good, actions: {} });
  }
  return out.slice(0, HISTORY_SIZE);
}
