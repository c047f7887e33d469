// ModelFacts: what the model found in one run, as plain data — counts, durations and distributions, no references
// to the model's mutable state. Rules (src/core/rules) are pure functions of these facts, tested with hand-made ones.
import type { ExitCategory } from '../analysisTypes';
import type { Distribution } from '../stats/distribution';

export interface CategoryFacts {
  count: number;
  /** Exits of this category on the critical path (0 when the source cannot tell). */
  critical: number;
  /** Mean duration of one exit (host traces, count tables with times), null when unknown. */
  meanDurationNs: number | null;
}

export interface ExitFacts {
  source: 'host' | 'guest-inferred' | 'counts';
  total: number;
  /** Exits per second; null when the window is too short for a rate (see MIN_RATE_WINDOW_NS / MIN_RATE_EVENTS). */
  perSecond: number | null;
  durationNs: number | null;
  byCategory: Partial<Record<ExitCategory, CategoryFacts>>;
  /** EOI writes counted in an MMIO access table (perf kvm stat --event=mmio), beside the exit table. */
  mmioEoiAccesses: number;
  /** kvm_exit events whose reason could not be read (counted as exits all the same). */
  unreadable: { count: number; firstLine: number | null };
}

export interface TransactionFacts {
  /** Round trips found in the trace. */
  count: number;
  perSecond: number;
  /** The busiest pair's active time (pauses over 0.5 s left out). */
  activeNs: number;
  handoffsPerTransaction: number;
}

export interface BenchmarkFacts {
  tool: string;
  test: string;
  transactionsPerSec: number | null;
  bitsPerSec: number | null;
}

export interface TraceFacts {
  /** First to last event, null without events. */
  durationNs: number | null;
  /** CPUs (guest) or vCPUs (host) seen. */
  cpus: number;
  /** Guest CPUs that traced events but no cpu_idle: their halts are inferred, their idle-entry timer writes unseen. */
  cpusWithoutIdleEvents: number[];
  cpusWithIdleEvents: number;
  /** 1000 when every timestamp is a whole microsecond (trace-cmd report text), else 1 (ns, trace.dat). */
  timestampResolutionNs: number;
}

export interface PollingFacts {
  side: 'guest' | 'host';
  /** Idle periods that ended while polling (guest cpu_idle state=0; host kvm_vcpu_wakeup poll). */
  polled: number;
  /** Idle periods that halted and had to be woken. */
  halted: number;
  /** Largest poll window seen in halt_poll_ns events, null when none were traced. */
  maxWindowNs: number | null;
}

/** One guest CPU's idle periods (cpuidle-haltpoll keeps a poll window per CPU). */
export interface CpuIdleFacts {
  cpu: number;
  idlePeriods: Distribution;
  criticalIdleGaps: Distribution;
}

export interface WakeFacts {
  /** Signal → the woken task (guest) / vCPU (host) runs. */
  latency: Distribution;
  latencyFromHalt: Distribution;
  /** How long a CPU had been idle when the critical path woke it. */
  criticalIdleGaps: Distribution;
  /** Every idle period (switch to idle → the wake). */
  idlePeriods: Distribution;
  /** Wake-ups of an idle vCPU on the critical path (critical halts; guest: or IPIs delivered to idle CPUs). */
  idleWakesOnPath: number;
  /** Guest traces: the two distributions above per CPU (absent for the host, count tables, hand-made facts). */
  byCpu?: CpuIdleFacts[];
}

/** Where one hand-off's time goes (guest traces; see GuestModel). */
export interface HandoffFacts {
  ipiSend: Distribution;
  deliveryToIdle: Distribution;
  deliveryToRunning: Distribution;
  wakeToRun: Distribution;
  wakeToRunNoExit: Distribution;
  idleExitToRun: Distribution;
  idleExitToRunNoTimer: Distribution;
  runToHandoff: Distribution;
  timerWritesInWake: number;
  /** Hand-offs whose woken task's switch-in was not traced (its run is bounded by its wake-up → hand-off). */
  untracedRuns: number;
  /** Uniform samples (up to 4,096) of the segments the halt-polling prediction uses, for its bootstrap. */
  samples: {
    idleExitToRunNoTimer: number[];
    runToHandoff: number[];
    /** IPI handler → its queued wake-up (sched_wakeup): work a polled wake-up still does after leaving the loop. */
    wakeFlush: number[];
    /** Wake-up in idle context → the woken task's hand-off, where its switch-in is not traced (bounds its run). */
    handoffAfterIdleWake: number[];
  };
}

/**
 * Other work on the guest's CPUs while the benchmark was active (guest traces): tasks other than the round-trip
 * pairs' own, idle and kernel threads (ksoftirqd, kworker, rcu…, reported apart).
 */
export interface CompetingWorkFacts {
  /** Their run time as a share of the CPUs' time over the benchmark's active time. */
  share: number;
  /** Switches to them. */
  switches: number;
  kernelThreadShare: number;
  /** The largest, by run time (comm without its /N suffix). */
  tasks: { comm: string; runNs: number; switches: number }[];
  /** Switch-ins of the benchmark's tasks in that time. */
  benchmarkRuns: number;
  /** Wake-ups of a benchmark task whose CPU was running such a task, and their summed wait until it ran. */
  waitedHandoffs: number;
  waitedNs: number;
}

export interface ModelFacts {
  exits: ExitFacts | null;
  transactions: TransactionFacts | null;
  benchmark: BenchmarkFacts | null;
  trace: TraceFacts;
  polling: PollingFacts;
  wake: WakeFacts;
  handoff: HandoffFacts;
  /** Guest traces with round trips; absent elsewhere. */
  competingWork?: CompetingWorkFacts | null;
}

export function category(f: ModelFacts, c: ExitCategory): CategoryFacts {
  return f.exits?.byCategory[c] ?? { count: 0, critical: 0, meanDurationNs: null };
}
