// The one merge of a trace.dat's CPU streams, for both ways of reading them (this thread: CpuStream; worker threads:
// their batches, parallel.ts): the event with the smallest (timestamp, buffer, CPU) is handed on next (decoded into a
// record, or packed into columns: decode.ts), as trace-cmd report orders them, and the events the ring buffer lost
// before it are warned first.
import type { RecordSink } from '../records';
import { warnMissed, type EventCursor, type Source, type SourceHeap } from './sources';

/** Hands on the source's current event; false when it could not be decoded (its id has no format). */
export type EventEmitter = (src: Source<EventCursor>) => boolean;

const ABORT_CHECK_EVERY = 4096;

export interface MergeResult {
  emitted: number;
  cancelled: boolean;
}

/**
 * Hands every event on in timestamp order, warnings to the sink; stops early when the signal aborts. `afterWait` runs
 * after a stream had to wait for its next events (progress, a worker's failure).
 */
export async function mergeEvents<S extends Source<EventCursor>>(
  heap: SourceHeap<S>,
  emit: EventEmitter,
  sink: RecordSink,
  afterWait: (src: S) => void,
  signal: AbortSignal | undefined,
): Promise<MergeResult> {
  let emitted = 0;
  while (heap.items.length > 0) {
    const src = heap.items[0];
    warnMissed(src, sink);
    if (emit(src)) emitted++;
    if ((emitted & (ABORT_CHECK_EVERY - 1)) === 0 && signal?.aborted) return { emitted, cancelled: true };
    let more = src.stream.nextEvent();
    if (more !== true && more !== false) {
      more = await more;
      afterWait(src);
      if (signal?.aborted) return { emitted, cancelled: true };
    }
    if (more) {
      src.tsNs = src.toNs(src.stream.ts, src.stream.cpu);
      heap.siftTop();
    } else heap.popTop();
  }
  return { emitted, cancelled: false };
}
