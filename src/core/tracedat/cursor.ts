// Sequential reading of trace.dat metadata, either from the file (through a small read-ahead window, never the
// whole file) or from an in-memory block (a decompressed v7 section). Every error names the byte offset.
import type { RandomAccess } from '../byteSource';

/** A damaged or unsupported trace.dat; `offset` is the file byte offset where the problem was found. */
export class TraceDatError extends Error {
  constructor(
    message: string,
    readonly offset: number | null,
  ) {
    super(message);
  }
}

const WINDOW = 64 * 1024;
const TWO_32 = 0x1_0000_0000;

export class Cursor {
  private data: Buffer = Buffer.alloc(0);
  /** Position (in this cursor's coordinates) of data[0]. */
  private dataStart = 0;
  pos: number;

  private constructor(
    private readonly fh: RandomAccess | null,
    readonly end: number,
    public le: boolean,
    /** For a memory cursor: the file offset of the section it came from, for messages. */
    private readonly sectionOffset: number | null,
    start: number,
  ) {
    this.pos = start;
  }

  static file(fh: RandomAccess, size: number, start: number, le = true): Cursor {
    return new Cursor(fh, size, le, null, start);
  }

  static memory(buf: Buffer, le: boolean, sectionOffset: number): Cursor {
    const c = new Cursor(null, buf.length, le, sectionOffset, 0);
    c.data = buf;
    return c;
  }

  /** Where `pos` is, in words a user can act on. */
  where(pos = this.pos): string {
    return this.sectionOffset === null
      ? `byte offset ${pos}`
      : `byte ${pos} of the decompressed section at byte offset ${this.sectionOffset}`;
  }

  /** The file offset an error at `pos` should carry. */
  fileOffset(pos = this.pos): number {
    return this.sectionOffset ?? pos;
  }

  fail(message: string, pos = this.pos): never {
    throw new TraceDatError(`${message} at ${this.where(pos)}`, this.fileOffset(pos));
  }

  async need(n: number, what: string): Promise<void> {
    if (this.pos + n <= this.dataStart + this.data.length && this.pos >= this.dataStart) return;
    if (this.pos + n > this.end) {
      this.fail(`truncated: ${what} needs ${n} bytes but the ${this.fh ? 'file' : 'section'} ends at ${this.end}`);
    }
    if (!this.fh) this.fail(`internal: read outside section`);
    const len = Math.min(Math.max(n, WINDOW), this.end - this.pos);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await this.fh.read(buf, 0, len, this.pos);
    if (bytesRead < n) this.fail(`truncated: ${what} needs ${n} bytes, only ${bytesRead} could be read`);
    this.data = buf.subarray(0, bytesRead);
    this.dataStart = this.pos;
  }

  private at(): number {
    return this.pos - this.dataStart;
  }

  async u8(what = 'a byte'): Promise<number> {
    await this.need(1, what);
    const v = this.data[this.at()];
    this.pos += 1;
    return v;
  }

  async u16(what = 'a 16-bit number'): Promise<number> {
    await this.need(2, what);
    const i = this.at();
    const v = this.le ? this.data.readUInt16LE(i) : this.data.readUInt16BE(i);
    this.pos += 2;
    return v;
  }

  async u32(what = 'a 32-bit number'): Promise<number> {
    await this.need(4, what);
    const i = this.at();
    const v = this.le ? this.data.readUInt32LE(i) : this.data.readUInt32BE(i);
    this.pos += 4;
    return v;
  }

  /** A 64-bit number as a JS number (exact below 2^53, which covers offsets and sizes). */
  async u64(what = 'a 64-bit number'): Promise<number> {
    await this.need(8, what);
    const i = this.at();
    const lo = this.le ? this.data.readUInt32LE(i) : this.data.readUInt32BE(i + 4);
    const hi = this.le ? this.data.readUInt32LE(i + 4) : this.data.readUInt32BE(i);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  async bytes(n: number, what: string): Promise<Buffer> {
    if (n < 0 || this.pos + n > this.end) {
      this.fail(`truncated: ${what} claims ${n} bytes but the ${this.fh ? 'file' : 'section'} ends at ${this.end}`);
    }
    if (!this.fh || n <= WINDOW) {
      await this.need(n, what);
      const i = this.at();
      this.pos += n;
      return Buffer.from(this.data.subarray(i, i + n));
    }
    const buf = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.fh.read(buf, 0, n, this.pos);
    if (bytesRead < n) this.fail(`truncated: ${what} needs ${n} bytes, only ${bytesRead} could be read`);
    this.pos += n;
    return buf;
  }

  /** A NUL-terminated string (at most `max` bytes). */
  async cstr(what: string, max = 4096): Promise<string> {
    const start = this.pos;
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      await this.need(1, what);
      const i = this.at();
      const nul = this.data.indexOf(0, i);
      if (nul >= 0) {
        parts.push(this.data.subarray(i, nul));
        total += nul - i;
        this.pos += nul - i + 1;
        break;
      }
      parts.push(Buffer.from(this.data.subarray(i)));
      total += this.data.length - i;
      this.pos += this.data.length - i;
      if (total > max) this.fail(`${what}: no string terminator within ${max} bytes`, start);
    }
    if (total > max) this.fail(`${what}: no string terminator within ${max} bytes`, start);
    return Buffer.concat(parts).toString('latin1');
  }

  skip(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      this.fail(`truncated: ${what} claims ${n} bytes but the ${this.fh ? 'file' : 'section'} ends at ${this.end}`);
    }
    this.pos += n;
  }
}
