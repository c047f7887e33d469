// Other work on the guest's CPUs while the benchmark ran: which tasks besides the benchmark's own ran there, for how
// long, and how long the benchmark's hand-offs waited behind them. The halt-polling prediction's gain assumes that
// work goes away or moves (docs/model.md, "Competing work"). Streaming and bounded: sums per task, CPU and time slice.
import { schedSwitchOf, schedWakeupOf } from '../eventFields';
import type { TraceEvent } from '../records';
import { CpuTable } from './cpuTable';
import { EventKind, eventKind, isHostKind } from './eventKinds';
import type { CompetingWorkFacts } from './facts';
import { GuestBufferChoice } from './guestBuffer';
import { IntKeyTable } from './intKeyTable';

/** Time slices the sums are kept in, so that only work during the benchmark counts (a trace spans more). */
const SLICE_NS = 100_000_000;
/** A slice belongs to the benchmark when its tasks switched at least this share of their busiest slice's switches. */
const ACTIVE_SLICE_SHARE = 0.1;
/**
 * Kernel threads the benchmark's own work wakes (softirq, workqueues, RCU, migration) or that run everywhere at a
 * low rate: not competing work (their volume is reported apart).
 */
const KERNEL_THREADS = [
  ...['ksoftirqd', 'kworker', 'rcu_', 'rcuc', 'rcuog', 'rcuop', 'migration', 'kdamond', 'kcompactd', 'khugepaged'],
  ...['kswapd', 'watchdog', 'cpuhp', 'irq/', 'idle_inject', 'jbd2', 'kthreadd', 'oom_reaper', 'khungtaskd'],
];
const isKernelThread = (comm: string) => KERNEL_THREADS.some((k) => comm.startsWith(k));
const MAX_TASKS = 10_000;

interface SliceSums {
  runNs: number;
  switches: number;
}

interface TaskSums {
  comm: string;
  /** Per CPU, per slice. */
  slices: Map<number, Map<number, SliceSums>>;
  /** The sums last asked for and their CPU and slice: a task switches in on one CPU many times per slice. */
  lastCpu: number;
  lastSlice: number;
  last: SliceSums | null;
}

interface WaitSums {
  slice: number;
  woken: number;
  runner: number;
  n: number;
  ns: number;
}

interface CpuState {
  pid: number;
  since: number;
  /** The running task's sums and those of the slice `since` falls in, once looked up at its switch-in. */
  task: TaskSums | null;
  slice: SliceSums | null;
  /** The task that last switched in here and its sums (kept across idle): found again without the task map. */
  recentPid: number;
  recentTask: TaskSums | null;
}

function newCpuState(pid: number, since: number): CpuState {
  return { pid, since, task: null, slice: null, recentPid: -1, recentTask: null };
}

export class CompetingWorkCollector {
  private readonly tasks = new Map<number, TaskSums>();
  private readonly cpus = new CpuTable<CpuState>();
  /** Woken tasks whose target CPU was busy with another task: when, where, and which task ran there. */
  private readonly waiting = new IntKeyTable<{ cpu: number; at: number; runner: number }>();
  /** The task `sums` last found. */
  private lastTask: TaskSums | null = null;
  /** Waits of a woken task behind a running one, by slice, woken and runner: a few thousand keys at most. */
  private readonly waits = new Map<string, WaitSums>();
  /** Each woken task's waits entry added to last: its next wait mostly has the same slice and runner (no key built). */
  private readonly lastWaits = new IntKeyTable<WaitSums>();

  /**
   * A collector that crossed to another thread made whole again: a structured clone keeps every field, and which
   * object points to which, but not the classes.
   */
  static revive(sent: CompetingWorkCollector): CompetingWorkCollector {
    Object.setPrototypeOf(sent, CompetingWorkCollector.prototype);
    Object.setPrototypeOf(sent.cpus, CpuTable.prototype);
    Object.setPrototypeOf(sent.waiting, IntKeyTable.prototype);
    Object.setPrototypeOf(sent.lastWaits, IntKeyTable.prototype);
    return sent;
  }

