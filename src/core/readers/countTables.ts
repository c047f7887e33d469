// Count-table readers: `perf kvm stat report|live`, `perf stat -e 'kvm:*'` and the kvm_stat tool.
//
// Where the layouts come from (Linux tree):
// - tools/perf/builtin-kvm.c print_result(): "%*s %10s %9s %9s %11s %11s %16s" header (event ops name, Samples,
//   Samples%, Time%, Min Time, Max Time, Avg time), rows "%10llu %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus ( +-%7.2f%% )",
//   then "Total Samples:%llu, Total events handled time:%.2fus." Perf 3.7 had no Min/Max columns. Ops names:
//   "VM-EXIT", "MMIO Access", "IO Port Access", "MSR Access" (tools/perf/arch/x86/util/kvm-stat.c).
//   Live mode prints "HH:MM:SS.uuuuuu" before every screen and resets its counters after each screen.
// - the hists layout (perf >= 6.4, TUI/stdio hists): columns named "Event name", "Samples", "Sample%", "Time (ns)",
//   "Time%", "Max Time (ns)", "Min Time (ns)", "Mean Time (ns)" in any subset/order; no totals line.
// - tools/kvm/kvm_stat/kvm_stat: curses screen "kvm statistics - pid N (name)" / "- summary", then
//   " %-40s %10s%7s %8s" (Event|Guest Name, Total, %Total, CurAvg/s), rows " %-40s %10d%7.1f %8s" (child events
//   indented by two spaces, their %Total relative to the parent), " %-40s %10d        %8s" Total row.
//   -1/--once: "%-42s%10d%10d" (name, total, events in the 1 s batch). -l: a banner of names ("name name ... "),
//   then per interval "YYYY-MM-DD HH:MM:SS" + " %9d" per name (before 2020: no timestamp); -l/-L with -c: CSV
//   "timestamp,name,..." then "YYYY-MM-DD HH:MM:SS,n,...". -L writes the -l format to a file.
//
// What the records mean (so a consumer can combine them): every count this reader emits is ADDITIVE within one input
// for one (table, vcpu): a consumer sums `count` per (table, vcpu, reason). Therefore
// - perf kvm stat live screens (each covers one display interval) are emitted screen by screen;
// - kvm_stat -l / CSV lines (deltas per interval) are emitted line by line (zero deltas are skipped), each followed by
//   an ExitCountTotals whose durationSec is the time since the previous line when timestamps allow;
// - the kvm_stat curses screen is cumulative, so only the LAST screen of the input is emitted (at end());
// - kvm_stat -1 rows carry the running total as count and the 1-second batch delta as perSecond.
// A per-vCPU table (vcpu N) and the all-vCPU table (vcpu null) describe the same exits: don't add across vcpu values.
// `perf stat` rows are emitted for tracepoint events (sys:name) only; hardware counters are skipped.
import type {
  ExitCountRow,
  ExitCountTotals,
  InputFormat,
  LineReader,
  RecordSink,
  TextFormatReader,
} from '../records';
import { DEBUGFS_EXITS_PARTS } from '../model/countRows';
import { Warnings } from './warnings';

/** A kvm_stat curses screen is held until the next one; more rows than this is not a real screen. */
const MAX_SCREEN_ROWS = 5000;

// ---------------------------------------------------------------------------------------------------------------
// Shared line handling

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]/g;
const MAIL_QUOTE = /^(?:\s*>)+ ?/;

/** The line without terminal escapes (live screens start with a clear-screen sequence) and mail quoting. */
function cleanLine(text: string): string {
  let t = text.includes('\x1b') ? text.replace(ANSI_ESCAPE, '') : text;
  if (t.endsWith('\r')) t = t.slice(0, -1);
  if (MAIL_QUOTE.test(t)) t = t.replace(MAIL_QUOTE, '');
  return t;
}

function parseNumber(text: string): number | null {
  const v = Number(text.replace(/,/g, ''));
  return Number.isFinite(v) ? v : null;
}

const NS_PER_UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9 };

/** "3431.60" + "us" → 3431600 (ns). Printed values have at most a few decimals, so whole ns are exact enough. */
function toNs(value: string, unit: string): number | null {
  const v = parseNumber(value);
  const factor = NS_PER_UNIT[unit.toLowerCase()];
  if (v === null || factor === undefined) return null;
  return factor === 1 ? v : Math.round(v * factor);
}

function emptyRow(line: number, table: string, vcpu: number | null, reason: string, count: number): ExitCountRow {
  return {
    type: 'exit-count',
    line,
    table,
    vcpu,
    reason,
    count,
    samplePct: null,
    timePct: null,
    minNs: null,
    maxNs: null,
    meanNs: null,
    totalNs: null,
    perSecond: null,
  };
}

