// `analyze FILE... [--json] [--html OUT.html]`: several files are one run; stdout carries only the result.
import { analyzePaths, type Analysis } from '../core/index';
import { renderHtmlReport } from '../presentation/htmlReport';
import { formatAnalysisText } from '../presentation/textReport';
import { writeHtml } from './html';

export interface AnalyzeCliOptions {
  json: boolean;
  html: string | null;
}

function progressPrinter(): (done: number, total: number, path: string) => void {
  if (!process.stderr.isTTY) return () => {};
  let last = -1;
  return (done, total, path) => {
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    if (pct !== last) {
      last = pct;
      process.stderr.write(`\r${path}: ${pct}%   ${pct === 100 ? '\n' : ''}`);
    }
  };
}

function reportWarnings(analysis: Analysis): void {
  for (const input of analysis.inputs) {
    for (const w of input.warnings) {
      process.stderr.write(`${input.path}${w.line !== null ? `:${w.line}` : ''}: warning: ${w.message}\n`);
    }
  }
}

/** "FILE: reason" for an input that gave nothing, from its error or else its first warning. */
function whyUnusable(input: Analysis['inputs'][number]): string {
  const first = input.warnings.find((w) => !/more warnings not listed$/.test(w.message));
  const fromWarning = first ? (first.line !== null ? `line ${first.line}: ${first.message}` : first.message) : null;
  let reason = input.error ?? fromWarning;
  if (reason === null) reason = input.format ? `no ${input.format} records found` : 'no records found';
  return reason.includes(input.path) ? reason : `${input.path}: ${reason}`;
}

function usable(analysis: Analysis): boolean {
  return analysis.inputs.some((i) => i.records > 0);
}

export async function analyzeCommand(files: string[], options: AnalyzeCliOptions): Promise<number> {
  const analysis = await analyzePaths(files, { onProgress: progressPrinter() });
  if (!usable(analysis)) {
    // One sentence naming each file and why; the per-line warnings would only repeat it.
    const reasons = analysis.inputs.map(whyUnusable);
    process.stderr.write(`kvm-trace-lens: nothing usable to analyse: ${reasons.join('; ')}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
    return 1;
  }
  reportWarnings(analysis);
  if (options.html && !(await writeHtml(renderHtmlReport(analysis), options.html))) return 1;
  process.stdout.write(options.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysisText(analysis));
  return 0;
}
