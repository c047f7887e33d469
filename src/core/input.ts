// Opening one input: sniff its content (gzip, trace.dat, which text format), then stream it through its reader.
// Node's fs/zlib only — no vscode, no DOM — so the CLI, the extension host and a worker share it.
import { createWriteStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { isAscii } from 'node:buffer';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import {
  PeekableChunks,
  concat,
  fileChunks,
  memoryAccess,
  memoryChunks,
  nodeFileAccessor,
  sourceName,
  toByteSource,
  type ByteSource,
  type FileAccessor,
  type InputSource,
  type OpenFile,
  type RandomAccess,
} from './byteSource';
import { COUNTS_RECORDS, type CountedSink } from './countedSink';
import { LineSplitter, encodingFromBom } from './lineSplitter';
import { isTraceTextFormat } from './records';
import type { InputFormat, InputRecord, InputWarning, LineReader, RecordSink } from './records';
import { TEXT_READERS, readerFor } from './readers/index';
import { TraceTextLineReader } from './readers/traceText';
import { readTextInWorkers, useTextWorkers } from './readers/traceTextParallel';
import { isTraceDat, readTraceDat, readTraceDatFrom } from './tracedat/index';
import { readTraceDatInThread, useReaderThread } from './tracedat/readerThread';
import type { CompetingWorkHandover } from './model/traceModel';

/** How many warnings one input keeps verbatim; the rest are counted in a final warning, never silently dropped. */
export const MAX_KEPT_WARNINGS = 200;
/** Lines looked at for detection. */
const DETECT_LINES = 200;
const DETECT_BYTES = 256 * 1024;

export interface InputSummary {
  path: string;
  format: InputFormat | null;
  records: number;
  warnings: InputWarning[];
  /** Set when nothing (more) could be read: the reason, naming line or offset. */
  error: string | null;
  bytes: number;
}

export interface ReadOptions {
  /** Called now and then with bytes consumed so far (of the file on disk) and its size. */
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
  /** Force a format instead of detecting it. */
  format?: InputFormat;
  /** Opens path sources (default: node:fs); tests pass one that counts opens. */
  fileAccessor?: FileAccessor;
  /** Every line of a trace-text input, as read (hover counts are taken in the main pass). */
  onTextLine?: (text: string, lineNo: number) => void;
  /**
   * Where a gzip-compressed trace.dat from a path is decompressed to (it needs random access and may exceed memory):
   * the system temp folder by default; null keeps it in memory.
   */
  spillDirectory?: string | null;
  /** trace.dat: decode the model's fields from the binary layout (default true); false prints and parses them. */
  fastFields?: boolean;
  /**
   * trace.dat: read the CPU streams, trace text: parse the lines, in worker threads (true), on this thread (false),
   * or decide (absent: more than one core and a large input; KVM_TRACE_LENS_PARALLEL=on|off overrides).
   */
  parallel?: boolean;
  /**
   * trace.dat from a file: read it whole in a worker thread while the consumer runs here (the analysis sets this; its
   * events then carry decoded fields without their payloads: eventColumns.ts). `parallel` decides as above.
   */
  readerThread?: boolean;
  /**
   * With `readerThread`: the model's competing-work collector, which the reading thread then feeds (the events say
   * so: `competingWorkDone`) and hands back at the end of the file. Only for a consumer whose model gets every event.
   */
  competingWork?: CompetingWorkHandover;
  /**
   * With `readerThread`: the consumer reads each event only during its call and keeps no reference to it or to its
   * fields, so the reader may hand out the same objects refilled (no allocation per event).
   */
  lendEvents?: boolean;
  /** Trace text in worker threads: bytes per chunk (tests make it small, so that chunk borders fall everywhere). */
  textChunkBytes?: number;
}

export class InputError extends Error {}

const GZIP_MAGIC = [0x1f, 0x8b];

function startsWith(buf: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => buf[i] === b);
}

/** Detects a text format from its first lines; null when no reader recognises it. */
export function detectTextFormat(head: readonly string[]): InputFormat | null {
  for (const reader of TEXT_READERS) {
    const f = reader.detect(head);
    if (f) return f;
  }
  return null;
}

