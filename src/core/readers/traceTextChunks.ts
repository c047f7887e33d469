// Trace text cut into chunks of whole lines, each parsed on its own (by a worker thread: traceTextWorker.ts) into
// compact columns — line bounds, and per event line the event's numbers, its strings as indexes into a table the
// worker grows, its payload as bounds in the text, and the fields the model reads from the payload — so that the
// main thread, which reads the same bytes itself (a string is costly to send), builds each record with a few
// allocations and no regex. ASCII text is read from its bytes: the common line by traceLineScan.ts, the common
// payloads by payloadScan.ts, anything else by the regexes and eventFields.ts parsers on the line's text.
// Only what a line says on its own is parsed here; what needs the lines before (wrapped lines, runs, warnings) stays
// with the reader on the main thread (traceTextParallel.ts), which skips its per-line work for a chunk certified
// plain (every line an event line of its own) and, when it is ASCII, decodes only the payloads the model parses.
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
import { KindsById, type EventKind } from '../model/eventKinds';
import type { TraceEvent } from '../records';
import { BytesStrings, StringTable } from '../stringTable';
import { endsInBlank, lineEvent } from './traceText';
import { indentOf, unquote } from './traceLines';
import { ScannedLine } from './traceLineScan';
import {
  ScannedFields,
  scanCpuIdle,
  scanGuestMsr,
  scanIpiSendCpu,
  scanSchedSwitch,
  scanSchedWakeup,
} from './payloadScan';

/**
 * Shared memory a chunk travels in, reused from chunk to chunk (no buffer is made per chunk, so memory outside the
 * heaps stays flat): its bytes in, its rows out. A chunk or rows too large for a slot travel in buffers of their own.
 */
export interface ChunkSlot {
  input: SharedArrayBuffer;
  lines: SharedArrayBuffer;
  events: SharedArrayBuffer;
  timeNs: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
}

/** A slot for chunks of about `chunkBytes` (rows for lines of 16 bytes and events of 32 bytes on average). */
export function newSlot(chunkBytes: number): ChunkSlot {
  const lines = Math.max(1024, chunkBytes >> 4);
  const events = Math.max(1024, chunkBytes >> 5);
  return {
    input: new SharedArrayBuffer(2 * chunkBytes),
    lines: new SharedArrayBuffer(4 * LINE_ROW * lines),
    events: new SharedArrayBuffer(4 * ROW * events),
    timeNs: new SharedArrayBuffer(8 * events),
    bytes: new SharedArrayBuffer(2 * events),
  };
}

/** A chunk handed to a worker: whole lines (it ends after a newline, or at the end of the input). */
export interface TextChunkRequest {
  seq: number;
  slot: ChunkSlot;
  /** The chunk's bytes: the first `length` of the slot's input, or these when they did not fit. */
  length: number;
  bytes: Uint8Array | null;
  /** The chunk starts the input: a UTF-8 byte-order mark there is dropped, as the one-thread splitter drops it. */
  first: boolean;
}

/** The events whose payload addFields parses. */
const FIELD_EVENTS = new Set([
  'sched_switch',
  'sched_wakeup',
  'sched_waking',
  'sched_wakeup_new',
  'write_msr',
  'read_msr',
  'kvm_msr',
  'cpu_idle',
  'ipi_send_cpu',
  'kvm_entry',
]);

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

/**
 * Per event, a row of Int32s: the record's numbers and strings (indexes into the worker's table, -1 for a null
 * system), the payload's bounds in the text, and the fields in generic slots whose meaning FieldKind gives.
 */
const enum Col {
  Cpu,
  Pid,
  Comm,
  Name,
  System,
  PayloadStart,
  PayloadEnd,
  N1,
  N2,
  S1,
  S2,
  S3,
  HexStart,
  HexEnd,
}
const ROW = 14;
/** Per line: start and end in the text, and its event's index (-1: none). */
const LINE_ROW = 3;

