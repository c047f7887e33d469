// trace.dat on every core: worker threads read, decompress and walk the CPU streams (streamWorker.ts); the reading
// thread (the main thread, or the reader thread of readerThread.ts) merges their batches in (timestamp, buffer, CPU)
// order and hands each event on with the same EventDecoder as the one-thread path, so the records — and the comm
// table, which the sched plugin fills in merge order — are the same. Each stream has at most BATCHES_AHEAD batches
// asked for and not yet used: memory stays bounded per CPU.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RecordSink } from '../records';
import { useThreads, workerScript } from '../workerScript';
import type { EventBatch } from './eventBatch';
import type { MoreRequest, StreamWorkerData } from './streamWorker';
import { mergeEvents, type EventEmitter } from './merge';
import { firstEvents, problemText, type EventCursor, type Source, type StreamSpec } from './sources';

const EVENTS_PER_BATCH = 4096;
const BATCHES_AHEAD = 2;
/** Below this much event data the worker's start and the batch copies cost more than it saves (README, Performance). */
export const PARALLEL_MIN_BYTES = 64 << 20;

const workerFile = () => workerScript(__dirname, 'tracedatWorker.js', 'streamWorker.ts');

/**
 * Whether to decode in workers: `forced` (an option) or KVM_TRACE_LENS_PARALLEL=on|off decide; otherwise only with
 * more than one core, enough data, a file path the workers can open, and the worker script present.
 */
export function useWorkers(
  forced: boolean | undefined,
  dataBytes: number,
  path: string | undefined,
  cores = availableParallelism(),
): boolean {
  return path !== undefined && useThreads(workerFile(), forced, dataBytes, PARALLEL_MIN_BYTES, cores);
}

/** The current event of a stream, from the batches its worker sent. */
class BatchCursor implements EventCursor {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(new ArrayBuffer(0));
  evStart = 0;
  evLen = 0;
  missed = 0;
  missedShownByTraceCmd = true;
  consumed = 0;
  /** The current event's timestamp, already in ns (the worker converted it). */
  ts = 0;
  failure: string | null = null;
  /** Asks the stream's worker for one more batch. */
  ask: () => void = () => undefined;
  /** The stream's event index of the current event. */
  private index = -1;
  private batch: EventBatch | null = null;
  private inBatch = -1;
  private missedAt = 0;
  private readonly ready: EventBatch[] = [];
  /** Ring problems of taken batches not yet said: each is said when the stream reaches the event it came before. */
  private problems: EventBatch['problems'] = [];
  private asked = 0;
  private waiting: (() => void) | null = null;
  private ended = false;

  constructor(
    readonly cpu: number,
    private readonly onProblem: (p: EventBatch['problems'][number]) => void,
  ) {}

  receive(b: EventBatch): void {
    this.asked--;
    this.ready.push(b);
    this.wake();
  }

