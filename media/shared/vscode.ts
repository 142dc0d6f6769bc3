// The webview kit, page side: the one VS Code API handle of a page, speaking its view's protocol.
// Host messages are validated before a handler sees them; what fails is dropped and noted in the
// webview's developer console (the page never draws what it did not validate).
import { isRejected, type Message, type Parse } from '../../src/core/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface Page<ToPage extends Message, ToHost extends Message> {
  /** Sends a message to the host (which validates it again: the page is never trusted). */
  post(message: ToHost): void;
  /** Tells the host the page is listening: it posts the whole state in answer. Call once, last. */
  ready(): void;
  /** What `setState` kept (across the page being hidden and shown), unchecked: validate before use. */
  state(): unknown;
  setState(state: unknown): void;
  /** Handles each well-formed host message. */
  onMessage(handler: (message: ToPage) => void): void;
}

/**
 * Connects the page to the host; `parse` is the protocol's `parseHostMessage`. `acquireVsCodeApi` may be
 * called once per page: call this once.
 */
export function connect<ToPage extends Message, ToHost extends Message>(parse: Parse<ToPage>): Page<ToPage, ToHost> {
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    ready: () => api.postMessage({ type: 'ready' }),
    state: () => api.getState(),
    setState: (state) => api.setState(state),
    onMessage: (handler) => window.addEventListener('message', (event: MessageEvent) => {
      const message = parse(event.data);
      if (isRejected(message)) console.warn(`Switchyard: ignored a message from the extension (${message.error})`);
      else handler(message);
    }),
  };
}
