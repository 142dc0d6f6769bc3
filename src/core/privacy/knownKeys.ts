// The API keys this extension holds, so they can be removed from any text that leaves the request
// path (errors, log lines, ledger records, the answer view) whatever their shape: a gateway that
// echoes a 32-hex key in a 4xx body is caught here even though no key pattern knows that shape.
import { redactKeyShaped } from './secrets';
import { toBase64 } from '../base64';

const REPLACEMENT = '<redacted:key>';
/** Shorter values would redact ordinary words; real keys are far longer. */
const MIN_LENGTH = 8;

const known = new Map<string, RegExp>();

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Remembers a key value (read from or written to secret storage); a cleared key stays known. */
export function rememberKey(value: string | undefined): void {
  const key = value?.trim();
  if (!key || key.length < MIN_LENGTH || known.has(key)) return;
  // The key as sent, URL-encoded and base64 (Basic auth), matched in any case (hex keys are echoed upper-case too).
  const forms = new Set([key, encodeURIComponent(key), toBase64(key).replace(/=+$/, '')]);
  known.set(key, new RegExp([...forms].map(escape).join('|'), 'gi'));
}

/** Removes every remembered key value from the text. */
export function redactKnownKeys(text: string): string {
  let out = text;
  for (const re of known.values()) out = out.replace(re, REPLACEMENT);
  return out;
}

/** Remembered key values, then every key shape the redactor knows: for any error text. */
export function redactSecrets(text: string): string {
  return redactKeyShaped(redactKnownKeys(text));
}
