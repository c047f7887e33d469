// One CPU's ring-buffer pages, read a batch of pages (or one zstd chunk) at a time, decoded as libtraceevent's
// kbuffer-parse.c does: page header (timestamp, commit word with the missed-events flags), then 32-bit event
// headers (type_len:5, time_delta:27) with padding, time-extend and absolute-timestamp records.
import type { RandomAccess } from '../byteSource';
import { decompressZstd } from './header';
import type { CpuData } from './header';

const TYPE_PADDING = 29;
const TYPE_TIME_EXTEND = 30;
const TYPE_TIME_STAMP = 31;
const COMMIT_MASK = (1 << 27) - 1;
const MISSING_EVENTS = 0x80000000;
const MISSING_STORED = 0x40000000;
const TS_SHIFT_MUL = 2 ** 27;
/** Pages read from the file at once for uncompressed data. */
const BATCH_PAGES = 64;
/** Bad pages tolerated on one CPU before it is given up. */
const MAX_BAD_PAGES = 20;

export interface RingLayout {
  le: boolean;
  pageSize: number;
  /** Size of the commit word (the kernel's long): 4 or 8. */
  commitSize: number;
}

export interface RingProblem {
  cpu: number;
  offset: number;
  message: string;
  /** true: nothing more is read from this CPU. */
  fatal: boolean;
}

export class CpuStream {
  // current batch
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  private batchFileOffset = 0;
  private batchLen = 0;
  private pageInBatch = -1;

  // current page
  private pageStart = 0; // index in bytes of the page
  private dataStart = 0; // index in bytes of the first event header
  private dataEnd = 0;
  private next = 0; // index in bytes of the next event header
  private pageTs = 0;

  // current event (valid when `ready`)
  ts = 0;
  /** index in `bytes` of the event payload and its length */
  evStart = 0;
  evLen = 0;
  /** Events lost before this event: 0 none, >0 count, -1 unknown count. */
  missed = 0;
  /** trace-cmd prints the drop only when the page's first record is an event; false when it hides it. */
  missedShownByTraceCmd = true;
  done = false;

  // source position
  private fileNext: number; // uncompressed: next file offset to read; compressed: next chunk header
  private readonly fileEnd: number;
  private chunksLeft = -1;
  private badPages = 0;
  /** Bytes of this CPU's file region consumed so far (for progress). */
  consumed = 0;
  private pendingMissed = 0;
  private pendingMissedShown = true;
  /** The buffer of the batch read last, read into again when `reuseBatches`. */
  private lastBuffer: Buffer | null = null;

  /**
   * `reuseBatches`: each batch of pages is read into the buffer of the one before (no allocation, less garbage):
   * only for a consumer that keeps nothing of an event's bytes once it moves to the next one (packing columns).
   */
  constructor(
    private readonly fh: RandomAccess,
    private readonly fileSize: number,
    readonly cpu: number,
    private readonly region: CpuData,
    private readonly layout: RingLayout,
    private readonly compressed: boolean,
    private readonly problem: (p: RingProblem) => void,
    private readonly reuseBatches = false,
  ) {
    this.fileNext = region.offset;
    this.fileEnd = region.offset + region.size;
  }

  /** Moves to the next event. Returns false when a new batch must be loaded first (call `load()`), or when done. */
  advance(): boolean {
    for (;;) {
      if (this.pageInBatch < 0 || this.next >= this.dataEnd) {
        if (!this.nextPageInBatch()) return false;
        continue;
      }
      if (this.readRecord()) return true;
    }
  }

  /** Moves to the next event, loading batches as needed: the answer at once when the loaded ones tell, else later. */
  nextEvent(): boolean | Promise<boolean> {
    if (this.advance()) return true;
    return this.done ? false : this.loadUntilEvent();
  }

  private async loadUntilEvent(): Promise<boolean> {
    do {
      await this.load();
      if (this.advance()) return true;
    } while (!this.done);
    return false;
  }

  /** Reads the next batch of pages; sets `done` at the end of the data. */
  async load(): Promise<void> {
    if (this.done) return;
    try {
      if (this.compressed) await this.loadChunk();
      else await this.loadPages();
    } catch (e) {
      this.problem({ cpu: this.cpu, offset: this.fileNext, message: (e as Error).message, fatal: true });
      this.done = true;
    }
  }

