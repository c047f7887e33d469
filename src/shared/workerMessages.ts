// Messages between the extension host and its analysis worker (dist/worker.js), carried by Channel (rpc.ts). Both
// sides are ours, same bundle version; the shapes are still checked on receipt: a stale worker must not break the host.
import type { Analysis } from '../core/index';
import type { LineFact } from '../core/index';

/**
 * One input of an analysis: a local file the worker opens itself, or bytes the host read (an unsaved document's text,
 * a file of a remote or virtual file system). The buffer is transferred to the worker, not copied.
 */
export type WorkerInput = { kind: 'path'; path: string } | { kind: 'bytes'; name: string; bytes: ArrayBuffer };

export type ToWorker =
  /** `countLines`: count the first input's lines per hover key in the same pass (sent with 'done'). */
  | { type: 'analyze'; job: number; inputs: WorkerInput[]; countLines: boolean }
  | { type: 'cancel'; job: number }
  /** A request (Channel.request): facts of some lines of a finished job's first input. */
  | { type: 'facts'; job: number; lines: number[] }
  /** Forget a finished job's per-line facts. */
  | { type: 'release'; job: number };

export type FromWorker =
  | { type: 'progress'; job: number; done: number; total: number; path: string }
  /** The analysis so far while reading (throttled by the worker); `done`/`total` are bytes over all inputs. */
  | { type: 'partial'; job: number; analysis: Analysis; done: number; total: number }
  /** `lineCounts`: lines of the first input per hover key, when asked for and the input is trace text, else null. */
  | { type: 'done'; job: number; analysis: Analysis; lineCounts: Record<string, number> | null }
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
      return typeof x.job === 'number' && isAnalysisLike(x.analysis) && isCountsOrNull(x.lineCounts);
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
      return Number.isInteger(x.job) && Array.isArray(x.inputs) && x.inputs.every(isWorkerInput);
    case 'cancel':
    case 'release':
      return Number.isInteger(x.job);
    case 'facts':
      return Number.isInteger(x.job) && Array.isArray(x.lines) && x.lines.every((l) => Number.isInteger(l));
    default:
      return false;
  }
}

function isWorkerInput(i: unknown): i is WorkerInput {
  if (typeof i !== 'object' || i === null) return false;
  const x = i as Record<string, unknown>;
  if (x.kind === 'path') return typeof x.path === 'string';
  return x.kind === 'bytes' && typeof x.name === 'string' && x.bytes instanceof ArrayBuffer;
}

function isCountsOrNull(c: unknown): c is Record<string, number> | null {
  return c === null || (typeof c === 'object' && Object.values(c as object).every((n) => Number.isInteger(n)));
}

/** The buffers an outgoing message carries, to transfer rather than copy. */
export function transferablesOf(m: ToWorker): ArrayBuffer[] {
  return m.type === 'analyze' ? m.inputs.flatMap((i) => (i.kind === 'bytes' ? [i.bytes] : [])) : [];
}

/** Enough of an Analysis for the host to build a view from (the worker is ours; this catches stale or broken ones). */
function isAnalysisLike(a: unknown): a is Analysis {
  if (typeof a !== 'object' || a === null) return false;
  const x = a as Record<string, unknown>;
  return Array.isArray(x.inputs) && Array.isArray(x.recommendations);
}
