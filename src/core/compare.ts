// The one comparison of runs, rendered by the CLI text, the HTML report and the Compare panel alike.
// Meaning: the first run is the baseline. Every row holds each run's figure and its change against the baseline with a
// 95 % interval when the analyses carry what one needs (counts, or the values of repeated benchmark runs), and says
// whether the change is significant or within noise. Exits by reason are normalised per transaction when every run has
// transactions, else per second when every run has a traced time, else raw counts. Every prediction of the baseline is
// checked against each later run's measured figure.
import type { Analysis, ExitCategory, Prediction, SeriesStats } from './analysisTypes';
import { seriesStats } from './model/series';
import { meanInterval, poissonRatioChange, welchChange, type Interval } from './stats/intervals';

export const COMPARISON_SCHEMA = 'kvm-trace-lens/compare@1';

/** Reason rows kept (by total count over all runs); the rest are too rare to compare. */
export const MAX_COMPARE_REASONS = 30;

/** The method, in one line, for every view to print. */
export const COMPARISON_METHOD =
  'Changes against the first run with 95 % intervals: exit and transaction counts as Poisson (log rate ratio), ' +
  "repeated benchmark runs by Welch's t on the means; significant when the interval excludes no change.";

export type CompareUnit = 'count' | 'perSecond' | 'perTransaction' | 'transactionsPerSec' | 'bitsPerSec' | 'durationNs';
export type Verdict = 'significant' | 'within noise' | 'no interval';

export interface Change {
  /** (run − baseline) / baseline, e.g. 0.12 = +12 %; null when the baseline is 0 or either figure unknown. */
  relative: number | null;
  /** 95 % interval of `relative`. */
  interval: Interval | null;
  verdict: Verdict;
  /** Why there is no interval, e.g. "one run: no interval". */
  note: string | null;
}

export interface CompareRow {
  /** Stable key: "benchmark.transactionsPerSec", "exits.perSecond", "reason:hlt", … */
  id: string;
  group: 'benchmark' | 'totals' | 'reasons';
  label: string;
  unit: CompareUnit;
  /** Which direction is an improvement (how a view colours a change). */
  better: 'lower' | 'higher';
  category?: ExitCategory;
  values: (number | null)[];
  /** Reason rows: the exit counts behind the normalised values (null where a run has no exits). */
  counts?: (number | null)[];
  /** Against the baseline, one per run; null for the baseline itself. */
  changes: (Change | null)[];
}

export interface ComparedRun {
  label: string;
  files: string[];
  tool: string | null;
  test: string | null;
  transactionsPerSec: number | null;
  bitsPerSec: number | null;
  /** Benchmark runs in the inputs (repeated runs give an interval of the mean). */
  benchmarkRuns: number;
  exitsTotal: number | null;
  exitsSource: string | null;
  recommendations: string[];
  /** Extra, for the pictures: the run's wake-up latency and halt-duration histograms (log bins), when traced. */
  wakeupHistogram?: { upperNs: number; count: number }[];
  haltHistogram?: { upperNs: number; count: number }[];
}

export interface PredictionCheck {
  fromRun: string;
  toRun: string;
  recommendation: string;
  title: string;
  setting: string | null;
  metric: Prediction['metric'];
  before: number;
  predicted: number;
  low: number;
  high: number;
  measured: number | null;
  /** (measured − predicted) / predicted. */
  error: number | null;
  /** The measured figure lies within the predicted range. */
  withinRange: boolean | null;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  method: string;
  runs: ComparedRun[];
  /** How the reason rows are normalised. */
  reasonsPer: 'transaction' | 'second' | 'run';
  rows: CompareRow[];
  /** The benchmark metric across runs, each relative to the first (Mitchell's relative-to-native table, 2007). */
  benchmark: SeriesStats | null;
  predictions: PredictionCheck[];
}

export interface RunInput {
  label: string;
  analysis: Analysis;
}

/** What a figure rests on: a count over an exposure (Poisson), repeated values, or nothing to give an interval. */
interface Measure {
  value: number | null;
  count?: { n: number; exposure: number };
  samples?: readonly number[];
  noInterval?: string;
}

