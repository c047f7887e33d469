// Random access to a trace.dat's events in `trace-cmd report` order, for the event list: one scan counts the events
// and keeps a checkpoint every CHECKPOINT_EVERY events (where each CPU's stream stood: the batch of pages it had
// loaded and how many events into it), so rows i..j are printed by restarting the merge at the checkpoint before i,
// never from the start. A filter is an index of matching event numbers, built by one more scan with progress.
// Memory: the checkpoints (three numbers per CPU per CHECKPOINT_EVERY events) and 4 bytes per matching event.
import type { RandomAccess } from '../byteSource';
import type { RecordSink, TraceEvent } from '../records';
import { TraceDatError } from './cursor';
import { EventDecoder } from './decode';
import { readTraceDatHeader, type CpuData, type TraceDatHeader } from './header';
import { filterKey, isNoFilter, matchesFilter, type EventFilter, type EventRow } from './eventRows';
import { CpuStream } from './ring';
import { openSources, SourceHeap, type Source } from './sources';

export const CHECKPOINT_EVERY = 256;
/** Filter indexes kept (the list asks for the current one; a few back make toggling a filter instant). */
const CACHED_FILTERS = 4;
const PROGRESS_EVERY = 1 << 14;

const QUIET: RecordSink = { record: () => undefined, warn: () => undefined, fail: () => undefined };

export type ScanProgress = (eventsDone: number, eventsTotal: number) => void;

/**
 * pid → comm as the printing learns them: saved_cmdlines from the start, a comm the sched plugin registers only for
 * events after the one that registered it (trace-cmd prints "<...>" before). `now` is the event being printed.
 */
class CommsAsOf extends Map<number, string> {
  now = 0;
  constructor(
    private readonly saved: Map<number, string>,
    private readonly learnedAt: Map<number, { comm: string; at: number }>,
  ) {
    super();
  }
  override has(pid: number): boolean {
    return this.saved.has(pid) || this.learnedAt.has(pid);
  }
  override get(pid: number): string | undefined {
    const learned = this.learnedAt.get(pid);
    return this.saved.get(pid) ?? (learned && learned.at < this.now ? learned.comm : undefined);
  }
  override set(): this {
    return this; // every comm is known from the first scan
  }
}

/** Records when (at which event) each comm was learned, during the first scan. */
class CommsLearned extends Map<number, string> {
  now = 0;
  readonly learnedAt = new Map<number, { comm: string; at: number }>();
  constructor(saved: Map<number, string>) {
    super();
    for (const [pid, comm] of saved) super.set(pid, comm);
  }
  override set(pid: number, comm: string): this {
    if (!this.has(pid)) this.learnedAt.set(pid, { comm, at: this.now });
    return super.set(pid, comm);
  }
}

/** Where one CPU stream stands: its region, the batch loaded (file offset, how many loads) and events into it. */
interface Track {
  src: Source;
  region: CpuData;
  compressed: boolean;
  /** Chunks of a compressed region (its leading count). */
  chunks: number;
  pageSize: number;
  batchStart: number;
  batchNo: number;
  inBatch: number;
}

/** Moves a stream to its next event, loading batches as needed and counting where it is; false at its end. */
async function step(t: Track): Promise<boolean> {
  const s = t.src.stream;
  for (;;) {
    if (s.advance()) {
      t.inBatch++;
      t.src.tsNs = t.src.toNs(s.ts, s.cpu);
      return true;
    }
    if (s.done) return false;
    const before = s.consumed;
    await s.load();
    t.batchStart = t.region.offset + before;
    t.batchNo++;
    t.inBatch = 0;
  }
}

/** A compressed region read from one of its chunks on: the 4-byte chunk count before it is made up. */
function withChunkCount(data: RandomAccess, at: number, count: number, le: boolean): RandomAccess {
  const head = Buffer.alloc(4);
  if (le) head.writeUInt32LE(count);
  else head.writeUInt32BE(count);
  return {
    async read(buffer, offset, length, position) {
      if (position === at && length === 4) {
        buffer.set(head, offset);
        return { bytesRead: 4 };
      }
      return data.read(buffer, offset, length, position);
    },
  };
}

/** A merge over all CPU streams, positioned at one event number; rows come out in order from there. */
class Merge {
  readonly heap = new SourceHeap();
  /** Number of the event at the heap's top. */
  position = 0;

  constructor(
    readonly tracks: Track[],
    readonly decoder: EventDecoder,
    private readonly comms: { now: number },
  ) {}

  /** The next event (null at the end); skips records whose id has no format, as the reader does. */
  async next(): Promise<TraceEvent | null> {
    for (;;) {
      const src = this.heap.items[0];
      if (!src) return null;
      this.comms.now = this.position;
      const ev = this.decoder.decode(src);
      const track = this.tracks[(src as Source & { track: number }).track];
      if (await step(track)) this.heap.siftTop();
      else this.heap.popTop();
      if (ev) {
        this.position++;
        return ev;
      }
    }
  }
}

export interface FilteredEvents {
  filter: EventFilter;
  /** Numbers of the matching events, ascending. */
  indexes: Uint32Array;
}

