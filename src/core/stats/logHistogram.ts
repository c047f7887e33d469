// A streaming histogram with logarithmic buckets (2% wide): constant memory, quantiles within 2%, exact count, sum,
// min and max. Used for every duration and latency so that a gigabyte trace costs the same memory as a small one.

import { nearestRank, type Distribution } from './distribution';
import { WholeNumberBuckets } from './wholeNumberBuckets';

const RATIO = 1.02;
const LOG_RATIO = Math.log(RATIO);
/** Values below 1 (ns) share bucket 0. 1,400 buckets reach ~1e12 ns (16 minutes). */
const BUCKETS = 1400;

export class LogHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  add(value: number): void {
    if (!Number.isFinite(value) || value < 0) return;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.counts[bucketOf(value)]++;
  }

  get mean(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }

  /**
   * The q-quantile (0..1) by nearest rank — the ceil(q·n)-th smallest value — clamped to the exact min and max; null
   * when empty. Nearest rank never interpolates below values that dominate it: p99 of 7 samples is the largest.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = nearestRank(q, this.count);
    if (rank === this.count) return this.max;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, bucketMid(i)));
    }
    return this.max;
  }

  /** Plain data (sparse buckets), for facts that must not refer to the model's mutable state. */
  toDistribution(): Distribution {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) buckets.push([bucketMid(i), this.counts[i]]);
    return {
      n: this.count,
      sum: this.sum,
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      buckets,
    };
  }

  /** Share of values at or below `value` (approximate to one bucket). */
  fractionAtOrBelow(value: number): number {
    if (this.count === 0) return 0;
    const last = bucketOf(value);
    let seen = 0;
    for (let i = 0; i <= last; i++) seen += this.counts[i];
    return seen / this.count;
  }

  /** Sum over values of min(value, cap): e.g. the time a poll window of `cap` ns would spend on these idles. */
  sumCappedAt(cap: number): number {
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i] > 0) total += this.counts[i] * Math.min(bucketMid(i), cap);
    return total;
  }

  /** Non-empty buckets merged into at most `maxBins` bins, for charts. */
  bins(maxBins = 40): { upperNs: number; count: number }[] {
    if (this.count === 0) return [];
    const first = bucketOf(this.min);
    const last = bucketOf(this.max);
    const per = Math.max(1, Math.ceil((last - first + 1) / maxBins));
    const out: { upperNs: number; count: number }[] = [];
    for (let start = first; start <= last; start += per) {
      let c = 0;
      for (let i = start; i < start + per && i <= last; i++) c += this.counts[i];
      out.push({ upperNs: Math.round(bucketUpper(Math.min(start + per - 1, last))), count: c });
    }
    return out;
  }
}

// The bucket of the value last asked about: one value often goes into several histograms in a row (an exit's row and
// its part, a latency and its from-halt share), and a logarithm costs more than this comparison.
let lastValue = Number.NaN;
let lastBucket = 0;

/** The bucket of `value`: by table for whole numbers below 2^32 (every duration in ns), else by its logarithm. */
export function bucketOf(value: number): number {
  if (value === lastValue) return lastBucket;
  lastValue = value;
  lastBucket = value >>> 0 === value ? wholeBuckets.of(value) : bucketByLog(value);
  return lastBucket;
}

/** The definition: 2 % wide buckets from 1 up, values below 1 in bucket 0. */
export function bucketByLog(value: number): number {
  return value < 1 ? 0 : Math.min(BUCKETS - 1, 1 + Math.floor(Math.log(value) / LOG_RATIO));
}

/** bucketByLog without a logarithm, for whole numbers below 2^32. */
const wholeBuckets = new WholeNumberBuckets(bucketByLog);

function bucketUpper(i: number): number {
  return i === 0 ? 1 : RATIO ** i;
}
function bucketMid(i: number): number {
  return i === 0 ? 0.5 : (RATIO ** (i - 1) + RATIO ** i) / 2;
}