  /** `kind` is the event's eventKind(), when the caller has already looked it up. */
  add(ev: TraceEvent, kind: EventKind = eventKind(ev.name)): void {
    if (ev.cpu < 0 || ev.pid < 0) return;
    let s = this.cpus.get(ev.cpu);
    if (!s) this.cpus.set(ev.cpu, (s = newCpuState(ev.pid, ev.timeNs)));
    else if (s.pid !== ev.pid && kind !== EventKind.schedSwitch) this.switchTo(ev.cpu, s, ev.pid, ev.comm, ev.timeNs);
    if (kind === EventKind.schedSwitch) {
      const sw = schedSwitchOf(ev);
      if (sw) this.switchTo(ev.cpu, s, sw.nextPid, sw.nextComm, ev.timeNs, sw.prevComm);
    } else if (kind === EventKind.schedWakeup) {
      const w = schedWakeupOf(ev);
      const target = w && this.cpus.get(w.targetCpu);
      if (w && target && target.pid > 0 && target.pid !== w.pid) {
        this.waiting.set(w.pid, { cpu: w.targetCpu, at: ev.timeNs, runner: target.pid });
      }
    }
  }

  private switchTo(cpu: number, s: CpuState, pid: number, comm: string, t: number, prevComm?: string): void {
    if (s.pid > 0 && t > s.since) this.runningSums(s, prevComm, cpu).runNs += t - s.since;
    if (pid === s.pid) return;
    s.pid = pid;
    s.since = t;
    s.task = null;
    s.slice = null;
    if (pid <= 0) return;
    const started = this.sums(pid, comm, cpu, t, s.recentPid === pid ? s.recentTask : null);
    s.recentPid = pid;
    s.recentTask = this.lastTask;
    s.task = this.lastTask;
    s.slice = started;
    started.switches++;
    const w = this.waiting.take(pid);
    if (!w) return;
    if (w.cpu !== cpu || this.waits.size >= MAX_TASKS) return;
    const slice = Math.floor(w.at / SLICE_NS);
    const last = this.lastWaits.get(pid);
    const sum = last && last.slice === slice && last.runner === w.runner ? last : this.waitSums(slice, pid, w.runner);
    sum.n++;
    sum.ns += t - w.at;
    if (sum !== last && this.lastWaits.size < MAX_TASKS) this.lastWaits.set(pid, sum);
  }

  /** The waits entry of this slice, woken task and runner, made when new. */
  private waitSums(slice: number, woken: number, runner: number): WaitSums {
    const key = `${slice}:${woken}:${runner}`;
    let sum = this.waits.get(key);
    if (!sum) this.waits.set(key, (sum = { slice, woken, runner, n: 0, ns: 0 }));
    return sum;
  }

  /** The sums of the task running on `s` in the slice its run started in (as `sums` finds them). */
  private runningSums(s: CpuState, comm: string | undefined, cpu: number): SliceSums {
    if (s.task === null || s.slice === null) return this.sums(s.pid, comm, cpu, s.since);
    if (comm) s.task.comm = comm;
    return s.slice;
  }

  /** `known`: the task's sums when the caller has them at hand (else looked up by pid). */
  private sums(
    pid: number,
    comm: string | undefined,
    cpu: number,
    t: number,
    known: TaskSums | null = null,
  ): SliceSums {
    let task = known ?? this.tasks.get(pid);
    if (!task) {
      task = { comm: comm ?? '', slices: new Map(), lastCpu: -1, lastSlice: -1, last: null };
      if (this.tasks.size < MAX_TASKS) this.tasks.set(pid, task);
    } else if (comm) task.comm = comm; // the latest name: a forked shell becomes the program it runs
    this.lastTask = task;
    const k = Math.floor(t / SLICE_NS);
    if (task.last !== null && task.lastCpu === cpu && task.lastSlice === k) return task.last;
    let byCpu = task.slices.get(cpu);
    if (!byCpu) task.slices.set(cpu, (byCpu = new Map()));
    let slice = byCpu.get(k);
    if (!slice) byCpu.set(k, (slice = { runNs: 0, switches: 0 }));
    task.lastCpu = cpu;
    task.lastSlice = k;
    task.last = slice;
    return slice;
  }

