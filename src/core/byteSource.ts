// What core reads: a byte source — a path, bytes in memory, or an async stream of chunks (the extension feeds one
// from vscode.workspace.fs for remote and virtual files, and bytes for unsaved documents). A path is opened once,
// through a file accessor that tests can replace to count opens.
import { promises as fsp } from 'node:fs';

/** A file on disk (opened once, read through one handle). */
export interface PathSource {
  kind: 'path';
  path: string;
}

/** Bytes already in memory (an unsaved or untitled document). `name` labels the input in messages and the JSON. */
export interface BytesSource {
  kind: 'bytes';
  name: string;
  bytes: Uint8Array;
}

/**
 * Chunks in order from a reader the caller owns (e.g. `vscode.workspace.fs.readFile` slices). `size`, when known,
 * is the total byte count, for progress; without it progress reports only bytes done.
 */
export interface StreamSource {
  kind: 'stream';
  name: string;
  chunks: AsyncIterable<Uint8Array>;
  size?: number;
}

export type ByteSource = PathSource | BytesSource | StreamSource;
/** What the read and analyse functions accept: a plain string is a path. */
export type InputSource = string | ByteSource;

export function toByteSource(input: InputSource): ByteSource {
  return typeof input === 'string' ? { kind: 'path', path: input } : input;
}

/** The name an input goes by in messages and in the analysis JSON (`inputs[].path`). */
export function sourceName(source: ByteSource): string {
  return source.kind === 'path' ? source.path : source.name;
}

/** Random access to bytes: what trace.dat needs (its header points at sections and per-CPU data). */
export interface RandomAccess {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** An open file: Node's FileHandle fits this. */
export interface OpenFile extends RandomAccess {
  stat(): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
  close(): Promise<void>;
}

/** Opens files for reading; replaceable so that tests can count opens and other hosts can supply their own. */
export interface FileAccessor {
  open(path: string): Promise<OpenFile>;
}

export const nodeFileAccessor: FileAccessor = { open: (path) => fsp.open(path, 'r') };

/** Random access over bytes in memory. */
export function memoryAccess(bytes: Uint8Array): RandomAccess {
  return {
    read(buffer, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      if (n > 0) buffer.set(bytes.subarray(position, position + n), offset);
      return Promise.resolve({ bytesRead: n });
    },
  };
}

export const CHUNK_BYTES = 1 << 20;

/** Reads an open file front to back in chunks, from `start`. */
export async function* fileChunks(file: RandomAccess, size: number, start = 0): AsyncGenerator<Uint8Array> {
  for (let pos = start; pos < size;) {
    const buf = new Uint8Array(Math.min(CHUNK_BYTES, size - pos));
    const { bytesRead } = await file.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return; // the file shrank while being read
    pos += bytesRead;
    yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
  }
}

/** Bytes in memory as chunks (so that the text path treats every source alike). */
export function* memoryChunks(bytes: Uint8Array): Generator<Uint8Array> {
  for (let pos = 0; pos < bytes.length; pos += CHUNK_BYTES) yield bytes.subarray(pos, pos + CHUNK_BYTES);
}

/**
 * A chunk stream whose head can be looked at before it is read: the head is kept and replayed, so sniffing never
 * reads the source twice. An error met while peeking is kept and thrown where the full read reaches it.
 */
export class PeekableChunks implements AsyncIterable<Uint8Array> {
  private readonly held: Uint8Array[] = [];
  private heldBytes = 0;
  private ended = false;
  private error: unknown = null;
  private readonly it: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    this.it =
      Symbol.asyncIterator in source
        ? (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
        : toAsync((source as Iterable<Uint8Array>)[Symbol.iterator]());
  }

  /** The error met while peeking, if any (it is thrown again where the full read reaches it). */
  get failure(): unknown {
    return this.error;
  }

  /** At least the first `n` bytes (fewer when the stream ends or fails first). */
  async peek(n: number): Promise<Uint8Array> {
    while (this.heldBytes < n && !this.ended && this.error === null) {
      try {
        const r = await this.it.next();
        if (r.done) this.ended = true;
        else if (r.value.length > 0) {
          this.held.push(r.value);
          this.heldBytes += r.value.length;
        }
      } catch (e) {
        this.error = e;
      }
    }
    return concat(this.held, this.heldBytes);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    while (this.held.length > 0) yield this.held.shift()!;
    this.heldBytes = 0;
    if (this.error !== null) throw this.error;
    if (this.ended) return;
    try {
      for (;;) {
        const r = await this.it.next();
        if (r.done) {
          this.ended = true;
          return;
        }
        yield r.value;
      }
    } finally {
      if (!this.ended) await this.close(); // the reader stopped early: let the source stop too
    }
  }

  /** Stops the underlying source (a file read or a caller's stream) early. */
  async close(): Promise<void> {
    this.ended = true;
    await this.it.return?.();
  }
}

function toAsync(it: Iterator<Uint8Array>): AsyncIterator<Uint8Array> {
  return { next: () => Promise.resolve(it.next()) };
}

export function concat(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.length, 0)): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
