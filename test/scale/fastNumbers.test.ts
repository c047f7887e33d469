// The trace text reader turns digit captures into numbers by summing digits (faster than Number() on a string);
// the result must be what Number() gives, for every length a `\d+` capture can have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { digitsValue, toNs } from '../../src/core/readers/traceText';

const digitString = (max: number) =>
  fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: max }).map((d) => d.join(''));

/** The previous, Number()-based conversion. */
function referenceNs(secs: string, fraction: string | undefined): number {
  if (fraction === undefined) return Number(secs);
  const f = fraction.slice(0, 9);
  return Number(secs) * 1e9 + Number(f) * 10 ** (9 - f.length);
}

test('digitsValue equals Number() for 1 to 25 digits, leading zeros included', () => {
  fc.assert(
    fc.property(digitString(25), (d) => assert.equal(digitsValue(d), Number(d))),
    { numRuns: 20_000 },
  );
  assert.equal(digitsValue('000'), 0);
  assert.equal(digitsValue('999999999999999'), 999_999_999_999_999);
  assert.equal(digitsValue('18446744073709551615'), 18446744073709552000);
});

test('toNs equals the Number()-based conversion, fractions of any length', () => {
  fc.assert(
    fc.property(digitString(20), fc.option(digitString(14), { nil: undefined }), (secs, fraction) =>
      assert.equal(toNs(secs, fraction), referenceNs(secs, fraction)),
    ),
    { numRuns: 20_000 },
  );
  // "10729.493978" as printed by trace-cmd report: 10729493978000 ns.
  assert.equal(toNs('10729', '493978'), 10_729_493_978_000);
  assert.equal(toNs('5012', '123456789123'), 5_012_123_456_789);
});
