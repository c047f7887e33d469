// Trace text cut into chunks of whole lines, each parsed on its own (by a worker thread: traceTextWorker.ts) into
// compact columns — line bounds, and per event line the event's numbers, its strings as indexes into a table the
// worker grows, its payload as bounds in the text, and the fields the model reads from the payload (eventFields.ts
// parsers, run in the worker) — so that the main thread, which decodes the same bytes to the same text itself (a
// string is costly to send), builds each record with a few allocations and no regex. Only what a line says on its
// own is parsed here; what needs the lines before (wrapped lines, runs, warnings) stays with the reader on the main
// thread (traceTextParallel.ts).
import { isAscii } from 'node:buffer';
import {
  parseCpuIdle,
  parseIpiTargets,
  parseKvmEntryVcpu,
  parseMsrAccess,
  parseSchedSwitch,
  parseSchedWakeup,
  type DecodedFields,
} from '../eventFields';
import { MAX_LINE_CHARS } from '../lineSplitter';
import type { TraceEvent } from '../records';
import { lineEvent } from './traceText';
import { indentOf, unquote } from './traceLines';

/** A chunk handed to a worker: whole lines (it ends after a newline, or at the end of the input). */
export interface TextChunkRequest {
  seq: number;
  bytes: Uint8Array;
  /** The chunk starts the input: a UTF-8 byte-order mark there is dropped, as the one-thread splitter drops it. */
  first: boolean;
}

/** Which of the model's fields an event carries (0: none; the model parses its payload then). */
const enum FieldKind {
  None = 0,
  SchedSwitch = 1,
  SchedWakeup = 2,
  Msr = 3,
  CpuIdle = 4,
  IpiTarget = 5,
  KvmEntry = 6,
}

/** Per event: the record's numbers and strings, and its fields in a few generic columns (meaning by FieldKind). */
const INT_COLUMNS = ['cpu', 'pid', 'comm', 'name', 'system', 'payloadStart', 'payloadEnd'] as const;
const FIELD_COLUMNS = ['n1', 'n2', 's1', 's2', 's3', 'hexStart', 'hexEnd'] as const;
type IntColumn = (typeof INT_COLUMNS)[number] | (typeof FIELD_COLUMNS)[number];
const ALL_INT_COLUMNS: readonly IntColumn[] = [...INT_COLUMNS, ...FIELD_COLUMNS];

/** What a worker sends back: all Int32 columns packed in one buffer (one transfer), cut apart by `unpack`. */
export interface PackedTextChunk {
  seq: number;
  lines: number;
  events: number;
  ints: Int32Array;
  timeNs: Float64Array;
  /** flags, then fieldKind. */
  bytes: Uint8Array;
  cutLines: number[];
  whole: TraceEvent[];
  newStrings: string[];
}

/** A parsed chunk with its text, as the main thread reads it. */
export interface ParsedTextChunk extends Record<IntColumn, Int32Array> {
  seq: number;
  text: string;
  /** Per line: where it starts and ends in `text` (a "\r" before the newline left out, a cut line cut). */
  lineStart: Int32Array;
  lineEnd: Int32Array;
  /** Lines (0-based in the chunk) longer than MAX_LINE_CHARS, cut there as the one-thread splitter cuts them. */
  cutLines: number[];
  /** Per line: the index of its event in the columns below, -1 when the line's own text holds no event. */
  lineEvent: Int32Array;
  timeNs: Float64Array;
  /** Bit 0: clockUnknown; bit 1: the event is `whole[payloadStart]` (a number too large for the columns). */
  flags: Uint8Array;
  /** FieldKind per event. */
  fieldKind: Uint8Array;
  /** Events sent as they are, structured-cloned (rare). */
  whole: TraceEvent[];
  /** Strings the worker's table gained with this chunk, appended in order. */
  newStrings: string[];
}

