// The histogram's bucket by table (whole numbers) against its definition by logarithm: the same bucket for every
// value, so that no quantile of any analysis moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bucketByLog, bucketOf, LogHistogram } from '../../../src/core/stats/logHistogram';

test('every whole number below 2^20 falls in the bucket its logarithm gives', () => {
  for (let v = 0; v < 2 ** 20; v++) if (bucketOf(v) !== bucketByLog(v)) assert.fail(`${v}: ${bucketOf(v)}`);
});

test('both sides of every bucket boundary up to 2^32 agree', () => {
  let boundaries = 0;
  for (let b = 1; ; b++) {
    // the first whole number of bucket b, by bisection on the definition
    let lo = 1;
    let hi = 2 ** 32;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (bucketByLog(mid) >= b) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= 2 ** 32) break;
    boundaries++;
    for (let v = Math.max(1, lo - 3); v <= Math.min(2 ** 32 - 1, lo + 3); v++) {
      assert.equal(bucketOf(v), bucketByLog(v), `${v}, next to the first value of bucket ${b}`);
    }
  }
  assert.equal(boundaries, 1121); // 1 + floor(ln(2^32) / ln(1.02)): the buckets whole numbers below 2^32 reach
});

test('powers of two, their neighbours, and values the table does not cover', () => {
  const values = [0, -0, -1, 0.5, 0.999, 1, 1.5, 63, 64, 65, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1];
  for (let e = 0; e < 32; e++) values.push(2 ** e - 1, 2 ** e, 2 ** e + 1);
  values.push(1e12, 1e15, 123456.789, Number.MAX_SAFE_INTEGER, Infinity, Number.NaN);
  for (const v of values) assert.equal(bucketOf(v), bucketByLog(v), String(v));
});

test('random values agree (whole and fractional, small and large)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.double({ min: 0, max: 1e13 })), (v) => {
      assert.equal(bucketOf(v), bucketByLog(v));
    }),
    { numRuns: 20_000 },
  );
});

test('a histogram of real-looking durations gives the quantiles it gave by logarithm', () => {
  const h = new LogHistogram();
  for (const ns of [1_700, 5_500, 5_500, 11_000, 25_000, 50_000, 1_000_000]) h.add(ns);
  // the buckets' middles: 2 % wide, so within 1 % of each value
  assert.ok(Math.abs(h.quantile(0.5)! - 11_000) / 11_000 < 0.01);
  assert.equal(h.quantile(1), 1_000_000);
  assert.equal(h.quantile(0), 1_700);
});
