// Reads a benchmark file through one reader, as input.ts does (detection on the first non-empty lines, then line
// by line), collecting results, intervals, warnings and failures.
import { readFileSync } from 'node:fs';
import type {
  BenchmarkInterval,
  BenchmarkResult,
  InputFormat,
  InputWarning,
  TextFormatReader,
} from '../../src/core/records';

export interface Outcome {
  format: InputFormat | null;
  results: BenchmarkResult[];
  intervals: BenchmarkInterval[];
  warnings: InputWarning[];
  fails: InputWarning[];
}

/** The file's lines as the line splitter hands them over (no final empty line, no CR). */
export function fileLines(path: string): string[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

/** `force`: read with this format even when detection says no. */
export function readBenchmark(reader: TextFormatReader, path: string, force?: InputFormat): Outcome {
  const lines = fileLines(path);
  const format = reader.detect(lines.filter((l) => l.trim() !== '').slice(0, 200));
  const out: Outcome = { format, results: [], intervals: [], warnings: [], fails: [] };
  const use = format ?? force;
  if (!use) return out;
  const lineReader = reader.create(use, {
    record: (r) => {
      if (r.type === 'benchmark') out.results.push(r);
      else if (r.type === 'benchmark-interval') out.intervals.push(r);
    },
    warn: (line, message) => out.warnings.push({ line, message }),
    fail: (line, message) => out.fails.push({ line, message }),
  });
  lines.forEach((l, i) => lineReader.line(l, i + 1));
  lineReader.end(lines.length);
  return out;
}
