// The completion pipeline's ledger events: one per model call, and one per quiet period for the
// suggestions served without a model call (cache, typing-through).
import { newId } from '../ids';
import type { StreamResult } from '../providers/types';
import type { ModelCallEvent, TokenUsage } from '../types';
import type { ActiveProvider, PipelineDeps } from './pipelineTypes';

/** Cache and typing-through hits are reported as one event per quiet period of this length. */
const CACHED_FLUSH_MS = 5000;

/** What one model call did. */
export interface ModelCall {
  id: string;
  time: string;
  active: ActiveProvider;
  /** Prompt tokens estimated from what was sent. */
  estimated: TokenUsage;
  /** Pieces streamed (one piece ~ one token). */
  pieces: number;
  res: Pick<StreamResult, 'usage' | 'timing'> | undefined;
  ttftMs: number | undefined;
  totalMs: number;
  outcome: ModelCallEvent['outcome'];
  error?: string;
}

/** The ledger event of one model call. */
export function modelCallEvent(c: ModelCall): ModelCallEvent {
  const { id, time, active, estimated, res, ttftMs, totalMs, outcome, error } = c;
  const usage = res?.usage;
  return {
    id, time, kind: 'completion', route: 'local',
    reasons: [outcome === 'cancelled' ? 'completion cancelled: the user kept typing' : 'completions are always local'],
    provider: active.id, model: active.model, endpointClass: active.endpointClass,
    estimated: { ...estimated, completionTokens: c.pieces },
    usage, ttftMs, ...(res?.timing ? { timing: res.timing } : {}), totalMs, outcome, error,
  };
}

/** One 'cached' event per quiet period, however many hits: the ledger needs the count, not a flood. */
export class CachedHits {
  private pending = 0;
  private timer: unknown;

  constructor(private readonly deps: Pick<PipelineDeps, 'clock' | 'provider' | 'emit' | 'now'>) {}

  note(): void {
    this.pending++;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = this.deps.clock.setTimeout(() => this.flush(), CACHED_FLUSH_MS);
  }

  flush(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const n = this.pending;
    if (!n) return;
    this.pending = 0;
    const active = this.deps.provider();
    this.deps.emit({
      id: newId(), time: (this.deps.now?.() ?? new Date()).toISOString(), kind: 'completion', route: 'local',
      reasons: [`${n} suggestion${n === 1 ? '' : 's'} from cache or typing-through (no model call)`],
      provider: active?.id ?? 'ollama', model: active?.model ?? '', endpointClass: active?.endpointClass ?? 'machine',
      estimated: { promptTokens: 0, completionTokens: 0 }, totalMs: 0, outcome: 'cached',
    });
  }
}