/** The strings of events (comm, name, system, field strings), each sent to the main thread once. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private fresh: string[] = [];

  /** The last few strings asked for and their ids: comms and names repeat, and comparing is cheaper than hashing. */
  private readonly recent: string[] = ['', '', '', '', '', '', '', ''];
  private readonly recentIds: number[] = [-1, -1, -1, -1, -1, -1, -1, -1];
  private next = 0;

  id(s: string): number {
    const recent = this.recent;
    for (let i = 0; i < recent.length; i++) if (recent[i] === s && this.recentIds[i] >= 0) return this.recentIds[i];
    const id = this.lookup(s);
    const slot = this.next;
    this.next = (slot + 1) & 7;
    recent[slot] = s;
    this.recentIds[slot] = id;
    return id;
  }

  private lookup(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      this.fresh.push(s);
    }
    return id;
  }

  /** The strings added since the last call. */
  takeNew(): string[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }
}

/** The chunk's text as the one-thread splitter decodes it (pure ASCII as latin1, the fast way). */
export function decodeChunk(bytes: Uint8Array, first: boolean): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return new TextDecoder('utf-8', { ignoreBOM: !first }).decode(bytes);
}

const isInt32 = (n: number) => (n | 0) === n;
/** A uint32 kept in an Int32Array (read back with >>> 0). */
const isUint32 = (n: number) => n >>> 0 === n;

/** Grows typed columns as events are added; `finish` cuts them to the count. */
class EventColumns {
  count = 0;
  capacity = 1024;
  timeNs = new Float64Array(this.capacity);
  flags = new Uint8Array(this.capacity);
  fieldKind = new Uint8Array(this.capacity);
  cols = Object.fromEntries(ALL_INT_COLUMNS.map((c) => [c, new Int32Array(this.capacity)])) as Record<
    IntColumn,
    Int32Array
  >;
  readonly whole: TraceEvent[] = [];

  constructor(private readonly strings: StringTable) {}

  add(ev: TraceEvent, raw: string, rawStart: number): number {
    if (this.count === this.capacity) this.grow();
    const n = this.count++;
    this.timeNs[n] = ev.timeNs;
    this.flags[n] = ev.clockUnknown ? 1 : 0;
    if (!isInt32(ev.cpu) || !isInt32(ev.pid)) {
      this.flags[n] |= 2;
      this.col('payloadStart')[n] = this.whole.length;
      this.whole.push(ev);
      return n;
    }
    const strings = this.strings;
    this.col('cpu')[n] = ev.cpu;
    this.col('pid')[n] = ev.pid;
    this.col('comm')[n] = strings.id(ev.comm);
    this.col('name')[n] = strings.id(ev.name);
    this.col('system')[n] = ev.system === null ? -1 : strings.id(ev.system);
    // the payload is the end of the (unquoted) line, perhaps trimmed: a slice of the line with the same text
    const p = ev.payload;
    const at = raw.lastIndexOf(p);
    if (at < 0) {
      this.flags[n] |= 2;
      this.col('payloadStart')[n] = this.whole.length;
      this.whole.push(ev);
      return n;
    }
    this.col('payloadStart')[n] = rawStart + at;
    this.col('payloadEnd')[n] = rawStart + at + p.length;
    this.fieldKind[n] = this.addFields(n, ev.name, p, rawStart + at);
    return n;
  }

  private col(c: IntColumn): Int32Array {
    return this.cols[c];
  }

