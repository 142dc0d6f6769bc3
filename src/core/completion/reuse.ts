// What a keystroke can reuse instead of a new request: a running request whose text the user is
// typing (adopted by the next call), or a cached suggestion for the same window.
import type { Flight, FlightResult } from './flight';
import type { Snippet } from './templates';
import type { PromptWindow } from './window';

/** A running request stays useful while the user types exactly what it streams (or has yet to stream). */
export function isConsistent(f: Flight, win: PromptWindow): boolean {
  if (f.userCancelled || win.suffix !== f.win.suffix) return false;
  if (win.prefix.length < f.win.prefix.length) return false;
  const typed = win.prefix.slice(f.win.prefix.length);
  if (!win.prefix.startsWith(f.win.prefix)) return false;
  if (!typed) return true;
  return f.raw.startsWith(typed) || (typed.startsWith(f.raw) && !f.stoppedEarly);
}

/** The part of a flight's text still to show after what the caller typed since it started. */
export function restAfterTyped(f: Flight, r: FlightResult, win: PromptWindow): string | undefined {
  const typed = win.prefix.length - f.win.prefix.length;
  if (typed > 0 && !r.text.startsWith(win.prefix.slice(f.win.prefix.length))) return undefined;
  return r.text.slice(Math.max(0, typed)) || undefined;
}

/** The cache entry of a suggestion: the model, the template, the window and the snippets it saw. */
export function cacheKey(model: string, template: string, win: PromptWindow, snippets: readonly Snippet[] | undefined): string {
  const sn = snippets?.length ? snippets.map((s) => `${s.path}:${s.text.length}`).join(',') : '';
  return `${model}\u0000${template}\u0000${win.multiline ? 'm' : 's'}${sn}\u0000${win.prefix}\u0001${win.suffix}`;
}
