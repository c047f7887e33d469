// Where each vCPU's time went, from a host trace's kvm_entry/kvm_exit pairs: a vCPU thread's time between an entry and
// its next exit ran the guest; exit → entry was spent in the exit (a halt's in the halt, polling included).
import type { ExitCategory, VcpuTime } from '../analysisTypes';

interface ReasonTime {
  count: number;
  ns: number;
}

interface VcpuClock {
  firstNs: number;
  lastNs: number;
  /** The kvm_entry the vCPU is running the guest since; null while in an exit or before the first entry. */
  enteredAt: number | null;
  guestNs: number;
  inExitsNs: number;
  haltedNs: number;
  /** Exit → entry pairs measured (exits without an entry, or across a gap, are counted but not timed). */
  timedExits: number;
  byReason: Map<string, ReasonTime>;
  byCategory: Map<ExitCategory, number>;
}

export class VcpuTimes {
  private readonly clocks = new Map<number, VcpuClock>();

  private clock(vcpu: number, t: number): VcpuClock {
    let c = this.clocks.get(vcpu);
    if (!c) {
      c = {
        firstNs: t,
        lastNs: t,
        enteredAt: null,
        guestNs: 0,
        inExitsNs: 0,
        haltedNs: 0,
        timedExits: 0,
        byReason: new Map(),
        byCategory: new Map(),
      };
      this.clocks.set(vcpu, c);
    }
    c.firstNs = Math.min(c.firstNs, t);
    c.lastNs = Math.max(c.lastNs, t);
    return c;
  }

  /** kvm_exit: the guest ran from the last entry until now. */
  exit(vcpu: number, t: number): void {
    const c = this.clock(vcpu, t);
    if (c.enteredAt !== null && t >= c.enteredAt) c.guestNs += t - c.enteredAt;
    c.enteredAt = null;
  }

  /**
   * An exit closed: by its kvm_entry (`entryAt`, with the exit's duration; null when no entry came or the pair spans
   * a gap in the trace). `reason` is the printed one; `category` what the exit did (the part's category when refined).
   */
  exitEnded(
    vcpu: number,
    reason: string,
    category: ExitCategory,
    halt: boolean,
    durationNs: number | null,
    entryAt: number | null,
  ): void {
    const c = this.clocks.get(vcpu);
    if (!c) return;
    let r = c.byReason.get(reason);
    if (!r) c.byReason.set(reason, (r = { count: 0, ns: 0 }));
    r.count++;
    if (entryAt !== null) {
      this.clock(vcpu, entryAt);
      c.enteredAt = entryAt;
    }
    if (durationNs === null) return;
    c.timedExits++;
    r.ns += durationNs;
    if (halt) c.haltedNs += durationNs;
    else {
      c.inExitsNs += durationNs;
      c.byCategory.set(category, (c.byCategory.get(category) ?? 0) + durationNs);
    }
  }

  /** kvm_entry with no exit open (the first one of a vCPU, or after a lost kvm_exit): the guest runs from here. */
  entered(vcpu: number, t: number): void {
    this.clock(vcpu, t).enteredAt = t;
  }

  summary(): Map<number, VcpuTime> {
    const out = new Map<number, VcpuTime>();
    for (const [vcpu, c] of this.clocks) {
      const spanNs = c.lastNs - c.firstNs;
      const inExitsByReason = [...c.byReason]
        .map(([reason, r]) => ({ reason, count: r.count, ns: r.ns }))
        .sort((a, b) => b.ns - a.ns || b.count - a.count || (a.reason < b.reason ? -1 : 1));
      const inExitsByCategoryNs = Object.fromEntries([...c.byCategory].sort((a, b) => b[1] - a[1]));
      out.set(vcpu, {
        spanNs,
        guestNs: c.guestNs,
        inExitsNs: c.inExitsNs,
        haltedNs: c.haltedNs,
        // What no entry/exit pair covers: before the first event pair, lost events, exits across a gap.
        untracedNs: Math.max(0, spanNs - c.guestNs - c.inExitsNs - c.haltedNs),
        timedExits: c.timedExits,
        inExitsByReason,
        inExitsByCategoryNs,
      });
    }
    return out;
  }
}