function totals(
  line: number,
  table: string,
  vcpu: number | null,
  samples: number | null,
  timeNs: number | null,
  durationSec: number | null,
): ExitCountTotals {
  return { type: 'exit-count-totals', line, table, vcpu, samples, timeNs, durationSec };
}

// ---------------------------------------------------------------------------------------------------------------
// perf kvm stat (classic and hists layouts) and perf stat -e 'kvm:*'

const NUM = String.raw`[-+]?(?:\d+(?:\.\d+)?|nan|inf)`;
const UNIT = String.raw`(ns|us|µs|ms|s)`;
const CLASSIC_HEADER = /^\s*(\S(?:.*?\S)?)\s+Samples\s+Samples%\s+Time%\s+(Min Time\s+Max Time\s+)?Avg time\s*$/;
const CLASSIC_ROW_MINMAX = new RegExp(
  String.raw`^\s*(\S(?:.*?\S)?)\s+(\d+)\s+(${NUM})%\s+(${NUM})%\s+(${NUM})${UNIT}\s+(${NUM})${UNIT}\s+(${NUM})${UNIT}` +
    String.raw`\s*\(\s*\+-\s*(${NUM})\s*%\s*\)?\s*$`,
  'i',
);
const CLASSIC_ROW_AVG_ONLY = new RegExp(
  String.raw`^\s*(\S(?:.*?\S)?)\s+(\d+)\s+(${NUM})%\s+(${NUM})%\s+(${NUM})${UNIT}\s*\(\s*\+-\s*(${NUM})\s*%\s*\)?\s*$`,
  'i',
);
const TOTALS_LINE = /^\s*Total Samples:\s*(\d+),\s*Total events handled time:\s*([\d.]+)\s*(ns|us|µs|ms|s)\.?\s*$/;
const ANALYZE_LINE = /^\s*Analyze events for (.*?)(?:all VCPUs|VCPU (\d+))\s*:\s*$/;
const LIVE_TIMESTAMP = /^\s*\d{2}:\d{2}:\d{2}\.\d{6}\s*$/;
const EVENT_OPTION = /\bperf\b.*\bkvm\b.*\bstat\b.*--event(?:=|\s+)(\w+)/;
const NEW_HEADER_START = /^\s*Event name\s{2,}/;
const LOST_EVENTS = /^\s*Lost events:\s*\d+\s*$/;
/** The start of a classic header or row that a mail client wrapped: the rest is on the next line. */
const CLASSIC_HEADER_START = /\bSamples\s+Samples%\s+Time%/;
const CLASSIC_ROW_START = new RegExp(String.raw`^\s*\S(?:.*?\S)?\s+\d+\s+(${NUM})%\s+(${NUM})%`, 'i');
/** The row that stands for the rows a user trimmed from a table, so that its "Total Samples" still adds up. */
export const TRIMMED_ROWS_REASON = 'other (rows not shown)';

const OPS_NAME_TO_TABLE: Record<string, string> = {
  'VM-EXIT': 'vmexit',
  'MMIO Access': 'mmio',
  'IO Port Access': 'ioport',
  'MSR Access': 'msr',
};

function tableForOpsName(name: string): string {
  return OPS_NAME_TO_TABLE[name] ?? name.toLowerCase().replace(/\s+/g, '-');
}

type HistColumn = 'samples' | 'samplePct' | 'totalNs' | 'timePct' | 'maxNs' | 'minNs' | 'meanNs';
const HIST_HEADERS: [string, HistColumn][] = [
  ['Max Time (ns)', 'maxNs'],
  ['Min Time (ns)', 'minNs'],
  ['Mean Time (ns)', 'meanNs'],
  ['Time (ns)', 'totalNs'],
  ['Samples', 'samples'],
  ['Sample%', 'samplePct'],
  ['Time%', 'timePct'],
];
const HIST_VALUE: Record<HistColumn, string> = {
  samples: String.raw`(\d+)`,
  samplePct: String.raw`(${NUM})%`,
  timePct: String.raw`(${NUM})%`,
  totalNs: String.raw`(\d+)`,
  maxNs: String.raw`(\d+)`,
  minNs: String.raw`(\d+)`,
  meanNs: String.raw`(\d+)`,
};

/** The columns of a hists-layout header after "Event name", or null when a word is not a known column. */
function parseHistHeader(text: string): HistColumn[] | null {
  if (!NEW_HEADER_START.test(text)) return null;
  let rest = text.trim().slice('Event name'.length).trim();
  const cols: HistColumn[] = [];
  while (rest.length > 0) {
    const hit = HIST_HEADERS.find(([h]) => rest.startsWith(h) && (rest.length === h.length || /\s/.test(rest[h.length])));
    if (!hit) return null;
    cols.push(hit[1]);
    rest = rest.slice(hit[0].length).trim();
  }
  return cols.includes('samples') ? cols : null;
}