const NO_SERIES = 'one run: no interval';
const NOT_A_RATE = 'a total of runs of different length: no interval';
const PERCENTILE = 'a percentile without its samples: no interval';

/** The value of a prediction's metric as a run measured it (the benchmark first, then the trace). */
export function measuredMetric(a: Analysis, metric: string): number | null {
  if (metric === 'transactionsPerSec') return a.benchmark?.transactionsPerSec ?? a.transactions?.perSecond ?? null;
  if (metric === 'bitsPerSec') return a.benchmark?.bitsPerSec ?? null;
  if (metric === 'latencyNs') return a.transactions?.wakeupLatencyNs?.p50 ?? null;
  return null;
}

/** A run's name from its files: one file keeps its whole name; several share their common stem, else are joined. */
export function runLabel(paths: readonly string[]): string {
  const names = paths.map((p) => p.split(/[\\/]/).pop() || p);
  if (names.length <= 1) return names[0] ?? 'run';
  let stem = names[0];
  for (const n of names) while (!n.startsWith(stem)) stem = stem.slice(0, -1);
  stem = stem.replace(/[-_.\s]+$/, '');
  return stem.length >= 3 ? stem : names.join(' + ');
}

function changeOf(base: Measure, run: Measure): Change {
  const relative = base.value !== null && run.value !== null && base.value !== 0 ? run.value / base.value - 1 : null;
  let interval: Interval | null = null;
  let note: string | null = null;
  if (base.value === null || run.value === null) note = 'a figure is missing';
  else if (base.count && run.count) {
    interval = poissonRatioChange(base.count.n, base.count.exposure, run.count.n, run.count.exposure);
  } else if (base.samples && run.samples) interval = welchChange(base.samples, run.samples);
  else note = base.noInterval ?? run.noInterval ?? NO_SERIES;
  if (!interval && !note) note = 'no change to measure';
  const verdict: Verdict = !interval
    ? 'no interval'
    : interval.low > 0 || interval.high < 0
      ? 'significant'
      : 'within noise';
  return { relative, interval, verdict, note };
}

function row(
  id: string,
  group: CompareRow['group'],
  label: string,
  unit: CompareUnit,
  better: CompareRow['better'],
  measures: Measure[],
): CompareRow {
  return {
    id,
    group,
    label,
    unit,
    better,
    values: measures.map((m) => m.value),
    changes: measures.map((m, i) => (i === 0 ? null : changeOf(measures[0], m))),
  };
}

const present = (r: CompareRow) => r.values.some((v) => v !== null);

function benchmarkMeasure(a: Analysis, metric: 'transactionsPerSec' | 'bitsPerSec'): Measure {
  const s = a.series;
  if (s && s.metric === metric && s.values.length >= 2)
    return { value: meanInterval(s.values).mean, samples: s.values };
  return { value: a.benchmark?.[metric] ?? null, noInterval: NO_SERIES };
}

function benchmarkRows(runs: readonly RunInput[]): CompareRow[] {
  const tps = runs.map((r) => benchmarkMeasure(r.analysis, 'transactionsPerSec'));
  const bps = runs.map((r) => benchmarkMeasure(r.analysis, 'bitsPerSec'));
  // A request/response benchmark's bits/s is a by-product, not what the run measures.
  const requestResponse = runs.every((r) => !r.analysis.benchmark || r.analysis.benchmark.transactionsPerSec !== null);
  const rows = [
    row('benchmark.transactionsPerSec', 'benchmark', 'benchmark transactions/s', 'transactionsPerSec', 'higher', tps),
  ];
  if (!requestResponse)
    rows.push(row('benchmark.bitsPerSec', 'benchmark', 'benchmark throughput', 'bitsPerSec', 'higher', bps));
  return rows.filter(present);
}

function perTransaction(a: Analysis, perTx: number | undefined | null): Measure {
  const tx = a.transactions;
  if (!tx || perTx === null || perTx === undefined) return { value: null };
  return { value: perTx, count: { n: Math.round(perTx * tx.count), exposure: tx.count } };
}

