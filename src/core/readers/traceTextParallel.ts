// Trace text on every core: the main thread cuts the input into chunks of whole lines and worker threads parse them
// (traceTextChunks.ts); the main thread takes the parsed chunks back in order and hands every line to the one
// reader, which joins wrapped lines across chunk borders, splits runs and counts warnings with their line numbers
// exactly as on one thread — or, for a chunk the worker certified plain, hands it the events alone. At most
// 2 × workers + 1 chunks are out at a time, each in a reused slot of shared memory (given to every worker once):
// memory stays bounded. A file is read straight into the slots; a stream's pieces are copied there.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_LINE_CHARS } from '../lineSplitter';
import type { RandomAccess } from '../byteSource';
import type { RecordSink } from '../records';
import { useThreads, workerScript } from '../workerScript';
import type { TraceTextLineReader } from './traceText';
import {
  ChunkBytes,
  WorkerStrings,
  type WorkerTable,
  chunkEvent,
  decodeChunk,
  lineEnd,
  lineEventIndex,
  lineStart,
  newSlot,
  receivedChunk,
  type ChunkSlot,
  type PackedTextChunk,
  type ParsedTextChunk,
  type PostedChunkRequest,
  type PostedTextChunk,
  type WorkerSetup,
} from './traceTextChunks';

/** Below this much text the workers' start costs more than they save. */
export const TEXT_PARALLEL_MIN_BYTES = 16 << 20;
/** Under 1,031,913 characters, the size from which Node makes a latin1 string external (freed only by a full GC). */
const CHUNK_BYTES = 512 << 10;
/** An unended line is kept up to this many bytes: more than MAX_LINE_CHARS characters however it decodes. */
const LONGEST_LINE_BYTES = 3 * MAX_LINE_CHARS + 3;
const MAX_WORKERS = 4;
/** A worker keeps only a string table: a small heap makes it collect early instead of growing (peak memory). */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };

const workerFile = () => workerScript(__dirname, 'traceTextWorker.js', 'traceTextWorker.ts');

/**
 * Whether to parse text in workers: `forced` or KVM_TRACE_LENS_PARALLEL=on|off decide; otherwise only with more
 * than one core and at least TEXT_PARALLEL_MIN_BYTES of input (null: size unknown), and the worker script present.
 */
export function useTextWorkers(
  forced: boolean | undefined,
  size: number | null,
  cores = availableParallelism(),
): boolean {
  return useThreads(workerFile(), forced, size, TEXT_PARALLEL_MIN_BYTES, cores);
}

/** Bytes held as views of the pieces read (never copied here: a chunk is copied once, into its slot). */
type Parts = Uint8Array[];

const partsLength = (parts: Parts) => parts.reduce((a, p) => a + p.length, 0);

/**
 * Cuts a byte stream into chunks that end after a newline, each at least `chunkBytes` long (but the last); an
 * overlong line is kept only up to LONGEST_LINE_BYTES, the rest of it dropped up to its newline.
 */
export class LineChunker {
  private parts: Parts = [];
  private held = 0;
  /** Bytes held after the last newline (the line not ended yet). */
  private openLine = 0;
  /** The open line is longer than kept: its bytes are dropped up to its newline. */
  private skipping = false;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {}

  /** The chunks ready after `piece`. */
  push(piece: Uint8Array): Parts[] {
    if (this.skipping) {
      const nl = piece.indexOf(10);
      if (nl < 0) return [];
      this.skipping = false;
      piece = piece.subarray(nl);
    }
    const nl = piece.lastIndexOf(10);
    if (nl < 0) {
      const room = LONGEST_LINE_BYTES - this.openLine;
      this.skipping = piece.length > room;
      if (this.skipping) piece = piece.subarray(0, room);
      this.hold(piece);
      this.openLine += piece.length;
      return [];
    }
    this.hold(piece);
    this.openLine = piece.length - nl - 1;
    const chunks: Parts[] = [];
    while (this.held - this.openLine >= this.chunkBytes) {
      const end = this.newlineFrom(this.chunkBytes - 1);
      if (end < 0) break;
      chunks.push(this.take(end + 1));
    }
    return chunks;
  }

  /** What is left (the end of the input); empty when nothing. */
  end(): Parts {
    return this.take(this.held);
  }

  /** Starts over holding `rest` (after a read failure: the line it cut). */
  restart(rest: Parts): void {
    this.parts = [];
    this.held = 0;
    for (const p of rest) this.hold(p);
    this.openLine = this.held;
    this.skipping = false;
  }

  private hold(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.parts.push(piece);
    this.held += piece.length;
  }

  /** The position of the first newline at or after `from` in the held bytes, or -1. */
  private newlineFrom(from: number): number {
    let base = 0;
    for (const p of this.parts) {
      if (from < base + p.length) {
        const at = p.indexOf(10, Math.max(0, from - base));
        if (at >= 0) return base + at;
      }
      base += p.length;
    }
    return -1;
  }

