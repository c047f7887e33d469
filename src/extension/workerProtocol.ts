// Messages between the extension host and its analysis worker (dist/worker.js). Both sides are ours, same bundle
// version; the shapes are still checked on receipt because a crashed or stale worker must not break the host.
import type { Analysis } from '../core/analysisTypes';
import type { LineFact } from '../core/lineFacts';

export type ToWorker =
  | { type: 'analyze'; job: number; paths: string[]; countLines: boolean }
  | { type: 'cancel'; job: number }
  /** Ask for facts of some lines of a finished job's first input. */
  | { type: 'facts'; job: number; query: number; lines: number[] }
  /** Forget a finished job's per-line facts. */
  | { type: 'release'; job: number };

export type FromWorker =
  | { type: 'progress'; job: number; done: number; total: number; path: string }
  | { type: 'done'; job: number; analysis: Analysis }
  /** After 'done': how many lines of the first input share each hover key (a second, cheap pass). */
  | { type: 'counts'; job: number; lineCounts: Record<string, number> }
  | { type: 'failed'; job: number; message: string }
  | { type: 'facts'; query: number; facts: (LineFact | null)[] };

export function isFromWorker(m: unknown): m is FromWorker {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  switch (x.type) {
    case 'progress':
      return typeof x.job === 'number' && typeof x.done === 'number' && typeof x.total === 'number' && typeof x.path === 'string';
    case 'done':
      return typeof x.job === 'number' && typeof x.analysis === 'object' && x.analysis !== null;
    case 'counts':
      return typeof x.job === 'number' && typeof x.lineCounts === 'object' && x.lineCounts !== null;
    case 'failed':
      return typeof x.job === 'number' && typeof x.message === 'string';
    case 'facts':
      return typeof x.query === 'number' && Array.isArray(x.facts);
    default:
      return false;
  }
}
