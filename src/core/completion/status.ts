// The pipeline's state for the status bar: "thinking" while a request runs long, "slow" while the
// last requests took longer than the setting on average.
import type { PipelineDeps, PipelineState } from './pipelineTypes';

export class PipelineStatus {
  private recentMs: number[] = [];
  private current: PipelineState = 'ready';

  constructor(private readonly deps: Pick<PipelineDeps, 'onState'>) {}

  get state(): PipelineState {
    return this.current;
  }

  noteLatency(ms: number, slowMs: number): void {
    this.recentMs.push(ms);
    if (this.recentMs.length > 5) this.recentMs.shift();
    this.setState(this.slowNow(slowMs) ? 'slow' : 'ready');
  }

  slowNow(slowMs: number): boolean {
    if (this.recentMs.length < 2) return false;
    return this.recentMs.reduce((a, b) => a + b, 0) / this.recentMs.length > slowMs;
  }

  setState(state: PipelineState): void {
    if (state === this.current) return;
    this.current = state;
    this.deps.onState?.(state);
  }
}