function totalRows(runs: readonly RunInput[]): CompareRow[] {
  const each = (f: (a: Analysis) => Measure) => runs.map((r) => f(r.analysis));
  const seconds = (a: Analysis) => (a.exits?.durationNs ? a.exits.durationNs / 1e9 : null);
  return [
    row(
      'exits.total',
      'totals',
      'VM exits',
      'count',
      'lower',
      each((a) => ({ value: a.exits?.total ?? null, noInterval: NOT_A_RATE })),
    ),
    row(
      'exits.perSecond',
      'totals',
      'exits/s',
      'perSecond',
      'lower',
      each((a) => {
        const s = seconds(a);
        const value = a.exits?.perSecond ?? null;
        return s && a.exits
          ? { value, count: { n: a.exits.total, exposure: s } }
          : { value, noInterval: 'no traced time: no interval' };
      }),
    ),
    row(
      'transactions.perSecond',
      'totals',
      'transactions/s (trace)',
      'transactionsPerSec',
      'higher',
      each((a) => {
        const tx = a.transactions;
        if (!tx) return { value: null };
        return tx.perSecond > 0
          ? { value: tx.perSecond, count: { n: tx.count, exposure: tx.count / tx.perSecond } }
          : { value: tx.perSecond };
      }),
    ),
    row(
      'transactions.exits',
      'totals',
      'exits/transaction',
      'perTransaction',
      'lower',
      each((a) => perTransaction(a, a.transactions?.exitsPerTransaction)),
    ),
    row(
      'transactions.criticalExits',
      'totals',
      '  on the critical path',
      'perTransaction',
      'lower',
      each((a) => perTransaction(a, a.transactions?.criticalExitsPerTransaction)),
    ),
    row(
      'transactions.wakeupP50',
      'totals',
      'wake-up latency p50',
      'durationNs',
      'lower',
      each((a) => ({ value: a.transactions?.wakeupLatencyNs?.p50 ?? null, noInterval: PERCENTILE })),
    ),
    row(
      'transactions.wakeupP99',
      'totals',
      'wake-up latency p99',
      'durationNs',
      'lower',
      each((a) => ({ value: a.transactions?.wakeupLatencyNs?.p99 ?? null, noInterval: PERCENTILE })),
    ),
  ].filter(present);
}

function reasonsNormalisation(runs: readonly RunInput[]): Comparison['reasonsPer'] {
  if (runs.every((r) => (r.analysis.transactions?.count ?? 0) > 0)) return 'transaction';
  if (runs.every((r) => (r.analysis.exits?.durationNs ?? 0) > 0)) return 'second';
  return 'run';
}

function reasonRows(runs: readonly RunInput[], per: Comparison['reasonsPer']): CompareRow[] {
  const totals = new Map<string, { count: number; category: ExitCategory }>();
  for (const r of runs) {
    for (const x of r.analysis.exits?.byReason ?? []) {
      const t = totals.get(x.reason) ?? { count: 0, category: x.category };
      t.count += x.count;
      totals.set(x.reason, t);
    }
  }
  const names = [...totals.entries()]
    .sort((a, b) => b[1].count - a[1].count || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_COMPARE_REASONS);
  const unit: CompareUnit = per === 'transaction' ? 'perTransaction' : per === 'second' ? 'perSecond' : 'count';
  return names.map(([reason, { category }]) => {
    const measures = runs.map(({ analysis: a }): Measure => {
      if (!a.exits) return { value: null };
      const n = a.exits.byReason.find((x) => x.reason === reason)?.count ?? 0; // absent from a run with exits: zero
      const exposure = per === 'transaction' ? a.transactions!.count : per === 'second' ? a.exits.durationNs! / 1e9 : 0;
      if (per === 'run') return { value: n, noInterval: NOT_A_RATE };
      return { value: n / exposure, count: { n, exposure } };
    });
    const counts = measures.map((m) => (m.value === null ? null : (m.count?.n ?? m.value)));
    return { ...row(`reason:${reason}`, 'reasons', reason, unit, 'lower', measures), category, counts };
  });
}

/** Whether a measured figure lies in a prediction's range; null when either is missing (older saved analyses). */
function inRange(measured: number | null, low: number | undefined, high: number | undefined): boolean | null {
  if (measured === null || !Number.isFinite(low) || !Number.isFinite(high)) return null;
  return measured >= Math.min(low!, high!) && measured <= Math.max(low!, high!);
}