  /** The first `n` bytes held, as parts, no longer held. */
  private take(n: number): Parts {
    const out: Parts = [];
    let left = n;
    while (left > 0) {
      const p = this.parts[0];
      if (p.length <= left) {
        out.push(p);
        this.parts.shift();
        left -= p.length;
      } else {
        out.push(p.subarray(0, left));
        this.parts[0] = p.subarray(left);
        left = 0;
      }
    }
    this.held -= n;
    return out;
  }
}

/**
 * A file read front to back from `start` into a ring of reused buffers, so that reading makes no buffer per read
 * (memory outside the heap stays flat while the main thread, which no longer parses, collects garbage seldom): the
 * rest of a file once a line longer than a chunk is met. The ring is large enough for all the chunker may hold (a
 * chunk, an overlong line) plus the piece being read.
 */
export async function* ringReads(
  file: RandomAccess,
  size: number,
  done: { bytes: number },
  chunkBytes = CHUNK_BYTES,
  start = 0,
): AsyncGenerator<Uint8Array> {
  const pieceBytes = 1 << 20;
  const ring = Math.ceil((2 * chunkBytes + LONGEST_LINE_BYTES) / pieceBytes) + 2;
  const buffers: Uint8Array[] = [];
  for (let pos = start, k = 0; pos < size; k++) {
    if (buffers.length < ring) buffers.push(new Uint8Array(pieceBytes));
    const buf = buffers[k % ring];
    const { bytesRead } = await file.read(buf, 0, Math.min(pieceBytes, size - pos), pos);
    if (bytesRead === 0) return; // the file shrank while being read
    pos += bytesRead;
    done.bytes = pos;
    yield buf.subarray(0, bytesRead);
  }
}

interface Pending {
  worker: number;
  /** The chunk's bytes in its slot, or, when they did not fit there, their text (decoded before posting them). */
  input: Uint8Array | null;
  text: string | null;
  first: boolean;
  result: Promise<PackedTextChunk>;
}

/** A chunk taken back: what the worker parsed, and the chunk's bytes or text. */
export type TakenChunk = Omit<Pending, 'result'> & { packed: PackedTextChunk };

/** The workers and the chunks sent to them, taken back in the order sent. */
class ChunkPool {
  private readonly workers: Worker[];
  private readonly waiting: Map<number, { resolve: (c: PackedTextChunk) => void; reject: (e: Error) => void }>[];
  private readonly sent: Pending[] = [];
  private seq = 0;
  private failure: Error | null = null;

  private readonly slots: ChunkSlot[];

  /** `count` workers; at most `slots` chunks out at a time, each in its slot of shared memory. */
  constructor(count: number, slots: number, chunkBytes: number) {
    const script = workerFile()!;
    this.slots = Array.from({ length: slots }, () => newSlot(chunkBytes));
    this.waiting = Array.from({ length: count }, () => new Map());
    this.workers = Array.from({ length: count }, (_, i) => {
      const w = new Worker(script.code, { eval: script.eval, resourceLimits: WORKER_LIMITS });
      const setup: WorkerSetup = { slots: this.slots };
      w.postMessage(setup);
      w.on('message', (c: PostedTextChunk) => {
        const job = this.waiting[i].get(c.seq);
        this.waiting[i].delete(c.seq);
        job?.resolve(receivedChunk(c, this.slots[c.seq % this.slots.length]));
      });
      const failAll = (e: Error) => {
        this.failure ??= e;
        for (const job of this.waiting[i].values()) job.reject(e);
        this.waiting[i].clear();
      };
      w.on('error', (e) => failAll(new Error(`text parsing worker failed: ${e.message}`)));
      w.on('exit', (code) => failAll(new Error(`text parsing worker exited (code ${code})`)));
      return w;
    });
  }

  get inFlight(): number {
    return this.sent.length;
  }

  /** The input of the slot the next chunk goes to (free while fewer than `slots` chunks are out). */
  nextInput(): Uint8Array {
    return new Uint8Array(this.slots[this.seq % this.slots.length].input);
  }

  /** Copies the bytes to the next free slot and sends it; this thread reads its own text of them (feed). */
  send(parts: Parts, first: boolean): void {
    const input = this.slots[this.seq % this.slots.length].input;
    const length = partsLength(parts);
    const fits = length <= input.byteLength;
    const bytes = fits ? new Uint8Array(input, 0, length) : new Uint8Array(length);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    this.post(bytes, fits, first);
  }

  /** Sends the next chunk, its first `length` bytes already in nextInput(). */
  sendInSlot(length: number, first: boolean): void {
    this.post(new Uint8Array(this.slots[this.seq % this.slots.length].input, 0, length), true, first);
  }

