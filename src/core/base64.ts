// Base64 without Node's Buffer: browser-safe core runs in the webview pages too.

/** UTF-8 text as base64, padded. */
export function toBase64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The bytes of a base64 or base64url text, one character per byte (latin1). As lenient as Node's
 * Buffer: characters of neither alphabet are skipped, decoding ends at padding, and a lone last
 * character (not a whole byte) is dropped.
 */
export function fromBase64(b64: string): string {
  const std = b64.replace(/[-_]/g, (c) => (c === '-' ? '+' : '/'));
  const pad = std.indexOf('=');
  const body = (pad < 0 ? std : std.slice(0, pad)).replace(/[^A-Za-z0-9+/]/g, '');
  const whole = body.length % 4 === 1 ? body.slice(0, -1) : body;
  return atob(whole + '='.repeat((4 - (whole.length % 4)) % 4));
}

/** A base64 or base64url text decoded as UTF-8 (invalid sequences become U+FFFD). */
export function fromBase64Utf8(b64: string): string {
  return new TextDecoder().decode(Uint8Array.from(fromBase64(b64), (c) => c.charCodeAt(0)));
}
