import { describeTiming } from '../providers/serverTiming';
import type { ModelCallEvent } from '../types';

/** Cost fields the ledger adds to an event; optional so a line can be logged before pricing. */
export interface LoggedCost {
  estimatedCostUsd?: number;
  billedCostUsd?: number;
  /** The usage is partly an estimate (a cloud stream that failed or was cancelled part-way). */
  usageEstimated?: true;
  /** The model has no known price: the cost is at a conservative assumed price. */
  priceAssumed?: true;
}

/**
 * One log line per model call, in the fixed shape the switchyard-log grammar colours:
 * `TIME [route] provider/model kind in=N out=N ttft=Nms total=Nms $0.0000 outcome — [server split; ][error; ]reasons`
 * A `~` marks an estimate, as the dashboard and the status bar tooltip do: token counts that are not (all)
 * provider-reported, and a cost that is not provider usage at a known price.
 */
export function formatLogLine(e: ModelCallEvent & LoggedCost): string {
  const usage = e.usage ?? e.estimated;
  const est = e.usage && !e.usageEstimated ? '' : '~';
  const cost = e.billedCostUsd ?? e.estimatedCostUsd;
  const costEst = e.billedCostUsd === undefined || e.usageEstimated || e.priceAssumed ? '~' : '';
  const parts = [
    e.time,
    `[${e.route}]`,
    `${e.provider}/${e.model || '-'}`,
    e.kind,
    `in=${est}${usage.promptTokens}`,
    `out=${est}${usage.completionTokens}`,
    e.ttftMs === undefined ? 'ttft=-' : `ttft=${Math.round(e.ttftMs)}ms`,
    `total=${Math.round(e.totalMs)}ms`,
    cost === undefined ? '$-' : `${costEst}$${cost.toFixed(4)}`,
    e.outcome,
  ];
  const tail = [describeTiming(e.timing, e.ttftMs) ?? '', e.error ? `error: ${e.error}` : '', ...e.reasons].filter(Boolean).join('; ');
  return tail ? `${parts.join(' ')} — ${tail}` : parts.join(' ');
}
