// The one merge of a trace.dat's CPU streams, for both ways of reading them (this thread: CpuStream; worker threads:
// their batches, parallel.ts): the event with the smallest (timestamp, buffer, CPU) goes to the decoder next, as
// trace-cmd report orders them, and the events the ring buffer lost before it are warned first.
import type { RecordSink } from '../records';
import type { EventDecoder } from './decode';
import { warnMissed, type EventCursor, type Source, type SourceHeap } from './sources';

const ABORT_CHECK_EVERY = 4096;

export interface MergeResult {
  emitted: number;
  cancelled: boolean;
}

/**
 * Hands every event to the sink in timestamp order; stops early when the signal aborts. `afterWait` runs after a
 * stream had to wait for its next events (progress, a worker's failure).
 */
export async function mergeEvents<S extends Source<EventCursor>>(
  heap: SourceHeap<S>,
  decoder: EventDecoder,
  sink: RecordSink,
  afterWait: (src: S) => void,
  signal: AbortSignal | undefined,
): Promise<MergeResult> {
  let emitted = 0;
  while (heap.items.length > 0) {
    const src = heap.items[0];
    warnMissed(src, sink);
    const ev = decoder.decode(src);
    if (ev) {
      sink.record(ev);
      emitted++;
    }
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
