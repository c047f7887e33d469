// Series statistics over repeated runs (Cully, xen-devel, May 2007: avg/min/max/median and jitter, old path vs new
// path) and runs relative to a baseline ("Rustyvisor Network Performance", 2007: native vs bridge vs guest ...).
import type { SeriesStats } from '../analysisTypes';
import type { BenchmarkResult } from '../records';

export function seriesStats(
  values: readonly number[],
  labels: readonly string[],
  metric: SeriesStats['metric'],
): SeriesStats | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  const avg = values.reduce((a, b) => a + b, 0) / n;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  const stddev = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - avg) ** 2, 0) / (n - 1)) : 0;
  let jitter = 0;
  for (let i = 1; i < n; i++) jitter += Math.abs(values[i] - values[i - 1]);
  jitter = n > 1 ? jitter / (n - 1) : 0;
  const min = sorted[0];
  const max = sorted[n - 1];
  const binCount = Math.min(10, Math.max(1, Math.ceil(Math.sqrt(n))));
  const width = (max - min) / binCount || 1;
  const histogram = Array.from({ length: binCount }, (_, i) => ({ upper: min + width * (i + 1), count: 0 }));
  for (const v of values) histogram[Math.min(binCount - 1, Math.floor((v - min) / width))].count++;
  return {
    metric,
    values: [...values],
    labels: [...labels],
    avg,
    min,
    max,
    median,
    stddev,
    jitter,
    relativeToFirst: values.map((v) => (values[0] !== 0 ? v / values[0] : 0)),
    histogram,
  };
}

export function benchmarkSeries(runs: readonly BenchmarkResult[]): SeriesStats | null {
  const rr = runs.every((r) => r.transactionsPerSec !== null);
  const metric = rr ? 'transactionsPerSec' : 'bitsPerSec';
  const usable = runs.filter((r) => r[metric] !== null);
  return seriesStats(
    usable.map((r) => r[metric]!),
    usable.map((r, i) => `${r.tool} ${r.test} #${i + 1}`),
    metric,
  );
}
