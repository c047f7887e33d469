// A byte-level reader of the common event line — "task-pid [cpu] [flags] secs.usecs: [system:]name: payload" in
// ASCII — for the worker threads, several times cheaper than the line regexes. For every line it accepts it gives
// exactly what EVENT_LINE (traceLines.ts) and lineEvent give; it declines every line where the regex could read
// otherwise (a blank in the task name followed by a digit, perf's pid column, a tgid column, a perf period, quoting,
// a task name over 15 characters, numbers too long for 32 bits, lines longer than the regexes' head), and those
// lines go to the regexes.
import { HEAD_CHARS } from './traceLines';
import { nsOf } from './traceText';

/** JavaScript's \s in ASCII: tab, newline, vertical tab, form feed, carriage return, blank. */
export const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
export const isDigit = (c: number) => c >= 48 && c <= 57;
/** [A-Za-z_] */
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** [\w.-] */
const isNameChar = (c: number) => isNameStart(c) || isDigit(c) || c === 46 || c === 45;

const COLON = 58;
const MAX_INT32_DIGITS = 9;
/** digitsValue sums digits exactly up to 15 of them; longer seconds go to the regexes. */
const MAX_SECONDS_DIGITS = 15;
const MAX_COMM_CHARS = 15;

/** The columns of one scanned line, as offsets into the bytes (reused from line to line). */
export class ScannedLine {
  indent = 0;
  commStart = 0;
  commEnd = 0;
  pid = 0;
  cpu = 0;
  timeNs = 0;
  clockUnknown = false;
  nameStart = 0;
  /** The ":" between system and name; -1 when the line names no system. */
  systemEnd = -1;
  nameEnd = 0;
  payloadStart = 0;
  /** The payload's end, trailing blanks trimmed as lineEvent trims them. */
  payloadEnd = 0;

  /**
   * Reads bytes [start, end) (one line, no line break, no carriage return in it); false when the line is not of
   * the one shape read here, or might read otherwise through the regexes.
   */
  scan(b: Uint8Array, start: number, end: number): boolean {
    if (end - start > HEAD_CHARS) return false;
    let j = start;
    while (j < end && (b[j] === 32 || b[j] === 9)) j++;
    if (j >= end || isSpace(b[j]) || b[j] === 62 /* > quoting */) return false;
    this.indent = j - start;
    this.commStart = j;
    j = this.commEndFrom(b, j + 1, end);
    if (j < 0 || j - this.commStart > MAX_COMM_CHARS) return false;
    this.commEnd = j;
    // "-pid", blanks, "[cpu]", blanks
    const pidStart = ++j;
    let pid = 0;
    while (j < end && isDigit(b[j])) pid = pid * 10 + b[j++] - 48;
    if (j - pidStart > MAX_INT32_DIGITS || j >= end || !isSpace(b[j])) return false;
    while (j < end && isSpace(b[j])) j++;
    if (j >= end || b[j] !== 91 /* [ */) return false;
    const cpuStart = ++j;
    let cpu = 0;
    while (j < end && isDigit(b[j])) cpu = cpu * 10 + b[j++] - 48;
    if (j === cpuStart || j - cpuStart > MAX_INT32_DIGITS || j >= end || b[j] !== 93 /* ] */) return false;
    j = skipBlanks(b, j + 1, end);
    if (j < 0) return false;
    this.pid = pid;
    this.cpu = cpu;
    if (!isDigit(b[j])) {
      // the irq-flags column "d..1." ([^\s\d]\S{1,6}), then blanks
      const flagsStart = j;
      while (j < end && !isSpace(b[j])) j++;
      if (j - flagsStart < 2 || j - flagsStart > 7) return false;
      j = skipBlanks(b, j, end);
      if (j < 0) return false;
    }
    j = this.timestamp(b, j, end);
    return j >= 0 && this.nameAndPayload(b, j, end);
  }

  /**
   * Where the task name that starts before `from` ends: at the first "-" followed by digits and a blank (a "-91" in
   * "memfd:sealed-91-1452" is not followed by one). -1 when a blank in it is followed by a digit (the regex could
   * end the name there, as perf's pid column) or the line ends first.
   */
  private commEndFrom(b: Uint8Array, from: number, end: number): number {
    for (let j = from; j < end; j++) {
      const c = b[j];
      if (c === 45 && j + 1 < end && isDigit(b[j + 1])) {
        let k = j + 2;
        while (k < end && isDigit(b[k])) k++;
        if (k < end && isSpace(b[k])) return j;
        j = k - 1;
        continue;
      }
      if (isSpace(c)) {
        let k = j + 1;
        while (k < end && isSpace(b[k])) k++;
        if (k >= end || isDigit(b[k])) return -1;
        j = k - 1;
      }
    }
    return -1;
  }

  /** "secs[.fraction]:" and the blanks after it, from `j`; the offset after them, -1 when not there. */
  private timestamp(b: Uint8Array, j: number, end: number): number {
    const secsStart = j;
    let whole = 0;
    while (j < end && isDigit(b[j])) whole = whole * 10 + b[j++] - 48;
    if (j === secsStart || j - secsStart > MAX_SECONDS_DIGITS || j >= end) return -1;
    if (b[j] === 46 /* . */) {
      const fractionStart = ++j;
      let fraction = 0;
      while (j < end && isDigit(b[j])) {
        if (j - fractionStart < 9) fraction = fraction * 10 + b[j] - 48;
        j++;
      }
      if (j === fractionStart) return -1;
      this.timeNs = nsOf(whole, fraction, Math.min(j - fractionStart, 9));
      this.clockUnknown = false;
    } else {
      this.timeNs = whole;
      this.clockUnknown = true;
    }
    if (j >= end || b[j] !== COLON || j + 1 >= end || !isSpace(b[j + 1])) return -1;
    return skipBlanks(b, j + 1, end);
  }

  /** "[system:]name:", blanks, payload, from `j` (a name must start there: no perf period or sample column). */
  private nameAndPayload(b: Uint8Array, j: number, end: number): boolean {
    if (!isNameStart(b[j])) return false;
    this.nameStart = j;
    j = nameCharsFrom(b, j + 1, end);
    this.systemEnd = -1;
    if (j + 1 < end && b[j] === COLON && isNameStart(b[j + 1])) {
      this.systemEnd = j;
      j = nameCharsFrom(b, j + 2, end);
    }
    if (j >= end || b[j] !== COLON || (j + 1 < end && !isSpace(b[j + 1]))) return false;
    this.nameEnd = j;
    j++;
    while (j < end && isSpace(b[j])) j++;
    let payloadEnd = end;
    while (payloadEnd > j && isSpace(b[payloadEnd - 1])) payloadEnd--;
    this.payloadStart = j;
    this.payloadEnd = payloadEnd;
    return true;
  }
}

/** The offset after the blanks at `j` (at least one), or -1 when there is none or the line ends there. */
function skipBlanks(b: Uint8Array, j: number, end: number): number {
  if (j >= end || !isSpace(b[j])) return -1;
  while (j < end && isSpace(b[j])) j++;
  return j < end ? j : -1;
}

function nameCharsFrom(b: Uint8Array, j: number, end: number): number {
  while (j < end && isNameChar(b[j])) j++;
  return j;
}
