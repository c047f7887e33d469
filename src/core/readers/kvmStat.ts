// The kvm_stat tool: curses screens (with or without title and header, debugfs or tracepoint mode, `x` drill-down),
// -1 batches, -l / -L logs and -c CSV; see countTables.ts for where the layouts come from and what the records mean.
import type { ExitCountRow, ExitCountTotals, LineReader, RecordSink } from '../records';
import { counted, type CountedSink } from '../countedSink';
import { DEBUGFS_EXITS_PARTS } from '../model/countRows';
import { cleanLine, emptyRow, totals } from './countTableLines';
import { Warnings } from './warnings';

/** A kvm_stat curses screen is held until the next one; more rows than this is not a real screen. */
const MAX_SCREEN_ROWS = 5000;

const KS_TITLE = /^\s*kvm statistics(?:\s*$|\s+-\s+(?:pid\s+(\d+)|summary))/;
const KS_COLUMNS = /^\s*(?:Event|Guest Name)\s+Total(\s+%Total)?\s+(?:CurAvg\/s|Current)\s*$/;
const KS_ROW_PCT = /^\s*(\S(?:.*?\S)?)\s+(\d+)\s+(\d+(?:\.\d+)?)(?:\s+(\d+))?\s*$/;
const KS_ROW_NO_PCT = /^\s*(\S(?:.*?\S)?)\s+(\d+)(?:\s+(\d+))?\s*$/;
const KS_TOTAL = /^\s*Total\s+(\d+)(?:\s+(\d+))?\s*$/;
const KS_SCREEN_NOTES =
  /Collecting data|No matching events reported yet|Guest removed|Updating pid filter|regex filter:/;
/** kvm_stat -1: "%-42s%10d%10d" (older trees printed the full key, "child parent"). */
const KS_BATCH = /^([A-Za-z_][\w()+\-./:]*)(?: [A-Za-z_][\w()+\-./:]*)?\s+(\d+)\s+(\d+)\s*$/;
const KS_NAME_TOKEN = /^[A-Za-z_][\w()+\-./:]*$/;
const KS_STATLINE = /^\s*(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d))?((?:\s+\d+)+|\d+(?:\s+\d+)*)\s*$/;
const KS_CSV_BANNER = /^\s*timestamp((?:,[^,]+)+)\s*$/;
const KS_CSV_ROW = /^\s*(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)((?:,-?\d+)+)\s*$/;
/** Names kvm_stat shows: tracepoints (kvm_*) and debugfs statistics (x86, s390, arm, ppc). */
const KS_KVM_NAME =
  /^(?:kvm_|exits$|halt_|irq_|io_exits|mmio_exits|signal_exits|request_irq|pf_|tlb_flush|remote_tlb|host_state|efer_reload|fpu_reload|insn_emulation|nmi_|mmu_|hypercalls|invlpg|diagnose_|exit_|instruction_|deliver_|l1d_flush|directed_yield|preemption_|guest_mode)/;

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
  if (exits && !rows.some((r) => r.parent === 'exits') && parts.length > 0) {
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
    const message =
      `kvm_stat rows that break "${row.reason}" down add up to ${partsSum} of its ${row.count}; ` +
      `the other ${row.count - partsSum} are counted as "${row.reason}(other)"`;
    warnings.note('drilldown-rest', row.line, message);
  }
  return out;
}

function parseStamp(s: string): number | null {
  const t = Date.parse(s.replace(' ', 'T') + 'Z');
  return Number.isFinite(t) ? t / 1000 : null;
}

export class KvmStatLineReader implements LineReader {
  private readonly warnings: Warnings;
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

  private readonly sink: CountedSink;

  constructor(sink: RecordSink) {
    this.sink = counted(sink);
    this.warnings = new Warnings(sink);
  }

