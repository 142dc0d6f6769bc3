/** What a subscription returns: dispose() unsubscribes (the shape of vscode.Disposable). */
export interface Disposable {
  dispose(): void;
}

/**
 * A subscription. Also callable, which unsubscribes too: the form callers used before on()
 * returned a Disposable.
 */
export type Subscription = Disposable & (() => void);

/** A minimal typed event emitter for core (which cannot use vscode.EventEmitter). */
export class Emitter<T> {
  private listeners = new Set<(value: T) => void>();

  /** Subscribes; the returned Disposable unsubscribes (push it where its owner's disposables go). */
  on(listener: (value: T) => void): Subscription {
    this.listeners.add(listener);
    const off = () => {
      this.listeners.delete(listener);
    };
    return Object.assign(off, { dispose: off });
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
