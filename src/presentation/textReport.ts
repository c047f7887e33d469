// The plain-text report the CLI prints when --json is absent: what the JSON holds, in words and aligned tables.
import type {
  Analysis,
  ExitsSummary,
  HaltPollingSummary,
  ReasonStats,
  Recommendation,
  SeriesStats,
  TransactionsSummary,
} from '../core/index';
import type { CompareCellView, FactTableView } from '../shared/views';
import type { Comparison } from '../core/index';
import { buildCompareView, changeText } from './compareView';
import { accessTables, countTable, hostEventTables, runsTable } from './factTables';
import {
  formatBits,
  formatCount,
  formatDuration,
  formatEstimate,
  formatMetric,
  formatNumber,
  formatPercent,
  formatRate,
  UNKNOWN,
} from './format';

/** Left-aligned first column, right-aligned figures, two spaces apart. */
export function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])));
  return rows.map((r) => line(r).join('  ').trimEnd()).join('\n');
}

function inputLines(a: Analysis): string[] {
  return a.inputs.map((i) => {
    const warnings = i.warnings.length ? `, ${formatCount(i.warnings.length)} warnings` : '';
    return `${i.path}: ${i.format ?? 'unrecognised'}, ${formatCount(i.records)} records${warnings}`;
  });
}

function benchmarkLines(a: Analysis): string[] {
  const b = a.benchmark;
  if (!b) return [];
  const rate =
    b.transactionsPerSec !== null ? `${formatNumber(b.transactionsPerSec)} trans/s` : formatBits(b.bitsPerSec);
  const over = b.durationSec !== null ? ` over ${formatNumber(b.durationSec)} s` : '';
  const out = ['', `Benchmark: ${b.tool} ${b.test} ${rate}${over}`];
  if (a.series) out.push(seriesLine(a.series));
  return out;
}

/** Repeated runs (Cully, xen-devel 2007): avg/min/max/median, stddev and jitter. */
function seriesLine(s: SeriesStats): string {
  const f = (n: number) => formatMetric(s.metric, n);
  return (
    `  ${s.values.length} runs: avg ${f(s.avg)}, min ${f(s.min)}, max ${f(s.max)}, median ${f(s.median)}, ` +
    `stddev ${f(s.stddev)}, jitter ${f(s.jitter)}`
  );
}

function exitLines(a: Analysis): string[] {
  const e = a.exits;
  if (!e) return [];
  if (e.source === 'counts') return countExitLines(e);
  const rate = e.perSecond !== null ? `, ${formatRate(e.perSecond)}` : '';
  const rows = [['reason', 'category', 'count', 'share', 'critical', 'mean', 'p50', 'p99', 'max']];
  const cells = (name: string, r: Omit<ReasonStats, 'reason'>) => [
    name,
    r.category,
    formatCount(r.count),
    formatPercent(r.share),
    formatCount(r.critical),
    formatDuration(r.meanNs),
    formatDuration(r.p50Ns),
    formatDuration(r.p99Ns),
    formatDuration(r.maxNs),
  ];
  for (const r of e.byReason) {
    rows.push(cells(r.reason, r));
    // What later events say the row's exits did (host traces): indented under the reason kvm_exit printed.
    for (const p of r.parts ?? []) rows.push(cells(`  └ ${p.detail}`, p));
  }
  const out = ['', `VM exits (${e.source}): ${formatCount(e.total)}${rate}`, textTable(rows)];
  if (e.byVcpu && e.byVcpu.length > 0) {
    out.push('', 'Exits per vCPU:');
    out.push(textTable([['vCPU', 'exits'], ...e.byVcpu.map((v) => [String(v.vcpu), formatCount(v.count)])]));
  }
  return [...out, ...vcpuTimeLines(e.byVcpu ?? [])];
}

