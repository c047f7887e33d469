// Distributions as plain data (what the model hands to the rules) and the few statistics rules need of them.
// Percentiles are by nearest rank: right for small samples, never below the values that dominate them.

/** A sample's distribution: exact n, sum, min and max; values in sparse 2 %-wide buckets [value, count], ascending. */
export interface Distribution {
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
  buckets: [number, number][];
}

/** A percentile needs this many samples to say more than the maximum: 1/(1−q), e.g. 100 for p99, 10 for p90. */
export function minSamplesFor(q: number): number {
  return Math.ceil(1 / (1 - q) - 1e-9);
}

/** 1-based nearest rank of the q-quantile among n values. */
export function nearestRank(q: number, n: number): number {
  return Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
}

export const EMPTY_DISTRIBUTION: Distribution = { n: 0, sum: 0, min: null, max: null, buckets: [] };

export function mean(d: Distribution): number | null {
  return d.n > 0 ? d.sum / d.n : null;
}

/** Nearest-rank q-quantile, clamped to min/max; null when empty. */
export function quantile(d: Distribution, q: number): number | null {
  if (d.n === 0 || d.min === null || d.max === null) return null;
  const rank = nearestRank(q, d.n);
  if (rank === d.n) return d.max;
  let seen = 0;
  for (const [value, count] of d.buckets) {
    seen += count;
    if (seen >= rank) return Math.min(d.max, Math.max(d.min, value));
  }
  return d.max;
}

/** The q-quantile only when the sample supports it (see minSamplesFor), else null. */
export function supportedQuantile(d: Distribution, q: number): number | null {
  return d.n >= minSamplesFor(q) ? quantile(d, q) : null;
}

/** Share of values at or below `x` (to one bucket). */
export function fractionAtOrBelow(d: Distribution, x: number): number {
  if (d.n === 0) return 0;
  let seen = 0;
  for (const [value, count] of d.buckets) if (value <= x * 1.01) seen += count;
  return seen / d.n;
}

/** Sum over values of min(value, cap): e.g. the time a poll window of `cap` ns would spend on these idle periods. */
export function sumCappedAt(d: Distribution, cap: number): number {
  let total = 0;
  for (const [value, count] of d.buckets) total += count * Math.min(value, cap);
  return total;
}