/** What a worker sends back: a few typed arrays (transferred) and the rare things that need more. */
export interface PackedTextChunk {
  seq: number;
  lineCount: number;
  eventCount: number;
  /** LINE_ROW Int32s per line. */
  lines: Int32Array<ArrayBufferLike>;
  /** ROW Int32s per event. */
  events: Int32Array<ArrayBufferLike>;
  timeNs: Float64Array<ArrayBufferLike>;
  /** Per event: flags (bit 0: clockUnknown; bit 1: the event is `whole[row's PayloadStart]`), then FieldKinds. */
  bytes: Uint8Array<ArrayBufferLike>;
  /** Lines (0-based in the chunk) longer than MAX_LINE_CHARS, cut there as the one-thread splitter cuts them. */
  cutLines: number[];
  /** Events sent as they are, structured-cloned (rare: a number too large for the columns, an odd payload). */
  whole: TraceEvent[];
  /** Strings the worker's table gained with this chunk, appended in order. */
  newStrings: string[];
  /**
   * Every line holds an event of its own, unquoted and uncut (line i is event i): only the first line can join the
   * chunk before (after a header left waiting), none continues a payload. The reader reads it without its lines.
   */
  plain: boolean;
  /** The last line's indent and whether it ends in a blank (what the next chunk's first line is compared with). */
  lastIndent: number;
  lastSoftBreak: boolean;
  /** The chunk is ASCII: offsets in its text are offsets in its bytes. */
  ascii: boolean;
}

/**
 * A parsed chunk as the main thread reads it: its text decoded whole, or (`text` null: a plain ASCII chunk) only its
 * bytes, from which chunkEvent decodes the payloads that are read, each on its own.
 */
export interface ParsedTextChunk extends PackedTextChunk {
  text: string | null;
  /** The chunk's bytes when `text` is null. */
  input: ChunkBytes | null;
}

/** Strings decoded from chunks' bytes are cached by a hash of their bytes up to this length (a power of two). */
const DECODED_CACHE = 1024;
const LONGEST_CACHED = 48;

/**
 * A plain ASCII chunk's bytes (a view of its slot, read before the slot is reused), and the strings decoded from
 * them: copies (nothing may point into the slot), cached, because payloads and values repeat ("vector=251", "fb").
 */
export class ChunkBytes {
  bytes: Buffer = Buffer.alloc(0);
  private readonly decoded = new BytesStrings(DECODED_CACHE);

  /** Bytes [start, end) as text. */
  text(start: number, end: number): string {
    const b = this.bytes;
    if (end - start > LONGEST_CACHED) return b.toString('latin1', start, end);
    return this.decoded.text(b, start, end);
  }
}

/** The chunk's text as the one-thread splitter decodes it (pure ASCII as latin1, the fast way). */
export function decodeChunk(bytes: Uint8Array, first: boolean): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  // TextDecoder does not read shared memory
  const own = bytes.buffer instanceof SharedArrayBuffer ? bytes.slice() : bytes;
  return new TextDecoder('utf-8', { ignoreBOM: !first }).decode(own);
}

const isInt32 = (n: number) => (n | 0) === n;
/** A uint32 kept in an Int32Array (read back with >>> 0). */
const isUint32 = (n: number) => n >>> 0 === n;

