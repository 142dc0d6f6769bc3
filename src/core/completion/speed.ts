// The model's measured speed: how long until its first token and how long per token after it,
// as running means over served requests. The debounce asks a fast model sooner than a slow one.

const ALPHA = 0.3;
/** Tokens of a typical first line of code. */
const LINE_TOKENS = 12;

export class ModelSpeed {
  private prefillMs: number | undefined;
  private perTokenMs: number | undefined;

  /** Records a served request: time to its first token, its total time and tokens generated. */
  note(ttftMs: number | undefined, totalMs: number, tokens: number): void {
    if (ttftMs === undefined || !(ttftMs >= 0)) return;
    this.prefillMs = this.prefillMs === undefined ? ttftMs : this.prefillMs + ALPHA * (ttftMs - this.prefillMs);
    if (tokens > 1 && totalMs > ttftMs) {
      const per = (totalMs - ttftMs) / (tokens - 1);
      this.perTokenMs = this.perTokenMs === undefined ? per : this.perTokenMs + ALPHA * (per - this.perTokenMs);
    }
  }

  /** Expected time from a request to its first complete line, or undefined before any measurement. */
  firstLineMs(): number | undefined {
    if (this.prefillMs === undefined) return undefined;
    return this.prefillMs + LINE_TOKENS * (this.perTokenMs ?? 0);
  }
}