export class TraceDatEventPages {
  /** Events in the file (as `trace-cmd report` prints them, every buffer instance). */
  total = 0;
  names: string[] = [];
  cpus: number[] = [];
  /** Buffer instances other than the top one, in file order. */
  instances: string[] = [];
  private readonly checkpoints: number[] = [];
  private learnedAt = new Map<number, { comm: string; at: number }>();
  private readonly filters = new Map<string, Promise<FilteredEvents>>();
  private reader: Merge | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly data: RandomAccess,
    private readonly size: number,
    private readonly h: TraceDatHeader,
  ) {}

  /** Reads the header and scans every event once (counting, checkpoints, names and CPUs). */
  static async open(
    data: RandomAccess,
    size: number,
    options: { onProgress?: ScanProgress; signal?: AbortSignal } = {},
  ): Promise<TraceDatEventPages> {
    const h = await readTraceDatHeader(data, size);
    if (!h.buffers.some((b) => !b.latency))
      throw new TraceDatError('this trace.dat holds no flyrecord event data', null);
    const pages = new TraceDatEventPages(data, size, h);
    await pages.scan(options);
    return pages;
  }

  private buffers() {
    return this.h.buffers.filter((b) => !b.latency);
  }

  /** Fresh streams for every CPU of every buffer, at their start, with the tracks that say where they are. */
  private async freshTracks(comms: Map<number, string>): Promise<{ tracks: Track[]; decoder: EventDecoder }> {
    const header = { ...this.h, cmdlines: comms };
    const decoder = new EventDecoder(header, QUIET, true);
    const { sources } = openSources(this.data, this.size, this.h, this.buffers(), QUIET);
    const regions = this.buffers().flatMap((b) => b.cpus.filter((c) => c.size > 0).map((c) => ({ c, b })));
    const tracks: Track[] = [];
    for (const [i, src] of sources.entries()) {
      const { c, b } = regions[i];
      (src as Source & { track: number }).track = i;
      const chunks = b.compressed ? await this.chunkCount(c.offset) : 0;
      const pageSize = b.pageSize || this.h.pageSize;
      tracks.push({
        src,
        region: c,
        compressed: b.compressed,
        chunks,
        pageSize,
        batchStart: c.offset,
        batchNo: 0,
        inBatch: 0,
      });
    }
    return { tracks, decoder };
  }

  private async chunkCount(offset: number): Promise<number> {
    const b = Buffer.alloc(4);
    await this.data.read(b, 0, 4, offset);
    return this.h.bigEndian ? b.readUInt32BE(0) : b.readUInt32LE(0);
  }

  private async scan(options: { onProgress?: ScanProgress; signal?: AbortSignal }): Promise<void> {
    const comms = new CommsLearned(this.h.cmdlines);
    const { tracks, decoder } = await this.freshTracks(comms);
    const merge = new Merge(tracks, decoder, comms);
    for (const t of tracks) if (await step(t)) merge.heap.push(t.src);
    const names = new Set<string>();
    const cpus = new Set<number>();
    const instances = new Set<string>();
    let lastName = '';
    for (;;) {
      if (merge.position % CHECKPOINT_EVERY === 0) this.checkpoint(merge);
      const ev = await merge.next();
      if (!ev) break;
      if (ev.name !== lastName) names.add((lastName = ev.name));
      cpus.add(ev.cpu);
      if (ev.instance !== undefined) instances.add(ev.instance);
      if (merge.position % PROGRESS_EVERY === 0) {
        options.onProgress?.(merge.position, 0);
        if (options.signal?.aborted) throw new Error('cancelled');
      }
    }
    this.total = merge.position;
    this.names = [...names].sort();
    this.cpus = [...cpus].sort((a, b) => a - b);
    this.instances = [...instances];
    this.learnedAt = comms.learnedAt;
    options.onProgress?.(this.total, this.total);
  }

  /** Per track: batch file offset (-1: the stream has ended), loads so far, events into the batch. */
  private checkpoint(merge: Merge): void {
    const inHeap = new Set(merge.heap.items);
    for (const t of merge.tracks) {
      const live = inHeap.has(t.src);
      this.checkpoints.push(live ? t.batchStart : -1, t.batchNo, t.inBatch);
    }
  }

  /** A merge restarted at checkpoint `k` (event number k × CHECKPOINT_EVERY). */
  private async restore(k: number): Promise<Merge> {
    const comms = new CommsAsOf(this.h.cmdlines, this.learnedAt);
    const { tracks, decoder } = await this.freshTracks(comms);
    const merge = new Merge(tracks, decoder, comms);
    merge.position = k * CHECKPOINT_EVERY;
    const le = !this.h.bigEndian;
    for (const [i, t] of tracks.entries()) {
      const at = (k * tracks.length + i) * 3;
      const [batchStart, batchNo, inBatch] = this.checkpoints.slice(at, at + 3);
      if (batchStart < 0) continue;
      const end = t.region.offset + t.region.size;
      const old = t.src.stream;
      const midChunks = t.compressed && batchNo > 1;
      const offset = midChunks ? batchStart - 4 : batchStart;
      const data = midChunks ? withChunkCount(this.data, offset, t.chunks - (batchNo - 1), le) : this.data;
      const layout = { le, pageSize: t.pageSize, commitSize: this.h.pageHeader.commitSize };
      const region = { cpu: t.region.cpu, offset, size: end - offset };
      t.src.stream = new CpuStream(data, this.size, old.cpu, region, layout, t.compressed, () => undefined);
      t.region = region;
      for (let n = 0; n < inBatch; n++) await step(t);
      t.batchStart = batchStart;
      t.batchNo = batchNo;
      merge.heap.push(t.src);
    }
    return merge;
  }

  /** One job at a time on the shared reader (requests for pages may come in together). */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The rows with these event numbers (ascending). */
  rowsAt(indexes: ArrayLike<number>): Promise<EventRow[]> {
    return this.serial(async () => {
      const rows: EventRow[] = [];
      for (let i = 0; i < indexes.length; i++) {
        const ev = await this.eventAt(indexes[i]);
        if (ev) rows.push(toRow(ev, indexes[i]));
      }
      return rows;
    });
  }

  /** Rows first ≤ i < last of the unfiltered list. */
  rows(first: number, last: number): Promise<EventRow[]> {
    const n = Math.max(0, Math.min(last, this.total) - first);
    return this.rowsAt(Array.from({ length: n }, (_, i) => first + i));
  }

  private async eventAt(index: number): Promise<TraceEvent | null> {
    const k = Math.floor(index / CHECKPOINT_EVERY);
    let r = this.reader;
    // the current reader goes on when the event is ahead of it and before the next checkpoint; else restart there
    if (!r || r.position > index || Math.floor(r.position / CHECKPOINT_EVERY) < k) {
      this.reader = null;
      r = this.reader = await this.restore(k);
    }
    while (r.position < index) if (!(await r.next())) return null;
    return r.next();
  }

  /** The index of a filter: built once by a scan from the start (with progress), kept for the last few filters. */
  filtered(filter: EventFilter, onProgress?: ScanProgress, signal?: AbortSignal): Promise<FilteredEvents> {
    const key = filterKey(filter);
    let f = this.filters.get(key);
    if (!f) {
      f = this.buildIndex(filter, onProgress, signal);
      this.filters.set(key, f);
      f.catch(() => this.filters.delete(key));
      if (this.filters.size > CACHED_FILTERS) this.filters.delete(this.filters.keys().next().value as string);
    }
    return f;
  }

  private async buildIndex(
    filter: EventFilter,
    onProgress?: ScanProgress,
    signal?: AbortSignal,
  ): Promise<FilteredEvents> {
    const merge = await this.restore(0);
    let indexes: Uint32Array = new Uint32Array(1024);
    let n = 0;
    const wantText = filter.text !== '';
    for (;;) {
      const at = merge.position;
      const ev = await merge.next();
      if (!ev) break;
      const row = { index: at, timeNs: 0, cpu: ev.cpu, pid: ev.pid, comm: ev.comm, name: ev.name, payload: '' };
      if (wantText) row.payload = ev.payload;
      if (matchesFilter(row, filter)) {
        if (n === indexes.length) indexes = grow(indexes);
        indexes[n++] = at;
      }
      if (merge.position % PROGRESS_EVERY === 0) {
        onProgress?.(merge.position, this.total);
        if (signal?.aborted) throw new Error('cancelled');
      }
    }
    onProgress?.(this.total, this.total);
    return { filter, indexes: indexes.slice(0, n) };
  }

  /** How many events pass the filter. */
  async count(filter: EventFilter, onProgress?: ScanProgress, signal?: AbortSignal): Promise<number> {
    return isNoFilter(filter) ? this.total : (await this.filtered(filter, onProgress, signal)).indexes.length;
  }

  /** Rows first ≤ i < last of the filtered list. */
  async filteredRows(filter: EventFilter, first: number, last: number): Promise<EventRow[]> {
    if (isNoFilter(filter)) return this.rows(first, last);
    const { indexes } = await this.filtered(filter);
    return this.rowsAt(indexes.subarray(Math.max(0, first), Math.max(0, Math.min(last, indexes.length))));
  }

  /** Where event `index` (or the next one that passes) sits in the filtered list. */
  async positionOf(index: number, filter: EventFilter): Promise<number> {
    if (isNoFilter(filter)) return Math.min(Math.max(0, index), Math.max(0, this.total - 1));
    const { indexes } = await this.filtered(filter);
    let lo = 0;
    let hi = indexes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (indexes[mid] < index) lo = mid + 1;
      else hi = mid;
    }
    return Math.min(lo, Math.max(0, indexes.length - 1));
  }
}

function grow(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

function toRow(ev: TraceEvent, index: number): EventRow {
  const row: EventRow = {
    index,
    timeNs: ev.timeNs,
    cpu: ev.cpu,
    pid: ev.pid,
    comm: ev.comm,
    name: ev.name,
    payload: ev.payload,
  };
  if (ev.instance !== undefined) row.instance = ev.instance;
  return row;
}
