// The pid table answers get, has, set, delete, take (get and delete) and size as a Map does, through growth, deletions
// that shift entries back, colliding keys and numbers the table leaves to its Map.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntKeyTable } from '../../../src/core/model/intKeyTable';

function same(t: IntKeyTable<number>, m: Map<number, number>, keys: Iterable<number>): void {
  assert.equal(t.size, m.size);
  for (const k of keys) {
    assert.equal(t.get(k), m.get(k), `get ${k}`);
    assert.equal(t.has(k), m.has(k), `has ${k}`);
  }
}

test('edge keys: 0 and -0 are one key, negative, 2^31-1, -2^31, beyond 32 bits, fractional, NaN', () => {
  const t = new IntKeyTable<number>();
  const m = new Map<number, number>();
  const keys = [0, -0, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40, 1.5, Number.NaN, 12345];
  keys.forEach((k, i) => {
    t.set(k, i);
    m.set(k, i);
  });
  same(t, m, keys);
  assert.equal(t.get(0), 1, '-0 set after 0 replaced its value, as in a Map');
  for (const k of [-0, 2 ** 40, Number.NaN, 7]) assert.equal(t.delete(k), m.delete(k));
  same(t, m, [...keys, 7]);
});

test('sequential pids through several growths, then every other one deleted', () => {
  const t = new IntKeyTable<number>();
  const m = new Map<number, number>();
  for (let pid = 1000; pid < 21_000; pid++) {
    t.set(pid, pid * 2);
    m.set(pid, pid * 2);
  }
  for (let pid = 1000; pid < 21_000; pid += 2) assert.equal(t.delete(pid), m.delete(pid));
  same(
    t,
    m,
    Array.from({ length: 20_100 }, (_, i) => 950 + i),
  );
});

test('keys that share a home slot (multiples of a large power of two) are all found after deletions', () => {
  const t = new IntKeyTable<number>();
  const m = new Map<number, number>();
  const keys = Array.from({ length: 40 }, (_, i) => i * 2 ** 26);
  for (const k of keys) {
    t.set(k, k);
    m.set(k, k);
  }
  for (const k of keys.filter((_, i) => i % 3 === 0)) assert.equal(t.delete(k), m.delete(k));
  same(t, m, keys);
  // taken out of the middle of a run of colliding keys: the ones after it move back and are still found
  for (const k of keys.filter((_, i) => i % 3 === 1)) {
    assert.equal(t.take(k), k);
    m.delete(k);
  }
  assert.equal(t.take(keys[1]), undefined);
  same(t, m, keys);
});

test('random operations give what a Map gives', () => {
  const op = fc.tuple(
    fc.constantFrom('set', 'delete', 'get', 'take'),
    fc.oneof(fc.integer({ min: -50, max: 200 }), fc.integer(), fc.constantFrom(0.5, 2 ** 33)),
    fc.integer(),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const t = new IntKeyTable<number>();
      const m = new Map<number, number>();
      for (const [name, key, value] of ops) {
        if (name === 'set') {
          t.set(key, value);
          m.set(key, value);
        } else if (name === 'delete') assert.equal(t.delete(key), m.delete(key));
        else if (name === 'take') {
          assert.equal(t.take(key), m.get(key));
          m.delete(key);
        } else assert.equal(t.get(key), m.get(key));
        assert.equal(t.size, m.size);
      }
      same(
        t,
        m,
        ops.map(([, key]) => key),
      );
    }),
    { numRuns: 500 },
  );
});
