// The native trace.dat reader: trace-cmd file versions 6 and 7 (none / zstd compression), read page by page with
// random access (memory stays bounded by a batch of pages per CPU, never the whole file), events merged across
// CPUs in timestamp order and printed exactly as `trace-cmd report` prints them.
//
// Instances: every flyrecord buffer instance is read (or only the one `options.instance` names), all CPUs of all
// buffers merged into one timestamp-ordered stream; events of a non-top instance carry `instance: <name>`. The top
// instance of a guest file from a host-guest session (`trace-cmd record -A`) gets its TIME_SHIFT correction, so its
// timestamps are on the host's clock, as `trace-cmd report` prints them.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { RandomAccess } from '../byteSource';
import type { RecordSink, TraceEvent } from '../records';
import { TraceDatError } from './cursor';
import { readTraceDatHeader, type BufferInfo, type TraceDatHeader } from './header';
import { CommTable, EventTypes, type EventType } from './events';
import type { EventData, PrintEnv } from './printfmt';
import { CpuStream, type RingProblem } from './ring';
import { makeTimestampConverter } from './timeshift';
import { Kallsyms, PrintkFormats } from './symbols';

/** trace-cmd files start with 0x17 0x08 0x44 "tracing". */
export const TRACE_DAT_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];

export function isTraceDat(head: Uint8Array): boolean {
  return TRACE_DAT_MAGIC.every((b, i) => head[i] === b);
}

export interface TraceDatOptions {
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Read only this buffer instance ("" = the top one); every instance when absent. */
  instance?: string;
}

const PROGRESS_EVERY = 64 * 1024;
const ABORT_CHECK_EVERY = 4096;

/**
 * Reads a trace.dat file and hands every event to the sink. Never throws: problems go to sink.warn / sink.fail.
 * `name` labels messages (default: the path).
 */
