// `compare A.json B.json` (saved `analyze --json` outputs) or `compare --runs "A files" "B files"`, as text, JSON, or a
// static HTML page (--html OUT.html); all three show the one comparison of src/core/compare.ts. An analysis of several
// runs (several tables, repeated benchmark runs) is put side by side with itself: `compare A.json` alone is enough.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  ANALYSIS_SCHEMA,
  analyzePaths,
  compareAnalyses,
  expandRuns,
  runLabel,
  type Analysis,
  type RunInput,
} from '../core/index';
import { renderCompareHtml } from '../presentation/htmlReport';
import { formatComparisonText } from '../presentation/textReport';
import { writeHtml } from './html';

export interface CompareOptions {
  runs: boolean;
  json: boolean;
  html: string | null;
}

async function loadAnalysis(path: string): Promise<Analysis> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    const save = `save one with "analyze FILE... --json > ${basename(path)}" or use --runs`;
    throw new Error(`${path}: not a saved analysis (${why}); ${save}`, { cause: e });
  }
  if ((parsed as { schema?: unknown })?.schema !== ANALYSIS_SCHEMA) {
    throw new Error(
      `${path}: not a saved analysis (no "schema": "${ANALYSIS_SCHEMA}"); use --runs "files" to analyse raw inputs`,
    );
  }
  return parsed as Analysis;
}

/** A run's label comes from its files: the inputs it was analysed from, else the saved analysis' own name. */
async function loadRun(arg: string, runs: boolean): Promise<RunInput> {
  if (runs) {
    const files = arg.split(/\s+/).filter(Boolean);
    return { label: runLabel(files), analysis: await analyzePaths(files) };
  }
  const analysis = await loadAnalysis(arg);
  const inputs = analysis.inputs.map((i) => i.path);
  return { label: runLabel(inputs.length > 0 ? inputs : [arg]), analysis };
}

export async function compareCommand(args: string[], options: CompareOptions): Promise<number> {
  const loaded: RunInput[] = [];
  try {
    for (const arg of args) loaded.push(await loadRun(arg, options.runs));
  } catch (e) {
    process.stderr.write(`kvm-trace-lens: ${(e as Error).message}\n`);
    return 1;
  }
  const unusable = loaded.filter((r) => !r.analysis.inputs.some((i) => i.records > 0));
  if (unusable.length > 0) {
    process.stderr.write(`kvm-trace-lens: nothing usable in run ${unusable.map((r) => r.label).join(', ')}\n`);
    return 1;
  }
  if (loaded.flatMap((r) => expandRuns(r)).length < 2) {
    const one = loaded[0]?.label ?? 'the input';
    const usage = 'usage: kvm-trace-lens compare A.json [B.json...] | compare --runs "A files" ["B files"...]';
    process.stderr.write(`kvm-trace-lens: compare needs two or more runs; ${one} holds one run\n${usage}\n`);
    return 2;
  }
  const comparison = compareAnalyses(loaded);
  if (options.html && !(await writeHtml(renderCompareHtml(comparison), options.html))) return 1;
  process.stdout.write(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparisonText(comparison));
  return 0;
}
