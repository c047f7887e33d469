// trace.dat read in one worker thread (readerWorker.ts) while this thread runs the model on the events it sends:
// reading (pages, decompression, decoding, the merge) and the model each get a core. The events, warnings and their
// order are those of reading on this thread; an event's decoded fields travel, its payload does not (eventColumns.ts).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { EventUnpacker, newColumnSlots } from '../eventColumns';
import type { RandomAccess } from '../byteSource';
import { CompetingWorkCollector } from '../model/competingWork';
import type { CompetingWorkHandover } from '../model/traceModel';
import type { RecordSink } from '../records';
import { firstProgress } from './index';
import { useThreads, workerScript } from '../workerScript';
import type { ReaderBatch, ReaderWorkerData } from './readerWorker';

const EVENTS_PER_BATCH = 8192;
/** Slots of shared memory for batches: the worker fills one while this thread reads the others. */
const SLOTS = 4;
/** Below this file size the worker's start and its own warm-up cost more than the overlap saves (README). */
export const READER_THREAD_MIN_BYTES = 64 << 20;

const workerFile = () => workerScript(__dirname, 'tracedatReaderWorker.js', 'readerWorker.ts');

/** `forced` (an option) or KVM_TRACE_LENS_PARALLEL=on|off decide; else more than one core and a large enough file. */
export function useReaderThread(
  forced: boolean | undefined,
  fileBytes: number,
  cores = availableParallelism(),
): boolean {
  return useThreads(workerFile(), forced, fileBytes, READER_THREAD_MIN_BYTES, cores);
}

export interface ReaderThreadOptions {
  instance?: string;
  /** The file opened here too: its header is read here first, so progress is reported as early as on one thread. */
  opened?: { access: RandomAccess; size: number };
  fastFields?: boolean;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /**
   * The model's competing-work collector, fed in the reading thread (a share of the model's work moved to that
   * core) and handed back with the last batch. A read that fails or is cancelled before its end hands none back: the
   * collector misses that file then (the failure or the cancel is said).
   */
  competingWork?: CompetingWorkHandover;
  /** The sink keeps no event beyond its `record` call: the same event objects are refilled (eventColumns.ts). */
  lendEvents?: boolean;
}

/** Reads the trace.dat at `path` in a worker thread, handing its events to the sink here. Never throws. */
export async function readTraceDatInThread(
  path: string,
  name: string,
  sink: RecordSink,
  options: ReaderThreadOptions = {},
): Promise<void> {
  const script = workerFile()!;
  const credit = new SharedArrayBuffer(4);
  new Int32Array(credit)[0] = SLOTS;
  const slots = newColumnSlots(SLOTS, EVENTS_PER_BATCH);
  const workerData: ReaderWorkerData = {
    path,
    name,
    instance: options.instance,
    fastFields: options.fastFields ?? true,
    eventsPerBatch: EVENTS_PER_BATCH,
    slots,
    credit,
    competingWork: options.competingWork?.start ?? null,
  };
  // the header first (its progress report as early as on one thread), then the worker, which reads it again
  const first =
    options.opened && options.onProgress
      ? await firstProgress(options.opened.access, options.opened.size, options.instance)
      : null;
  if (first) options.onProgress!(first.done, first.total);
  const worker = new Worker(script.code, { workerData, eval: script.eval });
  // the worker's first report (its metadata read) repeats the one made here
  let repeat = first !== null;
  const unpacker = new EventUnpacker(slots, options.competingWork !== undefined, options.lendEvents);
  let events = 0;
  const signal = options.signal;
  const onEvent = (ev: Parameters<RecordSink['record']>[0]) => {
    if (signal?.aborted) return; // the rest of a batch taken before the stop
    events++;
    sink.record(ev);
  };
  const onNote = (n: { fail: boolean; line: number | null; message: string }) =>
    n.fail ? sink.fail(n.line, n.message) : sink.warn(n.line, n.message);
  try {
    await new Promise<void>((resolve) => {
      const abort = () => {
        sink.warn(null, `cancelled after ${events} events`);
        resolve();
      };
      if (options.signal?.aborted) return abort();
      options.signal?.addEventListener('abort', abort, { once: true });
      worker.on('message', (b: ReaderBatch) => {
        if (options.signal?.aborted) return;
        unpacker.unpack(b.columns, onEvent, onNote);
        if (b.progress && repeat) repeat = false;
        else if (b.progress) options.onProgress?.(b.progress.done, b.progress.total);
        const c = new Int32Array(credit);
        Atomics.add(c, 0, 1);
        Atomics.notify(c, 0);
        if (b.competingWork) options.competingWork?.adopt(CompetingWorkCollector.revive(b.competingWork));
        if (b.last) resolve();
      });
      worker.on('error', (e) => {
        sink.fail(null, `${name}: the trace.dat reading thread failed: ${e.message}`);
        resolve();
      });
      worker.on('exit', (code) => {
        sink.fail(null, `${name}: the trace.dat reading thread stopped (exit code ${code})`);
        resolve();
      });
    });
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
  }
}
