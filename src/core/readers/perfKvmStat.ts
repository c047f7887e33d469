// perf kvm stat report|live (classic and hists layouts) and perf stat -e 'kvm:*' counts; see countTables.ts for where
// the layouts come from and what the records mean.
import type { ExitCountRow, ExitCountTotals, LineReader, RecordSink } from '../records';
import { counted, type CountedSink } from '../countedSink';
import { cleanLine, emptyRow, endsInSoftBreak, joinSoftBreaks, parseNumber, toNs, totals } from './countTableLines';
import { RunMarks } from './runMarks';
import { Warnings } from './warnings';

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
/** perf's message (stderr, printed as it names the row that follows) for an exit code it has no name for. */
const UNKNOWN_EXIT_CODE = /^\s*unknown kvm exit code:\s*(-?\d+) on (\w+)\s*$/;
/** The start of a classic header or row that a mail client wrapped: the rest is on the next line. */
const CLASSIC_HEADER_START = /\bSamples\s+Samples%\s+Time%/;
const CLASSIC_ROW_START = new RegExp(String.raw`^\s*\S(?:.*?\S)?\s+\d+\s+(${NUM})%\s+(${NUM})%`, 'i');
/** The row that stands for the rows a user trimmed from a table, so that its "Total Samples" still adds up. */
export const TRIMMED_ROWS_REASON = 'other (rows not shown)';
const WRAPPED_NOTE = 'perf kvm stat lines wrapped by a mail client were joined with the next line';
const SOFT_BREAK_NOTE =
  'quoted-printable soft line breaks ("=" at the end of a line: raw mail pasted undecoded) were joined';

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
    const hit = HIST_HEADERS.find(
      ([h]) => rest.startsWith(h) && (rest.length === h.length || /\s/.test(rest[h.length])),
    );
    if (!hit) return null;
    cols.push(hit[1]);
    rest = rest.slice(hit[0].length).trim();
  }
  return cols.includes('samples') ? cols : null;
}

/** The row pattern of a hists table with these columns, and the patterns of its rows cut short by wrapping. */
function histRowPatterns(cols: HistColumn[]): { cols: HistColumn[]; rowRe: RegExp; prefixRes: RegExp[] } {
  const pattern = (n: number) =>
    new RegExp(
      String.raw`^\s*(\S(?:.*?\S)?)` +
        cols
          .slice(0, n)
          .map((c) => String.raw`\s+` + HIST_VALUE[c])
          .join('') +
        String.raw`\s*$`,
      'i',
    );
  const prefixRes: RegExp[] = [];
  for (let k = 2; k < cols.length; k++) prefixRes.push(pattern(k));
  return { cols, rowRe: pattern(cols.length), prefixRes };
}

const PERF_STAT_HEADER = /^\s*Performance counter stats for /;
/** "   5      kvm:kvm_entry", optionally after an -I interval time, optionally followed by "( +- 1.2% )" or
 * comments. */
const PERF_STAT_ROW =
  /^\s*(?:(\d+\.\d+)\s+)?(\d[\d,]*|<not counted>|<not supported>)\s+([A-Za-z_][\w.-]*)(:[\w.*-]+)?(?:\s.*)?$/;
/** perf stat -x, / -x; : "5,,kvm:kvm_entry,..." (optionally after an -I interval time). */
const PERF_STAT_CSV_ROW =
  /^\s*(?:\d+\.\d+[,;])?(\d+|<not counted>|<not supported>)[,;][^,;]*[,;]([A-Za-z_][\w.-]*:[\w.-]+)(?:[,;].*)?$/;
const PERF_STAT_ELAPSED = /^\s*([\d.,]+)\s+(?:\+-\s*[\d.,]+\s+)?seconds time elapsed/;
const PERF_STAT_OTHER = /seconds (?:user|sys)\b|\bmsec\b|#|Some events weren't counted|^\s*\(\s*\+-/;

type PerfTable =
  | {
      layout: 'classic';
      minMax: boolean;
      table: string;
      vcpu: number | null;
      headerLine: number;
      rows: number;
      rowSum: number;
    }
  | {
      layout: 'hists';
      cols: HistColumn[];
      rowRe: RegExp;
      /** Rows cut after their first k < all values (k = index + 1): a mail client wrapped the rest. */
      prefixRes: RegExp[];
      table: string;
      vcpu: number | null;
      headerLine: number;
      rows: number;
      rowSum: number;
    };

export class PerfKvmStatLineReader implements LineReader {
  private readonly warnings: Warnings;
  private vcpu: number | null = null;
  /** The table whose rows are being read; `open` false after a blank/bad line (rows may still continue it). */
  private current: PerfTable | null = null;
  private open = false;
  /** A classic table that has rows but no "Total Samples" line yet. */
  private awaitingTotals: PerfTable | null = null;
  /** The code perf just said it has no name for: the next UNKNOWN row is that code's. */
  private unknownExitCode: string | null = null;
  /** --event=X from a `perf kvm stat` command line: names the hists-layout table, which does not print it. */
  private eventHint: string | null = null;
  private inPerfStat = false;
  /** A table line cut by a quoted-printable soft break ("=" at its end), held to be joined with the next line. */
  private softBreak: { text: string; line: number } | null = null;
  /** A header or row a mail client may have wrapped, held until the next line says. */
  private pending: { text: string; line: number } | null = null;
  /** The time line of a live screen whose table has not started yet. */
  private liveStamp: string | null = null;
  /** Whether the current run is a live session (its further screens add to it). */
  private inLiveRun = false;