  /** The fields the model parses from this event's payload, in the field columns; the kind stored (None: none). */
  private addFields(n: number, name: string, payload: string, payloadAt: number): FieldKind {
    const s = this.strings;
    const set = (c: IntColumn, v: number) => (this.col(c)[n] = v);
    switch (name) {
      case 'sched_switch': {
        const f = parseSchedSwitch(payload);
        if (!f || !isInt32(f.prevPid) || !isInt32(f.nextPid)) return FieldKind.None;
        set('s1', s.id(f.prevComm));
        set('n1', f.prevPid);
        set('s2', s.id(f.prevState));
        set('s3', s.id(f.nextComm));
        set('n2', f.nextPid);
        return FieldKind.SchedSwitch;
      }
      case 'sched_wakeup':
      case 'sched_waking':
      case 'sched_wakeup_new': {
        const f = parseSchedWakeup(payload);
        if (!f || !isInt32(f.pid) || !isInt32(f.targetCpu)) return FieldKind.None;
        set('s1', s.id(f.comm));
        set('n1', f.pid);
        set('n2', f.targetCpu);
        return FieldKind.SchedWakeup;
      }
      case 'write_msr':
      case 'read_msr':
      case 'kvm_msr': {
        const f = parseMsrAccess(name, payload);
        if (!f || !isUint32(f.msr)) return FieldKind.None;
        set('n1', f.msr);
        set('n2', f.write ? 1 : 0);
        const hexAt = f.valueHex === null ? -1 : payload.indexOf(f.valueHex);
        set('hexStart', hexAt < 0 ? -1 : payloadAt + hexAt);
        set('hexEnd', hexAt < 0 ? -1 : payloadAt + hexAt + f.valueHex!.length);
        if (f.valueHex !== null && hexAt < 0) return FieldKind.None;
        return FieldKind.Msr;
      }
      case 'cpu_idle': {
        const f = parseCpuIdle(payload);
        if (!f || !isUint32(f.state) || !isUint32(f.cpu)) return FieldKind.None;
        set('n1', f.state);
        set('n2', f.cpu);
        return FieldKind.CpuIdle;
      }
      case 'ipi_send_cpu': {
        const f = parseIpiTargets(name, payload);
        if (!f || f.length !== 1 || !isInt32(f[0])) return FieldKind.None;
        set('n1', f[0]);
        return FieldKind.IpiTarget;
      }
      case 'kvm_entry': {
        const vcpu = parseKvmEntryVcpu(payload);
        if (vcpu !== null && !isInt32(vcpu)) return FieldKind.None;
        set('n1', vcpu ?? 0);
        set('n2', vcpu === null ? 0 : 1);
        return FieldKind.KvmEntry;
      }
      default:
        return FieldKind.None;
    }
  }

  private grow(): void {
    const twice = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.capacity *= 2;
    this.timeNs = twice(this.timeNs);
    this.flags = twice(this.flags);
    this.fieldKind = twice(this.fieldKind);
    for (const c of ALL_INT_COLUMNS) this.cols[c] = twice(this.cols[c]);
  }
}

/** Cuts the text into lines as LineSplitter does, and parses each line's own text as the reader would. */
export function parseTextChunk(req: TextChunkRequest, strings: StringTable): PackedTextChunk {
  const text = decodeChunk(req.bytes, req.first);
  const starts: number[] = [];
  const ends: number[] = [];
  const events: number[] = [];
  const cutLines: number[] = [];
  const columns = new EventColumns(strings);
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const lineEnd = nl < 0 ? text.length : nl;
    let end = lineEnd;
    if (end - start > MAX_LINE_CHARS) {
      end = start + MAX_LINE_CHARS;
      cutLines.push(starts.length);
    }
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    starts.push(start);
    ends.push(end);
    events.push(eventOfLine(text, start, end, columns));
    start = lineEnd + 1;
  }
  const lines = starts.length;
  const n = columns.count;
  const ints = new Int32Array(3 * lines + ALL_INT_COLUMNS.length * n);
  ints.set(starts, 0);
  ints.set(ends, lines);
  ints.set(events, 2 * lines);
  ALL_INT_COLUMNS.forEach((c, k) => ints.set(columns.cols[c].subarray(0, n), 3 * lines + k * n));
  const bytes = new Uint8Array(2 * n);
  bytes.set(columns.flags.subarray(0, n), 0);
  bytes.set(columns.fieldKind.subarray(0, n), n);
  return {
    seq: req.seq,
    lines,
    events: n,
    ints,
    timeNs: columns.timeNs.slice(0, n),
    bytes,
    cutLines,
    whole: columns.whole,
    newStrings: strings.takeNew(),
  };
}

