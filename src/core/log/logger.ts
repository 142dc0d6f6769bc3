/**
 * A levelled log. The VS Code adapter (vscode/log.ts) writes to a log output channel, which stamps each line
 * with its time and level and shows only the levels the user's log level lets through (info and up by default).
 */
export interface Logger {
  /** Step-by-step detail, for following one request. */
  trace(message: string): void;
  /** Detail useful when investigating a problem. */
  debug(message: string): void;
  info(message: string): void;
  /** Something went wrong that Switchyard worked around, or a setting or server the user may want to fix. */
  warn(message: string): void;
  /** A failure: something the user asked for or relies on did not happen. */
  error(message: string): void;
}
