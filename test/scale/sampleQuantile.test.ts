// The bootstrap's quantile selects instead of sorting (it runs 200 times per predicted range): the value must be the
// nearest-rank quantile of the sorted values, duplicates and all.
import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sampleQuantile } from '../../src/core/stats/bootstrap';

const nearestRank = (values: number[], q: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length, Math.max(1, Math.ceil(q * s.length - 1e-9))) - 1];
};

test('hand-checked: the median of 5,1,4,2,3 is 3; the 90th percentile of 1..10 is 9; empty is null', () => {
  assert.equal(sampleQuantile([5, 1, 4, 2, 3], 0.5), 3);
  assert.equal(sampleQuantile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 0.9), 9);
  assert.equal(sampleQuantile([], 0.5), null);
});

test('equals the nearest rank of the sorted values, for any values and quantile', () => {
  const values = fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true })), { minLength: 1 });
  fc.assert(
    fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), (v, q) => {
      assert.ok(Object.is(sampleQuantile(v, q), nearestRank(v, q)) || sampleQuantile(v, q) === nearestRank(v, q));
    }),
    { numRuns: 2000 },
  );
});
