// Checks on a refactor proposal before the user applies it.

/** A proposal this many times the selection's lines (and at least MIN_EXTRA_LINES more) is flagged. */
const SIZE_RATIO = 3;
const MIN_EXTRA_LINES = 20;

/** Signs a proposal looks wrong, in plain words: far larger or smaller than what it replaces. */
export function proposalWarnings(original: string, proposed: string): string[] {
  const lines = (t: string) => t.trimEnd().split('\n').length;
  const a = lines(original);
  const b = lines(proposed);
  const out: string[] = [];
  const n = (k: number) => `${k} line${k === 1 ? '' : 's'}`;
  if (b >= a * SIZE_RATIO && b - a >= MIN_EXTRA_LINES) out.push(`it is ${n(b)} for a ${a}-line selection (${Math.round(b / a)}× the size)`);
  if (a >= MIN_EXTRA_LINES && b * SIZE_RATIO <= a) out.push(`it is ${n(b)} for a ${a}-line selection: most of the code is gone`);
  return out;
}
