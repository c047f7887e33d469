// Chunks in, lines out: the only place text inputs are cut into lines. Never holds more than one line
// (plus one chunk) in memory, so a 1 GB file never sits in memory as one string.

/** Lines longer than this are cut (with a warning) so that one broken line cannot exhaust memory. */
export const MAX_LINE_CHARS = 1 << 20;

export interface LineHandler {
  (text: string, lineNo: number): void;
}

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private pending = '';
  private lineNo = 0;
  private overlong = false;
  /** Lines that were cut at MAX_LINE_CHARS, by line number. */
  readonly cutLines: number[] = [];

  constructor(private readonly onLine: LineHandler) {}

  get linesSeen(): number {
    return this.lineNo;
  }

  push(chunk: Uint8Array): void {
    this.pushText(this.decoder.decode(chunk, { stream: true }));
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