  /** Posts `bytes`, in the next slot (`inSlot`) or of their own (transferred), to the next worker. */
  private post(bytes: Uint8Array, inSlot: boolean, first: boolean): void {
    if (this.sent.length >= this.slots.length) throw new Error('no free chunk slot');
    const seq = this.seq++;
    const worker = seq % this.workers.length;
    const result = new Promise<PackedTextChunk>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting[worker].set(seq, { resolve, reject });
    });
    result.catch(() => undefined); // taken (and its failure said) in order by next()
    // decoded before posting: bytes of their own (too many for the slot) are transferred
    this.sent.push({
      worker,
      input: inSlot ? bytes : null,
      text: inSlot ? null : decodeChunk(bytes, first),
      first,
      result,
    });
    const slot = seq % this.slots.length;
    const req: PostedChunkRequest = { seq, slot, length: bytes.length, bytes: inSlot ? null : bytes, first };
    this.workers[worker].postMessage(req, inSlot ? [] : [bytes.buffer as ArrayBuffer]);
  }

  /** The oldest chunk sent, parsed, with the worker that parsed it; null when none is out. */
  async next(): Promise<TakenChunk | null> {
    const p = this.sent.shift();
    return p ? { worker: p.worker, input: p.input, text: p.text, first: p.first, packed: await p.result } : null;
  }

  async close(): Promise<void> {
    for (const w of this.workers) {
      w.removeAllListeners('exit');
      await w.terminate();
    }
  }
}

export interface ParallelTextOptions {
  onProgress?: () => void;
  signal?: AbortSignal;
  /** Bytes per chunk (default CHUNK_BYTES). */
  chunkBytes?: number;
}

/** A file read front to back straight into the chunks' slots; `done.bytes` says how far. */
export interface SlotFile {
  access: RandomAccess;
  size: number;
  done: { bytes: number };
}

const EMPTY: Uint8Array = new Uint8Array(0);

/**
 * Reads trace text from `content` (a stream, or a file read into the chunks' slots) with worker threads and hands
 * every line to `reader` in order. Returns the lines seen, and whether the reader broke (threw) on one. Said as on
 * one thread: a read failure (`readFailure` words it), cut lines, cancellation. Never throws.
 */
export async function readTextInWorkers(
  content: AsyncIterable<Uint8Array> | SlotFile,
  reader: TraceTextLineReader,
  sink: RecordSink,
  readFailure: (linesSeen: number, e: Error) => string,
  options: ParallelTextOptions,
): Promise<{ lines: number; broken: boolean }> {
  const count = Math.max(1, Math.min(MAX_WORKERS, availableParallelism() - 1));
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const maxInFlight = 2 * count + 1;
  const pool = new ChunkPool(count, maxInFlight, chunkBytes);
  const strings = new WorkerStrings();
  const feeder = new LineFeeder(reader, sink);
  let first = true;
  const takeOne = async () => {
    const got = await pool.next();
    if (got) feeder.feed(got, strings.learn(got.worker, got.packed));
    options.onProgress?.();
  };
  /** Sends a chunk once a slot is free (the oldest chunk out taken and read). */
  const send = async (bytes: Parts) => {
    while (pool.inFlight >= maxInFlight && !feeder.broken) await takeOne();
    if (feeder.broken) return;
    pool.send(bytes, first);
    first = false;
  };
  const chunker = new LineChunker(chunkBytes);
  let cancelled = false;
  /**
   * Reads the file into the slots, each chunk its whole lines (no copy), the line a read cut carried to the next
   * slot; returns the rest of the file as pieces when a line is longer than a chunk (the chunker keeps what of it
   * is kept), else null.
   */
  const readIntoSlots = async (file: SlotFile): Promise<AsyncIterable<Uint8Array> | null> => {
    let carried = EMPTY; // a view of the last slot read into
    for (let pos = 0, ended = false; !ended;) {
      if (options.signal?.aborted) {
        cancelled = true;
        return null;
      }
      if (carried.length > chunkBytes) {
        chunker.push(carried.slice());
        return ringReads(file.access, file.size, file.done, chunkBytes, pos);
      }
      while (pool.inFlight >= maxInFlight && !feeder.broken) await takeOne();
      if (feeder.broken) return null;
      const slot = pool.nextInput();
      slot.set(carried, 0);
      let filled = carried.length;
      try {
        const want = Math.min(chunkBytes, file.size - pos);
        const { bytesRead } = want > 0 ? await file.access.read(slot, filled, want, pos) : { bytesRead: 0 };
        pos += bytesRead;
        file.done.bytes = pos;
        filled += bytesRead;
        ended = bytesRead === 0 || pos >= file.size; // a file that shrank while read ends there
      } catch (e) {
        chunker.push(slot.slice(0, filled)); // the line the failure cut
        throw e;
      }
      const end = ended ? filled : slot.lastIndexOf(10, filled - 1) + 1;
      if (end > 0) {
        pool.sendInSlot(end, first);
        first = false;
      }
      carried = slot.subarray(end, filled);
    }
    return null;
  };
  try {
    try {
      const pieces = 'access' in content ? await readIntoSlots(content) : content;
      for await (const piece of pieces ?? []) {
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        for (const chunk of chunker.push(piece)) await send(chunk);
        if (feeder.broken) break;
      }
    } catch (e) {
      // the whole lines read before the failure are read, the failure is said after them, then the cut line
      const [whole, cut] = splitAtLastNewline(chunker.end());
      if (whole.length > 0) await send(whole);
      while (pool.inFlight > 0 && !feeder.broken) await takeOne();
      sink.warn(feeder.lines || null, readFailure(feeder.lines, e as Error));
      chunker.restart(cut);
    }
    const rest = cancelled || feeder.broken ? [] : chunker.end();
    if (rest.length > 0) await send(rest);
    while (pool.inFlight > 0 && !feeder.broken) {
      if (options.signal?.aborted && !cancelled) cancelled = true;
      if (cancelled) break;
      await takeOne();
    }
  } catch (e) {
    // a worker died: the lines taken so far stay, the rest is said missing
    sink.fail(feeder.lines || null, `${(e as Error).message}; the rest of the file is not read`);
  } finally {
    await pool.close();
  }
  if (cancelled) sink.warn(feeder.lines, `cancelled after line ${feeder.lines}`);
  for (const no of feeder.cutLines) sink.warn(no, `line longer than ${MAX_LINE_CHARS} characters was cut`);
  return { lines: feeder.lines, broken: feeder.broken };
}