  private readonly runMarks: RunMarks;

  private readonly sink: CountedSink;

  constructor(sink: RecordSink) {
    this.sink = counted(sink);
    this.warnings = new Warnings(sink);
    this.runMarks = new RunMarks(sink);
  }

  private emit(r: ExitCountRow | ExitCountTotals): void {
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
    this.runMarks.start(lineNo, label);
  }

  line(text: string, lineNo: number): void {
    const t = cleanLine(text);
    if (this.softBreak) {
      const held = this.softBreak;
      this.softBreak = null;
      const joined = held.text + (text.endsWith('\r') ? text.slice(0, -1) : text);
      if (this.recognises(joined)) {
        this.warnings.note('quoted-printable', held.line, SOFT_BREAK_NOTE);
        return this.logicalLine(joined, held.line);
      }
      this.logicalLine(`${held.text}=`, held.line);
    }
    const tableLine = NEW_HEADER_START.test(t) || CLASSIC_HEADER_START.test(t) || this.current !== null;
    if (tableLine && endsInSoftBreak(t)) this.softBreak = { text: t.slice(0, -1), line: lineNo };
    else this.logicalLine(t, lineNo);
  }

  /** A header, or a row of the current table, once joined with the rest a soft line break cut off. */
  private recognises(joined: string): boolean {
    if (parseHistHeader(joined) || CLASSIC_HEADER.test(joined)) return true;
    return this.current !== null && this.completes(joined);
  }