function predictionChecks(runs: readonly RunInput[]): PredictionCheck[] {
  const [base, ...later] = runs;
  const out: PredictionCheck[] = [];
  for (const rec of base.analysis.recommendations) {
    const p = rec.prediction;
    if (!p) continue;
    for (const run of later) {
      const measured = measuredMetric(run.analysis, p.metric);
      out.push({
        fromRun: base.label,
        toRun: run.label,
        recommendation: rec.id,
        title: rec.title,
        setting: rec.setting,
        metric: p.metric,
        before: p.before,
        predicted: p.after,
        low: p.low,
        high: p.high,
        measured,
        error: measured !== null && p.after !== 0 ? (measured - p.after) / p.after : null,
        withinRange: inRange(measured, p.low, p.high),
      });
    }
  }
  return out;
}

function comparedRun({ label, analysis: a }: RunInput): ComparedRun {
  return {
    label,
    files: a.inputs.map((i) => i.path),
    tool: a.benchmark?.tool ?? null,
    test: a.benchmark?.test ?? null,
    transactionsPerSec: measuredMetric(a, 'transactionsPerSec'),
    bitsPerSec: a.benchmark?.bitsPerSec ?? null,
    benchmarkRuns: a.benchmark ? (a.benchmark.runs ?? 1) : 0,
    exitsTotal: a.exits?.total ?? null,
    exitsSource: a.exits?.source ?? null,
    recommendations: a.recommendations.map((r) => r.id),
    ...(a.transactions?.wakeupHistogram?.length ? { wakeupHistogram: a.transactions.wakeupHistogram } : {}),
    ...(a.exits?.haltHistogram?.length ? { haltHistogram: a.exits.haltHistogram } : {}),
  };
}

/** Labels must tell runs apart: a repeated one gets its position appended. */
function distinctLabels(runs: readonly RunInput[]): RunInput[] {
  const seen = new Map<string, number>();
  for (const r of runs) seen.set(r.label, (seen.get(r.label) ?? 0) + 1);
  return runs.map((r, i) => ((seen.get(r.label) ?? 0) > 1 ? { ...r, label: `${r.label} (#${i + 1})` } : r));
}

/**
 * An analysis that holds several runs (`Analysis.runs`: several count tables, repeated benchmark runs, traces that do
 * not belong together) stands for each of its runs, labelled by the run's own label; `prefix` names the analysis too,
 * for when several analyses are compared. Any other analysis stands for itself.
 */
export function expandRuns(input: RunInput, prefix = false): RunInput[] {
  const runs = input.analysis.runs ?? [];
  if (runs.length < 2) return [input];
  return runs.map((run) => ({
    label: prefix ? `${input.label}: ${run.label}` : run.label,
    analysis: {
      ...input.analysis,
      exits: run.exits,
      transactions: run.transactions,
      // the top-level benchmark's count of runs is the whole file's, not this run's
      benchmark: run.benchmark ? { ...run.benchmark, runs: undefined } : null,
      recommendations: run.recommendations,
      notRecommended: run.notRecommended ?? [],
      series: null,
      runs: undefined,
    },
  }));
}

/** Compares two or more runs; an analysis of several runs is first expanded into them (`expandRuns`). */
export function compareAnalyses(given: readonly RunInput[]): Comparison {
  const input = given.flatMap((r) => expandRuns(r, given.length > 1));
  if (input.length < 2) throw new Error('compare needs two or more runs');
  const runs = distinctLabels(input);
  const compared = runs.map(comparedRun);
  const reasonsPer = reasonsNormalisation(runs);
  const rr = compared.every((r) => r.transactionsPerSec !== null);
  const metric = rr ? 'transactionsPerSec' : 'bitsPerSec';
  const values = compared.map((r) => r[metric]);
  const benchmark = values.every((v) => v !== null)
    ? seriesStats(
        values as number[],
        compared.map((r) => r.label),
        metric,
      )
    : null;
  return {
    schema: COMPARISON_SCHEMA,
    method: COMPARISON_METHOD,
    runs: compared,
    reasonsPer,
    rows: [...benchmarkRows(runs), ...totalRows(runs), ...reasonRows(runs, reasonsPer)],
    benchmark,
    predictions: predictionChecks(runs),
  };
}
