// Trace text on every core: the main thread cuts the input into chunks of whole lines and worker threads parse them
// (traceTextChunks.ts); the main thread takes the parsed chunks back in order and hands every line to the one
// reader, which joins wrapped lines across chunk borders, splits runs and counts warnings with their line numbers
// exactly as on one thread. At most CHUNKS_IN_FLIGHT chunks are out at a time: memory stays bounded.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_LINE_CHARS } from '../lineSplitter';
import type { RecordSink } from '../records';
import { parallelFromEnvironment, workerScript } from '../workerScript';
import type { TraceTextLineReader } from './traceText';
import {
  WorkerStrings,
  chunkEvent,
  decodeChunk,
  unpack,
  type PackedTextChunk,
  type ParsedTextChunk,
  type TextChunkRequest,
} from './traceTextChunks';

/** Below this much text the workers' start costs more than they save. */
export const TEXT_PARALLEL_MIN_BYTES = 16 << 20;
const CHUNK_BYTES = 1 << 20;
/** An unended line is kept up to this many bytes: more than MAX_LINE_CHARS characters however it decodes. */
const LONGEST_LINE_BYTES = 3 * MAX_LINE_CHARS + 3;
const MAX_WORKERS = 4;

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
  if (workerFile() === null) return false;
  const wanted = forced ?? parallelFromEnvironment();
  if (wanted !== undefined) return wanted;
  return cores > 1 && size !== null && size >= TEXT_PARALLEL_MIN_BYTES;
}

/** Cuts a byte stream into chunks that end after a newline; an overlong line is kept only up to LONGEST_LINE_BYTES. */
export class LineChunker {
  private parts: Uint8Array[] = [];
  private held = 0;
  /** Bytes of the held text after its last newline (the line not ended yet). */
  private openLine = 0;
  /** The open line is longer than kept: its bytes are dropped up to its newline. */
  private skipping = false;

  constructor(private readonly chunkBytes = CHUNK_BYTES) {}

  /** The chunks ready after `piece`. */
  push(piece: Uint8Array): Uint8Array[] {
    if (this.skipping) {
      const nl = piece.indexOf(10);
      if (nl < 0) return [];
      this.skipping = false;
      piece = piece.subarray(nl);
    }
    const nl = piece.lastIndexOf(10);
    this.openLine = nl < 0 ? this.openLine + piece.length : piece.length - nl - 1;
    this.parts.push(piece);
    this.held += piece.length;
    if (nl < 0 && this.openLine > LONGEST_LINE_BYTES) {
      const all = this.joined();
      this.keep(all.subarray(0, all.length - (this.openLine - LONGEST_LINE_BYTES)));
      this.openLine = LONGEST_LINE_BYTES;
      this.skipping = true;
    }
    if (this.held - this.openLine < this.chunkBytes) return [];
    const all = this.joined();
    const chunks: Uint8Array[] = [];
    let from = 0;
    for (;;) {
      const nl = all.indexOf(10, from + this.chunkBytes - 1);
      if (nl < 0) break;
      chunks.push(all.subarray(from, nl + 1));
      from = nl + 1;
    }
    this.keep(all.slice(from));
    return chunks;
  }

  /** What is left (the end of the input), or null. */
  end(): Uint8Array | null {
    return this.held > 0 ? this.joined() : null;
  }

  /** Starts over holding `rest` (after a read failure: the line it cut). */
  restart(rest: Uint8Array): void {
    this.keep(rest);
    this.skipping = false;
  }

  private joined(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.held);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  private keep(rest: Uint8Array): void {
    this.parts = rest.length > 0 ? [rest] : [];
    this.held = rest.length;
  }
}

interface Pending {
  worker: number;
  text: string;
  result: Promise<PackedTextChunk>;
}

/** The workers and the chunks sent to them, taken back in the order sent. */
class ChunkPool {
  private readonly workers: Worker[];
  private readonly waiting: Map<number, { resolve: (c: PackedTextChunk) => void; reject: (e: Error) => void }>[];
  private readonly sent: Pending[] = [];
  private seq = 0;
  private failure: Error | null = null;

