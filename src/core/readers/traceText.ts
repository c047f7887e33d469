// Text traces: `trace-cmd report` output, raw ftrace (tracefs `trace` / `trace_pipe`) and `perf script`.
// All three print one event per line as "task, pid, cpu, timestamp, event name, payload"; they differ in how the
// task/pid/cpu columns look. One reader parses every variant line by line (a line's shape tells which it is), so a
// file that mixes them (an excerpt pasted from several places) still reads; the detected format is only a label.
//
// Line shapes (column layouts from trace-cmd tracecmd/trace-read.c, kernel trace_output.c, perf builtin-script.c):
//   trace-cmd report   "%16s-%-5d [%03d] %s.%06d: %s: " + name padded to 20 + payload   (-t: 9 decimals)
//   trace-cmd report -l"%8.8s-%-5d %3d" + flags "d..1" + " secs.usecs: name: payload"
//   ftrace             "%16s-%-7d [%03d] d..1. secs.usecs: name: payload", optional "(%7d) " tgid column
//   perf script        "%16s %7d[/tid] [%03d] secs.usecs: [period] system:name: payload" (names right-aligned)
//   timestamp only     " secs.usecs: name: payload" (excerpts where the task columns were cut away)
import type { InputFormat, LineReader, RecordSink, TextFormatReader, TraceEvent } from '../records';
import { TRACE_TEXT_FORMATS } from '../records';

/**
 * The event line of every column layout but the latency one. Groups: 1 comm, 2 pid after "-", 3 pid after blanks
 * (perf), 4 tid (perf pid/tid), 5 cpu, 6 flags, 7 seconds, 8 fraction, 9 [system:]name, 10 payload.
 * The comm is matched lazily so that comms with blanks, "-" and brackets ("CPU 0/KVM", "kworker/5:2-eve", "<idle>")
 * end at the last "-pid"/" pid" that is followed by the "[cpu]" column.
 */
