// Child process for memory.test.ts (run with --expose-gc): reads one file through the reader pipeline alone
// ("read") or through the whole analysis as the CLI does ("analyze"), and samples live memory after a full GC at
// every progress report (each 4 MB). Prints one JSON line, with the process's peak RSS (worker threads included).
import { analyzeFiles } from '../../src/core/analyze';
import { readInputFile } from '../../src/core/input';

const [file, mode] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

/** Live JS heap plus array buffers (typed arrays live outside the JS heap), in MB. */
function liveMB(): number {
  gc!();
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

async function main(): Promise<void> {
  const samples: { bytes: number; liveMB: number }[] = [];
  const onProgress = (bytes: number) => samples.push({ bytes, liveMB: liveMB() });
  let records: number;
  if (mode === 'read') {
    const summary = await readInputFile(file, () => {}, { onProgress });
    records = summary.records;
  } else {
    const analysis = await analyzeFiles([file], { onProgress });
    records = analysis.inputs[0].records;
  }
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ records, samples, endLiveMB: liveMB(), peakRssMB })}\n`);
}

void main();
