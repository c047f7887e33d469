// Builds what the Analysis panel shows from an Analysis. Pure (no vscode, no DOM) so it is unit-tested directly.
import type { Analysis, Prediction, ReasonStats } from '../core/index';
import { MAX_REVEAL_LINES } from '../shared/messages';
import type {
  AnalysisView,
  EvidenceView,
  InputView,
  PartialState,
  ReasonView,
  RecommendationView,
  SeriesView,
  SummaryFigure,
} from '../shared/views';
import { factTables } from './factTables';
import { analysisPictures, pictureTree } from './pictures/index';
import { formatBits, formatDuration, formatEstimate, formatMetric, formatNumber, formatPercent } from './format';

/** Reasons listed in the chart/table; the rest are summed into the last row by the reader of the table. */
export const MAX_REASONS = 25;
/** Series in the exits-over-time chart before the rest is folded into "other". */
export const MAX_TIMELINE_SERIES = 6;
const MAX_WARNINGS_SHOWN = 20;

export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

const METRIC_LABELS: Record<Prediction['metric'], string> = {
  transactionsPerSec: 'transactions/s',
  bitsPerSec: 'throughput',
  latencyNs: 'latency',
};

export function describePrediction(p: Prediction | null): string | null {
  if (!p) return null;
  const change = p.before !== 0 ? (p.after - p.before) / p.before : null;
  const label = METRIC_LABELS[p.metric] ?? p.metric;
  const f = (n: number) => formatMetric(p.metric, n);
  const after = formatEstimate(p.after, p.low, p.high, f);
  return `${label}: ${f(p.before)} → ${after}${change !== null ? ` (${formatPercent(change, true)})` : ''}`;
}

function clampLines(lines: readonly number[] | undefined): number[] {
  return (lines ?? []).filter((l) => Number.isInteger(l) && l >= 1).slice(0, MAX_REVEAL_LINES);
}

function reasonView(r: ReasonStats): ReasonView {
  const parts = (r.parts ?? []).map((p) => reasonView({ ...p, reason: p.detail }));
  return {
    ...(parts.length > 0 ? { parts } : {}),
    reason: r.reason,
    category: r.category,
    count: r.count,
    share: r.share,
    critical: r.critical,
    offCritical: r.offCritical,
    meanNs: r.meanNs,
    p99Ns: r.p99Ns,
    description: r.description ?? '',
    exampleLines: clampLines(r.exampleLines),
  };
}

/** Evidence is free text; it points at lines through the exit reason it names (the longest name that matches). */
export function linkEvidence(text: string, reasons: readonly ReasonStats[]): EvidenceView {
  const lower = text.toLowerCase();
  let best: ReasonStats | null = null;
  for (const r of reasons) {
    if (!r.exampleLines?.length || r.reason.length < 2) continue;
    if (lower.includes(r.reason.toLowerCase()) && (!best || r.reason.length > best.reason.length)) best = r;
  }
  return { text, lines: best ? clampLines(best.exampleLines) : [] };
}

function summaryFigures(a: Analysis): SummaryFigure[] {
  const out: SummaryFigure[] = [];
  const ex = a.exits;
  if (ex) {
    out.push({ label: 'VM exits', value: formatNumber(ex.total), hint: `Exits counted (${ex.source})` });
    out.push({ label: 'Exits/s', value: formatNumber(ex.perSecond), hint: 'Exits per second of traced time' });
    if (ex.durationNs !== null)
      out.push({
        label: 'Traced time',
        value: formatDuration(ex.durationNs),
        hint: 'From the first to the last event',
      });
  }
  const tx = a.transactions;
  if (tx) {
    out.push({
      label: 'Transactions/s',
      value: formatNumber(tx.perSecond),
      hint: `${formatNumber(tx.count)} request/response round trips found in the trace`,
    });
    out.push({
      label: 'Exits per transaction',
      value: formatNumber(tx.exitsPerTransaction),
      hint:
        `${formatNumber(tx.criticalExitsPerTransaction)} on the critical path, ` +
        `${formatNumber(tx.offCriticalExitsPerTransaction)} off it`,
    });
    if (tx.wakeupLatencyNs) {
      out.push({
        label: 'Wake-up p50 / p99',
        value: `${formatDuration(tx.wakeupLatencyNs.p50)} / ${formatDuration(tx.wakeupLatencyNs.p99)}`,
        hint: 'Time from the wake-up IPI to the halted vCPU running',
      });
    }
  }
  const b = a.benchmark;
  if (b) {
    const label = `${b.tool} ${b.test}`;
    if (b.transactionsPerSec !== null)
      out.push({
        label: `${label} trans/s`,
        value: formatNumber(b.transactionsPerSec),
        hint: 'As the benchmark printed it',
      });
    if (b.bitsPerSec !== null)
      out.push({ label: `${label} throughput`, value: formatBits(b.bitsPerSec), hint: 'As the benchmark printed it' });
  }
  return out;
}

