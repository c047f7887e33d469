// The payloads of the most frequent events the model reads (sched_switch, sched_wakeup, write_msr, cpu_idle,
// ipi_send_cpu), read from their ASCII bytes in the text workers. Each reader accepts only payloads of the one
// shape trace-cmd prints, on which it gives exactly what the eventFields.ts parser gives (greedy task names read
// from the end, as the parsers' regexes do); anything else is left to those parsers.
import { isDigit, isSpace } from './traceLineScan';

const MINUS = 45;
const COLON = 58;
const SPACE = 32;
/** Up to 9 digits always fit an Int32 column; 10 may fit a Uint32 one. */
const INT32_DIGITS = 9;
const UINT32_DIGITS = 10;

/** What a payload reader found: numbers, and strings as byte ranges (reused from payload to payload). */
export class ScannedFields {
  n1 = 0;
  n2 = 0;
  s1Start = 0;
  s1End = 0;
  s2Start = 0;
  s2End = 0;
  s3Start = 0;
  s3End = 0;
  /** The MSR value's hex digits; -1 when the payload has none. */
  hexStart = -1;
  hexEnd = -1;
}

/** Whether bytes at `at` (and before `end`) spell `ascii`. */
function spells(b: Uint8Array, at: number, end: number, ascii: string): boolean {
  if (at + ascii.length > end) return false;
  for (let k = 0; k < ascii.length; k++) if (b[at + k] !== ascii.charCodeAt(k)) return false;
  return true;
}

/** A number "-?\d+" that ends at `end`, not before `lo`: its start (sign included), or -1; its value in parsed. */
const parsed = { value: 0 };
function signedBefore(b: Uint8Array, end: number, lo: number): number {
  let d = end;
  while (d > lo && isDigit(b[d - 1])) d--;
  if (d === end || end - d > INT32_DIGITS) return -1;
  let v = 0;
  for (let k = d; k < end; k++) v = v * 10 + b[k] - 48;
  if (d > lo && b[d - 1] === MINUS) {
    parsed.value = -v;
    return d - 1;
  }
  parsed.value = v;
  return d;
}

/** "comm:pid [prio]" ending at `end`, not before `lo`: the ":"'s offset (the comm ends there), or -1. */
function taskBefore(b: Uint8Array, end: number, lo: number, out: { pid: number }): number {
  if (end - 1 <= lo || b[end - 1] !== 93 /* ] */) return -1;
  const prio = signedBefore(b, end - 1, lo);
  if (prio < 0 || prio - 2 < lo || b[prio - 1] !== 91 /* [ */ || b[prio - 2] !== SPACE) return -1;
  const pid = signedBefore(b, prio - 2, lo);
  if (pid < 0 || pid - 1 < lo || b[pid - 1] !== COLON) return -1;
  out.pid = parsed.value;
  return pid - 1;
}

const task = { pid: 0 };

/**
 * sched_switch in trace-cmd's form, "prev:pid [prio] state ==> next:pid [prio]", with " ==> " once and nothing
 * after the next task: prev comm s1, state s2, next comm s3, pids n1 and n2.
 */
export function scanSchedSwitch(b: Uint8Array, start: number, end: number, out: ScannedFields): boolean {
  let arrow = -1;
  for (let k = start; k + 5 <= end; k++) {
    if (b[k] === SPACE && b[k + 1] === 61 && b[k + 2] === 61 && b[k + 3] === 62 && b[k + 4] === SPACE) {
      if (arrow >= 0) return false;
      arrow = k;
    }
  }
  if (arrow < 0) return false;
  let state = arrow;
  while (state > start && !isSpace(b[state - 1])) state--;
  if (state === arrow || state - 1 <= start || b[state - 1] !== SPACE) return false;
  const prevColon = taskBefore(b, state - 1, start, task);
  if (prevColon < 0) return false;
  out.n1 = task.pid;
  const nextColon = taskBefore(b, end, arrow + 5, task);
  if (nextColon < 0) return false;
  out.n2 = task.pid;
  out.s1Start = start;
  out.s1End = prevColon;
  out.s2Start = state;
  out.s2End = arrow;
  out.s3Start = arrow + 5;
  out.s3End = nextColon;
  return true;
}