/** Collects warnings with a cap, counting records (the one count: readers ask it), forwarding records on. */
class CountingSink implements CountedSink {
  records = 0;
  readonly [COUNTS_RECORDS] = true as const;
  warnings: InputWarning[] = [];
  dropped = 0;
  error: string | null = null;
  constructor(private readonly onRecord: (r: InputRecord) => void) {}
  record(r: InputRecord): void {
    this.records++;
    this.onRecord(r);
  }
  warn(line: number | null, message: string): void {
    if (this.warnings.length < MAX_KEPT_WARNINGS) this.warnings.push({ line, message });
    else this.dropped++;
  }
  fail(line: number | null, message: string): void {
    if (this.error === null) this.error = line === null ? message : `line ${line}: ${message}`;
    this.warn(line, message);
  }
  finishWarnings(): InputWarning[] {
    if (this.dropped > 0) {
      return [...this.warnings, { line: null, message: `${this.dropped} more warnings not listed` }];
    }
    return this.warnings;
  }
}

function describeHead(head: readonly string[]): string {
  const first = head.find((l) => l.trim() !== '');
  if (first === undefined) return 'it holds only blank lines';
  const shown = first.length > 80 ? `${first.slice(0, 80)}…` : first;
  return `first line: ${JSON.stringify(shown)}`;
}

/** UTF-16 without a BOM: ASCII text with a zero byte beside nearly every character. */
function looksUtf16WithoutBom(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 16) return false;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) zeroEven++;
    if (bytes[i + 1] === 0) zeroOdd++;
  }
  const pairs = n / 2;
  return (zeroOdd > 0.9 * pairs && zeroEven < 0.1 * pairs) || (zeroEven > 0.9 * pairs && zeroOdd < 0.1 * pairs);
}

/** Why a file that is no text cannot be read: named so that the user knows what to do. */
function binaryReason(path: string, bytes: Uint8Array): string {
  if (looksUtf16WithoutBom(bytes)) {
    return (
      `${path} looks like UTF-16 text without a byte-order mark; ` +
      'convert it to UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)'
    );
  }
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    return `${path} is an ELF executable, not a trace or benchmark output`;
  }
  return `${path} is a binary file but not a trace.dat (no "\\x17\\x08\\x44tracing" magic)`;
}

function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  const n = Math.min(bytes.length, 4096);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32)) control++;
  }
  return n > 0 && control / n > 0.1;
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many symbolic links';
  return code ?? String((e as Error).message ?? e);
}

/** A source opened and sniffed: its content as chunks (decompressed when gzip), with the head already looked at. */
interface OpenedInput {
  name: string;
  /** Total bytes of the source as stored (compressed when gzip); null when a stream did not say. */
  size: number | null;
  gzipped: boolean;
  /** The raw bytes' head (before decompression): binary and encoding checks look at it. */
  rawHead: Uint8Array;
  /** The content's head (after decompression). */
  head: Uint8Array;
  content: PeekableChunks;
  /** Raw bytes consumed so far, for progress. */
  rawDone(): number;
  /** Random access to the content when the source allows it without copying (an uncompressed file or bytes). */
  access: RandomAccess | null;
  /** The file on disk, when the content is that file's bytes as stored (not gzip): workers may open it too. */
  filePath: string | null;
  close(): Promise<void>;
}

/** Counts the raw bytes a chunk stream has handed on. */
function counted(chunks: AsyncIterable<Uint8Array>, count: { bytes: number }): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      for await (const c of chunks) {
        count.bytes += c.length;
        yield c;
      }
    },
  };
}

/** Decompresses a gzip chunk stream (all members of a multi-member file); a damaged stream throws where it breaks. */
function gunzipChunks(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return pipeline(Readable.from(chunks), createGunzip(), () => undefined);
}

