// Text traces: `trace-cmd report` output, raw ftrace (tracefs `trace` / `trace_pipe`) and `perf script`, as captured
// or as pasted into mail, trackers and forums. One reader parses every layout line by line (traceLines.ts: a line's
// shape tells which it is), so a file that mixes them still reads; the detected format is only a label. What mail
// did to a trace is undone here: quoting stripped, wrapped headers and payloads joined, prose and comments between
// events skipped — each kind warned once, with a count and the first line numbers.
import type { InputFormat, LineReader, RecordSink, TextFormatReader, TraceEvent } from '../records';
import { TRACE_TEXT_FORMATS } from '../records';
import { counted, type CountedSink } from '../countedSink';
import {
  indentOf,
  hasHeaderColumns,
  isHeaderOnly,
  looksLikeProse,
  parseEventLine,
  parseNameOnly,
  unquote,
  type EventFields,
  type LineKind,
} from './traceLines';
import { Warnings } from './warnings';
import { RunMarks } from './runMarks';
import { TraceRunBoundaries } from './traceRuns';

export { looksLikeTraceEvent } from './traceLines';

/** trace-cmd "CPU:1 [81927 EVENTS DROPPED]" / "CPU:0 [EVENTS DROPPED]"; trace_pipe "CPU:2 [LOST 12 EVENTS]". */
const DROPPED_LINE = /^\s*CPU:\s*(\d+)\s+\[(?:LOST\s+)?(?:(\d+)\s+)?EVENTS(?:\s+DROPPED)?\]\s*$/;
/** Header / bookkeeping lines of trace-cmd report that carry no event. */
const TRACE_CMD_HEADER_LINE =
  /^\s*(?:\S+:\s+)?(?:cpus=\d+|version = \d+\S*|CPU \d+ is empty|CPU:\d+ \[SUBBUFFER START\].*)\s*$/;
const ENTRIES_LINE = /^#\s*entries-in-buffer\/entries-written:\s*(\d+)\/(\d+)/;
/** A mail client wraps one line into a few; more continuation lines than this are something else. */
const MAX_CONTINUATION_LINES = 4;

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
  return nsOf(whole, digitsValue(fraction, digits), digits);
}

/** Nanoseconds of `whole` seconds and a fraction of `digits` (≤ 9) digits whose value is `fraction`. */
export function nsOf(whole: number, fraction: number, digits: number): number {
  return whole * 1e9 + fraction * FRACTION_SCALE[digits];
}

/** The line ends in a blank or tab (a mail client's soft line break may have fallen there). */
export function endsInBlank(text: string): boolean {
  const last = text.length - 1;
  return last >= 0 && (text.charCodeAt(last) === 32 || text.charCodeAt(last) === 9);
}

function preview(text: string): string {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(shown);
}

/** Detection's view of a line: an event of some layout, a continuation of the previous one, or something else. */
function detectKind(text: string): LineKind | 'header' | 'name-only' | null {
  const ev = parseEventLine(text);
  if (ev) return ev.kind;
  if (isHeaderOnly(text)) return 'header';
  return parseNameOnly(text) ? 'name-only' : null;
}

/**
 * Recognises the three formats from the head lines (quoting stripped, wrapped lines not counted): null when fewer
 * than half of the other lines are events, unless at least three are full timestamped events (a trace with notes).
 */
