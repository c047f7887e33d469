// Messages between the extension host and its analysis worker (dist/worker.js), carried by Channel (rpc.ts). Both
// sides are ours, same bundle version; the shapes are still checked on receipt: a stale worker must not break the host.
import type { Analysis } from '../core/index';
import type { LineFact } from '../core/index';

export type ToWorker =
  | { type: 'analyze'; job: number; paths: string[]; countLines: boolean }
  | { type: 'cancel'; job: number }
  /** A request (Channel.request): facts of some lines of a finished job's first input. */
  | { type: 'facts'; job: number; lines: number[] }
  /** Forget a finished job's per-line facts. */
  | { type: 'release'; job: number };

export type FromWorker =
  | { type: 'progress'; job: number; done: number; total: number; path: string }
  /** The analysis so far while reading (throttled by the worker); `done`/`total` are bytes over all inputs. */
  | { type: 'partial'; job: number; analysis: Analysis; done: number; total: number }
  | { type: 'done'; job: number; analysis: Analysis }
  /** After 'done': how many lines of the first input share each hover key (a second, cheap pass). */
  | { type: 'counts'; job: number; lineCounts: Record<string, number> }
  | { type: 'failed'; job: number; message: string }
  /** Cancelled on request: the analysis of what was read before the stop. */
  | { type: 'cancelled'; job: number; analysis: Analysis; done: number; total: number }
  /** The reply to a 'facts' request. */
  | { type: 'facts'; facts: (LineFact | null)[] };

export function isFromWorker(m: unknown): m is FromWorker {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  switch (x.type) {
    case 'progress':
      return (
        typeof x.job === 'number' &&
        typeof x.done === 'number' &&
        typeof x.total === 'number' &&
        typeof x.path === 'string'
      );
    case 'done':
      return typeof x.job === 'number' && isAnalysisLike(x.analysis);
    case 'partial':
    case 'cancelled':
      return (
        typeof x.job === 'number' &&
        isAnalysisLike(x.analysis) &&
        Number.isFinite(x.done) &&
        Number.isFinite(x.total) &&
        (x.done as number) >= 0 &&
        (x.total as number) >= 0
      );
    case 'counts':
      return typeof x.job === 'number' && typeof x.lineCounts === 'object' && x.lineCounts !== null;
    case 'failed':
      return typeof x.job === 'number' && typeof x.message === 'string';
    case 'facts':
      return Array.isArray(x.facts);
    default:
      return false;
  }
}

/** Checks a message from the host (the worker side). */
export function isToWorker(m: unknown): m is ToWorker {
  if (typeof m !== 'object' || m === null) return false;
  const x = m as Record<string, unknown>;
  switch (x.type) {
    case 'analyze':
      return Number.isInteger(x.job) && Array.isArray(x.paths) && x.paths.every((p) => typeof p === 'string');
    case 'cancel':
    case 'release':
      return Number.isInteger(x.job);
    case 'facts':
      return Number.isInteger(x.job) && Array.isArray(x.lines) && x.lines.every((l) => Number.isInteger(l));
    default:
      return false;
  }
}

/** Enough of an Analysis for the host to build a view from (the worker is ours; this catches stale or broken ones). */
function isAnalysisLike(a: unknown): a is Analysis {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  return Array.isArray(x.inputs) && Array.isArray(x.recommendations);
}
