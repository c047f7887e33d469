// The trace.dat metadata: initial header, header page/event, event formats, kallsyms, printk formats, cmdlines,
// options and the per-CPU buffer table, for file versions 6 (one sequential header) and 7 (sections found
// through option chains, optionally zstd-compressed). Layout per trace-cmd's trace-cmd.dat.v6(5) / .v7(5) and
// lib/trace-cmd/trace-input.c.
import type { RandomAccess } from '../byteSource';
import { decompress } from 'fzstd';
import { Cursor, TraceDatError } from './cursor';
import { parseHeaderPage, peekNameAndId, type PageHeaderLayout } from './format';

export const OPT = {
  DONE: 0,
  DATE: 1,
  CPUSTAT: 2,
  BUFFER: 3,
  TRACECLOCK: 4,
  UNAME: 5,
  HOOK: 6,
  OFFSET: 7,
  CPUCOUNT: 8,
  VERSION: 9,
  PROCMAPS: 10,
  TRACEID: 11,
  TIME_SHIFT: 12,
  GUEST: 13,
  TSC2NSEC: 14,
  STRINGS: 15,
  HEADER_INFO: 16,
  FTRACE_EVENTS: 17,
  EVENT_FORMATS: 18,
  KALLSYMS: 19,
  PRINTK: 20,
  CMDLINES: 21,
  BUFFER_TEXT: 22,
} as const;

const SEC_FL_COMPRESS = 1;
/** Metadata blocks larger than this are refused (a corrupt size field, not a real kallsyms). */
const MAX_META_BLOCK = 512 * 1024 * 1024;

export interface CpuData {
  cpu: number;
  offset: number;
  size: number;
}

export interface BufferInfo {
  /** "" for the top instance. */
  name: string;
  clock: string | null;
  pageSize: number;
  cpus: CpuData[];
  /** v7: the flyrecord data is stored as compressed chunks. */
  compressed: boolean;
  latency: boolean;
  /** v6 instances: ns added by DATE/OFFSET options in the instance's own options block (on top of the file's). */
  extraTsOffset: bigint;
  /** Host/guest clock correction for this buffer (trace-cmd applies TIME_SHIFT to the top instance only). */
  timeShift: TimeShift | null;
}

/** One TIME_SHIFT sample, as trace-cmd's struct ts_offset_sample (all long long). */
export interface TimeShiftSample {
  time: bigint;
  offset: bigint;
  scaling: bigint;
  fraction: bigint;
}

/** The TIME_SHIFT option of a guest file of a host-guest (`trace-cmd record -A`) session. */
export interface TimeShift {
  peerTraceId: bigint;
  /** Protocol flags; bit 0 = TRACECMD_TSYNC_FLAG_INTERPOLATE. */
  flags: number;
  /** Per guest CPU: samples sorted by time, equal times dropped (as tsync_cpu_offsets_load does). */
  cpus: TimeShiftSample[][];
}

export interface FormatSource {
  system: string;
  text: string;
}

export interface TraceDatHeader {
  version: number;
  bigEndian: boolean;
  longSize: number;
  pageSize: number;
  compression: string | null;
  pageHeader: PageHeaderLayout;
  /** event id → raw format text; compiled only when an event of that id is met. */
  formats: Map<number, FormatSource>;
  kallsyms: Buffer | null;
  printk: Buffer | null;
  cmdlines: Map<number, string>;
  cpuCount: number;
  buffers: BufferInfo[];
  traceClock: string | null;
  /** Nanoseconds added to every timestamp (DATE / OFFSET options). */
  tsOffset: bigint;
  tsc2nsec: { mult: number; shift: number; offset: bigint } | null;
  hasTimeShift: boolean;
  /** The file's TIME_SHIFT option when it could be parsed (applies to the top instance). */
  timeShift: TimeShift | null;
  /** Non-fatal problems met while reading the metadata. */
  notes: string[];
}

function decompressZstd(data: Uint8Array, expected: number, where: string, offset: number): Buffer {
  let out: Uint8Array;
  try {
    // no preallocated output: fzstd 0.1 compares that buffer with `== 1`, turning it into a huge string per call
    out = decompress(data);
  } catch (e) {
    throw new TraceDatError(`zstd data is corrupt (${(e as Error).message}) at ${where}`, offset);
  }
  if (expected > 0 && out.length !== expected) {
    throw new TraceDatError(
      `zstd block decompressed to ${out.length} bytes, expected ${expected}, at ${where}`,
      offset,
    );
  }
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

export { decompressZstd };

function parseCmdlines(text: string, into: Map<number, string>): void {
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (m && !into.has(Number(m[1]))) into.set(Number(m[1]), m[2]);
  }
}