  constructor(count: number) {
    const script = workerFile()!;
    this.waiting = Array.from({ length: count }, () => new Map());
    this.workers = Array.from({ length: count }, (_, i) => {
      const w = new Worker(script.code, { eval: script.eval });
      w.on('message', (c: PackedTextChunk) => {
        const job = this.waiting[i].get(c.seq);
        this.waiting[i].delete(c.seq);
        job?.resolve(c);
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

  /** Sends a copy of the bytes (sending is cheaper than transferring); this thread decodes its own text of them. */
  send(bytes: Uint8Array, first: boolean): void {
    const seq = this.seq++;
    const worker = seq % this.workers.length;
    const result = new Promise<PackedTextChunk>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting[worker].set(seq, { resolve, reject });
    });
    result.catch(() => undefined); // taken (and its failure said) in order by next()
    // a view is sent with its whole buffer: a piece of a larger one is copied out first
    const own = bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    const req: TextChunkRequest = { seq, bytes: own, first };
    this.workers[worker].postMessage(req);
    this.sent.push({ worker, text: decodeChunk(bytes, first), result });
  }

  /** The oldest chunk sent, parsed, with the worker that parsed it; null when none is out. */
  async next(): Promise<{ worker: number; packed: PackedTextChunk; text: string } | null> {
    const p = this.sent.shift();
    return p ? { worker: p.worker, packed: await p.result, text: p.text } : null;
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

/**
 * Reads trace text from `content` with worker threads and hands every line to `reader` in order. Returns the lines
 * seen, and whether the reader broke (threw) on one. Said as on one thread: a read failure (`readFailure` words it),
 * cut lines, cancellation. Never throws.
 */
export async function readTextInWorkers(
  content: AsyncIterable<Uint8Array>,
  reader: TraceTextLineReader,
  sink: RecordSink,
  readFailure: (linesSeen: number, e: Error) => string,
  options: ParallelTextOptions,
): Promise<{ lines: number; broken: boolean }> {
  const count = Math.max(1, Math.min(MAX_WORKERS, availableParallelism() - 1));
  const pool = new ChunkPool(count);
  const strings = new WorkerStrings();
  const feeder = new LineFeeder(reader, sink);
  const maxInFlight = 2 * count + 1;
  let first = true;
  const send = (bytes: Uint8Array) => {
    pool.send(bytes, first);
    first = false;
  };
  const takeOne = async () => {
    const got = await pool.next();
    if (got) feeder.feed(unpack(got.packed, got.text), strings.learn(got.worker, got.packed));
    options.onProgress?.();
  };
  const chunker = new LineChunker(options.chunkBytes);
  let cancelled = false;
  try {
    try {
      for await (const piece of content) {
        if (options.signal?.aborted) {
          cancelled = true;
          break;
        }
        for (const chunk of chunker.push(piece)) send(chunk);
        while (pool.inFlight >= maxInFlight && !feeder.broken) await takeOne();
        if (feeder.broken) break;
      }
    } catch (e) {
      // the whole lines read before the failure are read, the failure is said after them, then the cut line
      const rest = chunker.end();
      const lastNewline = rest ? rest.lastIndexOf(10) : -1;
      if (rest && lastNewline >= 0) send(rest.subarray(0, lastNewline + 1));
      while (pool.inFlight > 0 && !feeder.broken) await takeOne();
      sink.warn(feeder.lines || null, readFailure(feeder.lines, e as Error));
      chunker.restart(rest ? rest.subarray(lastNewline + 1) : new Uint8Array(0));
    }
    const rest = cancelled || feeder.broken ? null : chunker.end();
    if (rest) send(rest);
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

/** Hands a parsed chunk's lines to the reader, numbering them on from the chunks before. */
class LineFeeder {
  lines = 0;
  broken = false;
  readonly cutLines: number[] = [];

  constructor(
    private readonly reader: TraceTextLineReader,
    private readonly sink: RecordSink,
  ) {}

  feed(c: ParsedTextChunk, table: readonly string[]): void {
    const base = this.lines;
    for (const i of c.cutLines) this.cutLines.push(base + i + 1);
    const n = c.lineStart.length;
    for (let i = 0; i < n && !this.broken; i++) {
      const lineNo = base + i + 1;
      const ev = c.lineEvent[i];
      try {
        const raw = c.text.slice(c.lineStart[i], c.lineEnd[i]);
        this.reader.lineParsed(raw, lineNo, ev < 0 ? null : chunkEvent(c, table, ev, lineNo));
      } catch (e) {
        this.broken = true;
        this.sink.fail(
          lineNo,
          `internal error in the trace text reader, the rest of the file is skipped: ${(e as Error)?.message ?? e}`,
        );
      }
    }
    this.lines = base + n;
  }
}
