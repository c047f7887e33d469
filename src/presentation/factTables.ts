// The parts of an analysis beyond the exits table, as small tables of words: the runs in the inputs, the count table's
// own figures, MSRs and I/O ports behind exits, and host events (nested exits, exits to user space, halt-poll window
// changes). Built once here; the text report, the HTML report and the Analysis panel each only lay them out.
import type { AccessCount, Analysis, AnalysisRun, ExitsSummary, HostEventsSummary, ReasonStats } from '../core/index';
import type { FactTableView } from '../shared/views';
import {
  formatBits,
  formatCount,
  formatDuration,
  formatNumber,
  formatPercent,
  formatPrintedPercent,
  formatRate,
  formatTransactionRate,
  UNKNOWN,
} from './format';

/** Rows of a top-N list; the rest is counted in the table's note. */
export const MAX_FACT_ROWS = 10;

function topN<T>(items: readonly T[], what: string): { shown: T[]; note: string | null } {
  const rest = items.length - MAX_FACT_ROWS;
  const note = rest > 0 ? `${formatCount(rest)} more ${what} not listed.` : null;
  return { shown: items.slice(0, MAX_FACT_ROWS), note };
}

/** "1 shutdown", "2 shutdowns". */
function counted(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Columns (after the first) that hold nothing but the unknown glyph say nothing: leave them out. */
function withoutEmptyColumns(t: FactTableView): FactTableView {
  const keep = t.head.map((_, c) => c === 0 || t.rows.some((r) => r[c] !== UNKNOWN));
  const pick = <T>(row: T[]) => row.filter((_, c) => keep[c]);
  return { ...t, head: pick(t.head), rows: t.rows.map(pick) };
}

function benchmarkText(run: AnalysisRun): string {
  const b = run.benchmark;
  if (!b) return UNKNOWN;
  return b.transactionsPerSec !== null ? formatTransactionRate(b.transactionsPerSec) : formatBits(b.bitsPerSec);
}

function topReason(e: ExitsSummary | null): string {
  const top = e?.byReason.reduce<ReasonStats | null>((best, r) => (!best || r.count > best.count ? r : best), null);
  return top ? `${top.reason} (${formatPercent(top.share)})` : UNKNOWN;
}

/** Each run of several in the inputs, one row: the top-level figures describe only the first. */
export function runsTable(a: Analysis): FactTableView | null {
  const runs = a.runs ?? [];
  if (runs.length < 2) return null;
  return withoutEmptyColumns({
    id: 'runs',
    title: `${runs.length} runs in the inputs`,
    hint: 'The figures elsewhere in this report describe the first run; `compare` puts the runs side by side.',
    head: ['run', 'exits', 'exits/s', 'top reason', 'transactions/s', 'benchmark', 'recommended'],
    rows: runs.map((r) => [
      r.label,
      formatCount(r.exits?.total),
      formatRate(r.exits?.perSecond),
      topReason(r.exits),
      formatNumber(r.transactions?.perSecond),
      benchmarkText(r),
      r.recommendations.map((x) => x.id).join(', ') || 'none',
    ]),
    note: null,
  });
}

interface CountColumn {
  head: string;
  value: (r: ReasonStats) => number | null | undefined;
  format: (n: number | null | undefined) => string;
}

const COUNT_COLUMNS: CountColumn[] = [
  { head: 'samples', value: (r) => r.count, format: formatCount },
  { head: 'share', value: (r) => r.share, format: formatPercent },
  { head: 'Samples%', value: (r) => r.samplePct, format: formatPrintedPercent },
  { head: 'Time%', value: (r) => r.timePct, format: formatPrintedPercent },
  { head: 'min', value: (r) => r.minNs, format: formatDuration },
  { head: 'mean', value: (r) => r.meanNs, format: formatDuration },
  { head: 'max', value: (r) => r.maxNs, format: formatDuration },
  { head: 'total time', value: (r) => r.totalNs, format: formatDuration },
];

/** A perf kvm stat / kvm_stat table's own columns, as printed; only the columns the table had. */
export function countTable(e: ExitsSummary | null): FactTableView | null {
  if (!e || e.source !== 'counts' || e.byReason.length === 0) return null;
  const given = (c: CountColumn) => e.byReason.some((r) => c.value(r) !== null && c.value(r) !== undefined);
  // the computed share only where the table printed no Samples% of its own
  const printedShare = given(COUNT_COLUMNS[2]);
  const columns = COUNT_COLUMNS.filter((c) => given(c) && !(printedShare && c.head === 'share'));
  if (columns.length <= 2 && !printedShare) return null;
  const scope = e.vcpuOnly !== undefined ? `vCPU ${e.vcpuOnly} only` : 'all vCPUs';
  return {
    id: 'count-table',
    title: `The count table's figures (${scope})`,
    hint: "Samples% and Time% are the table's own columns: shares of the whole table as it was printed.",
    head: ['reason', 'category', ...columns.map((c) => c.head)],
    rows: e.byReason.map((r) => [r.reason, r.category, ...columns.map((c) => c.format(c.value(r)))]),
    note: null,
  };
}

function accessTable(id: string, title: string, key: string, list: readonly AccessCount[] | undefined) {
  if (!list || list.length === 0) return null;
  const { shown, note } = topN(list, key === 'MSR' ? 'MSRs' : 'ports');
  const table: FactTableView = {
    id,
    title,
    hint: 'Busiest first; every one by number, named where known.',
    head: [key, 'name', 'category', 'accesses', 'reads', 'writes', 'first line'],
    rows: shown.map((x) => [
      x.id,
      x.name ?? UNKNOWN,
      x.category ?? UNKNOWN,
      formatCount(x.count),
      formatCount(x.reads),
      formatCount(x.writes),
      x.firstLine === null ? UNKNOWN : String(x.firstLine),
    ]),
    note,
  };
  return table;
}

/** MSRs (kvm_msr) and I/O ports (kvm_pio) behind exits, from the exits summary or, lacking one, the host events. */
export function accessTables(a: Analysis): FactTableView[] {
  const msrs = a.exits?.msrs ?? a.hostEvents?.msrs;
  const ports = a.exits?.ioPorts ?? a.hostEvents?.ioPorts;
  return [
    accessTable('msrs', 'MSRs accessed (kvm_msr)', 'MSR', msrs),
    accessTable('io-ports', 'I/O ports accessed (kvm_pio)', 'port', ports),
  ].filter((t): t is FactTableView => t !== null);
}

function byReasonRows(list: readonly { reason: string; count: number }[]): string[][] {
  return list.map((r) => [r.reason, formatCount(r.count)]);
}

function nestedTable(h: HostEventsSummary): FactTableView | null {
  const n = h.nestedExits;
  if (!n) return null;
  return {
    id: 'nested-exits',
    title: 'Nested exits (kvm_nested_vmexit)',
    hint:
      `${counted(n.count, 'exit')} of an L2 guest, by reason; ${formatCount(n.injectedToL1)} reflected to L1 ` +
      '(kvm_nested_vmexit_inject).',
    head: ['reason', 'exits'],
    rows: byReasonRows(n.byReason),
    note: null,
  };
}

function userspaceTable(h: HostEventsSummary): FactTableView | null {
  const u = h.userspaceExits;
  if (!u) return null;
  const kinds = [
    u.internalErrors > 0 ? counted(u.internalErrors, 'internal error') : '',
    u.shutdowns > 0 ? `${counted(u.shutdowns, 'shutdown')} (triple fault)` : '',
    u.failedEntries > 0 ? counted(u.failedEntries, 'failed entry', 'failed entries') : '',
  ].filter(Boolean);
  return {
    id: 'userspace-exits',
    title: 'Exits to user space (kvm_userspace_exit)',
    hint: `${counted(u.count, 'exit')} KVM handed to the VMM (QEMU), by reason${kinds.map((k) => `; ${k}`).join('')}.`,
    head: ['reason', 'exits'],
    rows: byReasonRows(u.byReason),
    note: u.notes.length ? u.notes.join(' ') : null,
  };
}

function haltPollWindowTable(h: HostEventsSummary): FactTableView | null {
  const w = h.haltPollWindow;
  if (!w) return null;
  const { shown, note } = topN(w.history, 'changes');
  return {
    id: 'halt-poll-window',
    title: 'Halt-poll window changes (kvm_halt_poll_ns)',
    hint:
      `${counted(w.changes, 'change')}: ${formatCount(w.grows)} grew, ${formatCount(w.shrinks)} shrank; ` +
      `largest ${formatDuration(w.maxNs)}, ` +
      `last ${formatDuration(w.lastNs)}. The first changes, in order:`,
    head: ['line', 'vCPU', 'from', 'to'],
    rows: shown.map((c) => [
      c.line === null ? UNKNOWN : String(c.line),
      c.vcpu === null ? UNKNOWN : String(c.vcpu),
      formatDuration(c.fromNs),
      formatDuration(c.toNs),
    ]),
    note,
  };
}

function eventsTable(h: HostEventsSummary): FactTableView | null {
  if (h.events.length === 0) return null;
  const { shown, note } = topN(h.events, 'event names');
  return {
    id: 'host-events',
    title: 'Events in the trace',
    hint: 'Every event name with its count, most frequent first.',
    head: ['event', 'count'],
    rows: shown.map((e) => [e.name, formatCount(e.count)]),
    note,
  };
}

/** What a host trace holds beside kvm_exit / kvm_entry, so that a trace of only these still says something. */
export function hostEventTables(a: Analysis): FactTableView[] {
  const h = a.hostEvents;
  if (!h) return [];
  return [eventsTable(h), nestedTable(h), userspaceTable(h), haltPollWindowTable(h)].filter(
    (t): t is FactTableView => t !== null,
  );
}

/** Knobs the rules looked at and did not recommend, each with why (lack of evidence, already set, wrong workload). */
export function notRecommendedTable(a: Analysis): FactTableView | null {
  const not = a.notRecommended ?? [];
  if (not.length === 0) return null;
  return {
    id: 'not-recommended',
    title: 'Not recommended',
    hint: 'Knobs looked at for this run and left out, with why.',
    head: ['knob', 'why not'],
    rows: not.map((n) => [n.id, n.reason]),
    note: null,
  };
}

/** Caveats of the model for this run (e.g. events the trace lacks), one row each. */
export function modelNotesTable(a: Analysis): FactTableView | null {
  const notes = a.modelNotes ?? [];
  if (notes.length === 0) return null;
  const rows = notes.map((n) => [n]);
  return { id: 'model-notes', title: 'Model notes', hint: null, head: ['note'], rows, note: null };
}

/** Every fact table of an analysis, in the order the panel shows them. */
export function factTables(a: Analysis): FactTableView[] {
  return [
    runsTable(a),
    notRecommendedTable(a),
    modelNotesTable(a),
    countTable(a.exits),
    ...accessTables(a),
    ...hostEventTables(a),
  ].filter((t): t is FactTableView => t !== null);
}