  private emit(r: ExitCountRow | ExitCountTotals): void {
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
      const message = 'kvm_stat screen without its "Event Total %Total CurAvg/s" header line; read as that layout';
      this.warnings.note('no-header', lineNo, message);
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
      } else if (!this.screenOverflowWarned) {
        this.screenOverflowWarned = true;
        this.sink.warn(
          lineNo,
          `kvm_stat screen from line ${this.screenColumnsLine} has more than ${MAX_SCREEN_ROWS} rows; the rest ` +
            `is ignored`,
        );
      }
      return true;
    }
    if (this.screenRows.length === 0) return false;
    this.warnings.note(
      'bad-screen-row',
      lineNo,
      `expected a kvm_stat row (EVENT TOTAL${this.screenHasPct ? ' %TOTAL' : ''} CURAVG/S) in the screen from ` +
        `line ${this.screenColumnsLine}; found ${JSON.stringify(t.trim().slice(0, 120))}`,
    );
    this.inScreen = false;
    return true;
  }

  /** A -l banner or value line, or a CSV one; false when it is neither. */
  private logLine(t: string, lineNo: number): boolean {
    const csvBanner = KS_CSV_BANNER.exec(t);
    if (csvBanner) {
      this.banner = {
        keys: csvBanner[1]
          .slice(1)
          .split(',')
          .map((k) => k.trim()),
        line: lineNo,
        csv: true,
      };
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
    if (
      !stat &&
      tokens.length >= 2 &&
      tokens.every((k) => KS_NAME_TOKEN.test(k)) &&
      tokens.some((k) => KS_KVM_NAME.test(k))
    ) {
      this.banner = { keys: tokens, line: lineNo, csv: false };
      return true;
    }
    return false;
  }

  private logValues(stamp: string | null, values: string[], lineNo: number): void {
    const banner = this.banner!;
    if (values.length !== banner.keys.length) {
      this.warnings.note(
        'bad-log-line',
        lineNo,
        `expected ${banner.keys.length} values (one per name in the kvm_stat header at line ${banner.line}); ` +
          `found ${values.length}`,
      );
      return;
    }
    const now = stamp === null ? null : parseStamp(stamp);
    const durationSec = now !== null && this.lastStamp !== null && now > this.lastStamp ? now - this.lastStamp : null;
    if (now !== null) this.lastStamp = now;
    let sum = 0;
    const rows: ExitCountRow[] = [];
    values.forEach((v, i) => {
      const count = Number(v);
      const key = banner.keys[i];
      // children ("kvm_exit(HLT)") are already counted in their parent
      if (!key.includes('(')) sum += count;
      if (count === 0) return;
      const row = emptyRow(lineNo, 'kvm_stat', null, key, count);
      // a parent whose parts are all 0 in this interval is still split: its count is all "parent(other)"
      const splitByDebugfs = key === 'exits' && banner.keys.some((k) => DEBUGFS_EXITS_PARTS.has(k));
      if (splitByDebugfs || banner.keys.some((k) => k.startsWith(`${key}(`))) row.brokenDown = true;
      rows.push(row);
    });
    for (const r of resolveDrillDown(
      rows,
      rows.map(() => 0),
      this.warnings,
    ))
      this.emit(r);
    this.emit(totals(lineNo, 'kvm_stat', null, sum, null, durationSec));
  }

  end(_lastLineNo: number): void {
    if (this.screenRows.length > 0) {
      for (const r of resolveDrillDown(this.screenRows, this.screenIndents, this.warnings)) this.emit(r);
    }
    if (this.batchRows.length > 0) {
      for (const r of resolveDrillDown(
        this.batchRows,
        this.batchRows.map(() => 0),
        this.warnings,
      ))
        this.emit(r);
    }
    if (this.screenTotals) this.emit(this.screenTotals);
    this.warnings.flush();
    if (this.sink.records === 0) {
      this.sink.warn(
        null,
        'no kvm_stat output found (expected the "kvm statistics" screen, kvm_stat -1 "name total delta" lines, ' +
          'or -l/-c log lines)',
      );
    }
  }
}

export function looksLikeKvmStat(head: readonly string[]): boolean {
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
      if (keys.some((k) => KS_KVM_NAME.test(k.trim())) && row && row[2].slice(1).split(',').length === keys.length)
        return true;
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
