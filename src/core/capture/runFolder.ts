// A run folder written by `record` (trace, benchmark output, system.json, record.json), and the analysis of paths
// that may be run folders, halt-poll stats files or ordinary inputs: folders are expanded, system.json is applied to
// the advice, KVM halt-poll stats add their own advice.
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Analysis } from '../analysisTypes';
import { analyzeFiles, analyzeFilesDetailed, type AnalyzeOptions, type DetailedAnalysis } from '../analyze';
import { toByteSource, type InputSource } from '../byteSource';
import { NO_LINE_FACTS } from '../lineFacts';
import {
  adviseHaltPollNs,
  crossKernelWarning,
  looksLikeHaltPollStats,
  parseHaltPollStats,
} from '../readers/haltPollStats';
import { applySystemState } from './applySystemState';
import { type SystemState, parseSystemState } from './systemState';

export const RUN_FILES = {
  system: 'system.json',
  record: 'record.json',
  traceDat: 'trace.dat',
  traceText: 'trace.txt',
  benchmark: 'benchmark.txt',
  benchmarkStderr: 'benchmark.stderr.txt',
  /** Host side: KVM's halt-poll counters in debugfs, what they gained during the recording. */
  kvmHaltCounters: 'kvm-halt-counters.txt',
  /** The analysis record printed, written last: its presence means the run is complete. */
  analysis: 'analysis.json',
} as const;

/** record.json: how the run was recorded. */
export interface RecordManifest {
  schema: 'kvm-trace-lens/record@1';
  side: 'guest' | 'host';
  method: string | null;
  events: string[];
  missingEvents: string[];
  bufferKbPerCpu: number;
  seconds: number | null;
  benchmark: { argv: string[]; exitCode: number | null; signal: string | null; error: string | null } | null;
  /** Events lost to full per-CPU buffers (tracefs path only), null when unknown. */
  overruns: number | null;
  startedAt: string;
  files: string[];
  /** Set when Ctrl-C / SIGTERM ended the recording. */
  interrupted?: string;
}

export interface RunFolder {
  dir: string;
  /** Files to analyse, in order: the trace, then the benchmark output. */
  dataFiles: string[];
  system: SystemState | null;
  manifest: RecordManifest | null;
}

/** Files of a run folder that are never analysed as inputs. */
const NOT_INPUTS = new Set<string>([RUN_FILES.system, RUN_FILES.record, RUN_FILES.benchmarkStderr, RUN_FILES.analysis]);

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readJson<T>(path: string, parse: (text: string) => T | null): T | null {
  return existsSync(path) ? parse(readFileSync(path, 'utf8')) : null;
}

/** The inputs of a run folder: every non-empty regular file except the bookkeeping, the trace first. */
export function expandRunFolder(dir: string): RunFolder {
  const rank = (f: string) =>
    f === RUN_FILES.traceDat || f === RUN_FILES.traceText ? 0 : f === RUN_FILES.benchmark ? 1 : 2;
  const dataFiles = readdirSync(dir)
    .filter((f) => !NOT_INPUTS.has(f) && !f.startsWith('.'))
    .filter((f) => {
      const s = statSync(join(dir, f));
      return s.isFile() && s.size > 0;
    })
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((f) => join(dir, f));
  const manifest = readJson(join(dir, RUN_FILES.record), (t) => {
    try {
      const m = JSON.parse(t) as RecordManifest;
      return m?.schema === 'kvm-trace-lens/record@1' ? m : null;
    } catch {
      return null;
    }
  });
  return { dir, dataFiles, system: readJson(join(dir, RUN_FILES.system), parseSystemState), manifest };
}

function head(path: string, bytes = 64 * 1024): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

export interface ExpandedPaths {
  /** Inputs for the readers. */
  files: string[];
  /** KVM halt-poll stats files (QMP query-stats, debugfs dump, kvm_stat), read here rather than by the readers. */
  haltStatsFiles: string[];
  folders: RunFolder[];
}

/** Folders become their files; halt-poll stats files (recognised by content) are set aside. */
export function expandPaths(paths: readonly string[]): ExpandedPaths {
  const out: ExpandedPaths = { files: [], haltStatsFiles: [], folders: [] };
  const place = (file: string) => {
    const isStats =
      /\.(json|txt|log)$/i.test(file) || !/\.\w+$/.test(basename(file)) ? looksLikeHaltPollStats(head(file)) : false;
    (isStats ? out.haltStatsFiles : out.files).push(file);
  };
  for (const p of paths) {
    const folder = isDirectory(p) ? expandRunFolder(p) : null;
    if (folder && folder.dataFiles.length > 0) {
      out.folders.push(folder);
      folder.dataFiles.forEach(place);
    } else if (!folder && existsSync(p)) {
      place(p);
    } else {
      out.files.push(p); // missing, or a folder with nothing to read: the readers say so, as for any other input
    }
  }
  return out;
}

