// Strings decoded from bytes and kept by them (BytesStrings): the text is always the bytes' own, whatever the cache
// holds; the same bytes again give the same string.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BytesStrings, latin1Of } from '../../src/core/stringTable';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

test('the same bytes give the same kept string; other bytes in the same slot give their own text', () => {
  const one = new BytesStrings(1); // every string shares the one slot
  const b = bytes('xx netperf netserver netperf \u00e9t\u00e9');
  const first = one.text(b, 3, 10);
  assert.equal(first, 'netperf');
  assert.equal(one.text(b, 3, 10), first);
  assert.equal(one.text(b, 11, 20), 'netserver');
  assert.equal(one.text(b, 21, 28), 'netperf');
  assert.equal(one.text(b, 29, 32), '\u00e9t\u00e9'); // latin1: each byte one character
  assert.equal(one.text(b, 0, 0), '');
});

test('latin1Of reads a view at its offset, shared memory too', () => {
  const shared = new Uint8Array(new SharedArrayBuffer(16));
  shared.set(bytes('..kvm_exit..'));
  const view = shared.subarray(2);
  assert.equal(latin1Of(view, 0, 8), 'kvm_exit');
  assert.equal(new BytesStrings(64).text(view, 4, 8), 'exit');
});
