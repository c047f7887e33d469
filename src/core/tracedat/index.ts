// The native trace.dat reader: trace-cmd file versions 6 and 7 (none / zstd compression), read page by page with
// random access (memory stays bounded by a batch of pages per CPU, never the whole file), events merged across
// CPUs in timestamp order and printed exactly as `trace-cmd report` prints them.
//
// Instances: only one buffer instance is emitted — the top one unless `options.instance` names another — because
// a TraceEvent has no field saying which instance it came from; the others are named in a warning.
import { promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { RecordSink, TraceEvent } from '../records';
import { TraceDatError } from './cursor';
import { readTraceDatHeader, type BufferInfo, type TraceDatHeader } from './header';
import { CommTable, EventTypes, type EventType } from './events';
import type { EventData, PrintEnv } from './printfmt';
import { CpuStream, type RingProblem } from './ring';
import { Kallsyms, PrintkFormats } from './symbols';

/** trace-cmd files start with 0x17 0x08 0x44 "tracing". */
export const TRACE_DAT_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];

export function isTraceDat(head: Uint8Array): boolean {
  return TRACE_DAT_MAGIC.every((b, i) => head[i] === b);
}

export interface TraceDatOptions {
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Name of the buffer instance to read ("" = top, the default). */
  instance?: string;
}

const PROGRESS_EVERY = 64 * 1024;
const ABORT_CHECK_EVERY = 4096;

/** Reads a trace.dat and hands every event to the sink. Never throws: problems go to sink.warn / sink.fail. */
export async function readTraceDat(path: string, sink: RecordSink, options: TraceDatOptions = {}): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(path, 'r');
    const size = (await fh.stat()).size;
    await readOpen(fh, size, sink, options);
  } catch (e) {
    const msg = e instanceof TraceDatError ? e.message : `cannot read trace.dat: ${(e as Error).message}`;
    sink.fail(null, `${path}: ${msg}`);
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function pickBuffer(h: TraceDatHeader, sink: RecordSink, wanted: string): BufferInfo | null {
  const flyrecord = h.buffers.filter((b) => !b.latency);
  const chosen = flyrecord.find((b) => b.name === wanted) ?? null;
  const others = flyrecord.filter((b) => b !== chosen).map((b) => (b.name === '' ? '(top)' : b.name));
  if (!chosen) {
    if (h.buffers.some((b) => b.latency)) {
      sink.fail(null, 'this trace.dat holds a latency-tracer text dump, not flyrecord event data; use `trace-cmd report` on it');
    } else {
      const label = wanted === '' ? 'the top instance' : `instance "${wanted}"`;
      sink.fail(null, `${label} has no event data${others.length ? `; instances present: ${others.join(', ')}` : ''}`);
    }
    return null;
  }
  if (others.length > 0) {
    sink.warn(
      null,
      `the file also holds buffer instance(s) ${others.join(', ')}; only ${wanted === '' ? 'the top instance' : `"${wanted}"`} is read`,
    );
  }
  return chosen;
}

/** Orders CPU streams by (timestamp, CPU) as trace-cmd report does. */
class StreamHeap {
  readonly items: CpuStream[] = [];
  private less(a: CpuStream, b: CpuStream): boolean {
    return a.ts < b.ts || (a.ts === b.ts && a.cpu < b.cpu);
  }
  push(s: CpuStream): void {
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

async function readOpen(fh: FileHandle, size: number, sink: RecordSink, options: TraceDatOptions): Promise<void> {
  const h = await readTraceDatHeader(fh, size);
  for (const note of h.notes) sink.warn(null, note);
  const buffer = pickBuffer(h, sink, options.instance ?? '');
  if (!buffer) return;
  if (h.hasTimeShift) {
    sink.warn(null, 'the file carries host/guest TIME_SHIFT data; timestamps are the guest\'s own, not synchronised to the host');
  }
  const clock = buffer.clock ?? h.traceClock;
  const nsClock = clock === null || ['local', 'global', 'uptime', 'perf', 'tai', 'x86-tsc-nsec'].includes(clock) || clock.startsWith('mono');
  if (!nsClock && !h.tsc2nsec) {
    sink.warn(null, `trace clock "${clock}" counts cycles/ticks, not nanoseconds; timeNs holds raw clock values`);
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

  const layout = { le: env.le, pageSize: buffer.pageSize || h.pageSize, commitSize: h.pageHeader.commitSize };
  let fatalProblems = 0;
  const onProblem = (p: RingProblem) => {
    if (p.fatal) fatalProblems++;
    sink.warn(null, `CPU ${p.cpu}: ${p.message}`);
  };
  const streams = buffer.cpus
    .filter((c) => c.size > 0)
    .map((c) => new CpuStream(fh, size, c.cpu, c, layout, buffer.compressed, onProblem));
  const dataTotal = streams.reduce((s, c) => s + (buffer.cpus.find((x) => x.cpu === c.cpu)?.size ?? 0), 0);
  const metaBytes = Math.max(0, size - dataTotal);

  // timestamp conversion (timestamp_calc): TSC → ns when the file says how, then the DATE/OFFSET shift
  const tsc = h.tsc2nsec;
  const offsetBig = h.tsOffset;
  const plainOffset = Number(offsetBig);
  const toNs = (raw: number): number => {
    if (tsc) {
      const t = BigInt(raw);
      return Number(((t * BigInt(tsc.mult)) >> BigInt(tsc.shift)) + offsetBig);
    }
    return raw + plainOffset;
  };

  const heap = new StreamHeap();
  for (const s of streams) {
    while (!s.done) {
      if (s.advance()) {
        heap.push(s);
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
    for (const s of streams) consumed += s.consumed;
    if (force || consumed - lastProgress >= PROGRESS_EVERY * 16) {
      lastProgress = consumed;
      options.onProgress(Math.min(size, metaBytes + consumed), size);
    }
  };
  options.onProgress?.(metaBytes, size);

  while (heap.items.length > 0) {
    const s = heap.items[0];
    if (s.missed !== 0) {
      const what = s.missed > 0 ? `${s.missed} EVENTS DROPPED` : 'EVENTS DROPPED';
      sink.warn(
        null,
        s.missedShownByTraceCmd
          ? `CPU:${s.cpu} [${what}]`
          : `CPU:${s.cpu} [${what}] (the ring buffer flagged lost events that trace-cmd report does not print)`,
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
          timeNs: toNs(s.ts),
          cpu: s.cpu,
          pid,
          comm,
          name: type.name,
          system: type.system,
          payload,
        };
        sink.record(ev);
        emitted++;
      } else if (!unknownIds.has(id)) {
        unknownIds.add(id);
        sink.warn(null, `CPU ${s.cpu}: event id ${id} has no format description in the file; such events are skipped`);
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
    if (more) heap.siftTop();
    else heap.popTop();
  }
  progress(true);
  if (emitted === 0 && fatalProblems > 0) sink.fail(null, 'no events could be read from the trace data');
}
