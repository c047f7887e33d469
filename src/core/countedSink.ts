// The one count of records: the sink input.ts gives a reader counts every record the input yields, and a reader
// that must know whether it has yielded any asks that sink instead of keeping a counter of its own. A sink that
// does not count (a one-line parse, a test) is wrapped in one that does.
import type { InputRecord, RecordSink } from './records';

/** Marks a sink whose `records` is the count of records given to it. */
export const COUNTS_RECORDS = Symbol('counts records');

export interface CountedSink extends RecordSink {
  readonly records: number;
  readonly [COUNTS_RECORDS]: true;
}

class ForwardingCounter implements CountedSink {
  records = 0;
  readonly [COUNTS_RECORDS] = true as const;
  constructor(private readonly to: RecordSink) {}
  record(r: InputRecord): void {
    this.records++;
    this.to.record(r);
  }
  warn(line: number | null, message: string): void {
    this.to.warn(line, message);
  }
  fail(line: number | null, message: string): void {
    this.to.fail(line, message);
  }
}

/** The sink itself when it counts its records, else a counting sink that forwards to it. */
export function counted(sink: RecordSink): CountedSink {
  return (sink as Partial<CountedSink>)[COUNTS_RECORDS] === true ? (sink as CountedSink) : new ForwardingCounter(sink);
}