const PERF_STAT_HEADER = /^\s*Performance counter stats for /;
/** "   5      kvm:kvm_entry", optionally after an -I interval time, optionally followed by "( +- 1.2% )" or comments. */
const PERF_STAT_ROW = /^\s*(?:(\d+\.\d+)\s+)?(\d[\d,]*|<not counted>|<not supported>)\s+([A-Za-z_][\w.-]*)(:[\w.*-]+)?(?:\s.*)?$/;
/** perf stat -x, / -x; : "5,,kvm:kvm_entry,..." (optionally after an -I interval time). */
const PERF_STAT_CSV_ROW = /^\s*(?:\d+\.\d+[,;])?(\d+|<not counted>|<not supported>)[,;][^,;]*[,;]([A-Za-z_][\w.-]*:[\w.-]+)(?:[,;].*)?$/;
const PERF_STAT_ELAPSED = /^\s*([\d.,]+)\s+(?:\+-\s*[\d.,]+\s+)?seconds time elapsed/;
const PERF_STAT_OTHER = /seconds (?:user|sys)\b|\bmsec\b|#|Some events weren't counted|^\s*\(\s*\+-/;

type PerfTable =
  | { layout: 'classic'; minMax: boolean; table: string; vcpu: number | null; headerLine: number; rows: number; rowSum: number }
  | {
      layout: 'hists';
      cols: HistColumn[];
      rowRe: RegExp;
      table: string;
      vcpu: number | null;
      headerLine: number;
      rows: number;
      rowSum: number;
    };

class PerfKvmStatLineReader implements LineReader {
  private readonly warnings: Warnings;
  private vcpu: number | null = null;
  /** The table whose rows are being read; `open` false after a blank/bad line (rows may still continue it). */
  private current: PerfTable | null = null;
  private open = false;
  /** A classic table that has rows but no "Total Samples" line yet. */
  private awaitingTotals: PerfTable | null = null;
  /** --event=X from a `perf kvm stat` command line: names the hists-layout table, which does not print it. */
  private eventHint: string | null = null;
  private inPerfStat = false;
  private records = 0;
  /** A header or row a mail client may have wrapped, held until the next line says. */
  private pending: { text: string; line: number } | null = null;
  /** The time line of a live screen whose table has not started yet. */
  private liveStamp: string | null = null;
  /** Whether the current run is a live session (its further screens add to it). */
  private inLiveRun = false;

  constructor(private readonly sink: RecordSink) {
    this.warnings = new Warnings(sink);
  }

  private emit(r: ExitCountRow | ExitCountTotals): void {
    this.records++;
    this.sink.record(r);
  }

  /**
   * Every table is a run of its own (before/after, boots, per vCPU): never added to another. The screens of one
   * `perf kvm stat live` session are the exception: each covers one display interval (live resets its counters after
   * each screen), so together they are one run whose counts add up.
   */
  private startRun(table: string, vcpu: number | null, lineNo: number): void {
    const live = this.liveStamp !== null;
    const stamp = this.liveStamp;
    this.liveStamp = null;
    if (live && this.inLiveRun) return;
    this.inLiveRun = live;
    const who = vcpu === null ? 'all vCPUs' : `vCPU ${vcpu}`;
    const label = `${live ? `live from ${stamp}, ` : ''}${table} table, ${who} (line ${lineNo})`;
    this.sink.record({ type: 'run-start', line: lineNo, label });
  }

  line(text: string, lineNo: number): void {
    const t = cleanLine(text);
    if (this.pending) {
      const held = this.pending;
      this.pending = null;
      const joined = `${held.text.trimEnd()} ${t.trim()}`;
      if (t.trim() !== '' && this.completes(joined)) {
        this.warnings.note('wrapped', held.line, 'perf kvm stat lines wrapped by a mail client were joined with the next line');
        return this.handle(joined, held.line);
      }
      this.handle(held.text, held.line);
    }
    if (this.looksWrapped(t)) this.pending = { text: t, line: lineNo };
    else this.handle(t, lineNo);
  }

  /** A header or row start whose end is missing: a classic layout line cut by a mail client. */
  private looksWrapped(t: string): boolean {
    if (CLASSIC_HEADER_START.test(t)) return !CLASSIC_HEADER.test(t);
    if (this.current?.layout !== 'classic' || !CLASSIC_ROW_START.test(t)) return false;
    return !(this.current.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).test(t);
  }

  private completes(joined: string): boolean {
    if (CLASSIC_HEADER.test(joined)) return true;
    return this.current?.layout === 'classic' && (this.current.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).test(joined);
  }

