// Trace text cut into chunks of whole lines, each parsed on its own (by a worker thread: traceTextWorker.ts) into
// compact columns — the chunk's text once, line bounds, and per event line the event's numbers, its strings as
// indexes into a table the worker grows, and its payload as bounds in the text — so that the main thread builds
// each record with a few allocations and no regex. Only what a line says on its own is parsed here; what needs the
// lines before (wrapped lines, runs, warnings) stays with the reader on the main thread (traceTextParallel.ts).
import { isAscii } from 'node:buffer';
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

export interface ParsedTextChunk {
  seq: number;
  /** Bytes of the input this chunk holds. */
  byteLength: number;
  text: string;
  /** Per line: where it starts and ends in `text` (a "\r" before the newline left out, a cut line cut). */
  lineStart: Int32Array;
  lineEnd: Int32Array;
  /** Lines (0-based in the chunk) longer than MAX_LINE_CHARS, cut there as the one-thread splitter cuts them. */
  cutLines: number[];
  /** Per line: the index of its event in the columns below, -1 when the line's own text holds no event. */
  lineEvent: Int32Array;
  timeNs: Float64Array;
  cpu: Float64Array;
  pid: Float64Array;
  /** Indexes into the worker's string table (-1: system null). */
  comm: Int32Array;
  name: Int32Array;
  system: Int32Array;
  /** The payload's bounds in `text`; a start of -(k+1) means `payloads[k]` (a payload that is no slice of its line). */
  payloadStart: Int32Array;
  payloadEnd: Int32Array;
  payloads: string[];
  clockUnknown: Uint8Array;
  /** Strings the worker's table gained with this chunk, appended in order. */
  newStrings: string[];
}

/** The strings of events (comm, name, system), each sent to the main thread once. */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private fresh: string[] = [];

  id(s: string): number {
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
function decodeChunk(bytes: Uint8Array, first: boolean): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return new TextDecoder('utf-8', { ignoreBOM: !first }).decode(bytes);
}

/** Grows typed columns as events are added; `finish` cuts them to the count. */
class EventColumns {
  count = 0;
  timeNs = new Float64Array(1024);
  cpu = new Float64Array(1024);
  pid = new Float64Array(1024);
  comm = new Int32Array(1024);
  name = new Int32Array(1024);
  system = new Int32Array(1024);
  payloadStart = new Int32Array(1024);
  payloadEnd = new Int32Array(1024);
  clockUnknown = new Uint8Array(1024);
  readonly payloads: string[] = [];

  add(ev: TraceEvent, raw: string, rawStart: number, strings: StringTable): number {
    if (this.count === this.timeNs.length) this.grow();
    const n = this.count++;
    this.timeNs[n] = ev.timeNs;
    this.cpu[n] = ev.cpu;
    this.pid[n] = ev.pid;
    this.comm[n] = strings.id(ev.comm);
    this.name[n] = strings.id(ev.name);
    this.system[n] = ev.system === null ? -1 : strings.id(ev.system);
    this.clockUnknown[n] = ev.clockUnknown ? 1 : 0;
    // the payload is the end of the (unquoted) line, perhaps trimmed: a slice of the line with the same text
    const p = ev.payload;
    const at = raw.lastIndexOf(p);
    if (at >= 0) {
      this.payloadStart[n] = rawStart + at;
      this.payloadEnd[n] = rawStart + at + p.length;
    } else {
      this.payloads.push(p);
      this.payloadStart[n] = -this.payloads.length;
      this.payloadEnd[n] = 0;
    }
    return n;
  }

  private grow(): void {
    const twice = <T extends Float64Array | Int32Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.timeNs = twice(this.timeNs);
    this.cpu = twice(this.cpu);
    this.pid = twice(this.pid);
    this.comm = twice(this.comm);
    this.name = twice(this.name);
    this.system = twice(this.system);
    this.payloadStart = twice(this.payloadStart);
    this.payloadEnd = twice(this.payloadEnd);
    this.clockUnknown = twice(this.clockUnknown);
  }
}

/** Cuts the text into lines as LineSplitter does, and parses each line's own text as the reader would. */
export function parseTextChunk(req: TextChunkRequest, strings: StringTable): ParsedTextChunk {
  const text = decodeChunk(req.bytes, req.first);
  const starts: number[] = [];
  const ends: number[] = [];
  const events: number[] = [];
  const cutLines: number[] = [];
  const columns = new EventColumns();
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
    events.push(eventOfLine(text, start, end, columns, strings));
    start = lineEnd + 1;
  }
  return {
    seq: req.seq,
    byteLength: req.bytes.length,
    text,
    lineStart: Int32Array.from(starts),
    lineEnd: Int32Array.from(ends),
    cutLines,
    lineEvent: Int32Array.from(events),
    timeNs: columns.timeNs.slice(0, columns.count),
    cpu: columns.cpu.slice(0, columns.count),
    pid: columns.pid.slice(0, columns.count),
    comm: columns.comm.slice(0, columns.count),
    name: columns.name.slice(0, columns.count),
    system: columns.system.slice(0, columns.count),
    payloadStart: columns.payloadStart.slice(0, columns.count),
    payloadEnd: columns.payloadEnd.slice(0, columns.count),
    payloads: columns.payloads,
    clockUnknown: columns.clockUnknown.slice(0, columns.count),
    newStrings: strings.takeNew(),
  };
}

/** The event column index of the line's event (what the reader's line() parses from its unquoted text), or -1. */
function eventOfLine(text: string, start: number, end: number, columns: EventColumns, strings: StringTable): number {
  if (end === start) return -1;
  const raw = text.slice(start, end);
  const ev = lineEvent(unquote(raw, indentOf(raw)) ?? raw, 0);
  return ev === null ? -1 : columns.add(ev, raw, start, strings);
}

/** The typed arrays of a parsed chunk, transferred (not copied) to the main thread. */
export function chunkTransferList(c: ParsedTextChunk): ArrayBuffer[] {
  const arrays: (Int32Array | Float64Array | Uint8Array)[] = [c.lineStart, c.lineEnd, c.lineEvent, c.timeNs, c.cpu];
  arrays.push(c.pid, c.comm, c.name, c.system, c.payloadStart, c.payloadEnd, c.clockUnknown);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/** The main thread's copy of each worker's string table. */
export class WorkerStrings {
  private readonly tables = new Map<number, string[]>();

  /** Takes in the strings the worker added with this chunk (call once per chunk, in the worker's order). */
  learn(worker: number, chunk: ParsedTextChunk): string[] {
    let table = this.tables.get(worker);
    if (!table) this.tables.set(worker, (table = []));
    for (const s of chunk.newStrings) table.push(s);
    return table;
  }
}

/** The record of event `i` of the chunk, read at `lineNo`: the object lineEvent builds, with the same keys. */
export function chunkEvent(c: ParsedTextChunk, table: readonly string[], i: number, lineNo: number): TraceEvent {
  const ps = c.payloadStart[i];
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
    payload: ps < 0 ? c.payloads[-ps - 1] : c.text.slice(ps, c.payloadEnd[i]),
  };
  if (c.clockUnknown[i] === 1) event.clockUnknown = true;
  return event;
}
