// The line shapes of text traces: one event per line as "task, pid, cpu, timestamp, event name, payload", in every
// column layout trace-cmd, tracefs and perf print, plus what mail and trackers do to them (quoting, wrapping).
//
// Line shapes (column layouts from trace-cmd tracecmd/trace-read.c, kernel trace_output.c, perf builtin-script.c):
//   trace-cmd report   "%16s-%-5d [%03d] %s.%06d: %s: " + name padded to 20 + payload   (-t: 9 decimals)
//   trace-cmd report -l"%8.8s-%-5d %3d" + flags "d..1" + " secs.usecs: name: payload"
//   ftrace             "%16s-%-7d [%03d] d..1. secs.usecs: name: payload", optional "(%7d) " tgid column
//   perf script        "%16s %7d[/tid] [%03d] secs.usecs: [period] system:name: payload" (names right-aligned);
//                      -F selections drop comm, pid or cpu: "comm secs.usecs: sys:name:", "[001] secs.usecs: sys:name:"
//   timestamp only     " secs.usecs: name: payload" or "nanoseconds: name: payload" (task columns cut away)
//   name only          "  kvm_exit:     reason ..." (every column but the event cut away: no time at all)

/** What a line holds, for detection and for the reader. */
export type LineKind = 'perf' | 'trace-cmd' | 'flags' | 'latency' | 'timestamp-only' | 'function';

export interface EventFields {
  kind: LineKind;
  secs: string;
  /** Digits after the point; undefined for an integer timestamp (a counter clock or ns: unit unknown). */
  fraction: string | undefined;
  cpu: string | undefined;
  pid: string | undefined;
  comm: string;
  fullName: string;
  payload: string;
}

/**
 * The event line of every column layout but the latency one. Groups: 1 comm, 2 pid after "-", 3 pid after blanks
 * (perf), 4 tid (perf pid/tid), 5 cpu, 6 flags, 7 seconds, 8 fraction, 9 [system:]name, 10 payload.
 * The comm is matched lazily so that comms with blanks, "-" and brackets ("CPU 0/KVM", "kworker/5:2-eve", "<idle>")
 * end at the last "-pid"/" pid" that is followed by the "[cpu]" column.
 */
