// kvm-trace-lens CLI: a thin shell over src/core. stdout carries only the result; progress and warnings go to stderr.
import { analyzePaths } from '../core/capture/runFolder';
import type { Analysis } from '../core/analysisTypes';
import { formatAnalysisText } from './text';
import { helpRequest } from './help';

const USAGE = `usage:
  kvm-trace-lens analyze FILE... [--json] [--html OUT.html]
  kvm-trace-lens compare A.json B.json [--json]
  kvm-trace-lens compare --runs "A files" "B files" [--json]
  kvm-trace-lens export --perfetto OUT.json FILE...
  kvm-trace-lens record [--guest|--host] [--seconds N] [--out DIR] [--json] [-- BENCHMARK COMMAND ...]
A FILE may be a run folder written by record.`;

class UsageError extends Error {}
class HelpRequest extends Error {}

interface ParsedArgs {
  command: string;
  files: string[];
  json: boolean;
  html: string | null;
  runs: boolean;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command, ...rest] = argv;
  if (!command) throw new UsageError('no command given');
  if (command === '-h' || command === '--help' || command === 'help') throw new HelpRequest();
  if (command !== 'analyze' && command !== 'compare') throw new UsageError(`unknown command "${command}"`);
  const out: ParsedArgs = { command, files: [], json: false, html: null, runs: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') out.json = true;
    else if (a === '--runs' && command === 'compare') out.runs = true;
    else if (a === '--html' && command === 'analyze') {
      const next = rest[++i];
      if (!next) throw new UsageError('--html needs an output file name');
      out.html = next;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option "${a}"`);
    else out.files.push(a);
  }
  if (out.files.length === 0) throw new UsageError(`${command} needs at least one file`);
  if (command === 'compare' && out.files.length < 2) throw new UsageError('compare needs two or more runs');
  return out;
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
  let reason = input.error ?? (first ? (first.line !== null ? `line ${first.line}: ${first.message}` : first.message) : null);
  if (reason === null) reason = input.format ? `no ${input.format} records found` : 'no records found';
  return reason.includes(input.path) ? reason : `${input.path}: ${reason}`;
}

function usable(analysis: Analysis): boolean {
  return analysis.inputs.some((i) => i.records > 0);
}

async function runAnalyze(args: ParsedArgs): Promise<number> {
  const analysis = await analyzePaths(args.files, { onProgress: progressPrinter() });
  if (usable(analysis)) reportWarnings(analysis);
  if (!usable(analysis)) {
    // One sentence naming each file and why; the per-line warnings would only repeat it.
    const reasons = analysis.inputs.map(whyUnusable);
    process.stderr.write(`kvm-trace-lens: nothing usable to analyse: ${reasons.join('; ')}\n`);
    if (args.json) process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
    return 1;
  }
  if (args.html) {
    const { writeHtmlReport } = await import('./html');
    try {
      await writeHtmlReport(analysis, args.html);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      process.stderr.write(`kvm-trace-lens: cannot write ${args.html}: ${code === 'ENOENT' ? 'its folder does not exist' : code ?? (e as Error).message}\n`);
      return 1;
    }
  }
  process.stdout.write(args.json ? `${JSON.stringify(analysis, null, 2)}\n` : formatAnalysisText(analysis));
  return 0;
}

async function runCompare(args: ParsedArgs): Promise<number> {
  const { compareCommand } = await import('./compareCommand');
  return compareCommand(args.files, args.runs, args.json);
}

export async function main(argv: readonly string[]): Promise<number> {
  const help = helpRequest(argv);
  if (help !== null) {
    process.stdout.write(help);
    return 0;
  }
  if (argv[0] === 'export') return (await import('./export')).exportCommand(argv.slice(1));
  if (argv[0] === 'record') return (await import('./record')).recordCommand(argv.slice(1));
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof HelpRequest) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stderr.write(`kvm-trace-lens: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  // A reader of our stdout that goes away (| head) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`kvm-trace-lens: cannot write the output: ${e.message}\n`);
    process.exit(1);
  });
  try {
    return args.command === 'analyze' ? await runAnalyze(args) : await runCompare(args);
  } catch (e) {
    // A bug, not bad input (readers never throw for content): one sentence, no stack unless asked for.
    process.stderr.write(`kvm-trace-lens: internal error: ${(e as Error).message}\n`);
    if (process.env.KVM_TRACE_LENS_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
