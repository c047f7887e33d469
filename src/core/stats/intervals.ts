// 95 % confidence intervals for a change between two runs: Poisson counts (exits, transactions) and means of repeated
// benchmark runs (Welch's t). Pure arithmetic, tested on hand-made figures on both sides of "significant".

export interface Interval {
  low: number;
  high: number;
}

/** The normal quantile for a two-sided 95 % interval. */
export const Z95 = 1.959964;

// Student t 0.975 quantiles for 1..30 degrees of freedom, then 40, 60, 120; beyond, the normal quantile.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t quantile for a two-sided 95 % interval; a fractional df (Welch) is rounded down, which widens the interval. */
export function tQuantile95(df: number): number {
  if (!(df >= 1)) return Number.POSITIVE_INFINITY;
  const d = Math.floor(df);
  if (d <= 30) return T975[d - 1];
  if (d < 40) return 2.021;
  if (d < 60) return 2.0;
  if (d < 120) return 1.98;
  return Z95;
}

/**
 * Interval of the relative change (b/a − 1) of two Poisson rates, counts `na` over exposure `ea` and `nb` over `eb`,
 * from the normal approximation of log(rate ratio); a zero count is taken as 0.5 so the interval stays finite.
 */
export function poissonRatioChange(na: number, ea: number, nb: number, eb: number): Interval | null {
  if (!(ea > 0) || !(eb > 0) || na < 0 || nb < 0 || (na === 0 && nb === 0)) return null;
  const a = Math.max(na, 0.5);
  const b = Math.max(nb, 0.5);
  const logRatio = Math.log(b / eb / (a / ea));
  const se = Math.sqrt(1 / a + 1 / b);
  return { low: Math.exp(logRatio - Z95 * se) - 1, high: Math.exp(logRatio + Z95 * se) - 1 };
}

/** Mean, sample standard deviation and the t interval of the mean of repeated runs (Cully's avg/stddev, 2007). */
export function meanInterval(values: readonly number[]): { mean: number; sd: number; interval: Interval | null } {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  if (n < 2) return { mean, sd, interval: null };
  const half = (tQuantile95(n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, interval: { low: mean - half, high: mean + half } };
}

/**
 * Interval of the relative change of the mean of `b` against the mean of `a` (Welch's t on the difference, divided by
 * the baseline mean, which is taken as exact); null unless both sides have two or more runs.
 */
export function welchChange(a: readonly number[], b: readonly number[]): Interval | null {
  if (a.length < 2 || b.length < 2) return null;
  const ma = meanInterval(a);
  const mb = meanInterval(b);
  if (ma.mean === 0) return null;
  const va = ma.sd ** 2 / a.length;
  const vb = mb.sd ** 2 / b.length;
  const se = Math.sqrt(va + vb);
  const diff = mb.mean - ma.mean;
  if (se === 0) return { low: diff / ma.mean, high: diff / ma.mean };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tQuantile95(df) * se;
  return { low: (diff - half) / ma.mean, high: (diff + half) / ma.mean };
}
