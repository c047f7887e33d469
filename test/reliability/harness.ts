// Shared by the reliability tests: drive one text reader over lines, and run the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readerFor } from '../../src/core/readers/index';
import type { InputFormat, InputRecord, InputWarning } from '../../src/core/records';
import { FIXTURES, REPO } from '../helpers/paths';

export const BAD = join(FIXTURES, 'bad');

export interface ReaderRun {
  records: InputRecord[];
  /** Records handed over before end(): a streaming reader cannot take these back, whatever follows. */
  recordsBeforeEnd: number;
  warnings: InputWarning[];
  failures: InputWarning[];
}

/** Feeds `lines` (numbered from 1) to the reader of `format`, exactly as input.ts does. */
export function runReader(format: InputFormat, lines: readonly string[]): ReaderRun {
  const run: ReaderRun = { records: [], recordsBeforeEnd: 0, warnings: [], failures: [] };
  const reader = readerFor(format);
  if (!reader) throw new Error(`no reader for ${format}`);
  const lineReader = reader.create(format, {
    record: (r) => run.records.push(r),
    warn: (line, message) => run.warnings.push({ line, message }),
    fail: (line, message) => run.failures.push({ line, message }),
  });
  lines.forEach((text, i) => lineReader.line(text, i + 1));
  run.recordsBeforeEnd = run.records.length;
  lineReader.end(lines.length);
  return run;
}

/** Lines of a text as the line splitter gives them (no final empty line after a trailing newline). */
export function textLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export const CLI = join(REPO, 'dist', 'cli.js');

/** `npm test` builds first; a lone run of these tests builds the CLI when it is missing. */
export function ensureCliBuilt(): void {
  if (existsSync(CLI)) return;
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed: ${r.stderr}`);
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], cwd = REPO): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, KVM_TRACE_LENS_DEBUG: '' },
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
