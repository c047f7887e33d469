// Opening one input: sniff its content (gzip, trace.dat, which text format), then stream it through its reader.
// Node's fs/zlib only — no vscode, no DOM — so the CLI, the extension host and a worker share it.
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { LineSplitter, encodingFromBom } from './lineSplitter';
import type { InputFormat, InputRecord, InputWarning, LineReader, RecordSink } from './records';
import { TEXT_READERS, readerFor } from './readers/index';
import { isTraceDat, readTraceDat } from './tracedat/index';

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

/** Collects warnings with a cap, counting records, and forwarding records to the consumer. */
class CountingSink implements RecordSink {
  records = 0;
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
    return `${path} looks like UTF-16 text without a byte-order mark; convert it to UTF-8 (e.g. iconv -f UTF-16LE -t UTF-8)`;
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

async function readHead(path: string, n: number): Promise<Uint8Array> {
  const fh = await fsp.open(path, 'r');
  try {
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Decompresses a gzip file to a temporary file (trace.dat needs random access). */
async function gunzipToTemp(path: string, signal?: AbortSignal): Promise<string> {
  const out = join(tmpdir(), `kvm-trace-lens-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.dat`);
  await pipeline(createReadStream(path), createGunzip(), createWriteStream(out), { signal });
  return out;
}

/**
 * Reads one input file, streaming, and hands every record to `onRecord`.
 * Never throws for bad content: problems end up in the summary's warnings / error.
 */
export async function readInputFile(
  path: string,
  onRecord: (r: InputRecord) => void,
  options: ReadOptions = {},
): Promise<InputSummary> {
  const sink = new CountingSink(onRecord);
  const summary = (format: InputFormat | null, bytes: number): InputSummary => ({
    path,
    format,
    records: sink.records,
    warnings: sink.finishWarnings(),
    error: sink.error,
    bytes,
  });
  let size: number;
  try {
    const st = await fsp.stat(path);
    if (st.isDirectory()) throw new InputError('it is a directory, not a file');
    if (!st.isFile()) throw new InputError('it is not a regular file');
    size = st.size;
  } catch (e) {
    sink.fail(null, `cannot read ${path}: ${e instanceof InputError ? e.message : describeFsError(e)}`);
    return summary(null, 0);
  }
  if (size === 0) {
    sink.fail(null, `${path} is empty (0 bytes)`);
    return summary(null, 0);
  }
  let raw: Uint8Array;
  try {
    raw = await readHead(path, DETECT_BYTES);
  } catch (e) {
    sink.fail(null, `cannot read ${path}: ${describeFsError(e)}`);
    return summary(null, size);
  }
  const gzipped = startsWith(raw, GZIP_MAGIC);

  if (isTraceDat(raw) || (gzipped && isTraceDat(await gunzipHead(path)))) {
    let datPath = path;
    try {
      if (gzipped) datPath = await gunzipToTemp(path, options.signal);
      await readTraceDat(datPath, sink, options);
    } catch (e) {
      sink.fail(null, `${path}: ${(e as Error).message}`);
    } finally {
      if (datPath !== path) await fsp.rm(datPath, { force: true });
    }
    return summary('trace-dat', size);
  }

  const head = await headLines(path, gzipped);
  let format = options.format ?? null;
  if (format === null) {
    if (!gzipped && encodingFromBom(raw) === 'utf-8' && looksBinary(raw)) {
      sink.fail(null, binaryReason(path, raw));
      return summary(null, size);
    }
    if (gzipped && head.length === 0) {
      sink.fail(null, `${path} is gzip-compressed but holds no text (the gzip data is empty, damaged or cut short)`);
      return summary(null, size);
    }
    format = detectTextFormat(head);
  }
  if (format === null) {
    sink.fail(
      null,
      `${path}: not a recognised input (${describeHead(head)}); expected trace-cmd report / ftrace / perf script text, ` +
        'perf kvm stat, kvm_stat, netperf or iperf output, or a trace.dat',
    );
    return summary(null, size);
  }
  const reader = readerFor(format);
  if (!reader) {
    sink.fail(null, `${path}: no reader for format ${format}`);
    return summary(format, size);
  }
  const lineReader = guardReader(reader.create(format, sink), format, sink);
  const lines = await streamLines(path, gzipped, lineReader, sink, size, options);
  if (sink.records === 0 && sink.warnings.length === 0 && sink.error === null) {
    // A reader that found nothing and said nothing (e.g. output cut before its first result): never end silently.
    sink.warn(null, `no ${format} results found in ${lines} lines (cut short, or not the whole output?)`);
  }
  return summary(format, size);
}

/**
 * Readers never throw for bad content; if one does all the same (a bug), the records before the line stay and the
 * rest of the file is skipped with a failure naming the line, instead of the whole analysis dying.
 */
function guardReader(reader: LineReader, format: InputFormat, sink: RecordSink): LineReader {
  let broken = false;
  const failWith = (lineNo: number | null, e: unknown) => {
    broken = true;
    sink.fail(lineNo, `internal error in the ${format} reader, the rest of the file is skipped: ${(e as Error)?.message ?? String(e)}`);
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

async function gunzipHead(path: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  const src = createReadStream(path);
  const gunzip = createGunzip();
  try {
    for await (const chunk of src.pipe(gunzip)) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= DETECT_BYTES) break;
    }
  } catch {
    // a damaged gzip: whatever came out is the head; the full read reports the damage
  } finally {
    src.destroy();
    gunzip.destroy();
  }
  return new Uint8Array(Buffer.concat(chunks));
}

async function headLines(path: string, gzipped: boolean): Promise<string[]> {
  const bytes = gzipped ? await gunzipHead(path) : await readHead(path, DETECT_BYTES);
  const lines: string[] = [];
  const splitter = new LineSplitter((text) => {
    if (lines.length < DETECT_LINES && text.trim() !== '') lines.push(text);
  });
  splitter.push(bytes);
  splitter.end(); // a head without any newline (one huge line) is still a line to look at
  return lines;
}

/** A chunk as a string when it is pure ASCII (the common case for traces), without the UTF-8 decoder. */
function asciiText(chunk: Uint8Array): string | null {
  return isAscii(chunk) ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1') : null;
}

async function streamLines(
  path: string,
  gzipped: boolean,
  reader: LineReader,
  sink: RecordSink,
  size: number,
  options: ReadOptions,
): Promise<number> {
  const splitter = new LineSplitter((text, no) => reader.line(text, no), asciiText);
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let lastReport = 0;
  const progress = () => {
    if (options.onProgress && file.bytesRead - lastReport >= 4 << 20) {
      lastReport = file.bytesRead;
      options.onProgress(file.bytesRead, size);
    }
  };
  try {
    const source = gzipped ? file.pipe(createGunzip()) : file;
    if (gzipped) file.on('error', (e) => (source as NodeJS.ReadableStream).emit('error', e));
    for await (const chunk of source) {
      if (options.signal?.aborted) {
        sink.warn(splitter.linesSeen, `cancelled after line ${splitter.linesSeen}`);
        break;
      }
      splitter.push(chunk as Buffer);
      progress();
    }
  } catch (e) {
    const what = gzipped ? 'gzip data is damaged or truncated' : 'read failed';
    sink.warn(splitter.linesSeen || null, `${what} after line ${splitter.linesSeen}: ${(e as Error).message}; keeping what was read`);
  } finally {
    file.destroy();
  }
  splitter.end();
  for (const no of splitter.cutLines) sink.warn(no, `line longer than ${1 << 20} characters was cut`);
  reader.end(splitter.linesSeen);
  options.onProgress?.(size, size);
  return splitter.linesSeen;
}
