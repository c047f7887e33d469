// The one capped-warnings helper every reader uses: a warning kind is reported once, at the end, with how many
// lines it hit and the first line numbers — never once per line, never silently dropped.
import type { RecordSink } from '../records';

/** Line numbers kept per kind, to name where to look. */
const FIRST_LINES_KEPT = 5;

interface Kind {
  message: string;
  count: number;
  firstLines: number[];
}

export class Warnings {
  private readonly kinds = new Map<string, Kind>();

  constructor(private readonly sink: RecordSink) {}

  /**
   * Notes one occurrence of a kind of problem. `kind` groups occurrences; `message` (of the first occurrence) says
   * what happened, e.g. kind "wrapped" → "lines wrapped by a mail client were joined".
   */
  note(kind: string, line: number | null, message: string): void {
    let k = this.kinds.get(kind);
    if (!k) this.kinds.set(kind, (k = { message, count: 0, firstLines: [] }));
    k.count++;
    if (line !== null && k.firstLines.length < FIRST_LINES_KEPT) k.firstLines.push(line);
  }

  /** How many times a kind was noted (0 if never). */
  count(kind: string): number {
    return this.kinds.get(kind)?.count ?? 0;
  }

  /** Reports every kind once: "message (N lines; first at lines a, b, c)". Call from the reader's end(). */
  flush(): void {
    for (const k of this.kinds.values()) {
      const where =
        k.firstLines.length > 0
          ? `; first at line${k.firstLines.length > 1 ? 's' : ''} ${k.firstLines.join(', ')}`
          : '';
      const times =
        k.count > 1 ? ` (${k.count.toLocaleString('en-US')} lines${where})` : where ? ` (${where.slice(2)})` : '';
      this.sink.warn(k.firstLines[0] ?? null, `${k.message}${times}`);
    }
    this.kinds.clear();
  }
}