  private async loadPages(): Promise<void> {
    const ps = this.layout.pageSize;
    const limit = Math.min(this.fileEnd, this.fileSize);
    if (this.fileNext >= this.fileEnd) {
      this.done = true;
      return;
    }
    if (this.fileNext >= limit) {
      this.problem({
        cpu: this.cpu,
        offset: this.fileNext,
        message:
          `file truncated: CPU ${this.cpu} data should run to byte offset ${this.fileEnd} but the file ` +
          `ends at ${this.fileSize}`,
        fatal: true,
      });
      this.done = true;
      return;
    }
    const want = Math.min(BATCH_PAGES * ps, this.fileEnd - this.fileNext);
    const len = Math.ceil(want / ps) * ps;
    const buf = this.batchBuffer(len); // every byte is read, or zeroed below
    const canRead = Math.min(want, limit - this.fileNext);
    const { bytesRead } = await this.fh.read(buf, 0, canRead, this.fileNext);
    buf.fill(0, bytesRead); // a short last page of the CPU's region reads as empty space
    if (bytesRead < want) {
      // the file ends inside this CPU's data: keep the whole pages before the cut
      const whole = Math.floor(bytesRead / ps) * ps;
      this.problem({
        cpu: this.cpu,
        offset: this.fileNext + bytesRead,
        message:
          `file truncated at byte offset ${this.fileNext + bytesRead}: CPU ${this.cpu} data should run to ` +
          `byte offset ${this.fileEnd}; events after the cut are lost`,
        fatal: true,
      });
      this.setBatch(buf, this.fileNext, whole);
      this.fileNext = this.fileEnd;
      this.consumed = this.region.size;
      return;
    }
    this.setBatch(buf, this.fileNext, len);
    this.fileNext += want;
    this.consumed += want;
  }

  private batchBuffer(len: number): Buffer {
    const last = this.lastBuffer;
    if (this.reuseBatches && last !== null && last.length === len) return last;
    return (this.lastBuffer = Buffer.allocUnsafe(len));
  }

  private async loadChunk(): Promise<void> {
    const le = this.layout.le;
    const hdr = Buffer.alloc(8);
    if (this.chunksLeft < 0) {
      const { bytesRead } = await this.fh.read(hdr, 0, 4, this.fileNext);
      if (bytesRead < 4)
        throw new Error(`truncated: no chunk count for CPU ${this.cpu} at byte offset ${this.fileNext}`);
      this.chunksLeft = le ? hdr.readUInt32LE(0) : hdr.readUInt32BE(0);
      this.fileNext += 4;
    }
    if (this.chunksLeft === 0) {
      this.done = true;
      return;
    }
    const at = this.fileNext;
    const { bytesRead } = await this.fh.read(hdr, 0, 8, at);
    if (bytesRead < 8) throw new Error(`truncated: chunk header of CPU ${this.cpu} at byte offset ${at} is cut off`);
    const zsize = le ? hdr.readUInt32LE(0) : hdr.readUInt32BE(0);
    const size = le ? hdr.readUInt32LE(4) : hdr.readUInt32BE(4);
    if (at + 8 + zsize > this.fileSize) {
      throw new Error(
        `file truncated: compressed chunk of CPU ${this.cpu} at byte offset ${at} needs ${zsize} bytes past the ` +
          `end of the file`,
      );
    }
    if (size > 256 * 1024 * 1024 || size % this.layout.pageSize !== 0) {
      throw new Error(
        `bad chunk header at byte offset ${at}: ${size} uncompressed bytes is not a whole number of pages`,
      );
    }
    const z = Buffer.allocUnsafe(zsize);
    await this.fh.read(z, 0, zsize, at + 8);
    const plain = decompressZstd(z, size, `the chunk of CPU ${this.cpu} at byte offset ${at}`, at);
    this.fileNext = at + 8 + zsize;
    this.consumed = this.fileNext - this.region.offset;
    this.chunksLeft--;
    this.setBatch(plain, at, plain.length);
  }

  private setBatch(buf: Uint8Array, fileOffset: number, validLen: number): void {
    this.bytes = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.batchFileOffset = fileOffset;
    this.batchLen = Math.floor(validLen / this.layout.pageSize) * this.layout.pageSize;
    this.pageInBatch = -1;
    this.next = this.dataEnd = 0;
  }

  /** Where a page starts in the file (compressed: where its chunk starts). */
  private pageFileOffset(): number {
    return this.compressed ? this.batchFileOffset : this.batchFileOffset + this.pageStart;
  }