  /** A new table, screen or section starts: a classic table left without its totals line is reported. */
  private closeTable(): void {
    if (this.awaitingTotals) {
      const t = this.awaitingTotals;
      this.sink.warn(t.headerLine, `perf kvm stat table (${t.table}) starting at line ${t.headerLine} has no "Total Samples:" line; it may be cut off`);
    }
    this.awaitingTotals = null;
    this.current = null;
    this.open = false;
  }

  private handle(t: string, lineNo: number): void {
    const blank = t.trim() === '';

    if (this.inPerfStat) {
      if (this.perfStatLine(t, lineNo, blank)) return;
      this.inPerfStat = false;
    }
    if (blank) {
      if (this.current && this.current.rows > 0) this.open = false;
      return;
    }

    const hint = EVENT_OPTION.exec(t);
    if (hint) this.eventHint = hint[1];

    const analyze = ANALYZE_LINE.exec(t);
    if (analyze) {
      this.closeTable();
      this.vcpu = analyze[2] === undefined ? null : Number(analyze[2]);
      return;
    }
    if (LIVE_TIMESTAMP.test(t)) {
      // a new live screen: a fresh interval, its own "Analyze events" line follows
      this.closeTable();
      this.vcpu = null;
      this.liveStamp = t.trim();
      return;
    }
    const classic = CLASSIC_HEADER.exec(t);
    if (classic) {
      this.closeTable();
      const table = tableForOpsName(classic[1]);
      this.current = { layout: 'classic', minMax: classic[2] !== undefined, table, vcpu: this.vcpu, headerLine: lineNo, rows: 0, rowSum: 0 };
      this.open = true;
      this.startRun(table, this.vcpu, lineNo);
      return;
    }
    const cols = parseHistHeader(t);
    if (cols) {
      this.closeTable();
      const rowRe = new RegExp(String.raw`^\s*(\S(?:.*?\S)?)` + cols.map((c) => String.raw`\s+` + HIST_VALUE[c]).join('') + String.raw`\s*$`, 'i');
      const table = this.eventHint ?? 'vmexit';
      this.current = { layout: 'hists', cols, rowRe, table, vcpu: this.vcpu, headerLine: lineNo, rows: 0, rowSum: 0 };
      this.open = true;
      this.startRun(table, this.vcpu, lineNo);
      return;
    }
    const tot = TOTALS_LINE.exec(t);
    if (tot) {
      const ctx = this.awaitingTotals ?? this.current;
      if (ctx) this.checkTotal(ctx, Number(tot[1]), lineNo);
      this.emit(totals(lineNo, ctx?.table ?? this.eventHint ?? 'vmexit', ctx ? ctx.vcpu : this.vcpu, Number(tot[1]), toNs(tot[2], tot[3]), null));
      this.awaitingTotals = null;
      this.current = null;
      this.open = false;
      return;
    }
    if (PERF_STAT_HEADER.test(t)) {
      this.closeTable();
      this.inPerfStat = true;
      return;
    }
    if (this.current && this.tableRow(this.current, t, lineNo)) {
      this.open = true;
      return;
    }
    if (!this.inPerfStat && PERF_STAT_CSV_ROW.test(t)) {
      // perf stat -x output has no "Performance counter stats" header
      this.closeTable();
      this.inPerfStat = true;
      this.perfStatLine(t, lineNo, false);
      return;
    }
    if (LOST_EVENTS.test(t)) return;
    if (this.current && this.open) {
      const what =
        this.current.layout === 'classic'
          ? `NAME SAMPLES SAMPLES% TIME%${this.current.minMax ? ' MIN MAX' : ''} AVG ( +- X% )`
          : `NAME followed by ${this.current.cols.length} values`;
      this.warnings.note('bad-row', lineNo, `expected a perf kvm stat row (${what}) in the table from line ${this.current.headerLine}; found ${JSON.stringify(t.trim().slice(0, 120))}`);
      this.open = false;
    }
    // anything else (shell prompts, "[ perf record: ...]", prose) is not part of a table
  }

  /** Rows a user trimmed from a pasted table: what "Total Samples" counts beyond them becomes one "other" row. */
  private checkTotal(tab: PerfTable, samples: number, lineNo: number): void {
    if (tab.rows === 0 || samples === tab.rowSum) return;
    if (samples < tab.rowSum) {
      this.warnings.note('total-below-rows', lineNo, `"Total Samples:${samples}" is below the sum of the table's rows (${tab.rowSum}); the rows are kept as printed`);
      return;
    }
    const row = emptyRow(lineNo, tab.table, tab.vcpu, TRIMMED_ROWS_REASON, samples - tab.rowSum);
    this.emit(row);
    this.warnings.note('trimmed-rows', lineNo, `the table's rows add up to fewer samples than its "Total Samples" line; the ${samples - tab.rowSum} missing samples are counted as "${TRIMMED_ROWS_REASON}"`);
  }