export function detectTraceText(head: readonly string[]): InputFormat | null {
  let traceCmdHeader = false;
  let ftraceHeader = false;
  const counts = {
    perf: 0,
    'trace-cmd': 0,
    flags: 0,
    latency: 0,
    'timestamp-only': 0,
    function: 0,
    header: 0,
    'name-only': 0,
  };
  let considered = 0;
  let kvmEvents = 0;
  let afterEvent = false;
  for (const raw of head) {
    const text = (unquote(raw) ?? raw).trim();
    if (text === '') continue;
    if (/^# tracer: /.test(text)) ftraceHeader = true;
    if (text.startsWith('#')) continue;
    if (/^(?:\S+:\s+)?(?:cpus=\d+|version = \d+)\s*$/.test(text)) {
      traceCmdHeader = true;
      continue;
    }
    if (DROPPED_LINE.test(text) || TRACE_CMD_HEADER_LINE.test(text)) continue;
    const kind = detectKind(text);
    if (!kind && afterEvent && !looksLikeProse(text)) continue; // a wrapped line's continuation
    afterEvent = kind !== null;
    considered++;
    if (kind) counts[kind]++;
    if (
      kind &&
      kind !== 'header' &&
      kind !== 'name-only' &&
      /^(?:\w+:)?kvm/.test(parseEventLine(text)?.fullName ?? '')
    ) {
      kvmEvents++;
    }
  }
  const events = Object.values(counts).reduce((a, b) => a + b, 0);
  const full = counts.perf + counts['trace-cmd'] + counts.flags + counts.latency + counts.function;
  // A single full KVM event line quoted in a mail is still a trace to read, whatever prose is around it.
  const enough = events * 2 >= considered || full >= 3 || (full >= 1 && kvmEvents >= 1);
  // A header alone names the format, even when the buffer was empty.
  if (traceCmdHeader && (events === 0 || enough)) return 'trace-cmd-report';
  if (ftraceHeader && (events === 0 || enough)) return 'ftrace';
  if (events === 0 || !enough) return null;
  if (counts.perf * 2 > events) return 'perf-script';
  // Without a trace-cmd header, an irq-flags column, bare timestamps or function lines point at tracefs text.
  if (counts.flags + counts['timestamp-only'] + counts.function > counts['trace-cmd'] + counts.latency) return 'ftrace';
  return 'trace-cmd-report';
}

/** The warning kinds of this reader, each reported once with its count and first lines (warnings.ts). */
const NOTES = {
  quoted: 'mail quoting (">") was stripped from these lines before reading them',
  wrappedHeader: 'event lines wrapped after the timestamp (the event on the next line) were joined',
  wrappedPayload: 'event payloads wrapped onto the next line were joined to their event',
  comment: '"#" comment lines between events were skipped',
  noFraction:
    'timestamps without a fraction (a counter trace_clock such as x86-tsc or counter, or integer ns): their unit is ' +
    'unknown, so no durations or rates are given from them',
  noTimestamp: 'event lines without any timestamp (columns cut away) are counted, but give no durations or rates',
};

/**
 * The event a line's text holds in a timestamped layout, read from that line alone (no reader state, so worker
 * threads run it on their share of a file), or null.
 */
export function lineEvent(text: string, lineNo: number): TraceEvent | null {
  const f = parseEventLine(text);
  return f ? eventOf(f, lineNo) : null;
}

function eventOf(f: EventFields, lineNo: number): TraceEvent {
  const clockUnknown = f.fraction === undefined;
  let comm = f.comm;
  // `trace-cmd report -i a.dat -i b.dat` puts "%*s: " (the file name) before each line; kernel comms are at
  // most 15 characters, so a longer comm holding ": " carries that prefix.
  if (comm.length > 15) {
    const prefixEnd = comm.indexOf(': ');
    if (prefixEnd >= 0) comm = comm.slice(prefixEnd + 2).trimStart();
  }
  const fullName = f.fullName;
  const colon = fullName.indexOf(':');
  let payload = f.payload;
  const last = payload.length - 1;
  if (last >= 0 && payload.charCodeAt(last) <= 32) payload = payload.trimEnd();
  const event: TraceEvent = {
    type: 'event',
    line: lineNo,
    timeNs: toNs(f.secs, f.fraction),
    cpu: f.cpu === undefined ? -1 : digitsValue(f.cpu),
    pid: f.pid === undefined ? -1 : digitsValue(f.pid),
    comm,
    name: colon < 0 ? fullName : fullName.slice(colon + 1),
    system: colon < 0 ? null : fullName.slice(0, colon),
    payload,
  };
  if (clockUnknown) event.clockUnknown = true;
  return event;
}

export class TraceTextLineReader implements LineReader {
  private readonly warnings: Warnings;
  private readonly sink: CountedSink;
  private readonly runMarks: RunMarks;
  private readonly runs = new TraceRunBoundaries();
  private nonEmptyLines = 0;
  private timestamped = false;
  /** The last event read, held back until the next line shows whether it continues (a wrapped payload). */
  private pending: TraceEvent | null = null;
  private pendingIndent = 0;
  /** The pending event's line ended in a blank: a mail client's soft line break (format=flowed) fell there. */
  private pendingSoftBreak = false;
  private continuations = 0;
  /** A "comm-pid [cpu] time:" line waiting for its event on the next line. */
  private header: { text: string; line: number } | null = null;
  /** The event of the current line's own text when a worker thread already parsed it (undefined: parse it here). */
  private parsedEvent: TraceEvent | null | undefined = undefined;

  constructor(
    private readonly format: InputFormat,
    sink: RecordSink,
  ) {
    this.sink = counted(sink);
    this.warnings = new Warnings(sink);
    this.runMarks = new RunMarks(this.sink);
  }

  /** Events read so far: those given to the sink and the one held back. */
  private get events(): number {
    return this.sink.records + (this.pending ? 1 : 0);
  }

  line(raw: string, lineNo: number): void {
    if (raw.length === 0) return this.blank();
    const rawIndent = indentOf(raw);
    const unquoted = unquote(raw, rawIndent);
    if (unquoted !== null) this.warnings.note('quoted', lineNo, NOTES.quoted);
    let text = unquoted ?? raw;
    if (this.header) {
      const header = this.header;
      this.header = null;
      if (text.trim() !== '' && this.readEvent(`${header.text} ${text.trim()}`, header.line, indentOf(header.text))) {
        this.warnings.note('wrapped-header', header.line, NOTES.wrappedHeader);
        return;
      }
      this.other(header.text, header.line);
    }
    // an unquoted line's indent is the one measured above: not measured again per event
    if (this.readEvent(text, lineNo, unquoted === null ? rawIndent : -1, this.parsedEvent)) return;
    if (this.continues(text)) {
      const head = this.pending!.payload;
      this.pending!.payload = (head === '' ? text.trim() : `${head} ${text.trim()}`).trimEnd();
      // fields a worker parsed from the first line's payload no longer hold (rare: delete is fine here)
      if (this.pending!.fields) delete this.pending!.fields;
      this.continuations++;
      this.warnings.note('wrapped-payload', lineNo, NOTES.wrappedPayload);
      return;
    }
    this.flush();
    if (isHeaderOnly(text)) {
      this.nonEmptyLines++;
      this.header = { text: text.trimEnd(), line: lineNo };
      return;
    }
    text = text.trimEnd();
    this.other(text, lineNo);
  }

  /**
   * `line` for a line whose unquoted text a worker already parsed: `event` is what lineEvent(text, lineNo) gives.
   * Everything that needs the lines before (joining, runs, warnings) is done here as for any line.
   */
  lineParsed(raw: string, lineNo: number, event: TraceEvent | null): void {
    this.parsedEvent = event;
    try {
      this.line(raw, lineNo);
    } finally {
      this.parsedEvent = undefined;
    }
  }

  /** A "task-pid [cpu] time:" line waits for its event on the next line (mail wrapped it). */
  get awaitsEvent(): boolean {
    return this.header !== null;
  }

  /**
   * `line` for an event line known to be plain — not quoted, and the line before it an event line too, so that
   * nothing joins (a chunk a worker certified): only what readEvent does for it. `indent` and `softBreak` are the
   * line's, as readEvent measures them; they matter only when a line that may continue the event follows.
   */
  plainEvent(event: TraceEvent, indent: number, softBreak: boolean): void {
    this.timestamped = true;
    if (event.clockUnknown) this.warnings.note('no-fraction', event.line, NOTES.noFraction);
    this.hold(event, indent);
    this.pendingSoftBreak = softBreak;
  }

  /** A blank line ends a wrapped event: nothing continues across it. */
  private blank(): void {
    if (this.header) this.other(this.header.text, this.header.line);
    this.header = null;
    this.flush();
  }

  /** Reads `text` as an event of any layout; true when it was one (then it is pending). */
  private readEvent(text: string, lineNo: number, indent: number, parsed?: TraceEvent | null): boolean {
    const ev = parsed !== undefined ? parsed : lineEvent(text, lineNo);
    if (ev) {
      this.timestamped = true;
      if (ev.clockUnknown) this.warnings.note('no-fraction', lineNo, NOTES.noFraction);
      this.hold(ev, indent < 0 ? indentOf(text) : indent);
      this.pendingSoftBreak = endsInBlank(text);
      return true;
    }
    // Name-only lines (no time at all) only in a trace that has shown no timestamp: elsewhere they are prose.
    const bare = this.timestamped ? null : parseNameOnly(text);
    if (!bare) return false;
    this.warnings.note('no-timestamp', lineNo, NOTES.noTimestamp);
    const payload = bare.payload.trimEnd();
    const event: TraceEvent = {
      type: 'event',
      line: lineNo,
      timeNs: Number.NaN,
      cpu: -1,
      pid: -1,
      comm: '',
      name: bare.name,
      system: null,
      payload,
    };
    this.hold(event, indent < 0 ? indentOf(text) : indent);
    return true;
  }

  private hold(event: TraceEvent, indent: number): void {
    this.flush();
    this.nonEmptyLines++;
    this.pending = event;
    this.pendingIndent = indent;
    this.pendingSoftBreak = false;
    this.continuations = 0;
  }

  /**
   * A line that carries on the pending event's payload, wrapped by a mail client: not prose or a comment, and
   * indented deeper than the event, following a payload cut after a field name ("TRAP:", "PC:"), or a bare value.
   */
  private continues(text: string): boolean {
    const p = this.pending;
    if (!p || this.continuations >= MAX_CONTINUATION_LINES) return false;
    const trimmed = text.trim();
    // "...", or a "~~~~~" / "^" mark a writer put under a field: no field or value of the event
    if (trimmed === '' || trimmed.startsWith('#') || !/[A-Za-z0-9]/.test(trimmed)) return false;
    // A line with its own task, CPU and timestamp columns is a line of its own, even when its event is unreadable.
    if (hasHeaderColumns(text)) return false;
    // An indented event broken at a blank whose rest fell back to the margin: the mail client wrapped it, whatever
    // the rest reads like ("Start context switch").
    if (this.pendingSoftBreak && this.continuations === 0 && indentOf(text) < this.pendingIndent) return true;
    if (looksLikeProse(trimmed)) return false;
    const cut = p.payload === '' || /[:,]$/.test(p.payload);
    // A line starting with a bare value ("0x2", "200000006 1ab000") has no meaning of its own: the value was wrapped.
    return cut || indentOf(text) > this.pendingIndent || /^(?:0x[0-9a-f]+|\d+)(?:\s|$)/i.test(trimmed);
  }

  /** Sends the pending event on. */
  private flush(): void {
    if (this.pending) {
      const line = this.pending.line ?? 0; // always set: every event here came from a line
      const run = this.runs.startsRun(this.pending, line);
      if (run !== null) this.runMarks.start(line, run);
      this.sink.record(this.pending);
      this.pending = null;
    }
  }

  /** A line that is not an event: header, bookkeeping, drop marker, comment, prose or garbage. */
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
      if (this.events > 0) this.warnings.note('comment', lineNo, NOTES.comment);
      return;
    }
    const dropped = DROPPED_LINE.exec(trimmed);
    if (dropped) {
      const what = dropped[2] !== undefined ? `${dropped[2]} events` : 'an unknown number of events';
      const message =
        `CPU ${dropped[1]}: ${what} dropped here (${trimmed}); counts and rates around this point ` + `are low`;
      this.sink.warn(lineNo, message);
      this.runs.dropped();
      return;
    }
    if (TRACE_CMD_HEADER_LINE.test(trimmed)) return;
    if (trimmed === '...' || trimmed === '[...]') {
      this.sink.warn(lineNo, `the text was shortened here ("${trimmed}"): events are missing`);
      return;
    }
    this.runs.prose();
    this.warnings.note(
      'not-event',
      lineNo,
      `not a ${this.format} event line, skipped: ${preview(text)} (expected ${this.expected()})`,
    );
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
    this.blank();
    const skipped = this.warnings.count('not-event');
    this.warnings.flush();
    if (this.events > 0) return;
    if (skipped > 0) {
      this.sink.fail(null, `no ${this.format} event lines found in ${lastLineNo} lines; expected ${this.expected()}`);
    } else {
      const what = this.nonEmptyLines > 0 ? ' (only header lines)' : ' (empty input)';
      this.sink.warn(null, `the trace holds no events${what}`);
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
  reader.end(lineNo);
  return found;
}
