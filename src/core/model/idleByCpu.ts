// Idle periods per guest CPU: cpuidle-haltpoll keeps a poll window per CPU (poll_limit_ns of each cpuidle device),
// so whether it stays open depends on that CPU's own idle periods (model/pollPrediction.ts).
import type { CpuIdleFacts } from './facts';
import { LogHistogram } from '../stats/logHistogram';
import { CpuTable } from './cpuTable';

export class IdleByCpu {
  /** By CPU number: a CpuTable, looked up at every idle period without hashing (facts() sorts by CPU). */
  private readonly cpus = new CpuTable<{ idlePeriods: LogHistogram; criticalIdleGaps: LogHistogram }>();

  private of(cpu: number) {
    let c = this.cpus.get(cpu);
    if (!c) this.cpus.set(cpu, (c = { idlePeriods: new LogHistogram(), criticalIdleGaps: new LogHistogram() }));
    return c;
  }

  /** An idle period of `cpu` ended (switch to idle → the wake). */
  idlePeriod(cpu: number, ns: number): void {
    if (cpu >= 0) this.of(cpu).idlePeriods.add(ns);
  }

  /** The critical path woke `cpu` after `ns` of idle. */
  criticalIdleGap(cpu: number, ns: number): void {
    if (cpu >= 0) this.of(cpu).criticalIdleGaps.add(ns);
  }

  facts(): CpuIdleFacts[] {
    return [...this.cpus.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([cpu, c]) => ({
        cpu,
        idlePeriods: c.idlePeriods.toDistribution(),
        criticalIdleGaps: c.criticalIdleGaps.toDistribution(),
      }));
  }
}
