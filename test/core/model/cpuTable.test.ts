// The per-CPU table answers (and lists its entries) as a Map would, for real CPU numbers (the array) and for any
// other number (the map).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CpuTable } from '../../../src/core/model/cpuTable';

test('set, get, has and delete as a Map does: small, large, negative, fractional and NaN CPU numbers', () => {
  const t = new CpuTable<string>();
  assert.equal(t.get(3), undefined);
  t.set(3, 'three');
  t.set(5000, 'large');
  t.set(-1, 'unknown');
  t.set(1.5, 'half');
  t.set(Number.NaN, 'nan');
  assert.equal(t.get(3), 'three');
  assert.equal(t.get(2), undefined, 'a CPU below the highest set is empty');
  assert.equal(t.get(100), undefined, 'beyond the array');
  assert.equal(t.get(5000), 'large');
  assert.equal(t.get(-1), 'unknown');
  assert.equal(t.get(1.5), 'half');
  assert.equal(t.get(1), undefined);
  assert.equal(t.get(Number.NaN), 'nan');
  assert.equal(t.get(-0), undefined);
  t.set(-0, 'zero');
  assert.equal(t.get(0), 'zero', '-0 and 0 are one key, as in a Map');
  t.delete(3);
  t.delete(5000);
  t.delete(4095);
  assert.equal(t.has(3), false);
  assert.equal(t.has(5000), false);
  assert.equal(t.has(-1), true);
});

test('any sequence of operations leaves the same contents as a Map', () => {
  const key = fc.oneof(fc.integer({ min: -2, max: 10 }), fc.constantFrom(4095, 4096, 1e9, 0.5));
  const op = fc.tuple(fc.constantFrom('set', 'delete'), key, fc.nat(99));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const table = new CpuTable<number>();
      const map = new Map<number, number>();
      for (const [kind, k, v] of ops) {
        if (kind === 'set') {
          table.set(k, v);
          map.set(k, v);
        } else {
          table.delete(k);
          map.delete(k);
        }
      }
      const byKey = (a: [number, number], b: [number, number]) => a[0] - b[0];
      assert.deepEqual([...table.entries()].sort(byKey), [...map].sort(byKey));
      for (const k of [-2, -1, 0, 1, 5, 10, 4095, 4096, 1e9, 0.5]) {
        assert.equal(table.get(k), map.get(k), `key ${k}`);
        assert.equal(table.has(k), map.has(k), `key ${k}`);
      }
    }),
    { numRuns: 300 },
  );
});
