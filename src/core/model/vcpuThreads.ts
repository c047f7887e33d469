// Which vCPU a host event belongs to: the vcpu number the event prints, else the one its thread printed before, else
// QEMU's thread name "CPU n/KVM", else the next free number. The model, the sketch and the export share this one map.
import type { TraceEvent } from '../records';

export class VcpuThreads {
  private readonly vcpuOfPid = new Map<number, number>();

  vcpuOf(ev: Pick<TraceEvent, 'pid' | 'comm'>, printed: number | null): number {
    if (printed !== null) {
      this.vcpuOfPid.set(ev.pid, printed);
      return printed;
    }
    const known = this.vcpuOfPid.get(ev.pid);
    if (known !== undefined) return known;
    const fromComm = /^CPU (\d+)\/KVM/.exec(ev.comm);
    const v = fromComm ? Number(fromComm[1]) : this.vcpuOfPid.size;
    this.vcpuOfPid.set(ev.pid, v);
    return v;
  }
}
