// Debounce that follows the typing rhythm: a fast typist gets a short wait, a hesitant one a
// longer wait, so a request starts when the user pauses rather than between two keystrokes.

export interface RhythmOptions {
  /** Shortest wait (also the wait when adaptation is off). */
  floorMs: number;
  /** Longest wait. */
  capMs: number;
  adaptive: boolean;
}

/** Gaps longer than this are pauses, not rhythm. */
const PAUSE_MS = 1200;
const ALPHA = 0.2;

export class TypingRhythm {
  private last: number | undefined;
  /** Running mean and mean absolute deviation of the gaps between keystrokes. */
  private mean = 160;
  private dev = 50;

  /** Records a keystroke at `now`. */
  note(now: number): void {
    if (this.last !== undefined) {
      const gap = now - this.last;
      if (gap > 0 && gap < PAUSE_MS) {
        this.mean += ALPHA * (gap - this.mean);
        this.dev += ALPHA * (Math.abs(gap - this.mean) - this.dev);
      }
    }
    this.last = now;
  }

  /**
   * How long to wait after the last keystroke before asking the model. `modelMs` is the model's
   * measured time to a first line: a fast model is asked sooner (a request the next keystroke makes
   * useless costs little, and a pause sees ghost text sooner); a slow CPU model waits longer, as each
   * wasted request holds the server for seconds. Inside a word (`midWord`) people rarely pause, so
   * the wait there is never shortened.
   */
  delay(opts: RhythmOptions & { modelMs?: number; midWord?: boolean }): number {
    if (!opts.adaptive) return opts.floorMs;
    // A pause is a gap well beyond the user's usual one: ~2.5x the mean gap plus two deviations
    // clears the in-word gaps and most short hesitations, where a request would be thrown away.
    const wait = 2.5 * this.mean + 2 * this.dev;
    if (opts.modelMs === undefined) return Math.round(Math.min(opts.capMs, Math.max(opts.floorMs, wait)));
    // Scaled by the model's speed against a reference of ~1 s to a first line.
    const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, opts.modelMs / REFERENCE_MS));
    const k = opts.midWord ? Math.max(MID_WORD_SCALE, scale) : scale;
    return Math.round(Math.min(opts.capMs * Math.max(1, scale), Math.max(opts.floorMs, wait * k)));
  }
}

/** A model this fast to a first line waits the rhythm's own pause length. */
const REFERENCE_MS = 1000;
const MIN_SCALE = 0.7;
const MAX_SCALE = 1.5;
const MID_WORD_SCALE = 1.3;
