// The transaction sketch's duration classes (20 % wide) by table against their definition by logarithm: the same
// class for every duration, so that the same transactions are kept. (The histogram's 2 % buckets, built on the same
// table, are checked in logHistogram.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { classByLog, classOf } from '../../../src/core/model/transactionSketch';
import { WholeNumberBuckets } from '../../../src/core/stats/wholeNumberBuckets';

test('every whole number below 2^20 falls in the class its logarithm gives', () => {
  for (let v = 0; v < 2 ** 20; v++) if (classOf(v) !== classByLog(v)) assert.fail(`${v}: ${classOf(v)}`);
});

test('both sides of every class boundary up to 2^32 agree', () => {
  let boundaries = 0;
  for (let c = 1; ; c++) {
    // the first whole number of class c, by bisection on the definition
    let lo = 1;
    let hi = 2 ** 32;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (classByLog(mid) >= c) hi = mid;
      else lo = mid + 1;
    }
    if (lo >= 2 ** 32) break;
    boundaries++;
    for (let v = Math.max(0, lo - 3); v <= Math.min(2 ** 32 - 1, lo + 3); v++) {
      assert.equal(classOf(v), classByLog(v), `${v}, next to the first value of class ${c}`);
    }
  }
  assert.equal(boundaries, 121); // floor(ln(2^32) / ln(1.2)): the classes whole numbers below 2^32 reach
});

test('values the table does not cover go by the logarithm: fractions, negatives, 2^32 and up, NaN', () => {
  const values = [-0, -1, -5e9, 0.5, 1.5, 63.9, 2 ** 32, 2 ** 32 + 1, 1e15, 123456.789, Infinity, Number.NaN];
  for (const v of values) assert.equal(classOf(v), classByLog(v), String(v));
  assert.equal(classOf(0), 0);
  assert.equal(classOf(1_000_000), 75); // 1.2^75 ≈ 868,000 ≤ 1 ms < 1.2^76 ≈ 1,042,000
});

test('random durations agree (whole and fractional)', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 10 }), fc.double({ min: 0, max: 1e13 })), (v) => {
      assert.equal(classOf(v), classByLog(v));
    }),
    { numRuns: 20_000 },
  );
});

test('another ratio (5 %) on the same table: every whole number below 2^18 and powers of two up to 2^31', () => {
  const byLog = (v: number) => (v < 1 ? 0 : Math.floor(Math.log(v) / Math.log(1.05)));
  const table = new WholeNumberBuckets(byLog);
  for (let v = 0; v < 2 ** 18; v++) if (table.of(v) !== byLog(v)) assert.fail(`${v}: ${table.of(v)}`);
  for (let e = 18; e < 32; e++) for (const v of [2 ** e - 1, 2 ** e, 2 ** e + 1]) assert.equal(table.of(v), byLog(v));
});