/** The chunk's columns as views into the packed buffers, with the text the main thread decoded. */
export function unpack(p: PackedTextChunk, text: string): ParsedTextChunk {
  const { lines, events: n, ints } = p;
  const cols = Object.fromEntries(
    ALL_INT_COLUMNS.map((c, k) => [c, ints.subarray(3 * lines + k * n, 3 * lines + (k + 1) * n)]),
  ) as Record<IntColumn, Int32Array>;
  return {
    ...cols,
    seq: p.seq,
    text,
    lineStart: ints.subarray(0, lines),
    lineEnd: ints.subarray(lines, 2 * lines),
    lineEvent: ints.subarray(2 * lines, 3 * lines),
    cutLines: p.cutLines,
    timeNs: p.timeNs,
    flags: p.bytes.subarray(0, n),
    fieldKind: p.bytes.subarray(n, 2 * n),
    whole: p.whole,
    newStrings: p.newStrings,
  };
}

/** The event column index of the line's event (what the reader's line() parses from its unquoted text), or -1. */
function eventOfLine(text: string, start: number, end: number, columns: EventColumns): number {
  if (end === start) return -1;
  const raw = text.slice(start, end);
  const ev = lineEvent(unquote(raw, indentOf(raw)) ?? raw, 0);
  return ev === null ? -1 : columns.add(ev, raw, start);
}

/** The buffers of a packed chunk, transferred (not copied) to the main thread. */
export function chunkTransferList(c: PackedTextChunk): ArrayBuffer[] {
  return [c.ints.buffer, c.timeNs.buffer, c.bytes.buffer] as ArrayBuffer[];
}

/** The main thread's copy of each worker's string table. */
export class WorkerStrings {
  private readonly tables = new Map<number, string[]>();

  /** Takes in the strings the worker added with this chunk (call once per chunk, in the worker's order). */
  learn(worker: number, chunk: PackedTextChunk): string[] {
    let table = this.tables.get(worker);
    if (!table) this.tables.set(worker, (table = []));
    for (const s of chunk.newStrings) table.push(s);
    return table;
  }
}

/** The record of event `i` of the chunk, read at `lineNo`: the object lineEvent builds, with the same keys. */
export function chunkEvent(c: ParsedTextChunk, table: readonly string[], i: number, lineNo: number): TraceEvent {
  const flags = c.flags[i];
  if ((flags & 2) !== 0) return { ...c.whole[c.payloadStart[i]], line: lineNo };
  const sys = c.system[i];
  const event: TraceEvent = {
    type: 'event',
    line: lineNo,
    timeNs: c.timeNs[i],
    cpu: c.cpu[i],
    pid: c.pid[i],
    comm: table[c.comm[i]],
    name: table[c.name[i]],
    system: sys < 0 ? null : table[sys],
    payload: c.text.slice(c.payloadStart[i], c.payloadEnd[i]),
  };
  if ((flags & 1) !== 0) event.clockUnknown = true;
  const kind = c.fieldKind[i];
  if (kind !== FieldKind.None) event.fields = fieldsOf(c, table, i, kind);
  return event;
}

/** The fields as eventFields.ts's parser gives them for the payload (the worker ran it). */
function fieldsOf(c: ParsedTextChunk, table: readonly string[], i: number, kind: FieldKind): DecodedFields {
  switch (kind) {
    case FieldKind.SchedSwitch: {
      const prevComm = table[c.s1[i]];
      const prevState = table[c.s2[i]];
      const value = { prevComm, prevPid: c.n1[i], prevState, nextComm: table[c.s3[i]], nextPid: c.n2[i] };
      return { kind: 'sched_switch', value };
    }
    case FieldKind.SchedWakeup:
      return { kind: 'sched_wakeup', value: { comm: table[c.s1[i]], pid: c.n1[i], targetCpu: c.n2[i] } };
    case FieldKind.Msr: {
      const valueHex = c.hexStart[i] < 0 ? null : c.text.slice(c.hexStart[i], c.hexEnd[i]);
      return { kind: 'msr', value: { write: c.n2[i] === 1, msr: c.n1[i] >>> 0, valueHex } };
    }
    case FieldKind.CpuIdle:
      return { kind: 'cpu_idle', value: { state: c.n1[i] >>> 0, cpu: c.n2[i] >>> 0 } };
    case FieldKind.IpiTarget:
      return { kind: 'ipi_targets', value: [c.n1[i]] };
    default:
      return { kind: 'kvm_entry', vcpu: c.n2[i] === 1 ? c.n1[i] : null };
  }
}
