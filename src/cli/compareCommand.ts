// `compare A.json B.json` (saved `analyze --json` outputs) or `compare --runs "A files" "B files"`.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { analyzeFiles } from '../core/analyze';
import { ANALYSIS_SCHEMA, type Analysis } from '../core/analysisTypes';
import { compareAnalyses, type Comparison } from '../core/compare';
import { formatComparisonText } from './text';

/** A short name for a run: its first file's name up to the first dot ("tcprr-cross-poll0.report.txt.gz" → "tcprr-cross-poll0"). */
function runLabel(path: string): string {
  const name = basename(path);
  return name.split('.')[0] || name;
}

async function loadAnalysis(path: string): Promise<Analysis> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not a saved analysis (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); save one with "analyze FILE... --json > ${basename(path)}" or use --runs`);
  }
  if ((parsed as { schema?: unknown })?.schema !== ANALYSIS_SCHEMA) {
    throw new Error(`${path}: not a saved analysis (no "schema": "${ANALYSIS_SCHEMA}"); use --runs "files" to analyse raw inputs`);
  }
  return parsed as Analysis;
}

export async function compareCommand(args: string[], runs: boolean, json: boolean): Promise<number> {
  const loaded: { label: string; analysis: Analysis }[] = [];
  try {
    for (const arg of args) {
      if (runs) {
        const files = arg.split(/\s+/).filter(Boolean);
        loaded.push({ label: runLabel(files[0] ?? arg), analysis: await analyzeFiles(files) });
      } else {
        loaded.push({ label: runLabel(arg), analysis: await loadAnalysis(arg) });
      }
    }
  } catch (e) {
    process.stderr.write(`kvm-trace-lens: ${(e as Error).message}\n`);
    return 1;
  }
  const unusable = loaded.filter((r) => !r.analysis.inputs.some((i) => i.records > 0));
  if (unusable.length > 0) {
    process.stderr.write(`kvm-trace-lens: nothing usable in run ${unusable.map((r) => r.label).join(', ')}\n`);
    return 1;
  }
  const comparison: Comparison = compareAnalyses(loaded);
  process.stdout.write(json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparisonText(comparison));
  return 0;
}
