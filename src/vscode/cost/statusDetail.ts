import type { LedgerRecord } from '../../core/cost/record';
import { formatUsd } from '../../core/cost/usd';
import type { BudgetState } from '../../core/types';

/** Tooltip lines about the last request: where it went, why, tokens, latency, cost; then budget use. */
export function describeLast(r: LedgerRecord, b: BudgetState): string[] {
  const u = r.usage ?? r.estimated;
  const est = r.usage && !r.usageEstimated ? '' : '~';
  const cache = [u.cacheReadTokens ? `${u.cacheReadTokens} cache read` : '', u.cacheWriteTokens ? `${u.cacheWriteTokens} cache write` : '']
    .filter(Boolean).join(', ');
  const assumed = r.priceAssumed ? '; no price known for this model, counted at a conservative price' : '';
  const cost = r.billedCostUsd !== undefined
    ? r.route === 'local' ? `${formatUsd(r.billedCostUsd)} (local time at $${(r.localRatePerHourUsd ?? 0).toFixed(2)}/h)`
      : r.usageEstimated ? `~${formatUsd(r.billedCostUsd)} (estimate: the stream failed part-way; usage reported so far plus the text received${assumed})`
        : r.priceAssumed ? `~${formatUsd(r.billedCostUsd)} (estimate: reported usage${assumed})` : `${formatUsd(r.billedCostUsd)} (billed from reported usage)`
    : r.estimatedCostUsd !== undefined ? `~${formatUsd(r.estimatedCostUsd)} (estimate: no usage reported${assumed})` : 'unknown (no price for this model)';
  const lines = [
    `Last request: ${r.kind} → ${r.route} · ${r.provider}/${r.model || '-'} · ${r.outcome}`,
    `Tokens: in ${est}${u.promptTokens}${cache ? ` (${cache})` : ''}, out ${est}${u.completionTokens}`,
    `Time: ${r.ttftMs !== undefined ? `first token ${Math.round(r.ttftMs)} ms, ` : ''}total ${Math.round(r.totalMs)} ms`,
    `Cost: ${cost}`,
  ];
  if (r.reasons.length) lines.push(`Why: ${r.reasons.join('; ')}`);
  if (r.error) lines.push(`Error: ${r.error}`);
  const caps = [b.dailyCapUsd > 0 ? `${formatUsd(b.dailySpentUsd)} of ${formatUsd(b.dailyCapUsd)} today` : '', b.monthlyCapUsd > 0 ? `${formatUsd(b.monthlySpentUsd)} of ${formatUsd(b.monthlyCapUsd)} this month` : '']
    .filter(Boolean);
  lines.push(caps.length ? `Cloud budget: ${caps.join(', ')}${b.exceeded ? ' — cap reached' : b.warning ? ' — nearing the cap' : ''}` : `Cloud today: ${formatUsd(b.dailySpentUsd)}`);
  return lines;
}
