// Web Crypto's randomUUID (v4 UUIDs): the same in Node 20 and in a browser.
export function newId(): string {
  return globalThis.crypto.randomUUID();
}
