import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorMessage } from '../../src/core/errors';

test('errorMessage gives an Error\'s message, an error-like object\'s message, else the value as text', () => {
  assert.equal(errorMessage(new TypeError('bad input')), 'bad input');
  assert.equal(errorMessage({ message: 'from another realm' }), 'from another realm');
  assert.equal(errorMessage('plain text'), 'plain text');
  assert.equal(errorMessage(undefined), 'undefined');
  assert.equal(errorMessage(null), 'null');
  assert.equal(errorMessage({ message: 42 }), '[object Object]');
});