/** Halt-poll stats: one input entry each, and advice from their success histogram. */
function addHaltPollStats(analysis: Analysis, files: readonly string[], kernels: (string | null)[]): void {
  for (const file of files) {
    const stats = parseHaltPollStats(readFileSync(file, 'utf8'));
    analysis.inputs.push({
      path: file,
      format: 'kvm-halt-stats',
      records: stats.sources.reduce((n, s) => n + Object.keys(s.scalars).length + Object.keys(s.histograms).length, 0),
      warnings: stats.warnings,
    });
    const advice = adviseHaltPollNs(stats, basename(file));
    const existing = analysis.recommendations.find((r) => r.id === 'halt-polling');
    if (advice.recommendation && existing)
      existing.evidence.push(...advice.recommendation.evidence.map((e) => `KVM stats: ${e}`));
    else if (advice.recommendation) analysis.recommendations.push(advice.recommendation);
    if (advice.notRecommended) (analysis.notRecommended ??= []).push(advice.notRecommended);
  }
  if (files.length > 1) {
    const warning = crossKernelWarning(kernels);
    if (warning) (analysis.modelNotes ??= []).push(warning);
  }
}

/** Analyses paths that may include run folders and halt-poll stats files, as one run. */
export async function analyzePaths(paths: readonly string[], options: AnalyzeOptions = {}): Promise<Analysis> {
  return (await analyzeRun(paths, options, false)).analysis;
}

/**
 * analyzePaths for any inputs, keeping the first input's line facts (the extension's worker): paths are expanded
 * (run folders, halt-poll stats files), bytes and streams are read as they are, in the order given.
 */
export function analyzeRunDetailed(
  inputs: readonly InputSource[],
  options: AnalyzeOptions = {},
): Promise<DetailedAnalysis> {
  return analyzeRun(inputs, options, true);
}

async function analyzeRun(
  inputs: readonly InputSource[],
  options: AnalyzeOptions,
  detailed: boolean,
): Promise<DetailedAnalysis> {
  const expanded: ExpandedPaths = { files: [], haltStatsFiles: [], folders: [] };
  const readerInputs: InputSource[] = [];
  for (const input of inputs) {
    const source = toByteSource(input);
    if (source.kind !== 'path') {
      readerInputs.push(source);
      continue;
    }
    const one = expandPaths([source.path]);
    readerInputs.push(...one.files);
    expanded.files.push(...one.files);
    expanded.haltStatsFiles.push(...one.haltStatsFiles);
    expanded.folders.push(...one.folders);
  }
  const result = detailed
    ? await analyzeFilesDetailed(readerInputs, options)
    : { analysis: await analyzeFiles(readerInputs, options), lineFacts: NO_LINE_FACTS, lineCounts: null };
  addRunContext(result.analysis, expanded);
  return result;
}

/** What the run folders and halt-poll stats files add to the readers' analysis. */
function addRunContext(analysis: Analysis, expanded: ExpandedPaths): void {
  const kernels = expanded.folders.map((f) => f.system?.kernel.release ?? null);
  addHaltPollStats(analysis, expanded.haltStatsFiles, kernels.length ? kernels : [null]);
  const system = expanded.folders.find((f) => f.system)?.system ?? null;
  if (system) {
    const advice = applySystemState(analysis.recommendations, analysis.notRecommended ?? [], system);
    analysis.recommendations = advice.recommendations;
    analysis.notRecommended = advice.notRecommended;
  }
  for (const folder of expanded.folders) {
    const m = folder.manifest;
    if (m?.missingEvents.length) {
      (analysis.modelNotes ??= []).push(
        `${folder.dir}: the kernel it was recorded on lacks ${m.missingEvents.join(', ')}.`,
      );
    }
    const recipe = analysis.modelNotes?.findIndex((n) => /^The (guest|host)-side trace lacks events/.test(n)) ?? -1;
    const enabledButAbsent = (m?.events ?? []).filter((id) =>
      analysis.modelNotes?.[recipe]?.includes(`no ${id.split(':')[1]}:`),
    );
    if (recipe >= 0 && enabledButAbsent.length > 0) {
      // Recording again would not help: the kernel had the events enabled and emitted none of them.
      analysis.modelNotes![recipe] =
        `${folder.dir}: ${enabledButAbsent.join(', ')} were enabled for the whole recording, ` +
        "yet none occurred: the workload did not cause them, or this kernel's KVM module does not emit them. " +
        analysis.modelNotes![recipe];
    }
    if (m?.interrupted)
      (analysis.modelNotes ??= []).push(`${folder.dir}: the recording was interrupted (${m.interrupted}).`);
  }
}
