// Runs side by side: exits per reason and per transaction, benchmark figures relative to the first run (the
// baseline, seed 001), series statistics over the runs (seed 004), and each run's measured result against what the
// earlier runs' recommendations predicted.
import type { Analysis, ExitCategory, SeriesStats } from './analysisTypes';
import { seriesStats } from './model/series';

export const COMPARISON_SCHEMA = 'kvm-trace-lens/compare@1';

export interface ComparedRun {
  label: string;
  tool: string | null;
  test: string | null;
  transactionsPerSec: number | null;
  bitsPerSec: number | null;
  exitsTotal: number | null;
  exitsPerSecond: number | null;
  exitsSource: string | null;
  exitsPerTransaction: number | null;
  criticalExitsPerTransaction: number | null;
  wakeupLatencyP50Ns: number | null;
  recommendations: string[];
}

export interface ReasonRow {
  reason: string;
  category: ExitCategory;
  counts: (number | null)[];
  perSecond: (number | null)[];
  perTransaction: (number | null)[];
  /** Last run against the first, in exits per transaction when both have transactions, else per second. */
  change: number | null;
}

export interface PredictionCheck {
  fromRun: string;
  recommendation: string;
  setting: string | null;
  metric: string;
  before: number;
  predicted: number;
  measuredRun: string;
  measured: number | null;
  /** (measured − predicted) / predicted. */
  error: number | null;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  runs: ComparedRun[];
  reasons: ReasonRow[];
  /** The benchmark metric across runs, each relative to the first (baseline). */
  benchmark: SeriesStats | null;
  predictions: PredictionCheck[];
}

function metricOf(a: Analysis, metric: string): number | null {
  if (metric === 'transactionsPerSec') return a.benchmark?.transactionsPerSec ?? a.transactions?.perSecond ?? null;
  if (metric === 'bitsPerSec') return a.benchmark?.bitsPerSec ?? null;
  if (metric === 'latencyNs') return a.transactions?.wakeupLatencyNs?.p50 ?? null;
  return null;
}

export function compareAnalyses(runs: readonly { label: string; analysis: Analysis }[]): Comparison {
  const compared: ComparedRun[] = runs.map(({ label, analysis: a }) => ({
    label,
    tool: a.benchmark?.tool ?? null,
    test: a.benchmark?.test ?? null,
    transactionsPerSec: metricOf(a, 'transactionsPerSec'),
    bitsPerSec: metricOf(a, 'bitsPerSec'),
    exitsTotal: a.exits?.total ?? null,
    exitsPerSecond: a.exits?.perSecond ?? null,
    exitsSource: a.exits?.source ?? null,
    exitsPerTransaction: a.transactions?.exitsPerTransaction ?? null,
    criticalExitsPerTransaction: a.transactions?.criticalExitsPerTransaction ?? null,
    wakeupLatencyP50Ns: a.transactions?.wakeupLatencyNs?.p50 ?? null,
    recommendations: a.recommendations.map((r) => r.id),
  }));

  const reasonNames = new Map<string, ExitCategory>();
  for (const { analysis } of runs) for (const r of analysis.exits?.byReason ?? []) if (!reasonNames.has(r.reason)) reasonNames.set(r.reason, r.category);
  const reasons: ReasonRow[] = [...reasonNames].map(([reason, category]) => {
    const rows = runs.map(({ analysis }) => analysis.exits?.byReason.find((r) => r.reason === reason) ?? null);
    const counts = runs.map(({ analysis }, i) => (analysis.exits ? (rows[i]?.count ?? 0) : null));
    const perSecond = runs.map(({ analysis }, i) => {
      const d = analysis.exits?.durationNs;
      return d && counts[i] !== null ? (counts[i]! / d) * 1e9 : null;
    });
    const perTransaction = runs.map(({ analysis }, i) => {
      const tx = analysis.transactions?.count;
      return tx && counts[i] !== null ? counts[i]! / tx : null;
    });
    const last = runs.length - 1;
    const pick = perTransaction[0] !== null && perTransaction[last] !== null ? perTransaction : perSecond;
    const change = pick[0] !== null && pick[last] !== null ? pick[last]! - pick[0]! : null;
    return { reason, category, counts, perSecond, perTransaction, change };
  });
  reasons.sort((a, b) => Math.max(...b.counts.map((c) => c ?? 0)) - Math.max(...a.counts.map((c) => c ?? 0)) || (a.reason < b.reason ? -1 : 1));

  const rr = compared.every((r) => r.transactionsPerSec !== null);
  const metric = rr ? 'transactionsPerSec' : 'bitsPerSec';
  const values = compared.map((r) => r[metric]);
  const benchmark = values.every((v) => v !== null)
    ? seriesStats(values as number[], compared.map((r) => r.label), metric)
    : null;

  // Each run's leading prediction (best first: the advice a user follows) checked against every later run.
  const predictions: PredictionCheck[] = [];
  runs.forEach(({ label, analysis }, i) => {
    const rec = analysis.recommendations.find((r) => r.prediction !== null);
    if (rec?.prediction) {
      for (const later of runs.slice(i + 1)) {
        const measured = metricOf(later.analysis, rec.prediction.metric);
        predictions.push({
          fromRun: label,
          recommendation: rec.id,
          setting: rec.setting,
          metric: rec.prediction.metric,
          before: rec.prediction.before,
          predicted: rec.prediction.after,
          measuredRun: later.label,
          measured,
          error: measured !== null && rec.prediction.after !== 0 ? (measured - rec.prediction.after) / rec.prediction.after : null,
        });
      }
    }
  });
  return { schema: COMPARISON_SCHEMA, runs: compared, reasons, benchmark, predictions };
}