  private nextPageInBatch(): boolean {
    const ps = this.layout.pageSize;
    const le = this.layout.le;
    for (;;) {
      this.pageInBatch++;
      const start = this.pageInBatch * ps;
      if (start >= this.batchLen || start + 8 + this.layout.commitSize > this.batchLen) {
        this.pageInBatch = -1;
        this.batchLen = 0;
        return false;
      }
      this.pageStart = start;
      const v = this.view;
      this.pageTs = v.getUint32(start + (le ? 4 : 0), le) * 0x1_0000_0000 + v.getUint32(start + (le ? 0 : 4), le);
      // the flags live in the low 32 bits of the commit word, whatever its size
      const commitLow =
        this.layout.commitSize === 8 ? v.getUint32(start + 8 + (le ? 0 : 4), le) : v.getUint32(start + 8, le);
      const size = commitLow & COMMIT_MASK;
      this.dataStart = start + 8 + this.layout.commitSize;
      const avail = Math.min(ps, this.batchLen - start) - 8 - this.layout.commitSize;
      if (size > avail) {
        this.badPage(
          `page at byte offset ${this.pageFileOffset()} claims ${size} bytes of data but a page holds ` +
            `${ps - 8 - this.layout.commitSize}`,
        );
        if (this.done) return false;
        continue;
      }
      this.dataEnd = this.dataStart + size;
      this.next = this.dataStart;
      if ((commitLow & MISSING_EVENTS) !== 0) {
        let lost = -1;
        if ((commitLow & MISSING_STORED) !== 0 && this.dataEnd + this.layout.commitSize <= start + ps) {
          lost =
            this.layout.commitSize === 8 ? Number(v.getBigUint64(this.dataEnd, le)) : v.getUint32(this.dataEnd, le);
        }
        this.pendingMissed = lost;
        this.pendingMissedShown = true;
      } else this.pendingMissed = 0;
      this.ts = this.pageTs;
      return true;
    }
  }

  private badPage(message: string): void {
    this.badPages++;
    const fatal = this.badPages >= MAX_BAD_PAGES;
    this.problem({
      cpu: this.cpu,
      offset: this.pageFileOffset(),
      message: fatal ? `${message}; ${MAX_BAD_PAGES} bad pages, giving up CPU ${this.cpu}` : `${message}; page skipped`,
      fatal,
    });
    if (fatal) this.done = true;
  }

  /** Decodes the record at `next`; true when it is an event (now current). */
  private readRecord(): boolean {
    const v = this.view;
    const le = this.layout.le;
    const p = this.next;
    if (p + 4 > this.dataEnd) {
      this.next = this.dataEnd;
      return false;
    }
    const h = v.getUint32(p, le);
    const typeLen = le ? h & 31 : h >>> 27;
    const delta = le ? h >>> 5 : h & 0x7ffffff;
    switch (typeLen) {
      case TYPE_PADDING: {
        const len = p + 8 <= this.dataEnd ? v.getUint32(p + 4, le) : 0;
        this.ts += delta;
        this.next = len === 0 ? this.dataEnd : p + 4 + len;
        this.pendingMissedShown = false;
        return false;
      }
      case TYPE_TIME_EXTEND:
      case TYPE_TIME_STAMP: {
        if (p + 8 > this.dataEnd) {
          this.next = this.dataEnd;
          return false;
        }
        const ext = v.getUint32(p + 4, le) * TS_SHIFT_MUL + delta;
        this.ts = typeLen === TYPE_TIME_STAMP ? ext : this.ts + ext;
        this.next = p + 8;
        // kbuffer reports missed events only when the page's first record is an event
        this.pendingMissedShown = false;
        return false;
      }
      case 0: {
        if (p + 8 > this.dataEnd) {
          this.next = this.dataEnd;
          return false;
        }
        let len = v.getUint32(p + 4, le) - 4;
        len = (len + 3) & ~3;
        this.ts += delta;
        this.evStart = p + 8;
        this.evLen = len;
        this.next = p + 8 + len;
        break;
      }
      default:
        this.ts += delta;
        this.evStart = p + 4;
        this.evLen = typeLen * 4;
        this.next = p + 4 + typeLen * 4;
    }
    if (this.evLen < 0 || this.next > this.dataEnd) {
      this.badPage(
        `event record at byte offset ${this.pageFileOffset() + (p - this.pageStart)} runs past its page's data`,
      );
      this.next = this.dataEnd;
      return false;
    }
    if (this.pendingMissed !== 0) {
      this.missed = this.pendingMissed;
      this.missedShownByTraceCmd = this.pendingMissedShown;
      this.pendingMissed = 0;
    } else this.missed = 0;
    return true;
  }
}
