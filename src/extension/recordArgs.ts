// The terminal command "Record a Trace…" runs, built without vscode so it is tested as a pure function.
import { join } from 'node:path';

export interface RecordRequest {
  side: 'guest' | 'host';
  seconds: number;
  /** The benchmark as the user typed it (shell syntax), or '' for none. */
  benchmark: string;
  outDir: string;
  /** The runtime that runs the CLI: VS Code's own executable runs as node with ELECTRON_RUN_AS_NODE=1. */
  nodeExecutable: string;
  cliPath: string;
  /** record needs root: prefix sudo unless the editor already runs as root. */
  useSudo: boolean;
}

export interface RecordInvocation {
  argv: string[];
  /** What is typed into the terminal. */
  commandLine: string;
  /** The analysis record writes when done: the editor opens it. */
  analysisJson: string;
}

/** POSIX shell single quoting: safe for any string. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function buildRecordInvocation(r: RecordRequest): RecordInvocation {
  const argv = [
    ...(r.useSudo ? ['sudo'] : []),
    'env',
    'ELECTRON_RUN_AS_NODE=1',
    r.nodeExecutable,
    r.cliPath,
    'record',
    `--${r.side}`,
    '--seconds',
    String(r.seconds),
    '--out',
    r.outDir,
  ];
  // The benchmark runs in its own shell, so pipes and quotes in it stay its own.
  if (r.benchmark.trim() !== '') argv.push('--', 'sh', '-c', r.benchmark.trim());
  return { argv, commandLine: argv.map(shellQuote).join(' '), analysisJson: join(r.outDir, 'analysis.json') };
}

/** Validates the seconds typed into the input box: a message, or null when fine. */
export function secondsProblem(text: string): string | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n > 0 && n <= 3600
    ? null
    : 'a number of seconds, more than 0 and at most 3600';
}

export function runFolderName(side: 'guest' | 'host', now: Date): string {
  return `${side}-${now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
}