  /** Reads one row of the current table; false when the line is not such a row. */
  private tableRow(tab: PerfTable, t: string, lineNo: number): boolean {
    if (tab.layout === 'classic') {
      const m = (tab.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).exec(t);
      if (!m) return false;
      const row = emptyRow(lineNo, tab.table, tab.vcpu, m[1], Number(m[2]));
      row.samplePct = parseNumber(m[3]);
      row.timePct = parseNumber(m[4]);
      if (tab.minMax) {
        row.minNs = toNs(m[5], m[6]);
        row.maxNs = toNs(m[7], m[8]);
        row.meanNs = toNs(m[9], m[10]);
      } else {
        row.meanNs = toNs(m[5], m[6]);
      }
      this.emit(row);
      tab.rows++;
      tab.rowSum += row.count;
      this.awaitingTotals = tab;
      return true;
    }
    const m = tab.rowRe.exec(t);
    if (!m) return false;
    const values: Partial<Record<HistColumn, number | null>> = {};
    tab.cols.forEach((c, i) => (values[c] = parseNumber(m[i + 2])));
    const row = emptyRow(lineNo, tab.table, tab.vcpu, m[1], values.samples ?? 0);
    row.samplePct = values.samplePct ?? null;
    row.timePct = values.timePct ?? null;
    row.totalNs = values.totalNs ?? null;
    row.minNs = values.minNs ?? null;
    row.maxNs = values.maxNs ?? null;
    row.meanNs = values.meanNs ?? null;
    this.emit(row);
    tab.rows++;
    tab.rowSum += row.count;
    return true;
  }

  /** One line of `perf stat` output; false when the count block has ended. */
  private perfStatLine(t: string, lineNo: number, blank: boolean): boolean {
    if (blank) return true;
    const elapsed = PERF_STAT_ELAPSED.exec(t);
    if (elapsed) {
      this.emit(totals(lineNo, 'perf-stat', null, null, null, parseNumber(elapsed[1])));
      this.inPerfStat = false;
      return true;
    }
    const csv = PERF_STAT_CSV_ROW.exec(t);
    const row = csv ? null : PERF_STAT_ROW.exec(t);
    if (csv || row) {
      const countText = csv ? csv[1] : row![2];
      const name = csv ? csv[2] : row![4] === undefined ? null : row![3] + row![4];
      // hardware/software counters (cycles, task-clock) are not KVM event counts; "<not counted>" has no count
      if (name !== null && !countText.startsWith('<')) {
        const count = parseNumber(countText);
        if (count !== null) this.emit(emptyRow(lineNo, 'perf-stat', null, name, count));
      }
      return true;
    }
    if (PERF_STAT_OTHER.test(t)) return true;
    if (/^\s*\d/.test(t)) {
      this.warnings.note('bad-perf-stat', lineNo, `expected a perf stat count line (COUNT EVENT, e.g. "5 kvm:kvm_exit"); found ${JSON.stringify(t.trim().slice(0, 120))}`);
      return true;
    }
    return false;
  }

