// Web Crypto's randomUUID: the same v4 UUIDs as node:crypto's, and available in Node 20 and browsers.
export function newId(): string {
  return globalThis.crypto.randomUUID();
}