/** Host traces: where each vCPU's time went (kvm_entry → kvm_exit → kvm_entry), with its costliest exit reasons. */
function vcpuTimeLines(vcpus: NonNullable<Analysis['exits']>['byVcpu'] & object): string[] {
  const timed = vcpus.filter((v) => v.guestNs !== undefined && v.spanNs);
  if (timed.length === 0) return [];
  const of = (ns: number, span: number) => `${formatDuration(ns)} (${formatPercent(ns / span)})`;
  const rows = [['vCPU', 'traced', 'in guest', 'in exits', 'halted', 'not covered', 'most time in exits']];
  for (const v of timed) {
    const span = v.spanNs!;
    const top = (v.inExitsByReason ?? []).filter((r) => r.ns > 0).slice(0, 3);
    rows.push([
      String(v.vcpu),
      formatDuration(span),
      of(v.guestNs!, span),
      of(v.inExitsNs!, span),
      of(v.haltedNs!, span),
      of(v.untracedNs!, span),
      top.map((r) => `${r.reason} ${formatDuration(r.ns)}`).join(', '),
    ]);
  }
  return ['', 'Time per vCPU (kvm_entry → kvm_exit in the guest, exit → entry in the exit):', textTable(rows)];
}

/** A fact table as text: its title, what it means, the aligned table, and what it leaves out. */
export function factTableLines(t: FactTableView): string[] {
  const out = ['', `${t.title}:`];
  if (t.hint) out.push(t.hint);
  out.push(textTable([t.head, ...t.rows]));
  if (t.note) out.push(t.note);
  return out;
}

/** A count table (perf kvm stat, kvm_stat) with the figures it printed: Samples%, Time%, min/mean/max, total time. */
function countExitLines(e: ExitsSummary): string[] {
  const scope = e.vcpuOnly !== undefined ? `, vCPU ${e.vcpuOnly} only` : '';
  const head = `VM exits (counts${scope}): ${formatCount(e.total)}`;
  const table = countTable(e);
  if (!table) {
    const rows = e.byReason.map((r) => [r.reason, r.category, formatCount(r.count), formatPercent(r.share)]);
    return ['', head, textTable([['reason', 'category', 'count', 'share'], ...rows])];
  }
  return ['', head, textTable([table.head, ...table.rows])];
}

function transactionLines(a: Analysis): string[] {
  const t = a.transactions;
  if (!t) return [];
  const wake = t.wakeupLatencyNs
    ? `; wake-up latency p50 ${formatDuration(t.wakeupLatencyNs.p50)}, p99 ${formatDuration(t.wakeupLatencyNs.p99)}`
    : '';
  const out = [
    '',
    `Transactions: ${formatCount(t.count)} (${formatRate(t.perSecond)}), ` +
      `${formatNumber(t.exitsPerTransaction)} exits each (${formatNumber(t.criticalExitsPerTransaction)} on the ` +
      `critical path, ${formatNumber(t.offCriticalExitsPerTransaction)} off it)${wake}`,
  ];
  if (t.breakdownNs && t.breakdownNs.length > 0) {
    out.push('', 'Time of one transaction (mean):');
    out.push(breakdownTable(t.breakdownNs));
  }
  return out;
}

/** Each component's time per transaction, and where the data has them, its time each and how often it happens. */
function breakdownTable(parts: NonNullable<TransactionsSummary['breakdownNs']>): string {
  const counted = parts.some((b) => b.eachNs !== undefined && b.perTransaction !== undefined);
  if (!counted) return textTable([['component', 'time'], ...parts.map((b) => [b.component, formatDuration(b.meanNs)])]);
  const rows = parts.map((b) => [
    b.component,
    formatDuration(b.meanNs),
    b.eachNs === undefined ? '' : formatDuration(b.eachNs),
    b.perTransaction === undefined ? '' : `× ${formatNumber(b.perTransaction)}`,
  ]);
  return textTable([['component', 'time', 'each', 'per transaction'], ...rows]);
}

function haltPollingLines(h: HaltPollingSummary | null | undefined): string[] {
  if (!h) return [];
  const window =
    h.maxWindowNs === null
      ? ''
      : h.maxWindowNs === 0
        ? ', polling off'
        : `, poll window up to ${formatDuration(h.maxWindowNs)}`;
  if (h.polled + h.waited === 0) return ['', `Halt polling (${h.side}): no wake-ups of halted vCPUs seen${window}`];
  const out = [
    '',
    `Halt polling (${h.side}): ${formatCount(h.polled)} wake-ups while polling, ` +
      `${formatCount(h.waited)} after halting ` +
      `(${formatPercent(h.pollSuccessRate)} polled)${window}`,
  ];
  if (h.pollNs)
    out.push(`  polling before the wake-up: p50 ${formatDuration(h.pollNs.p50)}, p99 ${formatDuration(h.pollNs.p99)}`);
  if (h.waitNs)
    out.push(`  halted before the wake-up: p50 ${formatDuration(h.waitNs.p50)}, p99 ${formatDuration(h.waitNs.p99)}`);
  return out;
}