  end(_lastLineNo: number): void {
    if (this.pending) this.handle(this.pending.text, this.pending.line);
    this.pending = null;
    this.closeTable();
    this.warnings.flush();
    if (this.records === 0) {
      this.sink.warn(null, 'no perf kvm stat table found (expected a "VM-EXIT  Samples  Samples%  Time% ..." or "Event name  Samples ..." header, or perf stat kvm:* counts)');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kvm_stat

const KS_TITLE = /^\s*kvm statistics(?:\s*$|\s+-\s+(?:pid\s+(\d+)|summary))/;
const KS_COLUMNS = /^\s*(?:Event|Guest Name)\s+Total(\s+%Total)?\s+(?:CurAvg\/s|Current)\s*$/;
const KS_ROW_PCT = /^\s*(\S(?:.*?\S)?)\s+(\d+)\s+(\d+(?:\.\d+)?)(?:\s+(\d+))?\s*$/;
const KS_ROW_NO_PCT = /^\s*(\S(?:.*?\S)?)\s+(\d+)(?:\s+(\d+))?\s*$/;
const KS_TOTAL = /^\s*Total\s+(\d+)(?:\s+(\d+))?\s*$/;
const KS_SCREEN_NOTES = /Collecting data|No matching events reported yet|Guest removed|Updating pid filter|regex filter:/;
/** kvm_stat -1: "%-42s%10d%10d" (older trees printed the full key, "child parent"). */
const KS_BATCH = /^([A-Za-z_][\w()+\-./:]*)(?: [A-Za-z_][\w()+\-./:]*)?\s+(\d+)\s+(\d+)\s*$/;
const KS_NAME_TOKEN = /^[A-Za-z_][\w()+\-./:]*$/;
const KS_STATLINE = /^\s*(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))?((?:\s+\d+)+|\d+(?:\s+\d+)*)\s*$/;
const KS_CSV_BANNER = /^\s*timestamp((?:,[^,]+)+)\s*$/;
const KS_CSV_ROW = /^\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)((?:,-?\d+)+)\s*$/;
/** Names kvm_stat shows: tracepoints (kvm_*) and debugfs statistics (x86, s390, arm, ppc). */
const KS_KVM_NAME = /^(?:kvm_|exits$|halt_|irq_|io_exits|mmio_exits|signal_exits|request_irq|pf_|tlb_flush|remote_tlb|host_state|efer_reload|fpu_reload|insn_emulation|nmi_|mmu_|hypercalls|invlpg|diagnose_|exit_|instruction_|deliver_|l1d_flush|directed_yield|preemption_|guest_mode)/;

/** A screen row without a header above it (cut from a terminal): "name  total  %total  curavg". */
const KS_BARE_ROW = /^\s*[A-Za-z_][\w()+\-./:]*\s+\d+\s+\d+\.\d\s+\d+\s*$/;
/** Tells a %Total column from a current-rate column when no header names them: %Total has one decimal. */
const KS_ROW_HAS_PCT = /^\s*\S(?:.*?\S)?\s+\d+\s+\d+\.\d+(?:\s+\d+)?\s*$/;

function indentOf(t: string): number {
  return t.length - t.trimStart().length;
}

/**
 * kvm_stat's drill-down (`x` key, and the tracepoint "kvm_exit(HLT)" names): child rows are parts of their parent,
 * never added to it. Children are indented under their parent, or named "parent(child)"; debugfs `exits` is split
 * into halt_exits, irq_exits … . A parent that is split gets `brokenDown`, and what its parts leave uncounted becomes
 * a "parent(other)" row, so that the parts still add up to the parent.
 */
function resolveDrillDown(rows: ExitCountRow[], indents: readonly number[], warnings: Warnings): ExitCountRow[] {
  const base = Math.min(...indents);
  const byName = new Map(rows.map((r) => [r.reason, r]));
  rows.forEach((row, i) => {
    let parent: ExitCountRow | undefined;
    if (indents[i] > base) {
      for (let j = i - 1; j >= 0 && !parent; j--) if (indents[j] < indents[i]) parent = rows[j];
    }
    const named = /^([^()]+)\((.+)\)$/.exec(row.reason);
    if (!parent && named) parent = byName.get(named[1]);
    if (parent && parent !== row) {
      row.parent = parent.reason;
      parent.brokenDown = true;
    }
  });
  const exits = byName.get('exits');
  const parts = rows.filter((r) => DEBUGFS_EXITS_PARTS.has(r.reason) && r.parent === undefined);
  if (exits && !exits.brokenDown && parts.length > 0) {
    for (const r of parts) r.parent = 'exits';
    exits.brokenDown = true;
  }
  const out: ExitCountRow[] = [];
  for (const row of rows) {
    out.push(row);
    if (!row.brokenDown) continue;
    const partsSum = rows.filter((r) => r.parent === row.reason).reduce((sum, r) => sum + r.count, 0);
    if (partsSum >= row.count) continue;
    const rest = emptyRow(row.line, row.table, row.vcpu, `${row.reason}(other)`, row.count - partsSum);
    rest.parent = row.reason;
    out.push(rest);
    warnings.note('drilldown-rest', row.line, `kvm_stat rows that break "${row.reason}" down add up to ${partsSum} of its ${row.count}; the other ${row.count - partsSum} are counted as "${row.reason}(other)"`);
  }
  return out;
}

function parseStamp(s: string): number | null {
  const t = Date.parse(s.replace(' ', 'T') + 'Z');
  return Number.isFinite(t) ? t / 1000 : null;
}

class KvmStatLineReader implements LineReader {
  private readonly warnings: Warnings;
  private records = 0;
  // curses screen: held until the next screen, the last one is emitted at end()
  private screenRows: ExitCountRow[] = [];
  private screenIndents: number[] = [];
  /** kvm_stat -1 rows, held so that "kvm_exit(HLT)" children can be told from their parent. */
  private batchRows: ExitCountRow[] = [];
  private screenTotals: ExitCountTotals | null = null;
  private screenOverflowWarned = false;
  private inScreen = false;
  /** Whether the screen has a %Total column; null when no header line said (old and cut-off screens). */
  private screenHasPct: boolean | null = true;
  private screenColumnsLine = 0;
  // -l / CSV logging
  private banner: { keys: string[]; line: number; csv: boolean } | null = null;
  private lastStamp: number | null = null;

  constructor(private readonly sink: RecordSink) {
    this.warnings = new Warnings(sink);
  }

  private emit(r: ExitCountRow | ExitCountTotals): void {
    this.records++;
    this.sink.record(r);
  }

  private newScreen(): void {
    this.screenRows = [];
    this.screenIndents = [];
    this.screenTotals = null;
    this.screenOverflowWarned = false;
  }

