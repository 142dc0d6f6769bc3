// Knows whether the local server is up without hammering it: one cheap check at start, none while
// requests succeed, and exponentially spaced probes while it is down (so a stopped server costs
// no connection attempt per keystroke).
import type { HealthResult } from '../providers/types';
import type { Clock } from './clock';
import { errorMessage } from '../errors';

export interface HealthOptions {
  firstRetryMs: number;
  maxRetryMs: number;
}

export const DEFAULT_HEALTH: HealthOptions = { firstRetryMs: 2000, maxRetryMs: 60000 };

export class HealthMonitor {
  private state: HealthResult | undefined;
  private timer: unknown;
  private retryMs: number;
  private running: AbortController | undefined;
  private disposed = false;

  constructor(
    private readonly check: (signal: AbortSignal) => Promise<HealthResult>,
    private readonly clock: Clock,
    private readonly onChange: (h: HealthResult) => void,
    private readonly opts: HealthOptions = DEFAULT_HEALTH,
  ) {
    this.retryMs = opts.firstRetryMs;
  }

  /** Last known health; undefined until the first check ends. */
  get current(): HealthResult | undefined {
    return this.state;
  }

  get healthy(): boolean | undefined {
    return this.state?.ok;
  }

  /** Checks now (cancelling a scheduled probe). */
  async checkNow(): Promise<HealthResult> {
    this.clearTimer();
    this.running?.abort();
    const controller = new AbortController();
    this.running = controller;
    let result: HealthResult;
    try {
      result = await this.check(controller.signal);
    } catch (err) {
      result = { ok: false, detail: errorMessage(err) };
    }
    if (this.running !== controller || this.disposed) return result;
    this.running = undefined;
    this.set(result);
    return result;
  }

  /** A real request failed to reach the server: mark it down and start probing. */
  reportDown(detail: string): void {
    if (this.state && !this.state.ok) return; // already probing
    this.set({ ok: false, detail });
  }

  /** A real request got through. */
  reportUp(): void {
    if (this.state?.ok) return;
    this.set({ ok: true, detail: 'the local model server answered' });
  }

  dispose(): void {
    this.disposed = true;
    this.clearTimer();
    this.running?.abort();
  }

  private set(result: HealthResult): void {
    const changed = !this.state || this.state.ok !== result.ok || this.state.detail !== result.detail;
    this.state = result;
    if (result.ok) {
      this.retryMs = this.opts.firstRetryMs;
      this.clearTimer();
    } else if (this.timer === undefined && !this.disposed) {
      const wait = this.retryMs;
      this.retryMs = Math.min(this.opts.maxRetryMs, this.retryMs * 2);
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        void this.checkNow();
      }, wait);
    }
    if (changed) this.onChange(result);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