  fail(message: string): void {
    this.failure ??= message;
    this.wake();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  private requestAhead(): void {
    const lastAsked = this.batch?.last || this.ready.some((b) => b.last);
    while (!lastAsked && this.failure === null && this.asked + this.ready.length < BATCHES_AHEAD) {
      this.asked++;
      this.ask();
    }
  }

  /** Moves to the next event: true when there is one (in the current batch: no waiting). */
  nextEvent(): boolean | Promise<boolean> {
    const b = this.batch;
    if (b !== null && this.inBatch + 1 < b.count) {
      this.at(b, this.inBatch + 1);
      return true;
    }
    return this.nextBatch();
  }

  private async nextBatch(): Promise<boolean> {
    for (;;) {
      if (this.batch?.last || this.ended) return this.finish();
      this.requestAhead();
      while (this.ready.length === 0 && this.failure === null) await new Promise<void>((r) => (this.waiting = r));
      const b = this.ready.shift();
      if (b === undefined) return this.finish();
      this.batch = b;
      this.missedAt = 0;
      this.consumed = b.consumed;
      this.bytes = b.bytes;
      this.view = new DataView(b.bytes.buffer, b.bytes.byteOffset, b.bytes.byteLength);
      if (b.problems.length > 0) this.problems.push(...b.problems);
      this.requestAhead();
      if (b.count > 0) {
        this.at(b, 0);
        return true;
      }
    }
  }

  private at(b: EventBatch, i: number): void {
    this.inBatch = i;
    this.index++;
    if (this.problems.length > 0) this.sayProblems(this.index);
    this.ts = b.tsNs[i];
    this.evStart = b.start[i];
    this.evLen = b.length[i];
    const m = b.missed;
    if (this.missedAt < m.length && m[this.missedAt] === i) {
      this.missed = m[this.missedAt + 1];
      this.missedShownByTraceCmd = m[this.missedAt + 2] === 1;
      this.missedAt += 3;
    } else this.missed = 0;
  }

  private sayProblems(upTo: number): void {
    while (this.problems.length > 0 && this.problems[0].before <= upTo) this.onProblem(this.problems.shift()!);
  }

  private finish(): false {
    this.ended = true;
    this.sayProblems(Infinity);
    return false;
  }
}

type BatchSource = Source<BatchCursor>;

/** Starts the workers: streams dealt to them by data size, largest first, so that each has a similar share. */
function startWorkers(path: string, size: number, specs: readonly StreamSpec[], cursors: BatchCursor[]): Worker[] {
  const script = workerFile()!;
  const count = Math.max(1, Math.min(availableParallelism() - 1, specs.length));
  const shares = Array.from({ length: count }, () => ({ bytes: 0, streams: [] as StreamWorkerData['streams'] }));
  const bySize = specs.map((spec, index) => ({ index, spec })).sort((a, b) => b.spec.region.size - a.spec.region.size);
  for (const s of bySize) {
    const least = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    least.bytes += s.spec.region.size;
    least.streams.push(s);
  }
  return shares.map((share) => {
    const workerData: StreamWorkerData = { path, size, streams: share.streams, eventsPerBatch: EVENTS_PER_BATCH };
    const w = new Worker(script.code, { workerData, eval: script.eval });
    w.on('message', (b: EventBatch) => cursors[b.stream].receive(b));
    const failAll = (why: string) => {
      for (const s of share.streams) cursors[s.index].fail(why);
    };
    w.on('error', (e) => failAll(`decoding worker failed: ${e.message}`));
    w.on('exit', (code) => failAll(`decoding worker exited (code ${code})`));
    for (const s of share.streams) cursors[s.index].ask = () => w.postMessage({ more: s.index } satisfies MoreRequest);
    return w;
  });
}

export interface ParallelResult {
  emitted: number;
  cancelled: boolean;
  fatalProblems: number;
}

/** Reads the streams in workers and hands every event to the sink in timestamp order. Never throws for content. */
export async function readInWorkers(
  path: string,
  size: number,
  specs: readonly StreamSpec[],
  emit: EventEmitter,
  sink: RecordSink,
  progress: (consumed: number, force: boolean) => void,
  signal: AbortSignal | undefined,
): Promise<ParallelResult> {
  let fatalProblems = 0;
  const cursors: BatchCursor[] = [];
  const sources: BatchSource[] = specs.map((spec) => {
    const cursor = new BatchCursor(spec.cpu, ({ problem }) => {
      if (problem.fatal) fatalProblems++;
      sink.warn(null, problemText(spec.instance, problem));
    });
    cursors.push(cursor);
    return { stream: cursor, order: spec.order, instance: spec.instance, toNs: (ns) => ns, tsNs: 0 };
  });
  const workers = startWorkers(path, size, specs, cursors);
  const consumed = () => cursors.reduce((a, c) => a + c.consumed, 0);
  try {
    const afterWait = (src: BatchSource) => {
      reportFailure(src, sink);
      progress(consumed(), false);
    };
    const heap = await firstEvents(sources, (src) => reportFailure(src, sink));
    const result = await mergeEvents(heap, emit, sink, afterWait, signal);
    if (!result.cancelled) progress(consumed(), true);
    return { ...result, fatalProblems };
  } finally {
    for (const w of workers) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

function reportFailure(src: BatchSource, sink: RecordSink): void {
  const why = src.stream.failure;
  if (why === null) return;
  src.stream.failure = null;
  sink.warn(null, problemText(src.instance, { cpu: src.stream.cpu, offset: 0, message: why, fatal: true }));
}
