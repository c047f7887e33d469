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
import type { RecordSink } from '../records';
import { TraceDatError } from './cursor';
import { EventDecoder, type ColumnsOut } from './decode';
import { readTraceDatHeader, type BufferInfo, type TraceDatHeader } from './header';
import { readInWorkers, useWorkers } from './parallel';
import { mergeEvents, type EventEmitter } from './merge';
import { firstEvents, openSources, streamSpecs, type StreamSpec } from './sources';

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
  /** Decode the fields the model reads from the binary layout (default true); false prints and parses every event. */
  fastFields?: boolean;
  /**
   * Read the CPU streams in worker threads (true), on this thread (false), or decide (absent: more than one core
   * and at least 64 MB of event data; KVM_TRACE_LENS_PARALLEL=on|off overrides). Workers need `filePath`.
   */
  parallel?: boolean;
  /** The file the data comes from, when it is one the workers can open themselves. */
  filePath?: string;
  /**
   * Pack the events into columns instead of handing records to the sink (readerWorker.ts): `packed` runs after each
   * event packed (and its `onPacked` before). Warnings and failures still go to the sink.
   */
  columns?: ColumnsOut & { packed: () => void };
}

const PROGRESS_EVERY = 64 * 1024;

/**
 * Reads a trace.dat file and hands every event to the sink. Never throws: problems go to sink.warn / sink.fail.
 * `name` labels messages (default: the path).
 */
export async function readTraceDat(
  path: string,
  sink: RecordSink,
  options: TraceDatOptions = {},
  name = path,
): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await fsp.open(path, 'r');
    const size = (await fh.stat()).size;
    await readOpen(fh, size, sink, { filePath: path, ...options });
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

/** The flyrecord (event data) buffers: all of them, or the one `wanted` names. */
function eventBuffers(h: TraceDatHeader, wanted: string | undefined): BufferInfo[] {
  return h.buffers.filter((b) => !b.latency && (wanted === undefined || b.name === wanted));
}

/** The flyrecord buffers to read: all of them, or the one `wanted` names. Null (after sink.fail) when none. */
function pickBuffers(h: TraceDatHeader, sink: RecordSink, wanted: string | undefined): BufferInfo[] | null {
  const flyrecord = h.buffers.filter((b) => !b.latency);
  const label = (name: string) => (name === '' ? 'the top instance' : `instance "${name}"`);
  const chosen = eventBuffers(h, wanted);
  if (chosen.length === 0) {
    if (
      h.buffers.some((b) => b.latency) &&
      (wanted === undefined || h.buffers.some((b) => b.latency && b.name === wanted))
    ) {
      sink.fail(
        null,
        'this trace.dat holds a latency-tracer text dump, not flyrecord event data; use `trace-cmd report` on it',
      );
    } else {
      const present = flyrecord.map((b) => (b.name === '' ? '(top)' : b.name));
      sink.fail(
        null,
        `${wanted === undefined ? 'the file' : label(wanted)} has no event ` +
          `data${present.length ? `; instances present: ${present.join(', ')}` : ''}`,
      );
    }
    return null;
  }
  const latency = h.buffers.filter((b) => b.latency && (wanted === undefined || b.name === wanted));
  if (latency.length > 0) {
    sink.warn(
      null,
      `${latency.map((b) => label(b.name)).join(', ')} hold(s) latency-tracer text, not event data; not read`,
    );
  }
  return chosen;
}

const NS_CLOCKS = ['local', 'global', 'uptime', 'perf', 'tai', 'x86-tsc-nsec'];

/** A clock that counts cycles (and no TSC→ns conversion in the file) leaves timestamps raw: said once per clock. */
function warnCycleClocks(h: TraceDatHeader, buffers: readonly BufferInfo[], sink: RecordSink): void {
  const warned = new Set<string>();
  for (const buffer of buffers) {
    const clock = buffer.clock ?? h.traceClock;
    const nsClock = clock === null || NS_CLOCKS.includes(clock) || clock.startsWith('mono');
    if (!nsClock && !h.tsc2nsec && !warned.has(clock)) {
      warned.add(clock);
      sink.warn(null, `trace clock "${clock}" counts cycles/ticks, not nanoseconds; timeNs holds raw clock values`);
    }
  }
}

