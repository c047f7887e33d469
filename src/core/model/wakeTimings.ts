// Wake-up and idle timings both models measure (guest from sched/IPI events, host from kvm_entry after an IPI).
import { LogHistogram } from '../stats/logHistogram';

export class WakeTimings {
  /** Signal (IPI send / wake) → the woken task (guest) or vCPU (host) runs again. */
  readonly latency = new LogHistogram();
  /** The same, only for targets that were halted. */
  readonly latencyFromHalt = new LogHistogram();
  /** How long a CPU had been idle when the critical path woke it (the idle a poll window must cover). */
  readonly criticalIdleGaps = new LogHistogram();
  /** Every idle period (switch to idle → the wake): what a poll window would cost in CPU. */
  readonly idlePeriods = new LogHistogram();
}