  line(text: string, lineNo: number): void {
    const t = cleanLine(text);
    if (t.trim() === '') return;

    if (KS_TITLE.test(t)) {
      // old (debugfs-era) screens print rows right under the title, without a column header
      this.newScreen();
      this.inScreen = true;
      this.screenHasPct = null;
      this.screenColumnsLine = lineNo;
      return;
    }
    const cols = KS_COLUMNS.exec(t);
    if (cols) {
      // a screen without its title line (cut from a terminal capture) starts here as well
      if (this.screenRows.length > 0) this.newScreen();
      this.inScreen = true;
      this.screenHasPct = cols[1] !== undefined;
      this.screenColumnsLine = lineNo;
      this.banner = null;
      return;
    }
    if (this.inScreen && this.screenLine(t, lineNo)) return;
    if (!this.inScreen && KS_BARE_ROW.test(t)) {
      // a screen whose title and header lines were not copied
      this.newScreen();
      this.inScreen = true;
      this.screenHasPct = true;
      this.screenColumnsLine = lineNo;
      this.warnings.note('no-header', lineNo, 'kvm_stat screen without its "Event Total %Total CurAvg/s" header line; read as that layout');
      if (this.screenLine(t, lineNo)) return;
    }

    if (this.logLine(t, lineNo)) return;

    const batch = KS_BATCH.exec(t);
    if (batch) {
      const row = emptyRow(lineNo, 'kvm_stat', null, batch[1], Number(batch[2]));
      row.perSecond = Number(batch[3]); // the delta of the one-second batch
      this.batchRows.push(row);
      return;
    }
    // prompts and prose around the output are skipped
  }

  /** A line inside a curses screen; false when the screen has ended. */
  private screenLine(t: string, lineNo: number): boolean {
    const tot = KS_TOTAL.exec(t);
    if (tot) {
      this.screenTotals = totals(lineNo, 'kvm_stat', null, Number(tot[1]), null, null);
      this.inScreen = false;
      return true;
    }
    if (KS_SCREEN_NOTES.test(t)) return true;
    const hasPct = this.screenHasPct ?? KS_ROW_HAS_PCT.test(t);
    const m = (hasPct ? KS_ROW_PCT : KS_ROW_NO_PCT).exec(t);
    if (m) {
      const row = emptyRow(lineNo, 'kvm_stat', null, m[1], Number(m[2]));
      if (hasPct) {
        row.samplePct = Number(m[3]);
        row.perSecond = m[4] === undefined ? null : Number(m[4]);
      } else {
        row.perSecond = m[3] === undefined ? null : Number(m[3]);
      }
      if (this.screenRows.length < MAX_SCREEN_ROWS) {
        this.screenRows.push(row);
        this.screenIndents.push(indentOf(t));
      }
      else if (!this.screenOverflowWarned) {
        this.screenOverflowWarned = true;
        this.sink.warn(lineNo, `kvm_stat screen from line ${this.screenColumnsLine} has more than ${MAX_SCREEN_ROWS} rows; the rest is ignored`);
      }
      return true;
    }
    if (this.screenRows.length === 0) return false;
    this.warnings.note('bad-screen-row', lineNo, `expected a kvm_stat row (EVENT TOTAL${this.screenHasPct ? ' %TOTAL' : ''} CURAVG/S) in the screen from line ${this.screenColumnsLine}; found ${JSON.stringify(t.trim().slice(0, 120))}`);
    this.inScreen = false;
    return true;
  }

  /** A -l banner or value line, or a CSV one; false when it is neither. */
  private logLine(t: string, lineNo: number): boolean {
    const csvBanner = KS_CSV_BANNER.exec(t);
    if (csvBanner) {
      this.banner = { keys: csvBanner[1].slice(1).split(',').map((k) => k.trim()), line: lineNo, csv: true };
      return true;
    }
    if (this.banner?.csv) {
      const row = KS_CSV_ROW.exec(t);
      if (row) {
        this.logValues(row[1], row[2].slice(1).split(','), lineNo);
        return true;
      }
    }
    const stat = KS_STATLINE.exec(t);
    if (stat && this.banner && !this.banner.csv) {
      this.logValues(stat[1] ?? null, stat[2].trim().split(/\s+/), lineNo);
      return true;
    }
    const tokens = t.trim().split(/\s+/);
    if (!stat && tokens.length >= 2 && tokens.every((k) => KS_NAME_TOKEN.test(k)) && tokens.some((k) => KS_KVM_NAME.test(k))) {
      this.banner = { keys: tokens, line: lineNo, csv: false };
      return true;
    }
    return false;
  }