/** Where `payload` (the end of the line, trailing blanks trimmed) stands in `raw`; -1 when it is not there. */
function payloadAt(raw: string, payload: string): number {
  let end = raw.length;
  while (end > 0 && raw.charCodeAt(end - 1) <= 32) end--;
  const at = end - payload.length;
  return at >= 0 && raw.startsWith(payload, at) ? at : raw.lastIndexOf(payload);
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/** Rows of lines and events, grown as needed and kept from chunk to chunk (a worker parses one at a time). */
class ChunkRows {
  lineCount = 0;
  eventCount = 0;
  lines = new Int32Array(LINE_ROW * 16384);
  events = new Int32Array(ROW * 8192);
  timeNs = new Float64Array(8192);
  flags = new Uint8Array(8192);
  fieldKind = new Uint8Array(8192);
  cutLines: number[] = [];
  whole: TraceEvent[] = [];
  plain = true;
  lastIndent = 0;
  lastSoftBreak = false;
  ascii = true;

  private readonly scannedFields = new ScannedFields();

  constructor(private readonly strings: StringTable) {}

  reset(): void {
    this.lineCount = 0;
    this.eventCount = 0;
    this.cutLines = [];
    this.whole = [];
    this.plain = true;
  }

  addLine(start: number, end: number, event: number): void {
    if ((this.lineCount + 1) * LINE_ROW > this.lines.length) this.lines = grown(this.lines);
    const at = this.lineCount++ * LINE_ROW;
    this.lines[at] = start;
    this.lines[at + 1] = end;
    this.lines[at + 2] = event;
  }

  /** Adds the event lineEvent read from `raw` (the line, at `rawStart` in the text); its index. */
  addEvent(ev: TraceEvent, raw: string, rawStart: number): number {
    const n = this.eventCount++;
    if (n === this.timeNs.length) this.grow();
    const row = n * ROW;
    const e = this.events;
    this.timeNs[n] = ev.timeNs;
    this.flags[n] = ev.clockUnknown ? 1 : 0;
    this.fieldKind[n] = FieldKind.None;
    // the payload is the end of the (unquoted) line, perhaps trimmed: a slice of the line with the same text
    const p = ev.payload;
    const at = payloadAt(raw, p);
    if (at < 0 || !isInt32(ev.cpu) || !isInt32(ev.pid)) {
      this.flags[n] |= 2;
      e[row + Col.PayloadStart] = this.whole.length;
      this.whole.push(ev);
      return n;
    }
    const strings = this.strings;
    e[row + Col.Cpu] = ev.cpu;
    e[row + Col.Pid] = ev.pid;
    e[row + Col.Comm] = strings.id(ev.comm, 0);
    e[row + Col.Name] = strings.id(ev.name, 1);
    e[row + Col.System] = ev.system === null ? -1 : strings.id(ev.system, 2);
    e[row + Col.PayloadStart] = rawStart + at;
    e[row + Col.PayloadEnd] = rawStart + at + p.length;
    this.fieldKind[n] = this.addFields(row, ev.name, p, rawStart + at);
    return n;
  }

  /** Adds the event `line` scanned from the ASCII bytes `b` (`text` views them); its index. */
  addScanned(line: ScannedLine, b: Uint8Array, text: Buffer): number {
    const n = this.eventCount++;
    if (n === this.timeNs.length) this.grow();
    const row = n * ROW;
    const e = this.events;
    const strings = this.strings;
    this.timeNs[n] = line.timeNs;
    this.flags[n] = line.clockUnknown ? 1 : 0;
    e[row + Col.Cpu] = line.cpu;
    e[row + Col.Pid] = line.pid;
    e[row + Col.Comm] = strings.idOfBytes(b, text, line.commStart, line.commEnd, 0);
    const system = line.systemEnd;
    const nameStart = system < 0 ? line.nameStart : system + 1;
    const name = strings.idOfBytes(b, text, nameStart, line.nameEnd, 1);
    e[row + Col.Name] = name;
    e[row + Col.System] = system < 0 ? -1 : strings.idOfBytes(b, text, line.nameStart, system, 2);
    const payloadStart = line.payloadStart;
    e[row + Col.PayloadStart] = payloadStart;
    e[row + Col.PayloadEnd] = line.payloadEnd;
    const nameText = strings.text(name);
    this.fieldKind[n] = FIELD_EVENTS.has(nameText)
      ? this.addPayloadFields(row, nameText, b, text, payloadStart, line.payloadEnd)
      : FieldKind.None;
    return n;
  }

  /**
   * addFields for the payload at bytes [start, end) of `b` (`text` views them): read from the bytes where a
   * payloadScan.ts reader knows the payload's shape, else by addFields from its text.
   */
  private addPayloadFields(row: number, name: string, b: Uint8Array, text: Buffer, start: number, end: number) {
    const e = this.events;
    const f = this.scannedFields;
    const strings = this.strings;
    switch (name) {
      case 'sched_switch':
        if (!scanSchedSwitch(b, start, end, f)) break;
        e[row + Col.S1] = strings.idOfBytes(b, text, f.s1Start, f.s1End, 3);
        e[row + Col.N1] = f.n1;
        e[row + Col.S2] = strings.idOfBytes(b, text, f.s2Start, f.s2End, 4);
        e[row + Col.S3] = strings.idOfBytes(b, text, f.s3Start, f.s3End, 5);
        e[row + Col.N2] = f.n2;
        return FieldKind.SchedSwitch;
      case 'sched_wakeup':
      case 'sched_waking':
      case 'sched_wakeup_new':
        if (!scanSchedWakeup(b, start, end, f)) break;
        e[row + Col.S1] = strings.idOfBytes(b, text, f.s1Start, f.s1End, 6);
        e[row + Col.N1] = f.n1;
        e[row + Col.N2] = f.n2;
        return FieldKind.SchedWakeup;
      case 'write_msr':
      case 'read_msr':
        if (!scanGuestMsr(b, start, end, f)) break;
        e[row + Col.N1] = f.n1;
        e[row + Col.N2] = name === 'write_msr' ? 1 : 0;
        e[row + Col.HexStart] = f.hexStart;
        e[row + Col.HexEnd] = f.hexEnd;
        return FieldKind.Msr;
      case 'cpu_idle':
        if (!scanCpuIdle(b, start, end, f)) break;
        e[row + Col.N1] = f.n1;
        e[row + Col.N2] = f.n2;
        return FieldKind.CpuIdle;
      case 'ipi_send_cpu':
        if (!scanIpiSendCpu(b, start, end, f)) break;
        e[row + Col.N1] = f.n1;
        return FieldKind.IpiTarget;
    }
    return this.addFields(row, name, text.toString('latin1', start, end), start);
  }

  private grow(): void {
    this.events = grown(this.events);
    this.timeNs = grown(this.timeNs);
    this.flags = grown(this.flags);
    this.fieldKind = grown(this.fieldKind);
  }

  /** The fields the model parses from this event's payload, in the row's field slots; the kind (None: none). */
  private addFields(row: number, name: string, payload: string, payloadAt: number): FieldKind {
    const s = this.strings;
    const e = this.events;
    switch (name) {
      case 'sched_switch': {
        const f = parseSchedSwitch(payload);
        if (!f || !isInt32(f.prevPid) || !isInt32(f.nextPid)) return FieldKind.None;
        e[row + Col.S1] = s.id(f.prevComm, 3);
        e[row + Col.N1] = f.prevPid;
        e[row + Col.S2] = s.id(f.prevState, 4);
        e[row + Col.S3] = s.id(f.nextComm, 5);
        e[row + Col.N2] = f.nextPid;
        return FieldKind.SchedSwitch;
      }
      case 'sched_wakeup':
      case 'sched_waking':
      case 'sched_wakeup_new': {
        const f = parseSchedWakeup(payload);
        if (!f || !isInt32(f.pid) || !isInt32(f.targetCpu)) return FieldKind.None;
        e[row + Col.S1] = s.id(f.comm, 6);
        e[row + Col.N1] = f.pid;
        e[row + Col.N2] = f.targetCpu;
        return FieldKind.SchedWakeup;
      }
      case 'write_msr':
      case 'read_msr':
      case 'kvm_msr': {
        const f = parseMsrAccess(name, payload);
        if (!f || !isUint32(f.msr)) return FieldKind.None;
        const hexAt = f.valueHex === null ? -1 : payload.indexOf(f.valueHex);
        if (f.valueHex !== null && hexAt < 0) return FieldKind.None;
        e[row + Col.N1] = f.msr;
        e[row + Col.N2] = f.write ? 1 : 0;
        e[row + Col.HexStart] = hexAt < 0 ? -1 : payloadAt + hexAt;
        e[row + Col.HexEnd] = hexAt < 0 ? -1 : payloadAt + hexAt + f.valueHex!.length;
        return FieldKind.Msr;
      }
      case 'cpu_idle': {
        const f = parseCpuIdle(payload);
        if (!f || !isUint32(f.state) || !isUint32(f.cpu)) return FieldKind.None;
        e[row + Col.N1] = f.state;
        e[row + Col.N2] = f.cpu;
        return FieldKind.CpuIdle;
      }
      case 'ipi_send_cpu': {
        const f = parseIpiTargets(name, payload);
        if (!f || f.length !== 1 || !isInt32(f[0])) return FieldKind.None;
        e[row + Col.N1] = f[0];
        return FieldKind.IpiTarget;
      }
      case 'kvm_entry': {
        const vcpu = parseKvmEntryVcpu(payload);
        if (vcpu !== null && !isInt32(vcpu)) return FieldKind.None;
        e[row + Col.N1] = vcpu ?? 0;
        e[row + Col.N2] = vcpu === null ? 0 : 1;
        return FieldKind.KvmEntry;
      }
      default:
        return FieldKind.None;
    }
  }

  /** This chunk's rows, copied out to the slot, or to buffers of their own when they do not fit. */
  pack(seq: number, slot: ChunkSlot): PackedTextChunk {
    const n = this.eventCount;
    const fits = this.lineCount * LINE_ROW * 4 <= slot.lines.byteLength && n * ROW * 4 <= slot.events.byteLength;
    const lineInts = this.lineCount * LINE_ROW;
    const bytes = fits ? new Uint8Array(slot.bytes, 0, 2 * n) : new Uint8Array(2 * n);
    bytes.set(this.flags.subarray(0, n), 0);
    bytes.set(this.fieldKind.subarray(0, n), n);
    const lines = fits ? new Int32Array(slot.lines, 0, lineInts) : new Int32Array(lineInts);
    const events = fits ? new Int32Array(slot.events, 0, n * ROW) : new Int32Array(n * ROW);
    const timeNs = fits ? new Float64Array(slot.timeNs, 0, n) : new Float64Array(n);
    lines.set(this.lines.subarray(0, lineInts));
    events.set(this.events.subarray(0, n * ROW));
    timeNs.set(this.timeNs.subarray(0, n));
    return {
      seq,
      lineCount: this.lineCount,
      eventCount: n,
      lines,
      events,
      timeNs,
      bytes,
      cutLines: this.cutLines,
      whole: this.whole,
      newStrings: this.strings.takeNew(),
      plain: this.plain && this.lineCount > 0,
      lastIndent: this.lastIndent,
      lastSoftBreak: this.lastSoftBreak,
      ascii: this.ascii,
    };
  }
}

/** A worker's parser: its string table and rows live from chunk to chunk. */
export class ChunkParser {
  private readonly strings = new StringTable();
  private readonly rows = new ChunkRows(this.strings);
  private readonly scanned = new ScannedLine();

  /**
   * Cuts the text into lines as LineSplitter does, and parses each line's own text as the reader would: ASCII text
   * line by line from its bytes (the common lines scanned, the others read by the regexes), other text decoded.
   */
  parse(req: TextChunkRequest): PackedTextChunk {
    const bytes = req.bytes ?? new Uint8Array(req.slot.input, 0, req.length);
    this.rows.reset();
    this.rows.ascii = isAscii(bytes);
    if (this.rows.ascii) this.parseAscii(bytes);
    else this.parseText(decodeChunk(bytes, req.first));
    return this.rows.pack(req.seq, req.slot);
  }

  private parseText(text: string): void {
    let start = 0;
    while (start < text.length) {
      const nl = text.indexOf('\n', start);
      const lineEnd = nl < 0 ? text.length : nl;
      let end = this.lineEnd(start, lineEnd);
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      this.addLine(start, end, end === start ? -1 : this.eventOf(text.slice(start, end), start));
      start = lineEnd + 1;
    }
  }

  /** ASCII bytes: one character a byte, so offsets in the bytes are offsets in the text the main thread decodes. */
  private parseAscii(b: Uint8Array): void {
    // Buffer's indexOf looks for a byte with memchr: several times faster than a typed array's
    const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    const mayHaveCr = text.indexOf(13) >= 0;
    const scanned = this.scanned;
    const rows = this.rows;
    let start = 0;
    while (start < b.length) {
      const nl = text.indexOf(10, start);
      const lineEnd = nl < 0 ? b.length : nl;
      let end = this.lineEnd(start, lineEnd);
      if (end > start && b[end - 1] === 13) end--;
      let event = -1;
      if (end === start) {
        // a blank line holds no event
      } else if ((!mayHaveCr || !holds(b, start, end, 13)) && scanned.scan(b, start, end)) {
        rows.lastIndent = scanned.indent;
        rows.lastSoftBreak = b[end - 1] === 32 || b[end - 1] === 9;
        event = rows.addScanned(scanned, b, text);
      } else {
        event = this.eventOf(text.toString('latin1', start, end), start);
      }
      this.addLine(start, end, event);
      start = lineEnd + 1;
    }
  }

  /** The end of a line kept (a line over MAX_LINE_CHARS is cut there, as the one-thread splitter cuts it). */
  private lineEnd(start: number, end: number): number {
    if (end - start <= MAX_LINE_CHARS) return end;
    this.rows.cutLines.push(this.rows.lineCount);
    this.rows.plain = false;
    return start + MAX_LINE_CHARS;
  }

  private addLine(start: number, end: number, event: number): void {
    if (event < 0) this.rows.plain = false;
    this.rows.addLine(start, end, event);
  }

  /** The index of the event of line `raw` (at `start` in the text): what the reader's line() parses, or -1. */
  private eventOf(raw: string, start: number): number {
    const indent = indentOf(raw);
    const unquoted = unquote(raw, indent);
    const rows = this.rows;
    if (unquoted !== null) rows.plain = false;
    rows.lastIndent = indent;
    rows.lastSoftBreak = endsInBlank(raw);
    const ev = lineEvent(unquoted ?? raw, 0);
    return ev === null ? -1 : rows.addEvent(ev, raw, start);
  }
}

/** Whether bytes [start, end) of `b` hold the byte `c`. */
function holds(b: Uint8Array, start: number, end: number, c: number): boolean {
  for (let k = start; k < end; k++) if (b[k] === c) return true;
  return false;
}

/**
 * A chunk as posted to a worker: its slot by index. Every worker is sent the slots once (WorkerSetup), because
 * posting shared memory is costly (about a millisecond a message here): a message holds none.
 */
export interface PostedChunkRequest extends Omit<TextChunkRequest, 'slot'> {
  slot: number;
}

/** The first message to a worker: the slots its chunks will be in. */
export interface WorkerSetup {
  slots: ChunkSlot[];
}

export type TextWorkerMessage = WorkerSetup | PostedChunkRequest;

type ChunkArrays = 'lines' | 'events' | 'timeNs' | 'bytes';

/** A packed chunk as posted back: the arrays that are in the chunk's slot left out (null), the others transferred. */
export type PostedTextChunk = Omit<PackedTextChunk, ChunkArrays> & {
  [K in ChunkArrays]: PackedTextChunk[K] | null;
};

const inSharedMemory = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;

/** What a worker posts for a parsed chunk, and the buffers to transfer with it. */
export function postedChunk(c: PackedTextChunk): { message: PostedTextChunk; transfer: ArrayBuffer[] } {
  const message: PostedTextChunk = {
    ...c,
    lines: inSharedMemory(c.lines) ? null : c.lines,
    events: inSharedMemory(c.events) ? null : c.events,
    timeNs: inSharedMemory(c.timeNs) ? null : c.timeNs,
    bytes: inSharedMemory(c.bytes) ? null : c.bytes,
  };
  const arrays = [message.lines, message.events, message.timeNs, message.bytes];
  return { message, transfer: arrays.flatMap((a) => (a ? [a.buffer as ArrayBuffer] : [])) };
}

/** The packed chunk a worker posted, its arrays left out viewed in `slot`, the one the chunk was parsed in. */
export function receivedChunk(c: PostedTextChunk, slot: ChunkSlot): PackedTextChunk {
  const n = c.eventCount;
  return {
    ...c,
    lines: c.lines ?? new Int32Array(slot.lines, 0, c.lineCount * LINE_ROW),
    events: c.events ?? new Int32Array(slot.events, 0, n * ROW),
    timeNs: c.timeNs ?? new Float64Array(slot.timeNs, 0, n),
    bytes: c.bytes ?? new Uint8Array(slot.bytes, 0, 2 * n),
  };
}

/** Where line `i` of the chunk starts and ends in its text. */
export const lineStart = (c: PackedTextChunk, i: number) => c.lines[i * LINE_ROW];
export const lineEnd = (c: PackedTextChunk, i: number) => c.lines[i * LINE_ROW + 1];
/** The index of line `i`'s event in the chunk, -1 when the line's own text holds none. */
export const lineEventIndex = (c: PackedTextChunk, i: number) => c.lines[i * LINE_ROW + 2];

/** The main thread's copy of each worker's string table. */
export class WorkerStrings {
  private readonly tables = new Map<number, WorkerTable>();

  /** Takes in the strings the worker added with this chunk (call once per chunk, in the worker's order). */
  learn(worker: number, chunk: PackedTextChunk): WorkerTable {
    let table = this.tables.get(worker);
    if (!table) this.tables.set(worker, (table = new WorkerTable()));
    for (const s of chunk.newStrings) table.strings.push(s);
    return table;
  }
}

/** A worker's string table on the main thread, with the model's kind of each string used as an event name. */
export class WorkerTable {
  readonly strings: string[] = [];
  private readonly kinds = new KindsById();

  /** The model's kind of the event named by string `nameId`, looked up once per name. */
  kindOf(nameId: number): EventKind {
    return this.kinds.kindOf(nameId, this.strings[nameId]);
  }
}

/** The record of event `i` of the chunk, read at `lineNo`: lineEvent's, with the worker's fields (TextChunkEvent). */
export function chunkEvent(c: ParsedTextChunk, strings: WorkerTable, i: number, lineNo: number): TraceEvent {
  const table = strings.strings;
  const flags = c.bytes[i];
  const e = c.events;
  const row = i * ROW;
  if ((flags & 2) !== 0) return { ...c.whole[e[row + Col.PayloadStart]], line: lineNo };
  const sys = e[row + Col.System];
  const kind: FieldKind = c.bytes[c.eventCount + i];
  const fields = kind === FieldKind.None ? undefined : fieldsOf(c, table, row, kind);
  const start = e[row + Col.PayloadStart];
  const end = e[row + Col.PayloadEnd];
  let payload: string | null;
  if (c.text !== null) payload = c.text.slice(start, end);
  // the last event's payload: a wrapped line of the next chunk may continue it (the reader extends it)
  else payload = fields === undefined || i === c.eventCount - 1 ? c.input!.text(start, end) : null;
  const name = e[row + Col.Name];
  const ev = new TextChunkEvent(
    lineNo,
    c.timeNs[i],
    e[row + Col.Cpu],
    e[row + Col.Pid],
    table[e[row + Col.Comm]],
    table[name],
    sys < 0 ? null : table[sys],
    fields,
    payload,
    strings.kindOf(name),
  );
  if ((flags & 1) !== 0) ev.clockUnknown = true;
  return ev;
}

/**
 * An event of a chunk, with its fields and kind: all of one shape (the model reads fewer shapes of event faster).
 * Rule: in a chunk read from its bytes, an event with fields carries no payload (reading it throws, as for
 * eventColumns.ts's ThreadEvent) unless it is the chunk's last, which a wrapped line of the next may continue.
 */
class TextChunkEvent implements TraceEvent {
  readonly type = 'event' as const;
  declare clockUnknown?: true;

  constructor(
    readonly line: number,
    readonly timeNs: number,
    readonly cpu: number,
    readonly pid: number,
    readonly comm: string,
    readonly name: string,
    readonly system: string | null,
    public fields: DecodedFields | undefined,
    private payloadText: string | null,
    readonly kind: EventKind,
  ) {}

  get payload(): string {
    if (this.payloadText === null)
      throw new Error(`the payload of the ${this.name} event of line ${this.line} was not kept`);
    return this.payloadText;
  }

  set payload(text: string) {
    this.payloadText = text;
  }
}

/** The fields as eventFields.ts's parser gives them for the payload (the worker ran it). */
function fieldsOf(c: ParsedTextChunk, table: readonly string[], row: number, kind: FieldKind): DecodedFields {
  const e = c.events;
  const n1 = e[row + Col.N1];
  const n2 = e[row + Col.N2];
  switch (kind) {
    case FieldKind.SchedSwitch: {
      const prevComm = table[e[row + Col.S1]];
      const prevState = table[e[row + Col.S2]];
      const value = { prevComm, prevPid: n1, prevState, nextComm: table[e[row + Col.S3]], nextPid: n2 };
      return { kind: 'sched_switch', value };
    }
    case FieldKind.SchedWakeup:
      return { kind: 'sched_wakeup', value: { comm: table[e[row + Col.S1]], pid: n1, targetCpu: n2 } };
    case FieldKind.Msr: {
      const hexStart = e[row + Col.HexStart];
      const hexEnd = e[row + Col.HexEnd];
      const valueHex =
        hexStart < 0 ? null : c.text !== null ? c.text.slice(hexStart, hexEnd) : c.input!.text(hexStart, hexEnd);
      return { kind: 'msr', value: { write: n2 === 1, msr: n1 >>> 0, valueHex } };
    }
    case FieldKind.CpuIdle:
      return { kind: 'cpu_idle', value: { state: n1 >>> 0, cpu: n2 >>> 0 } };
    case FieldKind.IpiTarget:
      return { kind: 'ipi_targets', value: [n1] };
    default:
      return { kind: 'kvm_entry', vcpu: n2 === 1 ? n1 : null };
  }
}
