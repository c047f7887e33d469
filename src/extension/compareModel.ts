// Builds the Compare panel's content from two or more analyses; the first is the baseline. Pure, unit-tested.
import type { Analysis } from '../core/analysisTypes';
import type { CompareCell, CompareRow, CompareView, PredictionCheck } from './protocol';
import { formatMetric, formatPercent } from './viewModel';

export interface Run {
  label: string;
  analysis: Analysis;
}

/** Reason rows shown (by total count over all runs). */
export const MAX_COMPARE_REASONS = 30;

function relative(value: number | null, base: number | null): number | null {
  if (value === null || base === null || base === 0) return null;
  return (value - base) / base;
}

function row(label: string, better: CompareRow['better'], values: (number | null)[]): CompareRow {
  const base = values[0] ?? null;
  const cells: CompareCell[] = values.map((v, i) => ({ value: v, change: i === 0 ? null : relative(v, base) }));
  return { label, better, cells };
}

function benchmarkRows(runs: readonly Run[]): CompareRow[] {
  const rows: CompareRow[] = [];
  const tps = runs.map((r) => r.analysis.benchmark?.transactionsPerSec ?? null);
  const bps = runs.map((r) => r.analysis.benchmark?.bitsPerSec ?? null);
  if (tps.some((v) => v !== null)) rows.push(row('Benchmark transactions/s', 'higher', tps));
  if (bps.some((v) => v !== null)) rows.push(row('Benchmark throughput (bit/s)', 'higher', bps));
  return rows;
}

function totalRows(runs: readonly Run[]): CompareRow[] {
  const pick = (f: (a: Analysis) => number | null | undefined) => runs.map((r) => f(r.analysis) ?? null);
  const candidates: CompareRow[] = [
    row('VM exits', 'lower', pick((a) => a.exits?.total)),
    row('Exits/s', 'lower', pick((a) => a.exits?.perSecond)),
    row('Transactions/s (trace)', 'higher', pick((a) => a.transactions?.perSecond)),
    row('Exits per transaction', 'lower', pick((a) => a.transactions?.exitsPerTransaction)),
    row('Critical exits per transaction', 'lower', pick((a) => a.transactions?.criticalExitsPerTransaction)),
    row('Wake-up latency p50 (ns)', 'lower', pick((a) => a.transactions?.wakeupLatencyNs?.p50)),
    row('Wake-up latency p99 (ns)', 'lower', pick((a) => a.transactions?.wakeupLatencyNs?.p99)),
  ];
  return candidates.filter((r) => r.cells.some((c) => c.value !== null));
}

/** Per-reason exit counts, normalised per transaction when every run has transactions (runs differ in length). */
function reasonRows(runs: readonly Run[]): { rows: CompareRow[]; perTransaction: boolean } {
  const perTransaction = runs.every((r) => (r.analysis.transactions?.count ?? 0) > 0);
  const totals = new Map<string, number>();
  for (const r of runs) for (const x of r.analysis.exits?.byReason ?? []) totals.set(x.reason, (totals.get(x.reason) ?? 0) + x.count);
  const names = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_COMPARE_REASONS).map(([n]) => n);
  const rows = names.map((name) =>
    row(
      name,
      'lower',
      runs.map((r) => {
        const count = r.analysis.exits?.byReason.find((x) => x.reason === name)?.count ?? (r.analysis.exits ? 0 : null);
        if (count === null) return null;
        return perTransaction ? count / r.analysis.transactions!.count : count;
      }),
    ),
  );
  return { rows, perTransaction };
}

/** The value of a prediction's metric as a run measured it. */
export function measuredMetric(a: Analysis, metric: string): number | null {
  if (metric === 'transactionsPerSec') return a.benchmark?.transactionsPerSec ?? a.transactions?.perSecond ?? null;
  if (metric === 'bitsPerSec') return a.benchmark?.bitsPerSec ?? null;
  if (metric === 'latencyNs') return a.transactions?.wakeupLatencyNs?.p50 ?? null;
  return null;
}

/** Every prediction of the baseline, checked against each later run. */
function predictionChecks(runs: readonly Run[]): PredictionCheck[] {
  const base = runs[0];
  const out: PredictionCheck[] = [];
  for (const rec of base.analysis.recommendations) {
    const p = rec.prediction;
    if (!p) continue;
    for (const later of runs.slice(1)) {
      const measured = measuredMetric(later.analysis, p.metric);
      const predictedChange = p.before !== 0 ? (p.after - p.before) / p.before : null;
      const measuredChange = measured !== null && p.before !== 0 ? (measured - p.before) / p.before : null;
      const verdict =
        measured === null
          ? `${later.label} has no ${p.metric} figure to check against`
          : `measured ${formatMetric(p.metric, measured)} (${formatPercent(measuredChange, true)}), predicted ${formatMetric(p.metric, p.after)} (${formatPercent(predictedChange, true)})`;
      out.push({
        recommendation: rec.setting ? `${rec.title} (${rec.setting})` : rec.title,
        metric: p.metric,
        fromRun: base.label,
        toRun: later.label,
        predictedBefore: p.before,
        predictedAfter: p.after,
        measured,
        verdict,
      });
    }
  }
  return out;
}

export function buildCompareView(runs: readonly Run[]): CompareView {
  if (runs.length < 2) throw new Error('compare needs two or more runs');
  const { rows, perTransaction } = reasonRows(runs);
  return {
    kind: 'compare',
    runs: runs.map((r, i) => ({
      label: r.label,
      detail: `${i === 0 ? 'baseline · ' : ''}${r.analysis.inputs.map((x) => x.path).join(', ')}`,
    })),
    benchmark: benchmarkRows(runs),
    totals: totalRows(runs),
    reasons: rows.map((r) => ({ ...r, label: perTransaction ? `${r.label} (per transaction)` : r.label })),
    predictions: predictionChecks(runs),
  };
}
