// Bench child: time from process start until the core reports its first progress (trace.dat: once its header is
// read; text: once the first chunks are analysed), then cancels. Bundled by scripts/bench.mjs the way the CLI is,
// so the figure includes the same start-up cost. Prints one JSON line.
import { analyzeFiles } from '../../src/core/analyze';

async function main(): Promise<void> {
  const file = process.argv[2];
  const controller = new AbortController();
  let firstMs: number | null = null;
  let firstBytes = 0;
  await analyzeFiles([file], {
    signal: controller.signal,
    onProgress: (done) => {
      if (firstMs !== null || done === 0) return;
      firstMs = performance.now();
      firstBytes = done;
      controller.abort();
    },
  });
  process.stdout.write(`${JSON.stringify({ firstMs, firstBytes })}\n`);
}

void main();