  private logValues(stamp: string | null, values: string[], lineNo: number): void {
    const banner = this.banner!;
    if (values.length !== banner.keys.length) {
      this.warnings.note('bad-log-line', lineNo, `expected ${banner.keys.length} values (one per name in the kvm_stat header at line ${banner.line}); found ${values.length}`);
      return;
    }
    const now = stamp === null ? null : parseStamp(stamp);
    const durationSec = now !== null && this.lastStamp !== null && now > this.lastStamp ? now - this.lastStamp : null;
    if (now !== null) this.lastStamp = now;
    let sum = 0;
    values.forEach((v, i) => {
      const count = Number(v);
      const key = banner.keys[i];
      // children ("kvm_exit(HLT)") are already counted in their parent
      if (!key.includes('(')) sum += count;
      if (count === 0) return;
      const row = emptyRow(lineNo, 'kvm_stat', null, key, count);
      const named = /^([^()]+)\(.+\)$/.exec(key);
      if (named && banner.keys.includes(named[1])) row.parent = named[1];
      else if (banner.keys.some((k) => k.startsWith(`${key}(`))) row.brokenDown = true;
      this.emit(row);
    });
    this.emit(totals(lineNo, 'kvm_stat', null, sum, null, durationSec));
  }

  end(_lastLineNo: number): void {
    if (this.screenRows.length > 0) {
      for (const r of resolveDrillDown(this.screenRows, this.screenIndents, this.warnings)) this.emit(r);
    }
    if (this.batchRows.length > 0) {
      for (const r of resolveDrillDown(this.batchRows, this.batchRows.map(() => 0), this.warnings)) this.emit(r);
    }
    if (this.screenTotals) this.emit(this.screenTotals);
    this.warnings.flush();
    if (this.records === 0) {
      this.sink.warn(null, 'no kvm_stat output found (expected the "kvm statistics" screen, kvm_stat -1 "name total delta" lines, or -l/-c log lines)');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Detection

function looksLikePerfKvmStat(head: readonly string[]): boolean {
  let perfStatHeader = false;
  let tracepointCounts = 0;
  let csvCounts = 0;
  for (const raw of head) {
    const t = cleanLine(raw);
    if (CLASSIC_HEADER.test(t) || parseHistHeader(t) || TOTALS_LINE.test(t) || ANALYZE_LINE.test(t)) return true;
    if (PERF_STAT_HEADER.test(t)) perfStatHeader = true;
    const row = PERF_STAT_ROW.exec(t);
    if (row && row[4] !== undefined && row[3] === 'kvm') tracepointCounts++;
    if (PERF_STAT_CSV_ROW.exec(t)?.[2].startsWith('kvm:')) csvCounts++;
  }
  // plain count lines need the perf stat header; -x output has none, but its "N,,kvm:x," shape is distinctive
  return (perfStatHeader && tracepointCounts > 0) || csvCounts >= 2;
}

function looksLikeKvmStat(head: readonly string[]): boolean {
  let batchLines = 0;
  let batchKvm = false;
  let bareRows = 0;
  for (let i = 0; i < head.length; i++) {
    const t = cleanLine(head[i]);
    if (KS_TITLE.test(t) || KS_COLUMNS.test(t)) return true;
    const next = i + 1 < head.length ? cleanLine(head[i + 1]) : '';
    const csv = KS_CSV_BANNER.exec(t);
    if (csv) {
      const keys = csv[1].slice(1).split(',');
      const row = KS_CSV_ROW.exec(next);
      if (keys.some((k) => KS_KVM_NAME.test(k.trim())) && row && row[2].slice(1).split(',').length === keys.length) return true;
    }
    const tokens = t.trim().split(/\s+/);
    const stat = KS_STATLINE.exec(next);
    if (
      tokens.length >= 2 &&
      tokens.every((k) => KS_NAME_TOKEN.test(k)) &&
      tokens.some((k) => KS_KVM_NAME.test(k)) &&
      stat &&
      stat[2].trim().split(/\s+/).length === tokens.length
    ) {
      return true;
    }
    if (KS_BARE_ROW.test(t) && KS_KVM_NAME.test(t.trim())) bareRows++;
    const batch = KS_BATCH.exec(t);
    if (batch) {
      batchLines++;
      if (KS_KVM_NAME.test(batch[1])) batchKvm = true;
    }
  }
  return (batchLines >= 3 && batchKvm) || bareRows >= 3;
}

export const countTableReader: TextFormatReader = {
  formats: ['perf-kvm-stat', 'kvm-stat'],
  detect(head: readonly string[]): InputFormat | null {
    if (looksLikePerfKvmStat(head)) return 'perf-kvm-stat';
    if (looksLikeKvmStat(head)) return 'kvm-stat';
    return null;
  },
  create(format: InputFormat, sink: RecordSink): LineReader {
    return format === 'kvm-stat' ? new KvmStatLineReader(sink) : new PerfKvmStatLineReader(sink);
  },
};