export async function readTraceDat(path: string, sink: RecordSink, options: TraceDatOptions = {}, name = path): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(path, 'r');
    const size = (await fh.stat()).size;
    await readOpen(fh, size, sink, options);
  } catch (e) {
    failWith(sink, name, e);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** Reads a trace.dat through random access (an open file, or bytes in memory). Never throws. */
export async function readTraceDatFrom(
  data: RandomAccess,
  size: number,
  name: string,
  sink: RecordSink,
  options: TraceDatOptions = {},
): Promise<void> {
  try {
    await readOpen(data, size, sink, options);
  } catch (e) {
    failWith(sink, name, e);
  }
}

function failWith(sink: RecordSink, name: string, e: unknown): void {
  const msg = e instanceof TraceDatError ? e.message : `cannot read trace.dat: ${(e as Error).message}`;
  sink.fail(null, `${name}: ${msg}`);
}

/** The flyrecord buffers to read: all of them, or the one `wanted` names. Null (after sink.fail) when none. */
function pickBuffers(h: TraceDatHeader, sink: RecordSink, wanted: string | undefined): BufferInfo[] | null {
  const flyrecord = h.buffers.filter((b) => !b.latency);
  const label = (name: string) => (name === '' ? 'the top instance' : `instance "${name}"`);
  const chosen = wanted === undefined ? flyrecord : flyrecord.filter((b) => b.name === wanted);
  if (chosen.length === 0) {
    if (h.buffers.some((b) => b.latency) && (wanted === undefined || h.buffers.some((b) => b.latency && b.name === wanted))) {
      sink.fail(null, 'this trace.dat holds a latency-tracer text dump, not flyrecord event data; use `trace-cmd report` on it');
    } else {
      const present = flyrecord.map((b) => (b.name === '' ? '(top)' : b.name));
      sink.fail(
        null,
        `${wanted === undefined ? 'the file' : label(wanted)} has no event data${present.length ? `; instances present: ${present.join(', ')}` : ''}`,
      );
    }
    return null;
  }
  const latency = h.buffers.filter((b) => b.latency && (wanted === undefined || b.name === wanted));
  if (latency.length > 0) {
    sink.warn(null, `${latency.map((b) => label(b.name)).join(', ')} hold(s) latency-tracer text, not event data; not read`);
  }
  return chosen;
}

/** One CPU of one buffer instance, with its current event's timestamp already converted to ns. */
interface Source {
  stream: CpuStream;
  /** Position of the buffer in the file (top first): trace-cmd breaks timestamp ties by handle, then CPU. */
  order: number;
  /** Instance name, undefined for the top instance. */
  instance: string | undefined;
  toNs: (raw: number, cpu: number) => number;
  tsNs: number;
}

/** Orders sources by (timestamp, buffer, CPU) as trace-cmd report's tracecmd_iterate_events_multi does. */
class SourceHeap {
  readonly items: Source[] = [];
  private less(a: Source, b: Source): boolean {
    return a.tsNs < b.tsNs || (a.tsNs === b.tsNs && (a.order < b.order || (a.order === b.order && a.stream.cpu < b.stream.cpu)));
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

const NS_CLOCKS = ['local', 'global', 'uptime', 'perf', 'tai', 'x86-tsc-nsec'];

async function readOpen(fh: RandomAccess, size: number, sink: RecordSink, options: TraceDatOptions): Promise<void> {
  const h = await readTraceDatHeader(fh, size);
  for (const note of h.notes) sink.warn(null, note);
  const buffers = pickBuffers(h, sink, options.instance);
  if (!buffers) return;
  const warnedClocks = new Set<string>();
  for (const buffer of buffers) {
    const clock = buffer.clock ?? h.traceClock;
    const nsClock = clock === null || NS_CLOCKS.includes(clock) || clock.startsWith('mono');
    if (!nsClock && !h.tsc2nsec && !warnedClocks.has(clock)) {
      warnedClocks.add(clock);
      sink.warn(null, `trace clock "${clock}" counts cycles/ticks, not nanoseconds; timeNs holds raw clock values`);
    }
  }

  const kallsyms = new Kallsyms(h.kallsyms);
  const printk = new PrintkFormats(h.printk);
  const env: PrintEnv = {
    le: !h.bigEndian,
    bigEndian: h.bigEndian,
    longSize: h.longSize,
    findFunction: (a) => kallsyms.find(a),
    findPrintk: (a) => printk.find(a),
  };
  const comms = new CommTable(h.cmdlines);
  const types = new EventTypes(h.formats, env, comms, (t) =>
    sink.warn(null, `event ${t.system}:${t.name}: print fmt not evaluated (${t.fallbackReason}); payload shows field=value pairs`),
  );
  const unknownIds = new Set<number>();

  let fatalProblems = 0;
  const sources: Source[] = [];
  let dataTotal = 0;
  buffers.forEach((buffer, order) => {
    const where = buffer.name === '' ? '' : `instance "${buffer.name}" `;
    const onProblem = (p: RingProblem) => {
      if (p.fatal) fatalProblems++;
      sink.warn(null, `${where}CPU ${p.cpu}: ${p.message}`);
    };
    const layout = { le: env.le, pageSize: buffer.pageSize || h.pageSize, commitSize: h.pageHeader.commitSize };
    // timestamp_calc: host/guest TIME_SHIFT correction, TSC → ns when the file says how, then the DATE/OFFSET shift
    const toNs = makeTimestampConverter({
      timeShift: buffer.timeShift,
      tsc2nsec: h.tsc2nsec,
      tsOffset: h.tsOffset + buffer.extraTsOffset,
    });
    for (const c of buffer.cpus) {
      if (c.size <= 0) continue;
      dataTotal += c.size;
      const stream = new CpuStream(fh, size, c.cpu, c, layout, buffer.compressed, onProblem);
      sources.push({ stream, order, instance: buffer.name === '' ? undefined : buffer.name, toNs, tsNs: 0 });
    }
  });
  const metaBytes = Math.max(0, size - dataTotal);

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

  // common fields: every format shares them; take their offsets from the first event type met
  let pidOffset = 4;
  let typeSize = 2;
  let commonKnown = false;
  const data: EventData = { bytes: new Uint8Array(0), view: new DataView(new ArrayBuffer(0)), base: 0, size: 0 };
  const le = env.le;
  let emitted = 0;
  let lastProgress = 0;
  const progress = (force: boolean) => {
    if (!options.onProgress) return;
    let consumed = 0;
    for (const src of sources) consumed += src.stream.consumed;
    if (force || consumed - lastProgress >= PROGRESS_EVERY * 16) {
      lastProgress = consumed;
      options.onProgress(Math.min(size, metaBytes + consumed), size);
    }
  };
  options.onProgress?.(metaBytes, size);

  while (heap.items.length > 0) {
    const src = heap.items[0];
    const s = src.stream;
    if (s.missed !== 0) {
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
    data.bytes = s.bytes;
    data.view = s.view;
    data.base = s.evStart;
    data.size = s.evLen;
    if (s.evLen >= typeSize) {
      const id = typeSize === 2 ? s.view.getUint16(s.evStart, le) : s.view.getUint32(s.evStart, le);
      const type: EventType | null = types.get(id);
      if (type) {
        if (!commonKnown) {
          commonKnown = true;
          const src = h.formats.get(id);
          const pidM = src && /field:int common_pid;\s*offset:(\d+);/.exec(src.text);
          if (pidM) pidOffset = Number(pidM[1]);
          const typeM = src && /field:unsigned \w+ common_type;\s*offset:0;\s*size:(\d+);/.exec(src.text);
          if (typeM) typeSize = Number(typeM[1]);
        }
        const pid = s.evLen >= pidOffset + 4 ? s.view.getInt32(s.evStart + pidOffset, le) : -1;
        const comm = comms.lookup(pid);
        let payload = type.render(data);
        if (payload.length > 0 && (payload.charCodeAt(0) === 32 || payload.charCodeAt(0) === 9)) payload = payload.trimStart();
        const ev: TraceEvent = {
          type: 'event',
          line: null,
          timeNs: src.tsNs,
          cpu: s.cpu,
          pid,
          comm,
          name: type.name,
          system: type.system,
          payload,
        };
        if (src.instance !== undefined) ev.instance = src.instance;
        sink.record(ev);
        emitted++;
      } else if (!unknownIds.has(id)) {
        unknownIds.add(id);
        const where = src.instance === undefined ? '' : `instance "${src.instance}" `;
        sink.warn(null, `${where}CPU ${s.cpu}: event id ${id} has no format description in the file; such events are skipped`);
      }
    }
    if ((emitted & (ABORT_CHECK_EVERY - 1)) === 0 && options.signal?.aborted) {
      sink.warn(null, `cancelled after ${emitted} events`);
      return;
    }
    // next event of this CPU
    let more = s.advance();
    while (!more && !s.done) {
      await s.load();
      if (options.signal?.aborted) {
        sink.warn(null, `cancelled after ${emitted} events`);
        return;
      }
      progress(false);
      more = s.advance();
    }
    if (more) {
      src.tsNs = src.toNs(s.ts, s.cpu);
      heap.siftTop();
    } else heap.popTop();
  }
  progress(true);
  if (emitted === 0 && fatalProblems > 0) sink.fail(null, 'no events could be read from the trace data');
}