/** The parts up to their last newline, and the rest. */
function splitAtLastNewline(parts: Parts): [Parts, Parts] {
  for (let i = parts.length - 1; i >= 0; i--) {
    const nl = parts[i].lastIndexOf(10);
    if (nl >= 0)
      return [
        [...parts.slice(0, i), parts[i].subarray(0, nl + 1)],
        [parts[i].subarray(nl + 1), ...parts.slice(i + 1)],
      ];
  }
  return [[], parts];
}

/** Hands a parsed chunk's lines to the reader, numbering them on from the chunks before. */
class LineFeeder {
  lines = 0;
  broken = false;
  readonly cutLines: number[] = [];
  private readonly input = new ChunkBytes();

  constructor(
    private readonly reader: TraceTextLineReader,
    private readonly sink: RecordSink,
  ) {}

  /**
   * Reads the chunk. A plain ASCII chunk is not decoded: its events come from its bytes (chunkEvent); any other
   * is decoded whole, the one-thread splitter's way.
   */
  feed(taken: TakenChunk, table: WorkerTable): void {
    const { packed, input, first } = taken;
    const plain = packed.plain && !this.reader.awaitsEvent;
    if (plain && input && packed.ascii) {
      this.input.bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      return this.feedPlain({ ...packed, text: null, input: this.input }, table);
    }
    const text = taken.text ?? decodeChunk(input!, first);
    const c: ParsedTextChunk = { ...packed, text, input: null };
    if (plain) return this.feedPlain(c, table);
    const base = this.lines;
    for (const i of c.cutLines) this.cutLines.push(base + i + 1);
    const n = c.lineCount;
    for (let i = 0; i < n && !this.broken; i++) {
      const lineNo = base + i + 1;
      const ev = lineEventIndex(c, i);
      try {
        const raw = text.slice(lineStart(c, i), lineEnd(c, i));
        this.reader.lineParsed(raw, lineNo, ev < 0 ? null : chunkEvent(c, table, ev, lineNo));
      } catch (e) {
        this.failAt(lineNo, e);
      }
    }
    this.lines = base + n;
  }

  /** A chunk whose line i is event i, none joining another (PackedTextChunk.plain): no line is looked at. */
  private feedPlain(c: ParsedTextChunk, table: WorkerTable): void {
    const base = this.lines;
    const last = c.lineCount - 1;
    for (let i = 0; i <= last && !this.broken; i++) {
      const lineNo = base + i + 1;
      try {
        const event = chunkEvent(c, table, i, lineNo);
        if (i < last) this.reader.plainEvent(event, 0, false);
        else this.reader.plainEvent(event, c.lastIndent, c.lastSoftBreak);
      } catch (e) {
        this.failAt(lineNo, e);
      }
    }
    this.lines = base + c.lineCount;
  }

  private failAt(lineNo: number, e: unknown): void {
    this.broken = true;
    this.sink.fail(
      lineNo,
      `internal error in the trace text reader, the rest of the file is skipped: ${(e as Error)?.message ?? e}`,
    );
  }
}