/** Opens a source once and sniffs it. Throws InputError (with a message naming the input) when it cannot be read. */
async function openInput(source: ByteSource, files: FileAccessor): Promise<OpenedInput> {
  const name = sourceName(source);
  const count = { bytes: 0 };
  let raw: PeekableChunks;
  let size: number | null;
  let access: RandomAccess | null = null;
  let close = async (): Promise<void> => undefined;
  if (source.kind === 'path') {
    let file: OpenFile;
    try {
      file = await files.open(source.path);
    } catch (e) {
      throw new InputError(`cannot read ${name}: ${describeFsError(e)}`);
    }
    close = () => file.close().catch(() => undefined);
    try {
      const st = await file.stat();
      if (st.isDirectory()) throw new InputError('it is a directory, not a file');
      if (!st.isFile()) throw new InputError('it is not a regular file');
      size = st.size;
    } catch (e) {
      await close();
      throw new InputError(`cannot read ${name}: ${e instanceof InputError ? e.message : describeFsError(e)}`);
    }
    raw = new PeekableChunks(counted(fileChunks(file, size), count));
    access = file;
  } else if (source.kind === 'bytes') {
    size = source.bytes.length;
    raw = new PeekableChunks(counted(toAsyncIterable(memoryChunks(source.bytes)), count));
    access = memoryAccess(source.bytes);
  } else {
    size = source.size ?? null;
    raw = new PeekableChunks(counted(source.chunks, count));
  }
  const rawHead = await raw.peek(DETECT_BYTES);
  if (rawHead.length === 0 && raw.failure !== null) {
    await close();
    throw new InputError(`cannot read ${name}: ${describeFsError(raw.failure)}`);
  }
  const gzipped = startsWith(rawHead, GZIP_MAGIC);
  const content = gzipped ? new PeekableChunks(gunzipChunks(raw)) : raw;
  const head = gzipped ? await content.peek(DETECT_BYTES) : rawHead;
  return {
    name,
    size,
    gzipped,
    rawHead,
    head,
    content,
    rawDone: () => count.bytes,
    access: gzipped ? null : access,
    filePath: !gzipped && source.kind === 'path' ? source.path : null,
    close: async () => {
      await content.close().catch(() => undefined);
      await close();
    },
  };
}

function toAsyncIterable(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
}

/**
 * Reads one input, streaming, and hands every record to `onRecord`. The input is a path (a string or a path
 * source), bytes, or a stream of chunks; it is opened once and read once.
 * Never throws for bad content: problems end up in the summary's warnings / error.
 */
export async function readInput(
  input: InputSource,
  onRecord: (r: InputRecord) => void,
  options: ReadOptions = {},
): Promise<InputSummary> {
  const source = toByteSource(input);
  const sink = new CountingSink(onRecord);
  const name = sourceName(source);
  const summary = (format: InputFormat | null, bytes: number): InputSummary => ({
    path: name,
    format,
    records: sink.records,
    warnings: sink.finishWarnings(),
    error: sink.error,
    bytes,
  });
  let opened: OpenedInput;
  try {
    opened = await openInput(source, options.fileAccessor ?? nodeFileAccessor);
  } catch (e) {
    sink.fail(null, e instanceof InputError ? e.message : `cannot read ${name}: ${(e as Error).message}`);
    return summary(null, 0);
  }
  try {
    const format = await readOpened(opened, sink, options);
    return summary(format, opened.size ?? opened.rawDone());
  } finally {
    await opened.close();
  }
}

/** The path-only entry point, kept for callers that have a file name. */
export function readInputFile(
  path: string,
  onRecord: (r: InputRecord) => void,
  options: ReadOptions = {},
): Promise<InputSummary> {
  return readInput(path, onRecord, options);
}

