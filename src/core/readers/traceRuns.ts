// Several runs of a trace pasted one after the other into one text (a mail showing "before" and "after"): each is a
// run of its own (Analysis.runs), never summed. A run starts where the clock goes backwards, or jumps far beyond the
// trace's own pace, or a block of prose separates the events — and the tasks do not continue. A long recording keeps
// its tasks and its pace; a drop marker ("CPU:2 [LOST 12 EVENTS]") explains a gap, so it never starts a run.
import type { TraceEvent } from '../records';

/** A jump in time is a new run only beyond both: 10 s, and 1000 times the median gap between events so far. */
const JUMP_MIN_NS = 10e9;
const JUMP_PACE_FACTOR = 1000;
/** After prose a smaller jump is enough: the writer cut there. A step back by less is clock skew between CPUs. */
const PROSE_JUMP_MIN_NS = 1e9;
const BACKWARDS_MIN_NS = 1e9;
/** Gaps kept per run for its median pace: the first ones tell the pace well enough and bound the memory. */
const PACE_SAMPLE = 4096;

export class TraceRunBoundaries {
  private runs = 0;
  private lastNs = Number.NaN;
  private readonly gaps: number[] = [];
  private readonly tasks = new RunTasks();
  private proseBefore = false;
  private dropBefore = false;

  /** A line of prose (no event, comment or marker) was read since the last event. */
  prose(): void {
    if (this.runs > 0) this.proseBefore = true;
  }

  /** A drop marker was read: the next gap is lost events, not another run. */
  dropped(): void {
    this.dropBefore = true;
  }

  /** The label of the run `ev` (read at `line`) starts, "run 2 (line 24)"; null when it continues the current one. */
  startsRun(ev: TraceEvent, line: number): string | null {
    const starts = this.runs === 0 || this.isNewRun(ev);
    if (starts) {
      this.runs++;
      this.gaps.length = 0;
      this.tasks.clear();
    } else if (Number.isFinite(ev.timeNs) && Number.isFinite(this.lastNs) && this.gaps.length < PACE_SAMPLE) {
      this.gaps.push(Math.max(0, ev.timeNs - this.lastNs));
    }
    if (Number.isFinite(ev.timeNs)) this.lastNs = ev.timeNs;
    this.tasks.add(ev);
    this.proseBefore = false;
    this.dropBefore = false;
    return starts ? `run ${this.runs} (line ${line})` : null;
  }

  private isNewRun(ev: TraceEvent): boolean {
    // the time test first: it is pure, and passes seldom (the task test costs a look-up per event)
    if (!this.timeSaysNewRun(ev)) return false;
    return !this.dropBefore && !this.tasks.has(ev);
  }

  private timeSaysNewRun(ev: TraceEvent): boolean {
    if (!Number.isFinite(ev.timeNs) || !Number.isFinite(this.lastNs)) return this.proseBefore;
    const step = ev.timeNs - this.lastNs;
    if (step < -BACKWARDS_MIN_NS) return true;
    if (this.proseBefore && step > PROSE_JUMP_MIN_NS) return true;
    return step > JUMP_MIN_NS && step > JUMP_PACE_FACTOR * median(this.gaps);
  }
}

/**
 * The tasks seen in a run: an event's task is its pid, or its comm where the pid column was cut away (a comm that
 * reads as a number is the same task as that pid). Pids are kept as numbers: no string is made per event.
 */
class RunTasks {
  private readonly pids = new Set<number>();
  private readonly comms = new Set<string>();

  clear(): void {
    this.pids.clear();
    this.comms.clear();
  }

  add(ev: TraceEvent): void {
    if (ev.pid >= 0) this.pids.add(ev.pid);
    else this.comms.add(ev.comm);
  }

  has(ev: TraceEvent): boolean {
    if (ev.pid >= 0) return this.pids.has(ev.pid) || (this.comms.size > 0 && this.comms.has(String(ev.pid)));
    return this.comms.has(ev.comm) || (this.pids.size > 0 && this.pids.has(pidNamed(ev.comm)));
  }
}

/** The number whose String() is `comm`, or NaN (never a pid) when there is none. */
function pidNamed(comm: string): number {
  const n = Number(comm);
  return String(n) === comm ? n : Number.NaN;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}