/** sched_wakeup in trace-cmd's form, "comm:pid [prio][ success=1] CPU:nnn" and nothing after: s1, n1, n2. */
export function scanSchedWakeup(b: Uint8Array, start: number, end: number, out: ScannedFields): boolean {
  let d = end;
  while (d > start && isDigit(b[d - 1])) d--;
  if (d === end || end - d > INT32_DIGITS || d - 5 < start || !spells(b, d - 5, end, ' CPU:')) return false;
  let cpu = 0;
  for (let k = d; k < end; k++) cpu = cpu * 10 + b[k] - 48;
  let k = d - 5;
  if (b[k - 1] !== 93 /* ] */) {
    let s = k;
    while (s > start && isDigit(b[s - 1])) s--;
    if (s === k || s - 9 < start || !spells(b, s - 9, end, ' success=')) return false;
    k = s - 9;
  }
  const colon = taskBefore(b, k, start, task);
  if (colon < 0) return false;
  out.s1Start = start;
  out.s1End = colon;
  out.n1 = task.pid;
  out.n2 = cpu;
  return true;
}

const hexValue = (c: number) =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** msr:write_msr / read_msr "830, value fb" (or "830"): the MSR in n1, the value's hex digits at hexStart. */
export function scanGuestMsr(b: Uint8Array, start: number, end: number, out: ScannedFields): boolean {
  let j = start;
  let msr = 0;
  for (; j < end && hexValue(b[j]) >= 0; j++) msr = msr * 16 + hexValue(b[j]);
  if (j === start || j - start > 8) return false;
  out.n1 = msr;
  out.hexStart = -1;
  out.hexEnd = -1;
  if (j === end || b[j] !== 44 /* , */) return true;
  // the parser's regex ignores case: only the lower-case ", value " is read here
  if (j + 8 >= end || !spells(b, j, end, ', value ') || hexValue(b[j + 8]) < 0) return false;
  let h = j + 8;
  while (h < end && hexValue(b[h]) >= 0) h++;
  out.hexStart = j + 8;
  out.hexEnd = h;
  return true;
}

/** Unsigned decimal digits at `j` (1 to 10, at most 2^32 - 1): the offset after them, the value in parsed.value. */
function uint32At(b: Uint8Array, j: number, end: number): number {
  const from = j;
  let v = 0;
  while (j < end && isDigit(b[j])) v = v * 10 + b[j++] - 48;
  if (j === from || j - from > UINT32_DIGITS || v > 0xffffffff) return -1;
  parsed.value = v;
  return j;
}

/** power:cpu_idle "state=N cpu_id=M": n1 and n2. */
export function scanCpuIdle(b: Uint8Array, start: number, end: number, out: ScannedFields): boolean {
  if (end - start < 16 || !spells(b, start, end, 'state=')) return false;
  const j = uint32At(b, start + 6, end);
  if (j < 0 || !spells(b, j, end, ' cpu_id=')) return false;
  out.n1 = parsed.value;
  if (uint32At(b, j + 8, end) < 0) return false;
  out.n2 = parsed.value;
  return true;
}

/** ipi:ipi_send_cpu "cpu=N callsite=...": n1. */
export function scanIpiSendCpu(b: Uint8Array, start: number, end: number, out: ScannedFields): boolean {
  if (end - start < 5 || !spells(b, start, end, 'cpu=')) return false;
  let j = start + 4;
  let v = 0;
  while (j < end && isDigit(b[j])) v = v * 10 + b[j++] - 48;
  if (j === start + 4 || j - start - 4 > INT32_DIGITS) return false;
  out.n1 = v;
  return true;
}
