// Nearest-rank percentiles: right for small n, never below the values that dominate them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { minSamplesFor, quantile, supportedQuantile } from '../../../src/core/stats/distribution';
import { LogHistogram } from '../../../src/core/stats/logHistogram';
import { bootstrapInterval, sampleQuantile } from '../../../src/core/stats/bootstrap';

test('p99 of 7 samples is the largest, not an interpolation below it', () => {
  const h = new LogHistogram();
  for (const v of [10_000, 12_000, 15_000, 19_000, 19_000, 19_000, 120_000_000]) h.add(v);
  assert.equal(h.quantile(0.99), 120_000_000);
  assert.equal(quantile(h.toDistribution(), 0.99), 120_000_000);
  // p50 by nearest rank: the 4th of 7.
  assert.ok(Math.abs(h.quantile(0.5)! - 19_000) < 19_000 * 0.02);
  assert.equal(supportedQuantile(h.toDistribution(), 0.99), null, 'hidden below 100 samples');
  assert.equal(minSamplesFor(0.99), 100);
  assert.equal(minSamplesFor(0.9), 10);
});

test('sample quantile and a seeded bootstrap are deterministic', () => {
  assert.equal(sampleQuantile([5, 1, 4, 2, 3], 0.1), 1);
  assert.equal(sampleQuantile([5, 1, 4, 2, 3], 0.5), 3);
  const values = Array.from({ length: 500 }, (_, i) => (i * 7919) % 1000);
  const a = bootstrapInterval(values, (s) => sampleQuantile(s, 0.1)!);
  const b = bootstrapInterval(values, (s) => sampleQuantile(s, 0.1)!);
  assert.deepEqual(a, b);
  assert.ok(a!.low <= 100 && a!.high >= 100, JSON.stringify(a));
  assert.equal(
    bootstrapInterval([1, 2, 3], (s) => s[0]),
    null,
  );
});
