// Posting gated on the page's "ready" handshake. Pure (no vscode), so it is unit-tested on its own.

/**
 * Holds back what the host posts until the page has loaded and said "ready", and again after a hidden
 * page is torn down (it says "ready" once more when shown). Messages posted while closed are dropped,
 * not replayed: every view answers "ready" with its whole current state, which supersedes them, and a
 * replay would draw stale steps (a streamed answer's appends) on top of that state.
 */
export class Gate<T> {
  private opened = false;
  private droppedCount = 0;

  constructor(private readonly deliver: (message: T) => void) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** Messages dropped because the page was not ready. */
  get dropped(): number {
    return this.droppedCount;
  }

  open(): void {
    this.opened = true;
  }

  close(): void {
    this.opened = false;
  }

  /** Delivers the message if the page is ready; returns whether it did. */
  post(message: T): boolean {
    if (!this.opened) {
      this.droppedCount++;
      return false;
    }
    this.deliver(message);
    return true;
  }
}
