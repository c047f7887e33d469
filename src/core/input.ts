// Opening one input: sniff its content (gzip, trace.dat, which text format), then stream it through its reader.
// Node's fs/zlib only — no vscode, no DOM — so the CLI, the extension host and a worker share it.
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { LineSplitter } from './lineSplitter';
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
  if (first === undefined) return 'the file is empty';
  const shown = first.length > 80 ? `${first.slice(0, 80)}…` : first;
  return `first line: ${JSON.stringify(shown)}`;
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
    if (st.isDirectory()) throw new InputError('is a directory, not a file');
    size = st.size;
  } catch (e) {
    sink.fail(null, `cannot read ${path}: ${e instanceof InputError ? e.message : (e as NodeJS.ErrnoException).code ?? String(e)}`);
    return summary(null, 0);
  }
  const raw = await readHead(path, DETECT_BYTES);
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
    if (!gzipped && looksBinary(raw)) {
      sink.fail(null, `${path} is a binary file but not a trace.dat (no "\\x17\\x08\\x44tracing" magic)`);
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
  const lineReader = reader.create(format, sink);
  await streamLines(path, gzipped, lineReader, sink, size, options);
  return summary(format, size);
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
  return lines;
}

async function streamLines(
  path: string,
  gzipped: boolean,
  reader: LineReader,
  sink: RecordSink,
  size: number,
  options: ReadOptions,
): Promise<void> {
  const splitter = new LineSplitter((text, no) => reader.line(text, no));
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
}
