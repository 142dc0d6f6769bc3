// From routing decisions and task results to what the answer view shows and what commands return.
import type { RouteDecision } from '../routing/router';
import type { AnswerActions, AnswerHeader } from './answerProtocol';
import type { TaskResult } from './runner';

export function routedHeader(d: RouteDecision): Partial<AnswerHeader> {
  return {
    status: d.target === 'blocked' ? 'blocked' : 'streaming',
    route: d.target,
    provider: d.provider,
    model: d.model,
    reasons: d.reasons,
    tokensIn: d.estimated.promptTokens,
    tokensOut: d.estimated.completionTokens,
    tokensEstimated: true,
    costUsd: d.estimatedCostUsd,
    costEstimated: true,
    unsure: undefined,
    error: undefined,
  };
}

export function finishedHeader(r: TaskResult): Partial<AnswerHeader> {
  const status: AnswerHeader['status'] = r.outcome === 'served' ? 'done' : r.outcome === 'cancelled' ? 'cancelled' : r.outcome === 'blocked' ? 'blocked' : 'failed';
  return {
    ...routedHeader(r.decision),
    model: r.model,
    status,
    route: r.outcome === 'blocked' ? 'blocked' : r.decision.target,
    ...(r.usage ? { tokensIn: r.usage.promptTokens + (r.usage.cacheReadTokens ?? 0) + (r.usage.cacheWriteTokens ?? 0), tokensOut: r.usage.completionTokens, tokensEstimated: false } : {}),
    ttftMs: r.ttftMs,
    totalMs: r.totalMs,
    costUsd: r.outcome === 'blocked' ? undefined : r.costUsd,
    costEstimated: !r.usage,
    unsure: r.unsure ? r.confidence?.signals.join(', ') || 'low confidence' : undefined,
    cloudWhyNot: r.unsure ? r.offers.cloudWhyNot : undefined,
    locked: r.neverLeaveMachine || undefined,
    error: r.error?.message,
  };
}

export function actionsFor(r: TaskResult): AnswerActions {
  return {
    ...(r.offers.askCloud ? { askCloud: r.offers.askCloud } : {}),
    ...(r.offers.keepLocal ? { keepLocal: true } : {}),
    ...(r.offers.setKey ? { setKey: true } : {}),
  };
}

/** What a command returns (for automation and tests): plain data, no prompt. */
export interface TaskSummary {
  outcome: TaskResult['outcome'];
  route: TaskResult['decision']['target'];
  provider: string;
  model: string;
  reasons: string[];
  text: string;
  error?: string;
  errorCode?: string;
  costUsd?: number;
  usage?: TaskResult['usage'];
  unsure: boolean;
  offers: TaskResult['offers'];
  escalated: boolean;
}

export function summarize(r: TaskResult): TaskSummary {
  return {
    outcome: r.outcome,
    route: r.outcome === 'blocked' ? 'blocked' : r.decision.target,
    provider: r.decision.provider,
    model: r.model,
    reasons: r.decision.reasons,
    text: r.text,
    error: r.error?.message,
    errorCode: r.error?.code,
    costUsd: r.costUsd,
    usage: r.usage,
    unsure: r.unsure,
    offers: r.offers,
    escalated: r.escalatedFrom !== undefined,
  };
}
