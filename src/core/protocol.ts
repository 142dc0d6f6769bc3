// The one convention for messages that cross a process or page boundary: the webviews (host <-> page)
// and the embedded engine (extension <-> worker process). Browser-safe (no Node, no vscode): the host,
// the webview pages and the worker import it.
//
// A protocol is two message unions and one parse function per direction (`Parse`): for a webview,
// `parseWebviewMessage` (run by the host) and `parseHostMessage` (run by the page); each side imports only
// the one it runs, so a page bundle carries only its own direction's checks. A parse function takes
// whatever arrived (`unknown`) and returns either a well-formed message or `{ error }` saying why it was
// refused. Nothing that crosses the boundary is trusted: the host never acts on a page message it did not
// parse (the answer page renders model output), and a page never draws a host message it did not.

/** Every message names its kind. */
export interface Message {
  type: string;
}

/** A message that failed validation, and why (the host counts and logs it; it is never acted on). */
export interface Rejected {
  error: string;
  type?: never;
}

export type Parsed<T extends Message> = T | Rejected;

/** The page's first message: the host posts nothing before it, then the whole state. */
export interface ReadyMessage {
  type: 'ready';
}

/** Validates what arrived from the other side of a boundary. */
export type Parse<T extends Message> = (raw: unknown) => Parsed<T>;

export function isRejected<T extends Message>(p: Parsed<T>): p is Rejected {
  return typeof p.type !== 'string';
}

export const reject = (error: string): Rejected => ({ error });

// ---- small guards shared by the protocols --------------------------------------------------------

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A whole number >= 0. */
export function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** No fields other than `keys` (a page cannot smuggle extra fields through to a handler). */
export function onlyKeys(x: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(x).every((k) => keys.includes(k));
}

/** The `type` of something that claims to be a message, quoted and cut short for a log line. */
export function describeType(v: unknown): string {
  return isObject(v) && typeof v.type === 'string' ? JSON.stringify(v.type).slice(0, 40) : 'not a message';
}