const EVENT_LINE =
  /^\s*(\S.*?)(?:-(\d+)|\s+(\d+)(?:\/(\d+))?)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:([^\s\d]\S{1,6})\s+)?(\d+)(?:\.(\d+))?:\s+(?:\(\+\d+\)\s*)?(?:\d+\s+)?([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;

/** trace-cmd report -l (ftrace latency layout): "%8.8s-%-5d %3d" + flags glued to the cpu. Groups 1,2,5..10. */
const LATENCY_LINE =
  /^\s*(\S.*?)-(\d+)\s+(\d+)([^\s\d]\S{2,6})\s+(\d+)(?:\.(\d+))?:\s+(?:\(\+\d+\)\s*)?([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;

/**
 * perf script with columns left out by -F: any of comm, pid[/tid] and [cpu] before "secs.usecs: system:name:". The
 * system prefix perf always prints keeps prose out. Groups: 1 comm, 2 pid, 3 tid, 4 cpu, 5 secs, 6 fraction, 7 name,
 * 8 payload. The comm is optional and lazy so that "[001] 770.85:" is read as a cpu, not as a comm.
 */
const PERF_SHORT_LINE =
  /^\s*(?:(\S.*?)\s+)??(?:(\d+)(?:\/(\d+))?\s+)?(?:\[(\d+)\]\s+)?(\d+)\.(\d+):\s+(?:\d+\s+)?([A-Za-z_][\w.-]*:[A-Za-z_][\w.-]*):(?:\s+|$)(.*)$/;

/** Only a timestamp before the event name: " 220.696238: kvm_apic_ipi: dst b0 ..." or "87162647182125: kvm_...:". */
const TIMESTAMP_ONLY_LINE = /^\s*(\d+)(?:\.(\d+))?:\s+([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?):(?:\s+|$)(.*)$/;
/** An integer before "name:" is read as a timestamp only when long enough not to be a list number ("2: foo:"). */
const MIN_INTEGER_TIMESTAMP_DIGITS = 6;

/**
 * The function tracer prints no event name in tracefs text: "comm-pid [cpu] flags secs.usecs: func <-parent".
 * Read as event "function" with payload "func <-parent". Groups: 1 comm, 2 pid, 3 cpu, 4 secs, 5 fraction, 6 payload.
 */
const FUNCTION_LINE =
  /^\s*(\S.*?)-(\d+)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s\d]\S{1,6}\s+)?(\d+)\.(\d+):\s+(\S+ <-\S.*)$/;

/** A header whose event went to the next line (mail wrapping): "qemu-system-x86-5665  [000] ....   280.971121:". */
const HEADER_ONLY_LINE =
  /^\s*(\S.*?)(?:-(\d+)|\s+(\d+)(?:\/(\d+))?)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s\d]\S{1,6}\s+)?\d+(?:\.\d+)?:\s*$/;

/** Every column cut away but the event: "  kvm_exit:             reason EXIT_NPF ...". Names need a "_" (all do). */
const NAME_ONLY_LINE = /^\s*([a-z][a-z0-9]*_[a-z0-9_]+):(?:\s+|$)(.*)$/;

/**
 * The line regexes look only at a line's first HEAD_CHARS characters, where every layout's task, pid, cpu, flags,
 * timestamp and event name stand; the rest of a longer line is payload and is appended. Without this cap a long
 * line of blanks makes the lazy comm match backtrack quadratically (a 50 KB line took 2 s).
 */
export const HEAD_CHARS = 512;
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

/** The event a line holds in any timestamped layout, or null. */
export function parseEventLine(text: string): EventFields | null {
  let m = execHead(EVENT_LINE, text);
  if (m) {
    const kind: LineKind = m[3] !== undefined ? 'perf' : m[6] !== undefined ? 'flags' : 'trace-cmd';
    // perf prints "pid/tid": the tid is the task, as ftrace's pid column is.
    return fields(kind, m[7], m[8], m[5], m[2] ?? m[4] ?? m[3], m[1], m[9], m[10]);
  }
  m = execHead(LATENCY_LINE, text);
  if (m) return fields('latency', m[5], m[6], m[3], m[2], m[1], m[7], m[8]);
  m = execHead(PERF_SHORT_LINE, text);
  if (m) return fields('perf', m[5], m[6], m[4], m[3] ?? m[2], m[1] ?? '', m[7], m[8]);
  m = execHead(TIMESTAMP_ONLY_LINE, text);
  if (m && (m[2] !== undefined || m[1].length >= MIN_INTEGER_TIMESTAMP_DIGITS)) {
    return fields('timestamp-only', m[1], m[2], undefined, undefined, '', m[3], m[4]);
  }
  m = execHead(FUNCTION_LINE, text);
  if (m) return fields('function', m[4], m[5], m[3], m[2], m[1], 'function', m[6]);
  return null;
}

function fields(
  kind: LineKind,
  secs: string,
  fraction: string | undefined,
  cpu: string | undefined,
  pid: string | undefined,
  comm: string,
  fullName: string,
  payload: string,
): EventFields {
  return { kind, secs, fraction, cpu, pid, comm, fullName, payload };
}

export function isHeaderOnly(text: string): boolean {
  return execHead(HEADER_ONLY_LINE, text) !== null;
}

// The columns of an event line up to its timestamp, whatever follows: such a line is an event of its own.
const HEADER_COLUMNS =
  /^\s*(\S.*?)(?:-(\d+)|\s+(\d+)(?:\/(\d+))?)\s+(?:\((?:\s*\d+|-+)\)\s+)?\[(\d+)\]\s+(?:[^\s\d]\S{1,6}\s+)?\d+(?:\.\d+)?:/;

/** True when the line starts with an event's columns (task-pid [cpu] timestamp:), an event name or not after them. */
export function hasHeaderColumns(text: string): boolean {
  return execHead(HEADER_COLUMNS, text) !== null;
}

/** "name: payload" with no columns at all; null unless the line has that shape. */
export function parseNameOnly(text: string): { name: string; payload: string } | null {
  const m = NAME_ONLY_LINE.exec(text.length <= HEAD_CHARS ? text : text.slice(0, HEAD_CHARS));
  return m ? { name: m[1], payload: m[2] + (text.length > HEAD_CHARS ? text.slice(HEAD_CHARS) : '') } : null;
}

/** True for a line of the full layouts (task, cpu, time): other readers use it to say they skipped trace events. */
export function looksLikeTraceEvent(text: string): boolean {
  return execHead(EVENT_LINE, text) !== null || execHead(LATENCY_LINE, text) !== null;
}

const QUOTE_PREFIX = /^[ \t]*>(?:[ \t]*>)*[ \t]?/;

/** The line without its mail quoting ("> ", ">> ", "> > "); null when it was not quoted. `indent`: indentOf(text). */
export function unquote(text: string, indent = indentOf(text)): string | null {
  if (indent >= text.length || text.charCodeAt(indent) !== 62 /* > */) return null;
  return text.replace(QUOTE_PREFIX, '');
}

function firstNonBlank(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) return i;
  }
  return -1;
}

/** Columns of leading blanks (a tab counts as one). */
export function indentOf(text: string): number {
  const i = firstNonBlank(text);
  return i < 0 ? text.length : i;
}

/**
 * Prose rather than event fields: at least three plain words ("The", "previous", "value") making up most of the line.
 * Event payloads are fields, numbers and identifiers ("info2 0x0", "HSR_EC: 0x0018 (SYS64), PC: 0x...").
 */
export function looksLikeProse(text: string): boolean {
  const words = text.trim().split(/\s+/);
  let plain = 0;
  for (const w of words) if (/^[A-Za-z][a-z]+[.,;]?$/.test(w) && !/^[a-f]+$/i.test(w)) plain++;
  return plain >= 3 && plain * 2 > words.length;
}