function parseTraceClock(text: string): string | null {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1] : null;
}

/** Parses a C integer as strtoll(…, 0) does: "0x…" hex, leading 0 octal, else decimal; stops at the first non-digit. */
function strtoll(text: string): bigint {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(text);
  if (!m) return 0n;
  const body = m[2];
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

class HeaderReader {
  private readonly c: Cursor;
  private le = true;
  readonly h: TraceDatHeader;
  private useTraceClock = false;
  private readonly sections = new Map<number, number>();
  private readonly bufferOffsetsV6: { name: string; offset: number }[] = [];
  private compression: string | null = null;

  constructor(
    private readonly fh: RandomAccess,
    private readonly size: number,
  ) {
    this.c = Cursor.file(fh, size, 0);
    this.h = {
      version: 0,
      bigEndian: false,
      longSize: 8,
      pageSize: 4096,
      compression: null,
      pageHeader: { commitSize: 8, dataOffset: 16, timestampSize: 8 },
      formats: new Map(),
      kallsyms: null,
      printk: null,
      cmdlines: new Map(),
      cpuCount: 0,
      buffers: [],
      traceClock: null,
      tsOffset: 0n,
      tsc2nsec: null,
      hasTimeShift: false,
      timeShift: null,
      notes: [],
    };
  }

  async read(): Promise<TraceDatHeader> {
    const c = this.c;
    const magic = await c.bytes(10, 'the magic');
    if (magic[0] !== 0x17 || magic[1] !== 0x08 || magic[2] !== 0x44 || magic.toString('latin1', 3, 10) !== 'tracing') {
      throw new TraceDatError('not a trace.dat file: bad magic (expected \\x17\\x08\\x44tracing) at byte offset 0', 0);
    }
    const versionPos = c.pos;
    const version = await c.cstr('the version string', 16);
    const ver = Number.parseInt(version, 10);
    if (!(ver === 6 || ver === 7)) {
      throw new TraceDatError(
        `unsupported trace.dat version "${version}" at byte offset ${versionPos} (6 and 7 are read)`,
        versionPos,
      );
    }
    this.h.version = ver;
    const endian = await c.u8('the endianness flag');
    this.h.bigEndian = endian === 1;
    this.le = !this.h.bigEndian;
    c.le = this.le;
    this.h.longSize = await c.u8('the long size');
    if (this.h.longSize !== 4 && this.h.longSize !== 8) c.fail(`bad long size ${this.h.longSize}`, c.pos - 1);
    this.h.pageSize = await c.u32('the page size');
    if (this.h.pageSize < 256 || this.h.pageSize > 1 << 24 || (this.h.pageSize & (this.h.pageSize - 1)) !== 0) {
      c.fail(`implausible page size ${this.h.pageSize}`, c.pos - 4);
    }
    this.h.pageHeader = { commitSize: this.h.longSize, dataOffset: 8 + this.h.longSize, timestampSize: 8 };
    if (ver >= 7) await this.readV7();
    else await this.readV6();
    const top = this.h.buffers.find((b) => b.name === '' && !b.latency);
    if (top && this.h.timeShift) top.timeShift = this.h.timeShift;
    return this.h;
  }

  // ---- pieces shared by v6 (inline) and v7 (inside sections)

  private async readHeaderFiles(c: Cursor): Promise<void> {
    const tag = await c.bytes(12, 'the header_page tag');
    if (tag.toString('latin1') !== 'header_page\0') c.fail('expected "header_page"', c.pos - 12);
    const pageSize = await c.u64('the header_page size');
    const pageText = (await c.bytes(pageSize, 'the header_page text')).toString('latin1');
    this.h.pageHeader = parseHeaderPage(pageText, this.h.longSize);
    const tag2 = await c.bytes(13, 'the header_event tag');
    if (tag2.toString('latin1') !== 'header_event\0') c.fail('expected "header_event"', c.pos - 13);
    const evSize = await c.u64('the header_event size');
    c.skip(evSize, 'the header_event text');
  }

  private async readFtraceFiles(c: Cursor): Promise<void> {
    const count = await c.u32('the ftrace format count');
    if (count > 100000) c.fail(`implausible ftrace format count ${count}`, c.pos - 4);
    for (let i = 0; i < count; i++) await this.readOneFormat(c, 'ftrace');
  }

  private async readEventFiles(c: Cursor): Promise<void> {
    const systems = await c.u32('the event system count');
    if (systems > 100000) c.fail(`implausible event system count ${systems}`, c.pos - 4);
    for (let s = 0; s < systems; s++) {
      const system = await c.cstr('an event system name', 1024);
      const count = await c.u32(`the event count of system ${system}`);
      if (count > 1000000) c.fail(`implausible event count ${count} for system ${system}`, c.pos - 4);
      for (let i = 0; i < count; i++) await this.readOneFormat(c, system);
    }
  }

  private async readOneFormat(c: Cursor, system: string): Promise<void> {
    const size = await c.u64(`the size of a ${system} event format`);
    if (size > 16 * 1024 * 1024) c.fail(`implausible event format size ${size}`, c.pos - 8);
    const text = (await c.bytes(size, `a ${system} event format`)).toString('latin1');
    const head = peekNameAndId(text);
    if (head) this.h.formats.set(head.id, { system, text });
  }

  private async readSized(c: Cursor, width: 4 | 8, what: string): Promise<Buffer> {
    const size = width === 4 ? await c.u32(`the ${what} size`) : await c.u64(`the ${what} size`);
    if (size > MAX_META_BLOCK) c.fail(`implausible ${what} size ${size}`, c.pos - width);
    return c.bytes(size, what);
  }

  private async readKallsyms(c: Cursor): Promise<void> {
    const b = await this.readSized(c, 4, 'kallsyms');
    this.h.kallsyms = b.length > 0 ? b : null;
  }

  private async readPrintk(c: Cursor): Promise<void> {
    const b = await this.readSized(c, 4, 'printk formats');
    this.h.printk = b.length > 0 ? b : null;
  }

  private async readCmdlines(c: Cursor): Promise<void> {
    const b = await this.readSized(c, 8, 'saved cmdlines');
    parseCmdlines(b.toString('latin1'), this.h.cmdlines);
  }

  // ---- options (v6: a plain list ended by id 0; v7: a section whose DONE option links to the next one)

  private async readOptions(c: Cursor, sectioned: boolean): Promise<number> {
    for (;;) {
      const optPos = c.pos;
      const id = await c.u16('an option id');
      if (!sectioned && id === OPT.DONE) return 0;
      const size = await c.u32('an option size');
      if (size > MAX_META_BLOCK) c.fail(`implausible size ${size} of option ${id}`, optPos);
      const data = await c.bytes(size, `option ${id}`);
      if (id === OPT.DONE) {
        if (size < 8) c.fail('DONE option shorter than 8 bytes', optPos);
        return this.num(data, 0, 8);
      }
      this.handleOption(id, data, optPos, c);
    }
  }

  private num(b: Buffer, at: number, width: 2 | 4 | 8): number {
    if (width === 2) return this.le ? b.readUInt16LE(at) : b.readUInt16BE(at);
    if (width === 4) return this.le ? b.readUInt32LE(at) : b.readUInt32BE(at);
    const lo = this.le ? b.readUInt32LE(at) : b.readUInt32BE(at + 4);
    const hi = this.le ? b.readUInt32LE(at + 4) : b.readUInt32BE(at);
    return hi * 0x1_0000_0000 + lo;
  }

  private handleOption(id: number, data: Buffer, optPos: number, c: Cursor): void {
    const str = () => {
      const nul = data.indexOf(0);
      return data.toString('latin1', 0, nul >= 0 ? nul : data.length);
    };
    switch (id) {
      case OPT.DATE:
        this.addTsOffset(strtoll(str()) * 1000n);
        break;
      case OPT.OFFSET:
        this.addTsOffset(strtoll(str()));
        break;
      case OPT.TRACECLOCK:
        this.h.traceClock = parseTraceClock(str()) ?? this.h.traceClock;
        this.useTraceClock = true;
        break;
      case OPT.CPUCOUNT:
        if (data.length >= 4) this.h.cpuCount = this.num(data, 0, 4);
        break;
      case OPT.TIME_SHIFT: {
        // trace-input.c handle_options: ignored when shorter than 16 bytes
        if (data.length < 16) break;
        this.h.hasTimeShift = true;
        const shift = parseTimeShift(data, this.le);
        if (typeof shift === 'string')
          this.h.notes.push(
            `TIME_SHIFT option at byte offset ${optPos}: ${shift}; guest timestamps are not synchronised to the host`,
          );
        else if (this.instanceOptions) this.instanceOptions.timeShift = shift;
        else this.h.timeShift = shift;
        break;
      }
      case OPT.TSC2NSEC:
        if (data.length >= 16) {
          const lo = this.le ? data.readBigUInt64LE(8) : data.readBigUInt64BE(8);
          this.h.tsc2nsec = { mult: this.num(data, 0, 4), shift: this.num(data, 4, 4), offset: lo };
        }
        break;
      case OPT.BUFFER:
      case OPT.BUFFER_TEXT:
        this.handleBuffer(id, data, optPos, c);
        break;
      case OPT.HEADER_INFO:
      case OPT.FTRACE_EVENTS:
      case OPT.EVENT_FORMATS:
      case OPT.KALLSYMS:
      case OPT.PRINTK:
      case OPT.CMDLINES:
        if (data.length >= 8) this.sections.set(id, this.num(data, 0, 8));
        break;
      default:
        break;
    }
  }

  /** Set while a v6 instance's own options block is read: its DATE/OFFSET/TIME_SHIFT belong to that instance. */
  private instanceOptions: { tsOffset: bigint; timeShift: TimeShift | null } | null = null;

  private addTsOffset(ns: bigint): void {
    if (this.instanceOptions) this.instanceOptions.tsOffset += ns;
    else this.h.tsOffset += ns;
  }

  private handleBuffer(id: number, data: Buffer, optPos: number, c: Cursor): void {
    const bad = (why: string): never => c.fail(`BUFFER option: ${why}`, optPos);
    if (data.length < 9) bad('too short');
    const offset = this.num(data, 0, 8);
    let p = 8;
    const readStr = (): string => {
      const nul = data.indexOf(0, p);
      if (nul < 0) bad('unterminated string');
      const s = data.toString('latin1', p, nul);
      p = nul + 1;
      return s;
    };
    const name = readStr();
    if (this.h.version < 7) {
      this.bufferOffsetsV6.push({ name, offset });
      return;
    }
    const clock = readStr();
    if (id === OPT.BUFFER_TEXT) {
      this.h.buffers.push({
        name,
        clock,
        pageSize: this.h.pageSize,
        cpus: [],
        compressed: false,
        latency: true,
        extraTsOffset: 0n,
        timeShift: null,
      });
      this.v7BufferSections.push(offset);
      return;
    }
    if (p + 8 > data.length) bad('too short for page size and CPU count');
    const pageSize = this.num(data, p, 4);
    const count = this.num(data, p + 4, 4);
    p += 8;
    if (p + count * 20 > data.length) bad(`too short for ${count} CPUs`);
    const cpus: CpuData[] = [];
    for (let i = 0; i < count; i++) {
      cpus.push({ cpu: this.num(data, p, 4), offset: this.num(data, p + 4, 8), size: this.num(data, p + 12, 8) });
      p += 20;
    }
    this.h.buffers.push({
      name,
      clock,
      pageSize,
      cpus,
      compressed: false,
      latency: false,
      extraTsOffset: 0n,
      timeShift: null,
    });
    this.v7BufferSections.push(offset);
  }

  private readonly v7BufferSections: number[] = [];

  // ---- v6

  private async readV6(): Promise<void> {
    const c = this.c;
    await this.readHeaderFiles(c);
    await this.readFtraceFiles(c);
    await this.readEventFiles(c);
    await this.readKallsyms(c);
    await this.readPrintk(c);
    await this.readCmdlines(c);
    this.h.cpuCount = await c.u32('the CPU count');
    if (this.h.cpuCount > 65536) c.fail(`implausible CPU count ${this.h.cpuCount}`, c.pos - 4);
    const cpus = this.h.cpuCount;
    const top = await this.readV6DataTable(c, cpus, '');
    this.h.buffers.push(top);
    for (const b of this.bufferOffsetsV6) {
      try {
        const sub = Cursor.file(this.fh, this.size, b.offset, this.le);
        this.h.buffers.push(await this.readV6DataTable(sub, cpus, b.name));
      } catch (e) {
        this.h.notes.push(`instance "${b.name}" cannot be read: ${(e as Error).message}`);
      }
    }
  }

  private async readV6DataTable(c: Cursor, cpus: number, name: string): Promise<BufferInfo> {
    let tagPos = c.pos;
    let tag = (await c.bytes(10, 'the options/flyrecord tag')).toString('latin1');
    const own = { tsOffset: 0n, timeShift: null as TimeShift | null };
    if (tag.startsWith('options')) {
      // an instance's options add to what it inherits from the file (tracecmd_buffer_instance_handle)
      this.instanceOptions = name === '' ? null : own;
      try {
        await this.readOptions(c, false);
      } finally {
        this.instanceOptions = null;
      }
      tagPos = c.pos;
      tag = (await c.bytes(10, 'the flyrecord tag')).toString('latin1');
    }
    if (tag.startsWith('latency')) {
      return {
        name,
        clock: null,
        pageSize: this.h.pageSize,
        cpus: [],
        compressed: false,
        latency: true,
        extraTsOffset: 0n,
        timeShift: null,
      };
    }
    if (!tag.startsWith('flyrecord')) c.fail(`expected "flyrecord" or "latency", found ${JSON.stringify(tag)}`, tagPos);
    const list: CpuData[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) {
      const offset = await c.u64(`the data offset of CPU ${cpu}`);
      const size = await c.u64(`the data size of CPU ${cpu}`);
      list.push({ cpu, offset, size });
    }
    if (this.useTraceClock && name === '') {
      try {
        const b = await this.readSized(c, 8, 'trace_clock');
        this.h.traceClock = parseTraceClock(b.toString('latin1')) ?? this.h.traceClock;
      } catch {
        this.h.notes.push('trace_clock text after the CPU table is unreadable; assuming the local clock');
      }
    }
    return {
      name,
      clock: this.h.traceClock,
      pageSize: this.h.pageSize,
      cpus: list,
      compressed: false,
      latency: false,
      extraTsOffset: own.tsOffset,
      // the top instance gets the file's TIME_SHIFT after all options are read (see read())
      timeShift: own.timeShift,
    };
  }

  // ---- v7

  private async readV7(): Promise<void> {
    const c = this.c;
    this.compression = await c.cstr('the compression name', 64);
    await c.cstr('the compression version', 64);
    if (this.compression === 'none') this.compression = null;
    else if (this.compression !== 'zstd') {
      c.fail(`unsupported compression "${this.compression}" (none and zstd are read)`);
    }
    this.h.compression = this.compression;
    let next = await c.u64('the first options offset');
    const seen = new Set<number>();
    while (next !== 0) {
      if (seen.has(next)) c.fail(`options sections loop back to offset ${next}`);
      seen.add(next);
      next = await this.readOptionsSection(next);
    }
    // metadata sections in a fixed order: header info first, it gives the page layout
    const order = [OPT.HEADER_INFO, OPT.FTRACE_EVENTS, OPT.EVENT_FORMATS, OPT.KALLSYMS, OPT.PRINTK, OPT.CMDLINES];
    for (const id of order) {
      const off = this.sections.get(id);
      if (off === undefined) {
        if (id === OPT.HEADER_INFO || id === OPT.EVENT_FORMATS) {
          throw new TraceDatError(
            `the file has no ${id === OPT.HEADER_INFO ? 'HEADER_INFO' : 'EVENT_FORMATS'} section`,
            null,
          );
        }
        continue;
      }
      const sc = await this.openSection(off, id);
      switch (id) {
        case OPT.HEADER_INFO:
          await this.readHeaderFiles(sc);
          break;
        case OPT.FTRACE_EVENTS:
          await this.readFtraceFiles(sc);
          break;
        case OPT.EVENT_FORMATS:
          await this.readEventFiles(sc);
          break;
        case OPT.KALLSYMS:
          await this.readKallsyms(sc);
          break;
        case OPT.PRINTK:
          await this.readPrintk(sc);
          break;
        case OPT.CMDLINES:
          await this.readCmdlines(sc);
          break;
      }
    }
    for (let i = 0; i < this.h.buffers.length; i++) {
      const b = this.h.buffers[i];
      const off = this.v7BufferSections[i];
      const sc = Cursor.file(this.fh, this.size, off, this.le);
      const id = await sc.u16('a buffer section id');
      const flags = await sc.u16('a buffer section flags');
      if (id !== OPT.BUFFER && id !== OPT.BUFFER_TEXT) sc.fail(`expected a BUFFER section (id 3), found id ${id}`, off);
      b.compressed = (flags & SEC_FL_COMPRESS) !== 0;
      if (b.compressed && !this.compression) sc.fail('compressed buffer section in a file without compression', off);
    }
    // top instance first
    this.h.buffers.sort((a, b) => (a.name === '' ? -1 : b.name === '' ? 1 : 0));
    if (this.h.cpuCount === 0) this.h.cpuCount = this.h.buffers[0]?.cpus.length ?? 0;
  }

  /** Reads one options section; returns the offset of the next one (0 = none). */
  private async readOptionsSection(offset: number): Promise<number> {
    const sc = await this.openSection(offset, OPT.DONE);
    return this.readOptions(sc, true);
  }

  /** Positions at a section's content, decompressing it when flagged. */
  private async openSection(offset: number, expectId: number): Promise<Cursor> {
    if (offset <= 0 || offset >= this.size) {
      throw new TraceDatError(
        `section ${expectId} at byte offset ${offset} is outside the file (size ${this.size}): the file is ` +
          `truncated or the offset is corrupt`,
        offset,
      );
    }
    const c = Cursor.file(this.fh, this.size, offset, this.le);
    const id = await c.u16('a section id');
    const flags = await c.u16('a section flags');
    await c.u32('a section description');
    const size = await c.u64('a section size');
    if (id !== expectId) c.fail(`expected section id ${expectId}, found ${id}`, offset);
    if (c.pos + size > this.size)
      c.fail(`section of ${size} bytes runs past the end of the file (${this.size})`, offset);
    if ((flags & SEC_FL_COMPRESS) === 0) return c;
    if (!this.compression) c.fail('compressed section in a file without compression', offset);
    const csize = await c.u32('a compressed block size');
    const usize = await c.u32('an uncompressed block size');
    if (usize > MAX_META_BLOCK) c.fail(`implausible uncompressed size ${usize}`, offset);
    const data = await c.bytes(csize, 'a compressed block');
    const plain = decompressZstd(data, usize, `the section at byte offset ${offset}`, offset);
    return Cursor.memory(plain, this.le, offset);
  }
}

/**
 * Parses TIME_SHIFT option data as trace-input.c does (handle_options + tsync_cpu_offsets_load): peer trace id (8),
 * flags (4), CPU count (4), per CPU { count (4), times[count], offsets[count], scalings[count] } (8 bytes each),
 * then, when bytes remain, per CPU fractions[count]. Samples are sorted by time and equal times dropped.
 * Returns a reason when the data is malformed (trace-cmd then refuses the file; we keep raw timestamps).
 */
export function parseTimeShift(data: Uint8Array, le: boolean): TimeShift | string {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = 0;
  const need = (n: number, what: string): string | null => (p + n > data.length ? `truncated in ${what}` : null);
  const i64 = (): bigint => {
    const v = view.getBigInt64(p, le);
    p += 8;
    return v;
  };
  const u32 = (): number => {
    const v = view.getUint32(p, le);
    p += 4;
    return v;
  };
  let err = need(16, 'the header');
  if (err) return err;
  const peerTraceId = view.getBigUint64(0, le);
  p = 8;
  const flags = u32();
  const cpuCount = u32();
  if (cpuCount > 65536) return `implausible CPU count ${cpuCount}`;
  const cpus: TimeShiftSample[][] = [];
  for (let c = 0; c < cpuCount; c++) {
    if ((err = need(4, `the sample count of CPU ${c}`))) return err;
    const count = u32();
    if ((err = need(count * 24, `the samples of CPU ${c}`))) return err;
    const samples: TimeShiftSample[] = [];
    for (let k = 0; k < count; k++) samples.push({ time: 0n, offset: 0n, scaling: 0n, fraction: 0n });
    for (const s of samples) s.time = i64();
    for (const s of samples) s.offset = i64();
    for (const s of samples) s.scaling = i64();
    cpus.push(samples);
  }
  if (p < data.length) {
    for (let c = 0; c < cpuCount; c++) {
      if ((err = need(cpus[c].length * 8, `the scaling fractions of CPU ${c}`))) return err;
      for (const s of cpus[c]) s.fraction = i64();
    }
  }
  for (let c = 0; c < cpuCount; c++) {
    const sorted = cpus[c].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    cpus[c] = sorted.filter((s, k) => k === 0 || s.time !== sorted[k - 1].time);
  }
  return { peerTraceId, flags, cpus };
}

export async function readTraceDatHeader(fh: RandomAccess, size: number): Promise<TraceDatHeader> {
  return new HeaderReader(fh, size).read();
}
