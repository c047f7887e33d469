// The per-CPU event streams of a trace.dat and their merge: every CPU of every buffer instance is one source, and
// a heap hands out the next event in (timestamp, buffer, CPU) order, as trace-cmd report's
// tracecmd_iterate_events_multi does. Each source holds one batch of pages, so memory is bounded per CPU.
import type { RandomAccess } from '../byteSource';
import type { RecordSink } from '../records';
import type { BufferInfo, TraceDatHeader } from './header';
import { CpuStream, type RingProblem } from './ring';
import { makeTimestampConverter } from './timeshift';

/** One CPU of one buffer instance, with its current event's timestamp already converted to ns. */
export interface Source {
  stream: CpuStream;
  /** Position of the buffer in the file (top first): trace-cmd breaks timestamp ties by handle, then CPU. */
  order: number;
  /** Instance name, undefined for the top instance. */
  instance: string | undefined;
  toNs: (raw: number, cpu: number) => number;
  tsNs: number;
}

/** Orders sources by (timestamp, buffer, CPU). */
export class SourceHeap {
  readonly items: Source[] = [];
  private less(a: Source, b: Source): boolean {
    if (a.tsNs !== b.tsNs) return a.tsNs < b.tsNs;
    return a.order < b.order || (a.order === b.order && a.stream.cpu < b.stream.cpu);
  }
  push(s: Source): void {
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

/** One source per CPU with data, of every buffer to read; ring problems are warned, naming instance and CPU. */
export function openSources(
  data: RandomAccess,
  size: number,
  h: TraceDatHeader,
  buffers: readonly BufferInfo[],
  sink: RecordSink,
): OpenedSources {
  let fatal = 0;
  const sources: Source[] = [];
  let dataBytes = 0;
  const le = !h.bigEndian;
  buffers.forEach((buffer, order) => {
    const where = buffer.name === '' ? '' : `instance "${buffer.name}" `;
    const onProblem = (p: RingProblem) => {
      if (p.fatal) fatal++;
      sink.warn(null, `${where}CPU ${p.cpu}: ${p.message}`);
    };
    const layout = { le, pageSize: buffer.pageSize || h.pageSize, commitSize: h.pageHeader.commitSize };
    // timestamp_calc: host/guest TIME_SHIFT correction, TSC → ns when the file says how, then the DATE/OFFSET shift
    const toNs = makeTimestampConverter({
      timeShift: buffer.timeShift,
      tsc2nsec: h.tsc2nsec,
      tsOffset: h.tsOffset + buffer.extraTsOffset,
    });
    for (const c of buffer.cpus) {
      if (c.size <= 0) continue;
      dataBytes += c.size;
      const stream = new CpuStream(data, size, c.cpu, c, layout, buffer.compressed, onProblem);
      sources.push({ stream, order, instance: buffer.name === '' ? undefined : buffer.name, toNs, tsNs: 0 });
    }
  });
  return { sources, dataBytes, fatalProblems: () => fatal };
}

/** Loads each source's first event and puts the sources that have one on a heap. */
export async function firstEvents(sources: readonly Source[]): Promise<SourceHeap> {
  const heap = new SourceHeap();
  for (const src of sources) {
    const s = src.stream;
    while (!s.done) {
      if (s.advance()) {
        src.tsNs = src.toNs(s.ts, s.cpu);
        heap.push(src);
        break;
      }
      await s.load();
    }
  }
  return heap;
}

/** Tells the sink about events the ring buffer lost before the source's current event, once. */
export function warnMissed(src: Source, sink: RecordSink): void {
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
