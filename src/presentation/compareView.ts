// The one comparison (src/core/compare.ts) in words: every figure, change and interval formatted once, here. The
// Compare panel shows this view; the CLI text and the HTML report render the same view, so all three agree.
import type { Change, CompareRow, CompareUnit, Comparison, PredictionCheck } from '../core/index';
import type {
  CompareCellView,
  CompareRowView,
  CompareSectionView,
  CompareView,
  PredictionCheckView,
} from '../shared/views';
import {
  formatBits,
  formatCount,
  formatDuration,
  formatEstimate,
  formatMetric,
  formatNumber,
  formatPercent,
  formatPercentRange,
  formatRate,
  formatRatio,
  UNKNOWN,
} from './format';
import { comparePictures, pictureTree } from './pictures/index';

export function formatCompareValue(unit: CompareUnit, value: number | null): string {
  switch (unit) {
    case 'count':
      return formatCount(value);
    case 'perSecond':
      return formatRate(value);
    case 'bitsPerSec':
      return formatBits(value);
    case 'durationNs':
      return formatDuration(value);
    case 'perTransaction':
      return formatRatio(value);
    default:
      return formatNumber(value);
  }
}

function tone(row: CompareRow, change: Change | null): CompareCellView['tone'] {
  if (!change || change.verdict !== 'significant' || change.relative === null) return 'neutral';
  const improved = row.better === 'higher' ? change.relative > 0 : change.relative < 0;
  return improved ? 'better' : 'worse';
}

function cell(row: CompareRow, i: number): CompareCellView {
  const change = row.changes[i];
  return {
    value: formatCompareValue(row.unit, row.values[i]),
    change: change ? formatPercent(change.relative, true) : null,
    interval: change
      ? change.interval
        ? formatPercentRange(change.interval.low, change.interval.high)
        : change.note
      : null,
    verdict: change ? change.verdict : null,
    tone: tone(row, change),
  };
}

function rowView(row: CompareRow): CompareRowView {
  return { id: row.id, label: row.label, cells: row.values.map((_, i) => cell(row, i)) };
}

const REASONS_TITLE: Record<Comparison['reasonsPer'], string> = {
  transaction: 'Exits by reason, per transaction',
  second: 'Exits by reason, per second',
  run: 'Exits by reason, counts',
};

function sections(c: Comparison): CompareSectionView[] {
  const group = (g: CompareRow['group']) => c.rows.filter((r) => r.group === g).map(rowView);
  const all: CompareSectionView[] = [
    { title: 'Benchmark', hint: 'As the benchmark printed it; repeated runs give the mean.', rows: group('benchmark') },
    { title: 'Exits and transactions', hint: null, rows: group('totals') },
    { title: REASONS_TITLE[c.reasonsPer], hint: 'Lower is better.', rows: group('reasons') },
  ];
  return all.filter((s) => s.rows.length > 0);
}

function predictionView(p: PredictionCheck): PredictionCheckView {
  const fmt = (n: number) => formatMetric(p.metric, n);
  const predicted = formatEstimate(p.predicted, p.low, p.high, fmt);
  const measuredChange = p.measured !== null && p.before !== 0 ? p.measured / p.before - 1 : null;
  const predictedChange = p.before !== 0 ? p.predicted / p.before - 1 : null;
  let verdict: string;
  if (p.measured === null) verdict = `${p.toRun} has no ${p.metric} figure to check against`;
  else {
    verdict =
      `measured ${fmt(p.measured)} (${formatPercent(measuredChange, true)}), ` +
      `predicted ${predicted} (${formatPercent(predictedChange, true)}) from ${fmt(p.before)}`;
    if (p.withinRange !== null)
      verdict += p.withinRange ? '; within the predicted range' : '; outside the predicted range';
  }
  return {
    recommendation: p.setting ? `${p.title} (${p.setting})` : p.title,
    fromRun: p.fromRun,
    toRun: p.toRun,
    verdict,
    withinRange: p.withinRange,
  };
}

function seriesLine(c: Comparison): string | null {
  const b = c.benchmark;
  if (!b || c.runs.length < 3) return null;
  const f = (n: number) => formatMetric(b.metric, n);
  return (
    `Series over the runs (${b.metric}): avg ${f(b.avg)}, min ${f(b.min)}, max ${f(b.max)}, median ${f(b.median)}, ` +
    `stddev ${f(b.stddev)}, jitter ${f(b.jitter)}`
  );
}

export function buildCompareView(c: Comparison): CompareView {
  return {
    kind: 'compare',
    runs: c.runs.map((r, i) => ({
      label: r.label,
      detail: `${i === 0 ? 'baseline · ' : ''}${r.files.join(', ') || UNKNOWN}`,
    })),
    sections: sections(c),
    predictions: c.predictions.map(predictionView),
    series: seriesLine(c),
    method: c.method,
    pictures: comparePictures(c).map(pictureTree),
  };
}

/** A later run's change in one short cell: "+30 % (+25 % to +35 %) significant". */
export function changeText(cellView: CompareCellView): string {
  if (cellView.change === null) return '';
  if (cellView.verdict === 'no interval') return `${cellView.change} (${cellView.interval ?? 'no interval'})`;
  return `${cellView.change} (${cellView.interval}) ${cellView.verdict}`;
}
