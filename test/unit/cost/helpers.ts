// Builders for ledger test data (not a test file: no `.test.ts`).
import type { LedgerRecord } from '../../../src/core/cost/record';
import type { ModelCallEvent } from '../../../src/core/types';

let n = 0;
export function event(over: Partial<ModelCallEvent> = {}): ModelCallEvent {
  n++;
  return {
    id: `ev-${n}-${Math.random().toString(36).slice(2)}`,
    time: new Date(2025, 5, 10, 12, 0, 0).toISOString(),
    kind: 'ask', route: 'cloud', reasons: ['task: ask'], provider: 'openai', model: 'gpt-4.1-mini', endpointClass: 'cloud',
    estimated: { promptTokens: 1000, completionTokens: 200 },
    usage: { promptTokens: 1000, completionTokens: 200 },
    totalMs: 1500, outcome: 'served',
    ...over,
  };
}

export function record(over: Partial<LedgerRecord> = {}): LedgerRecord {
  return { v: 1, workspace: 'ws1', ...event(), billedCostUsd: 0, ...over };
}
