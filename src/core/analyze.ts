// Analyse several inputs as one run: read each (streaming) into one Analyzer, then summarise.
import type { Analysis } from './analysisTypes';
import { readInputFile, type ReadOptions } from './input';
import type { LineFacts } from './lineFacts';
import type { InputRecord } from './records';
import { Analyzer } from './model/analyzer';
import { RunSplitter } from './model/runs';
import { addCaptureRecipe } from './capture/recipes';
import { regroup, RunFingerprints } from './runGrouping';

export interface AnalyzeOptions extends Omit<ReadOptions, 'onProgress'> {
  /** Progress over all files: bytes done and total, and the file being read. */
  onProgress?: (bytesDone: number, bytesTotal: number, path: string) => void;
  /** Called with the analysis so far, at most every `partialEveryMs` (default 500 ms) while reading. */
  onPartial?: (analysis: Analysis) => void;
  partialEveryMs?: number;
}

export interface DetailedAnalysis {
  analysis: Analysis;
  /** Facts per source line of the FIRST input (the one a hover is asked about). */
  lineFacts: LineFacts;
}

/** The analysis alone (CLI): no per-line facts are kept, which saves memory on large traces. */
export async function analyzeFiles(paths: readonly string[], options: AnalyzeOptions = {}): Promise<Analysis> {
  return (await analyze(paths, options, false)).analysis;
}

/** The analysis and the facts per line of the first input (hovers, reveal). */
export function analyzeFilesDetailed(paths: readonly string[], options: AnalyzeOptions = {}): Promise<DetailedAnalysis> {
  return analyze(paths, options, true);
}

async function analyze(
  paths: readonly string[],
  options: AnalyzeOptions,
  keepLineFacts: boolean,
  grouping = true,
): Promise<DetailedAnalysis> {
  const analyzer = new Analyzer(keepLineFacts);
  const runs = new RunSplitter(analyzer);
  // Several inputs: fingerprinted while read, so that different runs or a repeated recording are not summed.
  const prints = grouping && paths.length > 1 ? new RunFingerprints() : null;
  let lastPartial = Date.now();
  // Event names seen, for the capture recipe (what the trace lacks); consecutive repeats skip the set.
  const eventNames = new Set<string>();
  let lastName = '';
  for (const [index, path] of paths.entries()) {
    analyzer.beginInput(index);
    const summary = await readInputFile(path, (r) => {
      if (r.type === 'event' && r.name !== lastName) eventNames.add((lastName = r.name));
      prints?.add(index, r);
      runs.add(r);
    }, {
      ...options,
      onProgress: (done, total) => {
        options.onProgress?.(done, total, path);
        if (options.onPartial && Date.now() - lastPartial >= (options.partialEveryMs ?? 500)) {
          lastPartial = Date.now();
          options.onPartial(analyzer.snapshot());
        }
      },
    });
    analyzer.endInput(summary);
    runs.endInput();
    if (options.signal?.aborted) break;
  }
  const analysis = addCaptureRecipe(analyzer.finish(), eventNames);
  runs.attach(analysis);
  const result = { analysis, lineFacts: analyzer.lineFacts() };
  const plan = prints?.plan(paths.length);
  if (!plan || plan.kind === 'one-run' || options.signal?.aborted) return result;
  const analyzeGroup = (group: string[]) => analyze(group, options, keepLineFacts && group[0] === paths[0], false);
  return regroup(paths, plan, result.analysis, analyzeGroup);
}
