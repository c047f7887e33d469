// kvm-trace-lens CLI: a thin shell over src/core. stdout carries only the result; progress and warnings go to stderr.
// One file per command: analyzeCommand.ts, compareCommand.ts, export.ts, record.ts; help.ts answers --help.
import { helpRequest } from './help';

const USAGE = `usage:
  kvm-trace-lens analyze FILE... [--json] [--html OUT.html]
  kvm-trace-lens compare A.json B.json [--json] [--html OUT.html]   (one A.json of several runs compares them)
  kvm-trace-lens compare --runs "A files" "B files" [--json] [--html OUT.html]
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
    else if (a === '--html') {
      const next = rest[++i];
      if (!next) throw new UsageError('--html needs an output file name');
      out.html = next;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option "${a}"`);
    else out.files.push(a);
  }
  if (out.files.length === 0) throw new UsageError(`${command} needs at least one file`);
  return out;
}

async function runAnalyze(args: ParsedArgs): Promise<number> {
  const { analyzeCommand } = await import('./analyzeCommand');
  return analyzeCommand(args.files, { json: args.json, html: args.html });
}

async function runCompare(args: ParsedArgs): Promise<number> {
  const { compareCommand } = await import('./compareCommand');
  return compareCommand(args.files, { runs: args.runs, json: args.json, html: args.html });
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
