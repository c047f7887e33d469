// Chunks in, lines out: the only place text inputs are cut into lines. Never holds more than one line
// (plus one chunk) in memory, so a 1 GB file never sits in memory as one string.

/** Lines longer than this are cut (with a warning) so that one broken line cannot exhaust memory. */
export const MAX_LINE_CHARS = 1 << 20;

export interface LineHandler {
  (text: string, lineNo: number): void;
}

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding a byte-order mark announces (Windows tools write UTF-16 with one); UTF-8 when there is none. */
export function encodingFromBom(bytes: Uint8Array): TextEncodingName {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

export class LineSplitter {
  /** Chosen from the first two bytes; the decoder drops the BOM itself. */
  private decoder: TextDecoder | null = null;
  /** A first chunk too short to tell a BOM from, kept until the next one. */
  private firstBytes: Uint8Array | null = null;
  /** The UTF-8 decoder has seen the start of the stream and holds no partial character. */
  private decoderIdle = false;
  private pending = '';
  private lineNo = 0;
  private overlong = false;
  /** Lines that were cut at MAX_LINE_CHARS, by line number. */
  readonly cutLines: number[] = [];

  /**
   * `asciiText` (optional) returns a chunk as a string when every byte is ASCII, else null: a one-byte string made
   * without the UTF-8 decoder, which is the costliest step for plain trace text (input.ts passes Buffer's isAscii
   * and a latin1 toString, ~2× faster than TextDecoder).
   */
  constructor(
    private readonly onLine: LineHandler,
    private readonly asciiText?: (chunk: Uint8Array) => string | null,
  ) {}

  get linesSeen(): number {
    return this.lineNo;
  }

  /** The text encoding in use (known after the first two bytes). */
  get encoding(): TextEncodingName | null {
    return (this.decoder?.encoding as TextEncodingName | undefined) ?? null;
  }

  push(chunk: Uint8Array): void {
    if (this.decoder === null) {
      const bytes = this.firstBytes ? concatBytes(this.firstBytes, chunk) : chunk;
      if (bytes.length < 2) {
        this.firstBytes = bytes;
        return;
      }
      this.firstBytes = null;
      this.decoder = new TextDecoder(encodingFromBom(bytes), { fatal: false });
      chunk = bytes;
    }
    if (this.decoderIdle && this.asciiText) {
      const text = this.asciiText(chunk);
      if (text !== null) return this.pushText(text);
    }
    this.pushText(this.decoder.decode(chunk, { stream: true }));
    // After the first chunk (BOM handled), a chunk ending in an ASCII byte leaves no partial character behind.
    this.decoderIdle = this.decoder.encoding === 'utf-8' && chunk.length > 0 && chunk[chunk.length - 1] < 0x80;
  }

  pushText(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.appendPending(text, start, nl);
      this.emit();
      start = nl + 1;
    }
    this.appendPending(text, start, text.length);
  }

  /** Flushes the last line when the input does not end with a newline. */
  end(): void {
    if (this.decoder === null) {
      this.decoder = new TextDecoder('utf-8', { fatal: false });
      if (this.firstBytes) this.pushText(this.decoder.decode(this.firstBytes, { stream: true }));
      this.firstBytes = null;
    }
    this.pushText(this.decoder.decode());
    if (this.pending.length > 0 || this.overlong) this.emit();
  }

  private appendPending(text: string, from: number, to: number): void {
    if (from >= to || this.overlong) return;
    const room = MAX_LINE_CHARS - this.pending.length;
    if (to - from > room) {
      this.pending += text.slice(from, from + room);
      this.overlong = true;
    } else {
      this.pending += from === 0 && to === text.length ? text : text.slice(from, to);
    }
  }

  private emit(): void {
    let line = this.pending;
    this.pending = '';
    this.lineNo++;
    if (this.overlong) {
      this.overlong = false;
      this.cutLines.push(this.lineNo);
    }
    if (line.endsWith('\r')) line = line.slice(0, -1);
    this.onLine(line, this.lineNo);
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
