// STUB: the native trace.dat reader (issue 6) replaces this.
import type { RecordSink } from '../records';

/** trace-cmd files start with 0x17 0x08 0x44 "tracing". */
export const TRACE_DAT_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];

export function isTraceDat(head: Uint8Array): boolean {
  return TRACE_DAT_MAGIC.every((b, i) => head[i] === b);
}

export interface TraceDatOptions {
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  signal?: AbortSignal;
}

export async function readTraceDat(path: string, sink: RecordSink, _options: TraceDatOptions = {}): Promise<void> {
  sink.fail(null, `${path}: trace.dat files are not read yet; run \`trace-cmd report ${path} > report.txt\` and analyse that`);
}
