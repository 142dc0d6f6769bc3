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

/**
 * How many problems the proposed text has that the original does not: each problem (severity and
 * message; lines move, so not position) in the proposal not matched by one in the original.
 */
export function newProblemCount(original: readonly string[], proposed: readonly string[]): number {
  const left = new Map<string, number>();
  for (const p of original) left.set(p, (left.get(p) ?? 0) + 1);
  let added = 0;
  for (const p of proposed) {
    const n = left.get(p) ?? 0;
    if (n > 0) left.set(p, n - 1);
    else added++;
  }
  return added;
}

/** The warning for new problems in a proposal, or none. */
export function problemsWarning(added: number): string[] {
  return added > 0 ? [`${added} new problem${added === 1 ? '' : 's'} (errors or warnings) in the proposed code`] : [];
}
