// Child process for perfetto.test.ts (run with --expose-gc): exports one file and samples live memory (after a full
// GC) at every progress report of the reader. Prints one JSON line.
import { exportPerfetto } from '../../src/core/export/exportPerfetto';

const [file, out] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function live(): { heapMB: number; buffersMB: number } {
  gc!();
  const m = process.memoryUsage();
  return { heapMB: m.heapUsed / 2 ** 20, buffersMB: m.arrayBuffers / 2 ** 20 };
}

async function main(): Promise<void> {
  const samples: { bytes: number; heapMB: number; buffersMB: number }[] = [];
  const result = await exportPerfetto([file], out, { onProgress: (bytes) => samples.push({ bytes, ...live() }) });
  process.stdout.write(`${JSON.stringify({ events: result.events, written: result.written, samples })}\n`);
}

void main();