async function readOpen(data: RandomAccess, size: number, sink: RecordSink, options: TraceDatOptions): Promise<void> {
  const h = await readTraceDatHeader(data, size);
  for (const note of h.notes) sink.warn(null, note);
  const buffers = pickBuffers(h, sink, options.instance);
  if (!buffers) return;
  warnCycleClocks(h, buffers, sink);
  const decoder = new EventDecoder(h, sink, options.fastFields ?? true);
  const emit = emitter(decoder, sink, options.columns);
  const specs = streamSpecs(h, buffers);
  const dataBytes = eventDataBytes(specs);
  const metaBytes = Math.max(0, size - dataBytes);
  const report = progressReporter(size, metaBytes, options);
  const { emitted, cancelled, fatalProblems } = useWorkers(options.parallel, dataBytes, options.filePath)
    ? await readInWorkers(options.filePath!, size, specs, emit, sink, report, options.signal)
    : await readHere(data, size, h, buffers, emit, sink, report, options);
  if (cancelled) {
    sink.warn(null, `cancelled after ${emitted} events`);
    return;
  }
  if (emitted === 0 && fatalProblems > 0) sink.fail(null, 'no events could be read from the trace data');
}

/** How each merged event is handed on: decoded into a record for the sink, or packed into columns. */
function emitter(decoder: EventDecoder, sink: RecordSink, columns: TraceDatOptions['columns']): EventEmitter {
  if (columns) {
    const { packed } = columns;
    return (src) => {
      if (!decoder.pack(src, columns)) return false;
      packed();
      return true;
    };
  }
  return (src) => {
    const ev = decoder.decode(src);
    if (ev) sink.record(ev);
    return ev !== null;
  };
}

/** Bytes of event data in the streams read (the rest of the file is metadata, read first). */
function eventDataBytes(specs: readonly StreamSpec[]): number {
  return specs.reduce((a, s) => a + s.region.size, 0);
}

/**
 * The first progress report of reading the file (its metadata read), from its header alone: where another thread
 * reads the file, this one can say it while that thread starts. Null when the header cannot be read (the reader
 * says why).
 */
export async function firstProgress(
  data: RandomAccess,
  size: number,
  instance: string | undefined,
): Promise<{ done: number; total: number } | null> {
  try {
    const h = await readTraceDatHeader(data, size);
    return { done: Math.max(0, size - eventDataBytes(streamSpecs(h, eventBuffers(h, instance)))), total: size };
  } catch {
    return null;
  }
}

/** The one-thread path: this thread reads every CPU stream and merges them. */
async function readHere(
  data: RandomAccess,
  size: number,
  h: TraceDatHeader,
  buffers: readonly BufferInfo[],
  emit: EventEmitter,
  sink: RecordSink,
  report: (consumed: number, force: boolean) => void,
  { signal, columns }: TraceDatOptions,
): Promise<{ emitted: number; cancelled: boolean; fatalProblems: number }> {
  // packed events keep nothing of their bytes: each CPU's batches of pages can share one buffer
  const opened = openSources(data, size, h, buffers, sink, columns !== undefined);
  const heap = await firstEvents(opened.sources);
  const consumed = () => opened.sources.reduce((a, src) => a + src.stream.consumed, 0);
  const result = await mergeEvents(heap, emit, sink, () => report(consumed(), false), signal);
  if (!result.cancelled) report(consumed(), true);
  return { ...result, fatalProblems: opened.fatalProblems() };
}

/** Reports bytes of the file consumed (metadata first, then each CPU's data), every PROGRESS_EVERY * 16 bytes. */
function progressReporter(
  size: number,
  metaBytes: number,
  options: TraceDatOptions,
): (consumed: number, force: boolean) => void {
  const report = options.onProgress;
  if (!report) return () => undefined;
  let last = 0;
  report(metaBytes, size);
  return (consumed, force) => {
    if (force || consumed - last >= PROGRESS_EVERY * 16) {
      last = consumed;
      report(Math.min(size, metaBytes + consumed), size);
    }
  };
}
