// Analyse several inputs as one run: read each (streaming) into one Analyzer, then summarise. An input that holds
// several runs (tables, benchmark runs, pasted traces) gives each of them a run of its own (model/runs.ts).
import type { Analysis } from './analysisTypes';
import { sourceName, type InputSource } from './byteSource';
import { readInput, type ReadOptions } from './input';
import type { InputRecord } from './records';
import type { LineFacts } from './lineFacts';
import { addCaptureRecipe } from './capture/recipes';
import { Analyzer } from './model/analyzer';
import { RunSplitter } from './model/runs';
import { regroup, RunFingerprints } from './runGrouping';

export interface AnalyzeOptions extends Omit<ReadOptions, 'onProgress' | 'onTextLine'> {
  /** Progress over all files: bytes done and total, and the file being read (its path, or a source's name). */
  onProgress?: (bytesDone: number, bytesTotal: number, path: string) => void;
  /** Called with the analysis so far, at most every `partialEveryMs` (default 500 ms) while reading. */
  onPartial?: (analysis: Analysis) => void;
  partialEveryMs?: number;
  /**
   * The hover key of a trace-text line (null: not counted). When given, the detailed analysis counts the lines of the
   * first input per key in the same pass that analyses them.
   */
  lineCountKey?: (text: string) => string | null;
}

export interface DetailedAnalysis {
  analysis: Analysis;
  /** Facts per source line of the FIRST input (the one a hover is asked about). */
  lineFacts: LineFacts;
  /**
   * Lines of the first input per hover key (`lineCountKey`), when it is trace text and a key function was given;
   * at most MAX_LINE_COUNT_KEYS distinct keys.
   */
  lineCounts: Record<string, number> | null;
}

/** Distinct keys counted; a pathological file must not grow the map without bound. */
export const MAX_LINE_COUNT_KEYS = 10_000;

/** The analysis alone (CLI): no per-line facts are kept, which saves memory on large traces. */
export async function analyzeFiles(inputs: readonly InputSource[], options: AnalyzeOptions = {}): Promise<Analysis> {
  return (await analyze(inputs, options, false)).analysis;
}

/** The analysis and the facts per line of the first input (hovers, reveal). */
export function analyzeFilesDetailed(
  inputs: readonly InputSource[],
  options: AnalyzeOptions = {},
): Promise<DetailedAnalysis> {
  return analyze(inputs, options, true);
}

async function analyze(
  inputs: readonly InputSource[],
  options: AnalyzeOptions,
  keepLineFacts: boolean,
  grouping = true,
): Promise<DetailedAnalysis> {
  const analyzer = new Analyzer(keepLineFacts);
  const runs = new RunSplitter(analyzer);
  // Several inputs: fingerprinted while read, so that different runs or a repeated recording are not summed. Only
  // inputs that can be read again (paths, bytes) can be regrouped; a stream is read once.
  const prints = grouping && inputs.length > 1 && inputs.every(rereadable) ? new RunFingerprints() : null;
  let lastPartial = Date.now();
  let lineCounts: Map<string, number> | null = null;
  for (const [index, input] of inputs.entries()) {
    const name = typeof input === 'string' ? input : sourceName(input);
    analyzer.beginInput(index);
    runs.beginInput(index, name);
    const counter = index === 0 && keepLineFacts && options.lineCountKey ? keyCounter(options.lineCountKey) : null;
    const onRecord = (r: InputRecord) => {
      prints?.add(index, r);
      runs.add(r);
    };
    const summary = await readInput(input, onRecord, {
      ...options,
      readerThread: true,
      // a trace.dat has no run marks: its events all reach this analyzer, which may hand a share of its work over
      competingWork: analyzer.competingWorkHandover(),
      // the model copies what it keeps of an event; only the records of later inputs may be held (RunSplitter)
      lendEvents: index === 0,
      onTextLine: counter?.onLine,
      onProgress: (done, total) => {
        options.onProgress?.(done, total, name);
        if (options.onPartial && Date.now() - lastPartial >= (options.partialEveryMs ?? 500)) {
          lastPartial = Date.now();
          options.onPartial(analyzer.snapshot());
        }
      },
    });
    if (counter && counter.lines > 0) lineCounts = counter.counts;
    analyzer.endInput(summary);
    runs.endInput();
    if (options.signal?.aborted) break;
  }
  // the names the analyzers counted, for the capture recipe (what the trace lacks): no set is asked per event
  const analysis = addCaptureRecipe(analyzer.finish(), runs.eventNames());
  runs.attach(analysis);
  const result = {
    analysis,
    lineFacts: analyzer.lineFacts(),
    lineCounts: lineCounts && Object.fromEntries(lineCounts),
  };
  const plan = prints?.plan(inputs.length);
  if (!plan || plan.kind === 'one-run' || options.signal?.aborted) return result;
  const analyzeGroup = (group: InputSource[]) =>
    analyze(group, options, keepLineFacts && group[0] === inputs[0], false);
  return regroup(inputs, plan, result.analysis, analyzeGroup);
}

const rereadable = (input: InputSource) => typeof input === 'string' || input.kind !== 'stream';

function keyCounter(keyOf: (text: string) => string | null) {
  const counts = new Map<string, number>();
  const state = {
    counts,
    lines: 0,
    onLine(text: string) {
      state.lines++;
      const key = keyOf(text);
      if (key === null) return;
      const n = counts.get(key);
      if (n !== undefined) counts.set(key, n + 1);
      else if (counts.size < MAX_LINE_COUNT_KEYS) counts.set(key, 1);
    },
  };
  return state;
}
