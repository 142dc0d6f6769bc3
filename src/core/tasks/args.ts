// Optional arguments of the task commands, so they can run without prompting (automation, tests).
// A command run from a menu receives the editor's URI instead: anything that is not ours is ignored.

export interface TaskArgs {
  /** Ask: the question. */
  question?: string;
  /** Refactor: a common refactor's label or free-text instruction. */
  refactor?: string;
  /** Force the route of this request. */
  override?: 'local' | 'cloud';
  /** Refactor: apply the proposal at once instead of asking. */
  apply?: boolean;
  /** Explain Architecture: the overview's token budget. */
  budgetTokens?: number;
}

export function parseTaskArgs(v: unknown): TaskArgs {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  const out: TaskArgs = {};
  if (typeof o.question === 'string' && o.question.trim() !== '') out.question = o.question;
  if (typeof o.refactor === 'string' && o.refactor.trim() !== '') out.refactor = o.refactor;
  if (o.override === 'local' || o.override === 'cloud') out.override = o.override;
  if (typeof o.apply === 'boolean') out.apply = o.apply;
  if (typeof o.budgetTokens === 'number' && Number.isInteger(o.budgetTokens) && o.budgetTokens >= 500 && o.budgetTokens <= 200_000) {
    out.budgetTokens = o.budgetTokens;
  }
  return out;
}