function timelineView(a: Analysis): AnalysisView['timeline'] {
  const t = a.exits?.timeline;
  if (!t) return null;
  const entries = Object.entries(t.counts).map(([label, values]) => ({
    label,
    values,
    total: values.reduce((s, x) => s + x, 0),
  }));
  if (entries.length === 0) return null;
  entries.sort((x, y) => y.total - x.total);
  const length = Math.max(...entries.map((e) => e.values.length));
  const series: SeriesView[] = entries
    .slice(0, MAX_TIMELINE_SERIES)
    .map((e) => ({ label: e.label, values: e.values.slice() }));
  const rest = entries.slice(MAX_TIMELINE_SERIES);
  if (rest.length > 0) {
    const other = new Array<number>(length).fill(0);
    for (const e of rest) e.values.forEach((v, i) => (other[i] += v));
    series.push({ label: 'other', values: other });
  }
  const labels = Array.from({ length }, (_, i) => (i * t.bucketNs) / 1e9);
  return { labels, series };
}

function recommendationView(
  r: Analysis['recommendations'][number],
  reasons: readonly ReasonStats[],
): RecommendationView {
  return {
    id: r.id,
    title: r.title,
    setting: r.setting,
    evidence: r.evidence.map((e) => linkEvidence(e, reasons)),
    prediction: describePrediction(r.prediction),
    rationale: r.rationale ?? '',
  };
}

export function buildAnalysisView(a: Analysis, createdAt = Date.now()): AnalysisView {
  const reasons = a.exits?.byReason ?? [];
  const inputs: InputView[] = a.inputs.map((i, index) => ({
    index,
    path: i.path,
    name: baseName(i.path),
    format: i.format,
    records: i.records,
    warningCount: i.warnings.length,
    warnings: i.warnings.slice(0, MAX_WARNINGS_SHOWN),
    error: i.error ?? null,
  }));
  const errors = inputs.filter((i) => i.error).map((i) => `${i.name}: ${i.error}`);
  const records = a.inputs.reduce((n, i) => n + i.records, 0);
  const notice =
    a.inputs.length > 0 && !a.exits && !a.benchmark && errors.length === 0
      ? `${formatNumber(records)} records were read, but they hold no VM exits and no benchmark results to analyse` +
        (a.hostEvents ? '; the events they hold are listed below.' : '.')
      : null;
  return {
    kind: 'analysis',
    title: inputs.map((i) => i.name).join(' + ') || 'Analysis',
    createdAt,
    inputs,
    exitsSource: a.exits?.source ?? null,
    summary: summaryFigures(a),
    reasons: [...reasons]
      .sort((x, y) => y.count - x.count)
      .slice(0, MAX_REASONS)
      .map(reasonView),
    timeline: timelineView(a),
    vcpus: (a.exits?.byVcpu ?? []).map((v) => ({ vcpu: v.vcpu, count: v.count })),
    wakeupHistogram: (a.transactions?.wakeupHistogram ?? []).map((h) => ({ upperNs: h.upperNs, count: h.count })),
    breakdown: (a.transactions?.breakdownNs ?? []).map((b) => ({ component: b.component, meanNs: b.meanNs })),
    recommendations: a.recommendations.map((r) => recommendationView(r, reasons)),
    errors,
    notice,
    tables: factTables(a),
    pictures: picturesView(a),
  };
}

/** One line for the status bar: exits per transaction when known, else exits/s, else the benchmark figure. */
export function statusSummary(a: Analysis): { text: string; tooltip: string } | null {
  const tx = a.transactions;
  if (tx && a.exits) {
    return {
      text: `${formatNumber(tx.exitsPerTransaction)} exits/txn`,
      tooltip:
        `${formatNumber(a.exits.total)} VM exits, ${formatNumber(a.exits.perSecond)} exits/s, ` +
        `${formatNumber(tx.perSecond)} transactions/s`,
    };
  }
  if (a.exits) {
    return {
      text: `${formatNumber(a.exits.perSecond)} exits/s`,
      tooltip: `${formatNumber(a.exits.total)} VM exits (${a.exits.source})`,
    };
  }
  const b = a.benchmark;
  if (b) {
    const fig =
      b.transactionsPerSec !== null ? `${formatNumber(b.transactionsPerSec)} trans/s` : formatBits(b.bitsPerSec);
    return { text: `${b.test} ${fig}`, tooltip: `${b.tool} ${b.test}` };
  }
  return null;
}

/**
 * The view of an analysis of part of the input (still reading, or cancelled). A snapshot taken while the first file is
 * read does not list that file yet, so the panel's own title stands in for the inputs' names.
 */
export function buildPartialView(
  a: Analysis,
  partial: PartialState,
  title: string,
  createdAt = Date.now(),
): AnalysisView {
  const view = buildAnalysisView(a, createdAt);
  const percent = Math.max(0, Math.min(100, Math.floor(partial.percent)));
  return { ...view, title: view.inputs.length > 0 ? view.title : title, partial: { state: partial.state, percent } };
}

/** The pictures as trees for the panel (it builds nodes from them; it never parses markup). */
function picturesView(a: Analysis): NonNullable<AnalysisView['pictures']> {
  const p = analysisPictures(a);
  return {
    transactions: p.transactions.map((t) => ({ which: t.which, durationNs: t.durationNs, tree: pictureTree(t.html) })),
    figures: p.figures.map(pictureTree),
  };
}
