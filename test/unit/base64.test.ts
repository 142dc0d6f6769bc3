import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, fromBase64Utf8, toBase64 } from '../../src/core/base64';

// Node's Buffer is the reference: these replace it in browser-safe code.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_= \n.:%é';

function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

test('toBase64 equals Buffer for UTF-8 text', () => {
  for (const text of ['', 'a', 'ab', 'abc', 'user:pässwörd', 'sk-test-0123456789abcdef', '🔑 key']) {
    assert.equal(toBase64(text), Buffer.from(text).toString('base64'), text);
  }
});

test('fromBase64 decodes like Buffer: both alphabets, padding, junk, a lone last character', () => {
  const rand = random(7);
  const cases = ['', 'YQ', 'YQ==', 'YWI', 'YWJj', 'dXNlcjpwYXNz', 'dXNlcjpw-_8', 'YQ==YWJj', 'Y', 'YW Jj\n', 'a.b:c%d'];
  for (let i = 0; i < 2000; i++) {
    let s = '';
    const n = Math.floor(rand() * 24);
    for (let j = 0; j < n; j++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
    cases.push(s);
  }
  for (const b64 of cases) {
    assert.equal(fromBase64(b64), Buffer.from(b64, 'base64').toString('latin1'), JSON.stringify(b64));
    assert.equal(fromBase64Utf8(b64), Buffer.from(b64, 'base64').toString('utf8'), JSON.stringify(b64));
  }
});