const EVENT_LINE =
  /^\s*(\S.*?)(?:-(\d+)|\s+(\d+)(?:\/(\d+))?)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:([^\s\d]\S{1,6})\s+)?(\d+)(?:\.(\d+))?:\s+(?:\(\+\d+\)\s*)?(?:\d+\s+)?([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;

/** trace-cmd report -l (and ftrace latency layout): "%8.8s-%-5d %3d" + flags glued to the cpu. Same groups 1,2,5..10. */
const LATENCY_LINE =
  /^\s*(\S.*?)-(\d+)\s+(\d+)([^\s\d]\S{2,6})\s+(\d+)(?:\.(\d+))?:\s+(?:\(\+\d+\)\s*)?([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;

/** Only a timestamp before the event name: " 220.696238: kvm_apic_ipi: dst b0 ...". */
const TIMESTAMP_ONLY_LINE =
  /^\s*(\d+)\.(\d+):\s+([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;

/**
 * The function tracer prints no event name in tracefs text: "comm-pid [cpu] flags secs.usecs: func <-parent".
 * Read as event "function" with payload "func <-parent". Groups: 1 comm, 2 pid, 3 cpu, 4 seconds, 5 fraction, 6 payload.
 */
const FUNCTION_LINE =
  /^\s*(\S.*?)-(\d+)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s\d]\S{1,6}\s+)?(\d+)\.(\d+):\s+(\S+ <-\S.*)$/;

/** trace-cmd "CPU:1 [81927 EVENTS DROPPED]" / "CPU:0 [EVENTS DROPPED]"; trace_pipe "CPU:2 [LOST 12 EVENTS]". */
const DROPPED_LINE = /^\s*CPU:\s*(\d+)\s+\[(?:LOST\s+)?(?:(\d+)\s+)?EVENTS(?:\s+DROPPED)?\]\s*$/;
/** Header / bookkeeping lines of trace-cmd report that carry no event. */
const TRACE_CMD_HEADER_LINE = /^\s*(?:\S+:\s+)?(?:cpus=\d+|version = \d+\S*|CPU \d+ is empty|CPU:\d+ \[SUBBUFFER START\].*)\s*$/;
const ENTRIES_LINE = /^#\s*entries-in-buffer\/entries-written:\s*(\d+)\/(\d+)/;

/**
 * The line regexes look only at a line's first HEAD_CHARS characters, where every layout's task, pid, cpu, flags,
 * timestamp and event name stand; the rest of a longer line is payload and is appended. Without this cap a long
 * line of blanks makes the lazy comm match backtrack quadratically (a 50 KB line took 2 s).
 */
const HEAD_CHARS = 512;
const TIMESTAMP_COLON = /\d:(?:\s|$)/;

/** `re.exec` on the head of `text`; the last group (the payload) gets the rest of the line. */
function execHead(re: RegExp, text: string): RegExpExecArray | null {
  const head = text.length <= HEAD_CHARS ? text : text.slice(0, HEAD_CHARS);
  // Every layout has "<digits>:" followed by a blank or the end (the timestamp): a linear test that turns most
  // non-event lines away before the backtracking ones run.
  if (!TIMESTAMP_COLON.test(head)) return null;
  if (head === text) return re.exec(text);
  const m = re.exec(head);
  if (m) m[m.length - 1] = (m[m.length - 1] ?? '') + text.slice(HEAD_CHARS);
  return m;
}

/** Bad lines reported one by one; the rest are summed up at end(). */
const MAX_LINE_WARNINGS = 20;
/** 10^(9-n) for a fraction of n digits, to scale any fraction to nanoseconds with integer arithmetic. */
const FRACTION_SCALE = [1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 10, 1];

/**
 * The value of digits[0, end) — a `\d+` capture — as Number() reads it. Summing digit by digit is exact up to 15
 * digits and several times faster than Number() on a string (this runs for every event line).
 */
export function digitsValue(digits: string, end = digits.length): number {
  if (end > 15) return Number(end === digits.length ? digits : digits.slice(0, end));
  let v = 0;
  for (let i = 0; i < end; i++) v = v * 10 + (digits.charCodeAt(i) - 48);
  return v;
}

/** Nanoseconds from "secs" and "fraction" digit strings without float rounding (exact up to 2^53 ns, ~104 days). */
export function toNs(secs: string, fraction: string | undefined): number {
  const whole = digitsValue(secs);
  if (fraction === undefined) return whole; // a raw counter clock (x86-tsc, counter): no unit known
  const digits = Math.min(fraction.length, 9);
  return whole * 1e9 + digitsValue(fraction, digits) * FRACTION_SCALE[digits];
}

function preview(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(shown);
}

/** What a line looks like, for detection. */
type LineKind = 'perf' | 'trace-cmd' | 'flags' | 'latency' | 'timestamp-only' | 'function' | null;

function classify(text: string): LineKind {
  const m = execHead(EVENT_LINE, text);
  if (m) {
    if (m[3] !== undefined) return 'perf';
    return m[6] !== undefined ? 'flags' : 'trace-cmd';
  }
  if (execHead(LATENCY_LINE, text)) return 'latency';
  if (execHead(TIMESTAMP_ONLY_LINE, text)) return 'timestamp-only';
  if (execHead(FUNCTION_LINE, text)) return 'function';
  return null;
}

/** Recognises the three formats from the head lines; null when fewer than half of the non-comment lines are events. */
export function detectTraceText(head: readonly string[]): InputFormat | null {
  let traceCmdHeader = false;
  let ftraceHeader = false;
  const counts = { perf: 0, 'trace-cmd': 0, flags: 0, latency: 0, 'timestamp-only': 0, function: 0 };
  let considered = 0;
  for (const raw of head) {
    const text = raw.trim();
    if (text === '') continue;
    if (/^# tracer: /.test(text)) ftraceHeader = true;
    if (text.startsWith('#')) continue;
    if (/^(?:\S+:\s+)?(?:cpus=\d+|version = \d+)\s*$/.test(text)) {
      traceCmdHeader = true;
      continue;
    }
    if (DROPPED_LINE.test(text) || TRACE_CMD_HEADER_LINE.test(text)) continue;
    considered++;
    const kind = classify(raw);
    if (kind) counts[kind]++;
  }
  const events = Object.values(counts).reduce((a, b) => a + b, 0);
  // A header alone names the format, even when the buffer was empty.
  if (traceCmdHeader && (events === 0 || events * 2 >= considered)) return 'trace-cmd-report';
  if (ftraceHeader && (events === 0 || events * 2 >= considered)) return 'ftrace';
  if (events === 0 || events * 2 < considered) return null;
  if (counts.perf * 2 > events) return 'perf-script';
  // Without a trace-cmd header, an irq-flags column, bare timestamps or function lines point at tracefs text.
  if (counts.flags + counts['timestamp-only'] + counts.function > counts['trace-cmd'] + counts.latency) return 'ftrace';
  return 'trace-cmd-report';
}

class TraceTextLineReader implements LineReader {
  private badLines = 0;
  private firstBadLine = 0;
  private events = 0;
  private nonEmptyLines = 0;
  private warnedCounterClock = false;

  constructor(
    private readonly format: InputFormat,
    private readonly sink: RecordSink,
  ) {}

  line(text: string, lineNo: number): void {
    if (text.length === 0) return;
    let m = execHead(EVENT_LINE, text);
    if (m !== null) {
      this.nonEmptyLines++;
      // perf prints "pid/tid": the tid is the task, as ftrace's pid column is.
      const pid = m[2] ?? m[4] ?? m[3];
      this.emit(lineNo, m[7], m[8], m[5], pid, m[1], m[9], m[10]);
      return;
    }
    m = execHead(LATENCY_LINE, text);
    if (m !== null) {
      this.nonEmptyLines++;
      this.emit(lineNo, m[5], m[6], m[3], m[2], m[1], m[7], m[8]);
      return;
    }
    m = execHead(TIMESTAMP_ONLY_LINE, text);
    if (m !== null) {
      this.nonEmptyLines++;
      this.emit(lineNo, m[1], m[2], undefined, undefined, '', m[3], m[4]);
      return;
    }
    m = execHead(FUNCTION_LINE, text);
    if (m !== null) {
      this.nonEmptyLines++;
      this.emit(lineNo, m[4], m[5], m[3], m[2], m[1], 'function', m[6]);
      return;
    }
    this.other(text, lineNo);
  }

  private emit(
    lineNo: number,
    secs: string,
    fraction: string | undefined,
    cpu: string | undefined,
    pid: string | undefined,
    comm: string,
    fullName: string,
    payload: string,
  ): void {
    if (fraction === undefined && !this.warnedCounterClock) {
      this.warnedCounterClock = true;
      this.sink.warn(
        lineNo,
        `timestamp "${secs}" has no fraction (a raw counter clock such as x86-tsc); it is used as nanoseconds as printed`,
      );
    }
    // `trace-cmd report -i a.dat -i b.dat` puts "%*s: " (the file name) before each line; kernel comms are at
    // most 15 characters, so a longer comm holding ": " carries that prefix.
    if (comm.length > 15) {
      const prefixEnd = comm.indexOf(': ');
      if (prefixEnd >= 0) comm = comm.slice(prefixEnd + 2).trimStart();
    }
    const colon = fullName.indexOf(':');
    const last = payload.length - 1;
    if (last >= 0 && payload.charCodeAt(last) <= 32) payload = payload.trimEnd();
    const event: TraceEvent = {
      type: 'event',
      line: lineNo,
      timeNs: toNs(secs, fraction),
      cpu: cpu === undefined ? -1 : digitsValue(cpu),
      pid: pid === undefined ? -1 : digitsValue(pid),
      comm,
      name: colon < 0 ? fullName : fullName.slice(colon + 1),
      system: colon < 0 ? null : fullName.slice(0, colon),
      payload,
    };
    this.events++;
    this.sink.record(event);
  }

  /** A line that is not an event: header, bookkeeping, drop marker, prose or garbage. */
  private other(text: string, lineNo: number): void {
    const trimmed = text.trim();
    if (trimmed === '') return;
    this.nonEmptyLines++;
    if (trimmed.startsWith('#')) {
      const entries = ENTRIES_LINE.exec(trimmed);
      if (entries && Number(entries[2]) > Number(entries[1])) {
        this.sink.warn(
          lineNo,
          `ftrace header: ${entries[1]} entries in buffer but ${entries[2]} written — ` +
            `${Number(entries[2]) - Number(entries[1])} older events were overwritten (ring buffer too small)`,
        );
      }
      return;
    }
    const dropped = DROPPED_LINE.exec(trimmed);
    if (dropped) {
      const what = dropped[2] !== undefined ? `${dropped[2]} events` : 'an unknown number of events';
      this.sink.warn(lineNo, `CPU ${dropped[1]}: ${what} dropped here (${trimmed}); counts and rates around this point are low`);
      return;
    }
    if (TRACE_CMD_HEADER_LINE.test(trimmed)) return;
    if (trimmed === '...') {
      this.sink.warn(lineNo, 'the text was shortened here ("..."): events are missing');
      return;
    }
    this.badLine(text, lineNo);
  }

  private badLine(text: string, lineNo: number): void {
    this.badLines++;
    if (this.badLines === 1) this.firstBadLine = lineNo;
    if (this.badLines <= MAX_LINE_WARNINGS) {
      this.sink.warn(lineNo, `not a ${this.format} event line, skipped: ${preview(text)} (expected ${this.expected()})`);
    }
  }

  private expected(): string {
    switch (this.format) {
      case 'perf-script':
        return '"comm pid [cpu] secs.usecs: system:event: payload"';
      default:
        return '"comm-pid [cpu] secs.usecs: event: payload"';
    }
  }

  end(lastLineNo: number): void {
    if (this.badLines > MAX_LINE_WARNINGS) {
      this.sink.warn(
        null,
        `${this.badLines - MAX_LINE_WARNINGS} more lines were not event lines and were skipped ` +
          `(${this.badLines} in all, first at line ${this.firstBadLine}, last line ${lastLineNo})`,
      );
    }
    if (this.events === 0) {
      if (this.badLines > 0) {
        this.sink.fail(null, `no ${this.format} event lines found in ${lastLineNo} lines; expected ${this.expected()}`);
      } else {
        this.sink.warn(null, `the trace holds no events${this.nonEmptyLines > 0 ? ' (only header lines)' : ' (empty input)'}`);
      }
    }
  }
}

export const traceTextReader: TextFormatReader = {
  formats: TRACE_TEXT_FORMATS,
  detect: detectTraceText,
  create: (format: InputFormat, sink: RecordSink): LineReader => new TraceTextLineReader(format, sink),
};

const IGNORE = () => {};

/** Parses one line on its own (hovers, explanations): the event it holds, or null when it is not an event line. */
export function parseTraceLine(text: string, lineNo = 0): TraceEvent | null {
  let found: TraceEvent | null = null;
  const reader = new TraceTextLineReader('trace-cmd-report', {
    record: (r) => {
      if (r.type === 'event') found = r;
    },
    warn: IGNORE,
    fail: IGNORE,
  });
  reader.line(text, lineNo);
  return found;
}

/** True for a line of any trace text layout: used by other readers to say they skipped trace events. */
export function looksLikeTraceEvent(text: string): boolean {
  return execHead(EVENT_LINE, text) !== null || execHead(LATENCY_LINE, text) !== null;
}
