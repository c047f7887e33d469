// A worker thread that reads and decompresses CPU streams of a trace.dat and walks their ring-buffer pages, handing
// each stream's events to the main thread in batches (eventBatch.ts), one batch per request, so that the main
// thread holds a bounded window per CPU. The main thread turns the events into records and merges them (parallel.ts).
import { promises as fsp } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { BatchBuilder, transferList, type EventBatch } from './eventBatch';
import { CpuStream, type RingProblem } from './ring';
import type { StreamSpec } from './sources';
import { makeTimestampConverter } from './timeshift';

export interface StreamWorkerData {
  path: string;
  size: number;
  /** The streams this worker reads, with their index in the reader's list. */
  streams: { index: number; spec: StreamSpec }[];
  eventsPerBatch: number;
}

/** Main → worker: send the next batch of this stream. */
export interface MoreRequest {
  more: number;
}

interface Walker {
  index: number;
  stream: CpuStream;
  toNs: (raw: number, cpu: number) => number;
  produced: number;
  problems: EventBatch['problems'];
  ended: boolean;
}

async function nextBatch(w: Walker, eventsPerBatch: number): Promise<EventBatch> {
  const builder = new BatchBuilder(eventsPerBatch);
  while (!w.ended && builder.count < eventsPerBatch) {
    if (!(await w.stream.nextEvent())) {
      w.ended = true;
      break;
    }
    builder.add(w.stream, w.toNs(w.stream.ts, w.stream.cpu));
    w.produced++;
  }
  const problems = w.problems;
  w.problems = [];
  return builder.finish(w.index, problems, w.stream.consumed, w.ended);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const data = workerData as StreamWorkerData;
  const file = await fsp.open(data.path, 'r');
  const walkers = new Map<number, Walker>();
  for (const { index, spec } of data.streams) {
    const toNs = makeTimestampConverter(spec.clock);
    const w: Walker = { index, stream: null!, toNs, produced: 0, problems: [], ended: false };
    const onProblem = (problem: RingProblem) => w.problems.push({ before: w.produced, problem });
    w.stream = new CpuStream(file, data.size, spec.cpu, spec.region, spec.layout, spec.compressed, onProblem);
    walkers.set(index, w);
  }
  // requests are served one at a time, in the order they came
  let queue = Promise.resolve();
  port.on('message', (m: MoreRequest) => {
    queue = queue.then(async () => {
      const batch = await nextBatch(walkers.get(m.more)!, data.eventsPerBatch);
      port.postMessage(batch, transferList(batch));
    });
  });
}

main().catch((e: unknown) => {
  throw e;
});
