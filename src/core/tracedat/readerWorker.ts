// A worker thread that reads a whole trace.dat — pages, decompression, field decoding, the merge in timestamp order —
// and hands the events to the model's thread in columns (eventColumns.ts), so that reading and the model each have
// a core (readerThread.ts). At most `ahead` batches are unread at any time: the worker waits for the reader's credit.
import { parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { EventPacker, type ColumnSlot, type EventColumns, type EventName } from '../eventColumns';
import { CompetingWorkCollector, CompetingWorkFeed } from '../model/competingWork';
import { EventKind, eventKind, KindsById } from '../model/eventKinds';
import type { CompetingWorkHandover } from '../model/traceModel';
import type { InputRecord, RecordSink, TraceEvent } from '../records';
import { readTraceDat } from './index';

export interface ReaderWorkerData {
  path: string;
  name: string;
  instance: string | undefined;
  fastFields: boolean;
  eventsPerBatch: number;
  /** Shared memory the batches' numbers travel in, slot after slot. */
  slots: ColumnSlot[];
  /** Free slots (Int32 [0]): the worker takes one before filling it; the reader gives it back when done with it. */
  credit: SharedArrayBuffer;
  /** The model's competing-work collector to go on with here, on every event read (null: none). */
  competingWork: CompetingWorkHandover['start'] | null;
}

/** Worker → reader: a batch, with the progress reached after it (null when none was reported). */
export interface ReaderBatch {
  columns: EventColumns;
  progress: { done: number; total: number } | null;
  /** The file is read: nothing follows. */
  last: boolean;
  /** With the last batch: the competing-work collector, fed every event of the file. */
  competingWork?: CompetingWorkCollector;
}

function main(): Promise<void> {
  const port = parentPort!;
  const data = workerData as ReaderWorkerData;
  const credit = new Int32Array(data.credit);
  const packer = new EventPacker(data.eventsPerBatch, data.slots);
  let progress: ReaderBatch['progress'] = null;
  let sentProgress = false;
  const takeSlot = () => {
    while (Atomics.load(credit, 0) <= 0) Atomics.wait(credit, 0, 0);
    Atomics.sub(credit, 0, 1);
  };
  const feed = competingWorkFeed(data.competingWork);
  const kinds = new KindsById();
  const send = (last: boolean) => {
    const msg: ReaderBatch = { columns: packer.take(), progress, last };
    if (last && feed) msg.competingWork = feed.collector;
    progress = null;
    port.postMessage(msg);
    if (!last) takeSlot(); // the slot the packer turned to
  };
  takeSlot();
  // stay until the reader ends this thread: an exit of its own could reach the reader before the last batch does
  port.on('message', () => undefined);
  const sink: RecordSink = {
    record: (r: InputRecord) => {
      throw new Error(`a ${r.type} record where events are packed`);
    },
    warn: (line, message) => packer.note(false, line, message),
    fail: (line, message) => packer.note(true, line, message),
  };
  const onProgress = (done: number, total: number) => {
    progress = { done, total };
    // the first report (metadata read) goes at once: the reader shows progress before any batch fills
    if (!sentProgress) {
      sentProgress = true;
      send(false);
    }
  };
  // With two cores this worker and the model's thread fill them; with more, the CPU streams get workers of their own.
  const parallel = availableParallelism() > 2 ? undefined : false;
  const packed = () => {
    if (packer.full) send(false);
  };
  const options = {
    instance: data.instance,
    fastFields: data.fastFields,
    onProgress,
    parallel,
    columns: {
      packer,
      packed,
      onPacked: feed
        ? (ev: TraceEvent, type: EventName) => feed.add(ev, kinds.kindOf(type.id ?? -1, type.name))
        : undefined,
      payloadUnread: (name: string) => payloadUnread(eventKind(name)),
    },
  };
  return readTraceDat(data.path, sink, options, data.name).then(() => send(true));
}

/**
 * The model reads no payload of an IPI handler's event or of a guest event it does not know (it counts their names):
 * printing them is work saved. Reading one would throw (eventColumns.ts), which the equivalence tests would show.
 */
const payloadUnread = (kind: EventKind) => kind === EventKind.ipiHandler || kind === EventKind.otherGuest;

function competingWorkFeed(start: ReaderWorkerData['competingWork']): CompetingWorkFeed | null {
  return start && new CompetingWorkFeed(CompetingWorkCollector.revive(start.collector), start.guestBuffer);
}

main().catch((e: unknown) => {
  throw e;
});