async function readOpened(input: OpenedInput, sink: CountingSink, options: ReadOptions): Promise<InputFormat | null> {
  const { name, gzipped, rawHead } = input;
  if (rawHead.length === 0) {
    sink.fail(null, `${name} is empty (0 bytes)`);
    return null;
  }
  if (isTraceDat(input.head)) {
    await readTraceDatInput(input, sink, options);
    return 'trace-dat';
  }
  const head = headLines(input.head);
  let format = options.format ?? null;
  if (format === null) {
    if (!gzipped && encodingFromBom(rawHead) === 'utf-8' && looksBinary(rawHead)) {
      sink.fail(null, binaryReason(name, rawHead));
      return null;
    }
    if (gzipped && head.length === 0) {
      sink.fail(null, `${name} is gzip-compressed but holds no text (the gzip data is empty, damaged or cut short)`);
      return null;
    }
    format = detectTextFormat(head);
  }
  if (format === null) {
    sink.fail(
      null,
      `${name}: not a recognised input (${describeHead(head)}); ` +
        'expected trace-cmd report / ftrace / perf script text, ' +
        'perf kvm stat, kvm_stat, netperf or iperf output, or a trace.dat',
    );
    return null;
  }
  const reader = readerFor(format);
  if (!reader) {
    sink.fail(null, `${name}: no reader for format ${format}`);
    return format;
  }
  const created = reader.create(format, sink);
  let lineReader = guardReader(created, format, sink);
  if (options.onTextLine && isTraceTextFormat(format)) lineReader = tapLines(lineReader, options.onTextLine);
  const lines = textWorkersFit(created, input, options)
    ? await streamLinesInWorkers(input, created, lineReader, sink, options)
    : await streamLines(input, lineReader, sink, options);
  if (sink.records === 0 && sink.warnings.length === 0 && sink.error === null) {
    // A reader that found nothing and said nothing (e.g. output cut before its first result): never end silently.
    sink.warn(null, `no ${format} results found in ${lines} lines (cut short, or not the whole output?)`);
  }
  return format;
}

/** Hands every line to `onLine` as well as to the reader (hover counts are taken in the same pass). */
function tapLines(reader: LineReader, onLine: (text: string, lineNo: number) => void): LineReader {
  return {
    line(text, lineNo) {
      onLine(text, lineNo);
      reader.line(text, lineNo);
    },
    end: (last) => reader.end(last),
  };
}

/**
 * trace.dat needs random access: an uncompressed file or bytes are read in place; a gzip file is decompressed to a
 * temporary file (it may be larger than memory), a gzip or plain stream into memory.
 */
async function readTraceDatInput(input: OpenedInput, sink: RecordSink, options: ReadOptions): Promise<void> {
  const { name } = input;
  if (options.readerThread && input.filePath && input.size !== null && useReaderThread(options.parallel, input.size)) {
    const opened = input.access ? { access: input.access, size: input.size } : undefined;
    await readTraceDatInThread(input.filePath, name, sink, { ...options, opened });
    return;
  }
  if (input.access && input.size !== null) {
    await readTraceDatFrom(input.access, input.size, name, sink, { ...options, filePath: input.filePath ?? undefined });
    return;
  }
  // progress of a decompressed copy, reported in bytes of the source as stored
  const stored = input.size;
  const report = options.onProgress;
  const scaled = (done: number, all: number) =>
    stored === null || all === 0 ? report!(done, all) : report!(Math.round((done / all) * stored), stored);
  const datOptions = { ...options, onProgress: report && scaled };
  let tempPath: string | null = null;
  try {
    if (input.gzipped && options.spillDirectory !== null) {
      const unique = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      tempPath = join(options.spillDirectory ?? tmpdir(), `kvm-trace-lens-${unique}.dat`);
      await pipelineAsync(Readable.from(input.content), createWriteStream(tempPath), { signal: options.signal });
      await readTraceDat(tempPath, sink, datOptions, name);
    } else {
      const parts: Uint8Array[] = [];
      for await (const c of input.content) parts.push(c);
      const bytes = concat(parts);
      await readTraceDatFrom(memoryAccess(bytes), bytes.length, name, sink, datOptions);
    }
  } catch (e) {
    sink.fail(null, `${name}: ${(e as Error).message}`);
  } finally {
    if (tempPath !== null) await fsp.rm(tempPath, { force: true });
  }
}

/**
 * Readers never throw for bad content; if one does all the same (a bug), the records before the line stay and the
 * rest of the file is skipped with a failure naming the line, instead of the whole analysis dying.
 */
function guardReader(reader: LineReader, format: InputFormat, sink: RecordSink): LineReader {
  let broken = false;
  const failWith = (lineNo: number | null, e: unknown) => {
    broken = true;
    sink.fail(
      lineNo,
      `internal error in the ${format} reader, the rest of the file is skipped: ${(e as Error)?.message ?? String(e)}`,
    );
  };
  return {
    line(text, lineNo) {
      if (broken) return;
      try {
        reader.line(text, lineNo);
      } catch (e) {
        failWith(lineNo, e);
      }
    },
    end(lastLineNo) {
      if (broken) return;
      try {
        reader.end(lastLineNo);
      } catch (e) {
        failWith(null, e);
      }
    },
  };
}

function headLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => {
    if (lines.length < DETECT_LINES && text.trim() !== '') lines.push(text);
  });
  splitter.push(bytes.subarray(0, DETECT_BYTES));
  splitter.end(); // a head without any newline (one huge line) is still a line to look at
  return lines;
}

/** A chunk as a string when it is pure ASCII (the common case for traces), without the UTF-8 decoder. */
function asciiText(chunk: Uint8Array): string | null {
  return isAscii(chunk) ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1') : null;
}

const PROGRESS_EVERY_BYTES = 4 << 20;

/**
 * Progress for text read front to back: the first report as soon as some of it is analysed (a partial result to
 * show early), then one every PROGRESS_EVERY_BYTES read.
 */
function textProgress(options: ReadOptions, done: () => number, total: () => number): () => void {
  let lastReport = -1;
  return () => {
    const now = done();
    if (!options.onProgress || now === 0) return;
    if (lastReport >= 0 && now - lastReport < PROGRESS_EVERY_BYTES) return;
    lastReport = now;
    options.onProgress(now, total());
  };
}

/** Trace text read by worker threads: UTF-8 text, no per-line tap (hover counts), and big enough (or forced). */
function textWorkersFit(reader: LineReader, input: OpenedInput, options: ReadOptions): reader is TraceTextLineReader {
  if (!(reader instanceof TraceTextLineReader) || options.onTextLine) return false;
  return encodingFromBom(input.head) === 'utf-8' && useTextWorkers(options.parallel, input.size);
}

function readFailureText(input: OpenedInput, linesSeen: number, e: Error): string {
  const what = input.gzipped ? 'gzip data is damaged or truncated' : 'read failed';
  return `${what} after line ${linesSeen}: ${e.message}; keeping what was read`;
}

/** streamLines with the lines parsed in worker threads (readers/traceTextParallel.ts): the same records, warnings. */
async function streamLinesInWorkers(
  input: OpenedInput,
  reader: TraceTextLineReader,
  guarded: LineReader,
  sink: RecordSink,
  options: ReadOptions,
): Promise<number> {
  const total = () => input.size ?? input.rawDone();
  // a plain file is read again from its start, into reused buffers (the head looked at is dropped)
  const ring = input.access && !input.gzipped && input.size !== null ? { bytes: 0 } : null;
  const content = ring ? { access: input.access!, size: input.size!, done: ring } : input.content;
  const rawDone = () => (ring ? ring.bytes : input.rawDone());
  const onProgress = textProgress(options, rawDone, total);
  const failure = (lines: number, e: Error) => readFailureText(input, lines, e);
  const read = await readTextInWorkers(content, reader, sink, failure, {
    onProgress,
    signal: options.signal,
    chunkBytes: options.textChunkBytes,
  });
  if (!read.broken) guarded.end(read.lines);
  options.onProgress?.(total(), total());
  return read.lines;
}

async function streamLines(
  input: OpenedInput,
  reader: LineReader,
  sink: RecordSink,
  options: ReadOptions,
): Promise<number> {
  const splitter = new LineSplitter((text, no) => reader.line(text, no), asciiText);
  const total = () => input.size ?? input.rawDone();
  const progress = textProgress(options, () => input.rawDone(), total);
  try {
    for await (const chunk of input.content) {
      if (options.signal?.aborted) {
        sink.warn(splitter.linesSeen, `cancelled after line ${splitter.linesSeen}`);
        break;
      }
      splitter.push(chunk);
      progress();
    }
  } catch (e) {
    sink.warn(splitter.linesSeen || null, readFailureText(input, splitter.linesSeen, e as Error));
  }
  splitter.end();
  for (const no of splitter.cutLines) sink.warn(no, `line longer than ${1 << 20} characters was cut`);
  reader.end(splitter.linesSeen);
  options.onProgress?.(total(), total());
  return splitter.linesSeen;
}