  /**
   * The work of tasks other than `benchmark` (the round-trip pairs' tasks), idle and kernel threads, in the slices
   * the benchmark was active, over `activeNs` of the benchmark on `cpus` CPUs; and how long the benchmark's wake-ups
   * waited behind a running task in those slices. Null without benchmark tasks.
   */
  facts(benchmark: ReadonlySet<number>, activeNs: number, cpus: number): CompetingWorkFacts | null {
    if (benchmark.size === 0 || activeNs <= 0) return null;
    const active = this.activeSlices(benchmark);
    const inWindow = (task: TaskSums, each: (cpu: number, s: SliceSums) => void) => {
      for (const [cpu, byCpu] of task.slices) for (const [k, s] of byCpu) if (active.has(k)) each(cpu, s);
    };
    const others = new Map<string, { runNs: number; switches: number }>();
    let kernelThreadNs = 0;
    let benchmarkRuns = 0;
    for (const [pid, task] of this.tasks) {
      if (benchmark.has(pid)) {
        inWindow(task, (_, s) => (benchmarkRuns += s.switches));
        continue;
      }
      const name = task.comm.replace(/\/\d+$/, '') || `pid ${pid}`;
      if (isKernelThread(task.comm)) {
        inWindow(task, (_, s) => (kernelThreadNs += s.runNs));
        continue;
      }
      const o = others.get(name) ?? { runNs: 0, switches: 0 };
      inWindow(task, (_, s) => {
        o.runNs += s.runNs;
        o.switches += s.switches;
      });
      if (o.runNs > 0 || o.switches > 0) others.set(name, o);
    }
    const span = activeNs * Math.max(1, cpus);
    const tasks = [...others].map(([comm, o]) => ({ comm, ...o })).sort((a, b) => b.runNs - a.runNs);
    const runNs = tasks.reduce((s, t) => s + t.runNs, 0);
    const waited = { n: 0, ns: 0 };
    for (const w of this.waits.values()) {
      const runner = this.tasks.get(w.runner)?.comm ?? '';
      if (!active.has(w.slice) || !benchmark.has(w.woken) || benchmark.has(w.runner) || isKernelThread(runner)) {
        continue;
      }
      waited.n += w.n;
      waited.ns += w.ns;
    }
    return {
      share: Math.min(1, runNs / span),
      switches: tasks.reduce((s, t) => s + t.switches, 0),
      kernelThreadShare: Math.min(1, kernelThreadNs / span),
      tasks: tasks.slice(0, 5),
      benchmarkRuns,
      waitedHandoffs: waited.n,
      waitedNs: waited.ns,
    };
  }

  /** The slices in which the benchmark's tasks switched in at least 10 % as often as in their busiest slice. */
  private activeSlices(benchmark: ReadonlySet<number>): Set<number> {
    const perSlice = new Map<number, number>();
    for (const pid of benchmark) {
      const task = this.tasks.get(pid);
      if (!task) continue;
      for (const byCpu of task.slices.values()) {
        for (const [k, s] of byCpu) perSlice.set(k, (perSlice.get(k) ?? 0) + s.switches);
      }
    }
    const busiest = Math.max(0, ...perSlice.values());
    return new Set([...perSlice].filter(([, n]) => n > 0 && n >= busiest * ACTIVE_SLICE_SHARE).map(([k]) => k));
  }
}

/** A competing-work collector fed in a reader thread: the events TraceModel.add would give it, and only those. */
export class CompetingWorkFeed {
  private readonly guestBuffer: GuestBufferChoice;

  constructor(
    readonly collector: CompetingWorkCollector,
    guestBuffer: string | null,
  ) {
    this.guestBuffer = new GuestBufferChoice(guestBuffer);
  }

  add(ev: TraceEvent, kind: EventKind): void {
    if (!isHostKind(kind) && this.guestBuffer.follows(ev, kind)) this.collector.add(ev, kind);
  }
}
