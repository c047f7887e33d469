// Analyse several inputs as one run: read each (streaming) into one Analyzer, then summarise.
import type { Analysis } from './analysisTypes';
import { readInputFile, type ReadOptions } from './input';
import { Analyzer } from './model/analyzer';

export interface AnalyzeOptions extends Omit<ReadOptions, 'onProgress'> {
  /** Progress over all files: bytes done and total, and the file being read. */
  onProgress?: (bytesDone: number, bytesTotal: number, path: string) => void;
}

export async function analyzeFiles(paths: readonly string[], options: AnalyzeOptions = {}): Promise<Analysis> {
  const analyzer = new Analyzer();
  for (const [index, path] of paths.entries()) {
    analyzer.beginInput(index);
    const summary = await readInputFile(path, (r) => analyzer.add(r), {
      ...options,
      onProgress: options.onProgress ? (done, total) => options.onProgress!(done, total, path) : undefined,
    });
    analyzer.endInput(summary);
    if (options.signal?.aborted) break;
  }
  return analyzer.finish();
}