/** "transactions/s: 9,800 → 13,000 (12,000–14,000), predicted". */
export function predictionText(p: NonNullable<Recommendation['prediction']>): string {
  const f = (n: number) => formatMetric(p.metric, n);
  return `${p.metric}: ${f(p.before)} → ${formatEstimate(p.after, p.low, p.high, f)} (predicted)`;
}

function recommendationLines(a: Analysis): string[] {
  const out = [
    '',
    a.recommendations.length ? 'Recommendations:' : 'Recommendations: none — nothing here would clearly help.',
  ];
  for (const [n, r] of a.recommendations.entries()) {
    out.push(`${n + 1}. ${r.title}${r.setting ? `  [${r.setting}]` : ''}`);
    for (const ev of r.evidence) out.push(`   - ${ev}`);
    if (r.prediction) out.push(`   => ${predictionText(r.prediction)}`);
  }
  const not = a.notRecommended ?? [];
  if (not.length > 0) out.push('', 'Not recommended:');
  for (const n of not) out.push(`- ${n.id}: ${n.reason}`);
  return out;
}

export function formatAnalysisText(a: Analysis): string {
  const runs = runsTable(a);
  const out: string[] = [
    ...inputLines(a),
    ...(runs ? factTableLines(runs) : []),
    ...benchmarkLines(a),
    ...exitLines(a),
    ...[...accessTables(a), ...hostEventTables(a)].flatMap(factTableLines),
    ...transactionLines(a),
    ...haltPollingLines(a.haltPolling),
  ];
  const notes = a.modelNotes ?? [];
  if (notes.length > 0) out.push('', 'Model notes:', ...notes.map((n) => `- ${n}`));
  out.push(...recommendationLines(a));
  return `${out.join('\n')}\n`;
}

/** Column keys for many or long run labels: A, B, … then #27, #28. */
const runKey = (i: number) => (i < 26 ? String.fromCharCode(65 + i) : `#${i + 1}`);
const LONG_LABEL = 24;

/** A later run's change as a cell; a missing interval's reason goes to the notes under the table, once. */
function changeCell(x: CompareCellView, notes: Set<string>): string {
  if (x.verdict !== 'no interval') return changeText(x) || UNKNOWN;
  if (x.interval) notes.add(x.interval);
  return x.change ?? UNKNOWN;
}

/** The comparison as text: the same view the Compare panel shows, as tables; many runs get letters as columns. */
export function formatComparisonText(c: Comparison): string {
  const view = buildCompareView(c);
  const keyed = view.runs.length > 2 || view.runs.some((r) => r.label.length > LONG_LABEL);
  const keys = view.runs.map((r, i) => (keyed ? runKey(i) : r.label));
  const later = keys.slice(1);
  const out: string[] = keyed
    ? ['Runs (the first is the baseline):', ...view.runs.map((r, i) => `  ${keys[i]}  ${r.label}`)]
    : [`Runs (the first is the baseline): ${keys.join(', ')}`];
  const head = ['', ...keys, ...later.map((k) => (later.length === 1 ? 'change' : `${k} vs ${keys[0]}`))];
  for (const s of view.sections) {
    const notes = new Set<string>();
    const rows = s.rows.map((r) => [
      r.label,
      ...r.cells.map((x) => x.value),
      ...r.cells.slice(1).map((x) => changeCell(x, notes)),
    ]);
    out.push('', `${s.title}:`, textTable([head, ...rows]));
    if (notes.size > 0) out.push(`${notes.size > 1 ? 'Notes' : 'Note'}: ${[...notes].join('; ')}.`);
  }
  if (view.series) out.push('', view.series);
  for (const p of view.predictions) out.push('', `${p.fromRun} → ${p.toRun}: ${p.recommendation}: ${p.verdict}.`);
  out.push('', `Method: ${view.method}`);
  return `${out.join('\n')}\n`;
}
