// How a worker thread is started: the bundle's sibling file (dist/), or the TypeScript source through tsx (tests,
// scripts). One place for both the trace.dat and the trace-text workers.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkerScript {
  code: string;
  eval: boolean;
}

/** `bundled` beside the running bundle, else `source` (a .ts file in `dir`, the caller's folder); null when neither. */
export function workerScript(dir: string, bundled: string, source: string): WorkerScript | null {
  const bundledPath = join(dir, bundled);
  if (existsSync(bundledPath)) return { code: bundledPath, eval: false };
  const sourcePath = join(dir, source);
  const load = `require('tsx/cjs'); require(${JSON.stringify(sourcePath)});`;
  return existsSync(sourcePath) ? { code: load, eval: true } : null;
}

/** KVM_TRACE_LENS_PARALLEL=on|off: true / false, undefined when unset (or anything else). */
export function parallelFromEnvironment(): boolean | undefined {
  const env = process.env.KVM_TRACE_LENS_PARALLEL;
  return env === 'on' ? true : env === 'off' ? false : undefined;
}

/**
 * Whether to use worker threads: never without their script; else `forced` (an option), then
 * KVM_TRACE_LENS_PARALLEL, decide; else more than one core and an input of at least `minBytes` (null: unknown size).
 */
export function useThreads(
  script: WorkerScript | null,
  forced: boolean | undefined,
  bytes: number | null,
  minBytes: number,
  cores: number,
): boolean {
  if (script === null) return false;
  const wanted = forced ?? parallelFromEnvironment();
  if (wanted !== undefined) return wanted;
  return cores > 1 && bytes !== null && bytes >= minBytes;
}
