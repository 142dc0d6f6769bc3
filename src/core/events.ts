/** What a subscription returns: dispose() unsubscribes (the shape of vscode.Disposable). */
export interface Disposable {
  dispose(): void;
}

/** A minimal typed event emitter for core (which cannot use vscode.EventEmitter). */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  /** Subscribes; the returned Disposable unsubscribes (push it where its owner's disposables go). */
  on(listener: (value: T) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** Calls every listener; a throwing listener never stops the others or the emitter. */
  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A broken view must not break the request path.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
