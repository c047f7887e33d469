// The per-CPU event streams of a trace.dat and their merge: every CPU of every buffer instance is one source, and
// a heap hands out the next event in (timestamp, buffer, CPU) order, as trace-cmd report's
// tracecmd_iterate_events_multi does. Each source holds one batch of pages, so memory is bounded per CPU.
import type { RandomAccess } from '../byteSource';
import type { RecordSink } from '../records';
import type { BufferInfo, CpuData, TraceDatHeader } from './header';
import { CpuStream, type RingLayout, type RingProblem } from './ring';
import { makeTimestampConverter, type TimestampConversion } from './timeshift';

/** What the decoder reads of a CPU's current event: a CpuStream here, a batch from a worker (parallel.ts). */
export interface EventCursor {
  readonly cpu: number;
  /** The current event's timestamp as the stream holds it (the source's toNs converts it). */
  ts: number;
  /** Moves to the next event: true / false at once when known, else a promise (a batch must come first). */
  nextEvent(): boolean | Promise<boolean>;
  bytes: Uint8Array;
  view: DataView;
  evStart: number;
  evLen: number;
  /** Events lost before the current event: 0 none, >0 count, -1 unknown count. */
  missed: number;
  missedShownByTraceCmd: boolean;
  /** Bytes of this CPU's file region consumed so far (for progress). */
  consumed: number;
}

/** One CPU of one buffer instance, with its current event's timestamp already converted to ns. */
export interface Source<Stream extends EventCursor = CpuStream> {
  stream: Stream;
  /** Position of the buffer in the file (top first): trace-cmd breaks timestamp ties by handle, then CPU. */
  order: number;
  /** Instance name, undefined for the top instance. */
  instance: string | undefined;
  toNs: (raw: number, cpu: number) => number;
  tsNs: number;
}

/** Orders sources by (timestamp, buffer, CPU). */
export class SourceHeap<S extends Source<EventCursor> = Source> {
  readonly items: S[] = [];
  private less(a: S, b: S): boolean {
    if (a.tsNs !== b.tsNs) return a.tsNs < b.tsNs;
    return a.order < b.order || (a.order === b.order && a.stream.cpu < b.stream.cpu);
  }
  push(s: S): void {
    const it = this.items;
    it.push(s);
    let i = it.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(it[i], it[p])) break;
      [it[i], it[p]] = [it[p], it[i]];
      i = p;
    }
  }
  /** Restores order after the top's timestamp grew. */
  siftTop(): void {
    const it = this.items;
    const n = it.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(it[l], it[m])) m = l;
      if (r < n && this.less(it[r], it[m])) m = r;
      if (m === i) return;
      [it[i], it[m]] = [it[m], it[i]];
      i = m;
    }
  }
  popTop(): void {
    const it = this.items;
    const last = it.pop()!;
    if (it.length > 0) {
      it[0] = last;
      this.siftTop();
    }
  }
}

export interface OpenedSources {
  sources: Source[];
  /** Bytes of event data over all CPUs (the rest of the file is metadata, counted as read up front). */
  dataBytes: number;
  /** Problems after which a CPU's stream stopped. */
  fatalProblems(): number;
}

/** One CPU stream of one buffer, as plain data (a worker receives it by structured clone). */
export interface StreamSpec {
  cpu: number;
  region: CpuData;
  layout: RingLayout;
  compressed: boolean;
  /** timestamp_calc: host/guest TIME_SHIFT correction, TSC → ns when the file says how, then DATE/OFFSET. */
  clock: TimestampConversion;
  /** Position of the buffer in the file (top first). */
  order: number;
  /** Instance name, undefined for the top instance. */
  instance: string | undefined;
}

/** The streams to read: every CPU with data of every buffer, in (buffer, CPU) file order. */
export function streamSpecs(h: TraceDatHeader, buffers: readonly BufferInfo[]): StreamSpec[] {
  const le = !h.bigEndian;
  return buffers.flatMap((buffer, order) => {
    const layout = { le, pageSize: buffer.pageSize || h.pageSize, commitSize: h.pageHeader.commitSize };
    const clock = { timeShift: buffer.timeShift, tsc2nsec: h.tsc2nsec, tsOffset: h.tsOffset + buffer.extraTsOffset };
    const instance = buffer.name === '' ? undefined : buffer.name;
    return buffer.cpus
      .filter((c) => c.size > 0)
      .map((region) => ({ cpu: region.cpu, region, layout, compressed: buffer.compressed, clock, order, instance }));
  });
}

/** How a ring problem is warned: naming the instance (when not the top one) and the CPU. */
export function problemText(instance: string | undefined, p: RingProblem): string {
  return `${instance === undefined ? '' : `instance "${instance}" `}CPU ${p.cpu}: ${p.message}`;
}

/**
 * One source per CPU with data, of every buffer to read; ring problems are warned, naming instance and CPU.
 * `reuseBatches`: see CpuStream.
 */
export function openSources(
  data: RandomAccess,
  size: number,
  h: TraceDatHeader,
  buffers: readonly BufferInfo[],
  sink: RecordSink,
  reuseBatches = false,
): OpenedSources {
  let fatal = 0;
  const sources: Source[] = [];
  let dataBytes = 0;
  const converters = new Map<TimestampConversion, (raw: number, cpu: number) => number>();
  for (const spec of streamSpecs(h, buffers)) {
    const onProblem = (p: RingProblem) => {
      if (p.fatal) fatal++;
      sink.warn(null, problemText(spec.instance, p));
    };
    let toNs = converters.get(spec.clock);
    if (!toNs) converters.set(spec.clock, (toNs = makeTimestampConverter(spec.clock)));
    dataBytes += spec.region.size;
    const { cpu, region, layout, compressed } = spec;
    const stream = new CpuStream(data, size, cpu, region, layout, compressed, onProblem, reuseBatches);
    sources.push({ stream, order: spec.order, instance: spec.instance, toNs, tsNs: 0 });
  }
  return { sources, dataBytes, fatalProblems: () => fatal };
}

/** Loads each source's first event and puts the sources that have one on a heap; `afterWait` after each. */
export async function firstEvents<S extends Source<EventCursor>>(
  sources: readonly S[],
  afterWait: (src: S) => void = () => undefined,
): Promise<SourceHeap<S>> {
  const heap = new SourceHeap<S>();
  for (const src of sources) {
    if (await src.stream.nextEvent()) {
      src.tsNs = src.toNs(src.stream.ts, src.stream.cpu);
      heap.push(src);
    }
    afterWait(src);
  }
  return heap;
}

/** Tells the sink about events the ring buffer lost before the source's current event, once. */
export function warnMissed(src: Source<EventCursor>, sink: RecordSink): void {
  const s = src.stream;
  if (s.missed === 0) return;
  const what = s.missed > 0 ? `${s.missed} EVENTS DROPPED` : 'EVENTS DROPPED';
  // trace-cmd report puts the instance name in front, as on the instance's event lines
  const label = src.instance === undefined ? '' : `${src.instance}: `;
  sink.warn(
    null,
    s.missedShownByTraceCmd
      ? `${label}CPU:${s.cpu} [${what}]`
      : `${label}CPU:${s.cpu} [${what}] (the ring buffer flagged lost events that trace-cmd report does not print)`,
  );
  s.missed = 0;
}