  /** One line as the tool printed it (quoting stripped, soft breaks joined): mail-client wrapping is undone here. */
  private logicalLine(t: string, lineNo: number): void {
    if (this.pending) {
      const held = this.pending;
      this.pending = null;
      const joined = `${held.text.trimEnd()} ${t.trim()}`;
      if (t.trim() !== '' && this.completes(joined)) {
        this.warnings.note('wrapped', held.line, WRAPPED_NOTE);
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
    if (this.current?.layout === 'hists') {
      const tab = this.current;
      return !tab.rowRe.test(t) && tab.prefixRes.some((re) => re.test(t));
    }
    if (this.current?.layout !== 'classic') return false;
    // a row name alone on its line: its numbers were wrapped onto the next
    if (/^\s*[A-Za-z_][\w:.-]*\s*$/.test(t)) return true;
    if (!CLASSIC_ROW_START.test(t)) return false;
    return !(this.current.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).test(t);
  }

  private completes(joined: string): boolean {
    if (CLASSIC_HEADER.test(joined)) return true;
    if (this.current?.layout === 'hists') return this.current.rowRe.test(joined);
    if (this.current?.layout !== 'classic') return false;
    return (this.current.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).test(joined);
  }

  /** A new table, screen or section starts: a classic table left without its totals line is reported. */
  private closeTable(): void {
    if (this.awaitingTotals) {
      const t = this.awaitingTotals;
      const where = `perf kvm stat table (${t.table}) starting at line ${t.headerLine}`;
      this.sink.warn(t.headerLine, `${where} has no "Total Samples:" line; it may be cut off`);
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
      const minMax = classic[2] !== undefined;
      this.current = { layout: 'classic', minMax, table, vcpu: this.vcpu, headerLine: lineNo, rows: 0, rowSum: 0 };
      this.open = true;
      this.startRun(table, this.vcpu, lineNo);
      return;
    }
    const cols = parseHistHeader(t);
    if (cols) {
      this.closeTable();
      const table = this.eventHint ?? 'vmexit';
      const patterns = histRowPatterns(cols);
      this.current = { layout: 'hists', ...patterns, table, vcpu: this.vcpu, headerLine: lineNo, rows: 0, rowSum: 0 };
      this.open = true;
      this.startRun(table, this.vcpu, lineNo);
      return;
    }
    const tot = TOTALS_LINE.exec(t);
    if (tot) {
      const ctx = this.awaitingTotals ?? this.current;
      if (ctx) this.checkTotal(ctx, Number(tot[1]), lineNo);
      const table = ctx?.table ?? this.eventHint ?? 'vmexit';
      this.emit(totals(lineNo, table, ctx ? ctx.vcpu : this.vcpu, Number(tot[1]), toNs(tot[2], tot[3]), null));
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
    if (this.current?.layout === 'hists' && this.current.rows === 0 && this.headerContinues(this.current, t)) return;
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
    const unknown = UNKNOWN_EXIT_CODE.exec(t);
    if (unknown) {
      this.unknownExitCode = unknown[1];
      const message =
        `perf printed "unknown kvm exit code:N on ${unknown[2]}" for exit codes it has no name for; each such ` +
        'row is kept as "UNKNOWN (exit code N)", not merged into one UNKNOWN';
      this.warnings.note('unknown-exit-code', lineNo, message);
      return;
    }
    if (this.current && this.open) {
      const what =
        this.current.layout === 'classic'
          ? `NAME SAMPLES SAMPLES% TIME%${this.current.minMax ? ' MIN MAX' : ''} AVG ( +- X% )`
          : `NAME followed by ${this.current.cols.length} values`;
      const found = JSON.stringify(t.trim().slice(0, 120));
      const table = `the table from line ${this.current.headerLine}`;
      const message = `expected a perf kvm stat row (${what}) in ${table}; found ${found}`;
      this.warnings.note('bad-row', lineNo, message);
      this.open = false;
    }
    // anything else (shell prompts, "[ perf record: ...]", prose) is not part of a table
  }

  /**
   * A hists header whose last column names a mail client wrapped onto the next line ("Time%" / "Mean Time (ns)"):
   * the table takes them on. True when the line was such a continuation.
   */
  private headerContinues(tab: PerfTable & { layout: 'hists' }, t: string): boolean {
    const more = parseHistHeader(`Event name  Samples  ${t.trim()}`)?.slice(1);
    if (!more || more.length === 0 || more.some((c) => tab.cols.includes(c))) return false;
    Object.assign(tab, histRowPatterns([...tab.cols, ...more]));
    this.warnings.note('wrapped', tab.headerLine, WRAPPED_NOTE);
    return true;
  }

  /** Rows a user trimmed from a pasted table: what "Total Samples" counts beyond them becomes one "other" row. */
  private checkTotal(tab: PerfTable, samples: number, lineNo: number): void {
    if (tab.rows === 0 || samples === tab.rowSum) return;
    if (samples < tab.rowSum) {
      const message =
        `"Total Samples:${samples}" is below the sum of the table's rows (${tab.rowSum}); rows ` + `kept as printed`;
      this.warnings.note('total-below-rows', lineNo, message);
      return;
    }
    const missing = samples - tab.rowSum;
    const row = emptyRow(lineNo, tab.table, tab.vcpu, TRIMMED_ROWS_REASON, missing);
    this.emit(row);
    const message =
      `the table's rows add up to fewer samples than its "Total Samples" line; ` +
      `the ${missing} missing samples are counted as "${TRIMMED_ROWS_REASON}"`;
    this.warnings.note('trimmed-rows', lineNo, message);
  }

  /** Reads one row of the current table; false when the line is not such a row. */
  /** A row's name as printed, or the exit code perf named UNKNOWN just before it (see UNKNOWN_EXIT_CODE). */
  private rowName(printed: string): string {
    const code = this.unknownExitCode;
    this.unknownExitCode = null;
    return code !== null && printed === 'UNKNOWN' ? `UNKNOWN (exit code ${code})` : printed;
  }

  private tableRow(tab: PerfTable, t: string, lineNo: number): boolean {
    if (tab.layout === 'classic') {
      const m = (tab.minMax ? CLASSIC_ROW_MINMAX : CLASSIC_ROW_AVG_ONLY).exec(t);
      if (!m) return false;
      const row = emptyRow(lineNo, tab.table, tab.vcpu, this.rowName(m[1]), Number(m[2]));
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
    const row = emptyRow(lineNo, tab.table, tab.vcpu, this.rowName(m[1]), values.samples ?? 0);
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
      const found = JSON.stringify(t.trim().slice(0, 120));
      const message = `expected a perf stat count line (COUNT EVENT, e.g. "5 kvm:kvm_exit"); found ${found}`;
      this.warnings.note('bad-perf-stat', lineNo, message);
      return true;
    }
    return false;
  }

  end(_lastLineNo: number): void {
    if (this.softBreak) this.logicalLine(`${this.softBreak.text}=`, this.softBreak.line);
    this.softBreak = null;
    if (this.pending) this.handle(this.pending.text, this.pending.line);
    this.pending = null;
    this.closeTable();
    this.warnings.flush();
    if (this.sink.records === 0) {
      this.sink.warn(
        null,
        'no perf kvm stat table found (expected a "VM-EXIT  Samples  Samples%  Time% ..." or ' +
          '"Event name  Samples ..." header, or perf stat kvm:* counts)',
      );
    }
  }
}

export function looksLikePerfKvmStat(head: readonly string[]): boolean {
  let perfStatHeader = false;
  let tracepointCounts = 0;
  let csvCounts = 0;
  for (const t of joinSoftBreaks(head)) {
    if (CLASSIC_HEADER.test(t) || parseHistHeader(t) || TOTALS_LINE.test(t) || ANALYZE_LINE.test(t)) return true;
    if (PERF_STAT_HEADER.test(t)) perfStatHeader = true;
    const row = PERF_STAT_ROW.exec(t);
    if (row && row[4] !== undefined && row[3] === 'kvm') tracepointCounts++;
    if (PERF_STAT_CSV_ROW.exec(t)?.[2].startsWith('kvm:')) csvCounts++;
  }
  // plain count lines need the perf stat header; -x output has none, but its "N,,kvm:x," shape is distinctive
  return (perfStatHeader && tracepointCounts > 0) || csvCounts >= 2;
}
