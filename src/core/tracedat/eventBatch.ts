// A run of one CPU stream's events as a worker hands it to the main thread: columns in typed arrays and the events'
// bytes packed end to end, all transferred (not cloned), so a batch costs a few allocations, not one per event.
import type { RingProblem } from './ring';
import type { CpuStream } from './ring';

export interface EventBatch {
  /** Index of the stream in the reader's stream list. */
  stream: number;
  count: number;
  /** Per event: timestamp in ns (converted), where its bytes start in `bytes`, how many. */
  tsNs: Float64Array;
  start: Int32Array;
  length: Int32Array;
  bytes: Uint8Array;
  /** Events lost before an event: [index in batch, count (-1 unknown), 1 when trace-cmd shows it], flattened. */
  missed: number[];
  /** Ring problems met, each with the stream's event index it came before (the count of events before it). */
  problems: { before: number; problem: RingProblem }[];
  /** Bytes of the CPU's file region consumed after this batch. */
  consumed: number;
  /** No events follow this batch. */
  last: boolean;
}

/** The arrays a batch transfers. */
export function transferList(b: EventBatch): ArrayBuffer[] {
  return [b.tsNs.buffer, b.start.buffer, b.length.buffer, b.bytes.buffer] as ArrayBuffer[];
}

/** Collects up to `capacity` events of one stream, copying each event's bytes. */
export class BatchBuilder {
  private readonly tsNs: Float64Array;
  private readonly start: Int32Array;
  private readonly length: Int32Array;
  private bytes: Uint8Array;
  private used = 0;
  count = 0;
  readonly missed: number[] = [];

  constructor(readonly capacity: number) {
    this.tsNs = new Float64Array(capacity);
    this.start = new Int32Array(capacity);
    this.length = new Int32Array(capacity);
    this.bytes = new Uint8Array(capacity * 32);
  }

  /** Adds the stream's current event. */
  add(s: CpuStream, tsNs: number): void {
    const n = this.count++;
    const len = s.evLen;
    if (this.used + len > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + len));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(s.bytes.subarray(s.evStart, s.evStart + len), this.used);
    this.tsNs[n] = tsNs;
    this.start[n] = this.used;
    this.length[n] = len;
    this.used += len;
    if (s.missed !== 0) this.missed.push(n, s.missed, s.missedShownByTraceCmd ? 1 : 0);
  }

  /** The batch, its arrays cut to what was filled (copies, so that nothing unused is transferred). */
  finish(stream: number, problems: EventBatch['problems'], consumed: number, last: boolean): EventBatch {
    const n = this.count;
    return {
      stream,
      count: n,
      tsNs: this.tsNs.slice(0, n),
      start: this.start.slice(0, n),
      length: this.length.slice(0, n),
      bytes: this.bytes.slice(0, this.used),
      missed: this.missed,
      problems,
      consumed,
      last,
    };
  }
}
