// The host side of the model: kvm_exit/kvm_entry pairs per vCPU (named more precisely by kvm_msr / kvm_apic), IPIs
// between vCPUs (kvm_apic_ipi, ICR writes) as hand-offs, and how halted vCPUs were woken (kvm_vcpu_wakeup).
import type { ExitCategory } from '../analysisTypes';
import {
  canonicalEventName,
  icrFields,
  apicIpiOf,
  parseKvmApic,
  kvmEntryVcpuOf,
  kvmExitOf,
  parseExitDetail,
  parseKvmMmio,
  msrAccessOf,
  parseVcpuWakeup,
} from '../eventFields';
import {
  abortWithoutMmio,
  apicRegister,
  describeExit,
  mmioRefinement,
  msrInfo,
  X2APIC_ICR_MSR,
} from '../knowledge/exitTable';
import { exitPartDetail, hostMsrAccessReason } from '../knowledge/reasonKey';
import type { TraceEvent } from '../records';
import { LogHistogram } from '../stats/logHistogram';
import type { CriticalPathTracker } from './criticalPath';
import { EventKind, eventKind } from './eventKinds';
import { ExitLedger, type ExitPart } from './exitLedger';
import { newPollingObservation, notePollWindow, type FactRecorder, type FactUpdater } from './guestModel';
import { VcpuTimes } from './vcpuTimes';
import type { WakeTimings } from './wakeTimings';
import { VcpuThreads } from './vcpuThreads';

/** How soon after an exit a kvm_msr / kvm_apic event still names what that exit did. */
const STEP_WINDOW_NS = 200_000;
/** Longer than this, a non-halt exit→entry pair spans a gap in the trace (excerpts, lost events). */
const MAX_EXIT_NS = 1_000_000_000;
const UNREADABLE = '(unreadable kvm_exit)';

interface OpenExit {
  reason: string;
  category: ExitCategory;
  description: string;
  t: number;
  line: number | null;
  fact: number;
  critical: boolean | null;
  /** What a kvm_msr / kvm_apic / kvm_mmio right after the exit says it did; the row stays the printed reason. */
  part: ExitPart | null;
}

interface HostVcpu {
  exit: OpenExit | null;
  halted: boolean;
  tokenArrivedInHalt: boolean;
  ipiAt: number | null;
}

export class HostModel {
  readonly ledger = new ExitLedger();
  /** kvm_msr events, each from an MSR exit: the exits of a host trace that recorded kvm_msr but not kvm_exit. */
  readonly msrLedger = new ExitLedger();
  readonly polling = newPollingObservation();
  readonly wakeupPolled = new LogHistogram();
  readonly wakeupWaited = new LogHistogram();
  /** Each vCPU's time in the guest, in exits and halted (kvm_entry → kvm_exit → kvm_entry). */
  readonly times = new VcpuTimes();
  /** kvm_exit events whose payload could not be read (counted as exits all the same). */
  readonly unreadable = { count: 0, firstLine: null as number | null };
  private readonly vcpus = new Map<number, HostVcpu>();
  private readonly threads = new VcpuThreads();
  private hasApicIpiEvents = false;
  /** kvm_mmio events are recorded: an abort none follows was a memory fault, not MMIO. */
  private recordsMmio = false;

  constructor(
    private readonly path: CriticalPathTracker,
    private readonly wake: WakeTimings,
    private readonly recordFact: FactRecorder,
    private readonly updateFact: FactUpdater,
  ) {}

  /** `kind`: the event's kind when the caller has looked it up already. */
  add(ev: TraceEvent, kind: EventKind = eventKind(ev.name)): void {
    // the most frequent names by kind; the others (and other architectures' names for them) by name
    switch (kind) {
      case EventKind.kvmExit:
        return this.exit(ev);
      case EventKind.kvmEntry:
        return this.entry(ev);
      case EventKind.kvmMsr:
        return this.msr(ev);
      case EventKind.kvmApicIpi:
        return this.apicIpi(ev);
      default:
        return this.addByName(ev);
    }
  }

  private addByName(ev: TraceEvent): void {
    switch (canonicalEventName(ev.name)) {
      case 'kvm_exit':
        return this.exit(ev);
      case 'kvm_exit_detail':
      case 'kvm_mmio':
        return this.exitDetail(ev);
      case 'kvm_entry':
        return this.entry(ev);
      case 'kvm_msr':
        return this.msr(ev);
      case 'kvm_apic_ipi':
        return this.apicIpi(ev);
      case 'kvm_apic':
        return this.apic(ev);
      case 'kvm_vcpu_wakeup':
        return this.vcpuWakeup(ev);
      case 'kvm_halt_poll_ns':
        return notePollWindow(this.polling, ev);
      default:
    }
  }

  private vcpuOf(ev: TraceEvent, printed: number | null): number {
    return this.threads.vcpuOf(ev, printed);
  }

  private vcpu(n: number): HostVcpu {
    let v = this.vcpus.get(n);
    if (!v) this.vcpus.set(n, (v = { exit: null, halted: false, tokenArrivedInHalt: false, ipiAt: null }));
    return v;
  }

  private exit(ev: TraceEvent): void {
    // A kvm_exit whose payload we cannot read is still an exit: counted under its own name, and noted.
    const e = kvmExitOf(ev) ?? { vcpu: null, reason: UNREADABLE, info: describeExit(UNREADABLE) };
    if (e.reason === UNREADABLE) {
      this.unreadable.count++;
      this.unreadable.firstLine ??= ev.line;
    }
    const n = this.vcpuOf(ev, e.vcpu);
    const v = this.vcpu(n);
    if (v.exit) this.closeExit(n, v, null); // no kvm_entry seen for the previous one
    const halt = e.info.category === 'halt';
    this.times.exit(n, ev.timeNs);
    const critical = halt ? null : this.path.holds('host', n);
    v.exit = {
      reason: e.reason,
      category: e.info.category,
      description: e.info.description,
      t: ev.timeNs,
      line: ev.line,
      fact: this.recordFact(ev.line, critical, null),
      critical,
      part: null,
    };
    v.halted = halt;
    v.tokenArrivedInHalt = false;
    if (halt) this.path.drop('host', n);
  }

  private msr(ev: TraceEvent): void {
    const access = msrAccessOf('kvm_msr', ev);
    if (!access) return;
    const n = this.vcpuOf(ev, null);
    const v = this.vcpu(n);
    const info = msrInfo(access.msr);
    const described = info ? `${info.name}: ${info.description}` : 'MSR access';
    if (access.write && info?.category) this.refineExit(v, ev.timeNs, access.msr, info.category, described);
    this.msrLedger.add({
      reason: hostMsrAccessReason(access.write, access.msr),
      category: (access.write ? info?.category : null) ?? 'other',
      description: described,
      vcpu: n,
      timeNs: ev.timeNs,
      durationNs: null,
      critical: null,
      exampleLine: ev.line,
    });
    if (access.write && access.msr === X2APIC_ICR_MSR && !this.hasApicIpiEvents && access.valueHex !== null) {
      this.ipi(n, icrFields(access.valueHex).dest, ev.timeNs);
    }
  }

  /** kvm_apic "apic_write APIC_EOI = 0x0" names the register an APIC_WRITE / msr / APIC_ACCESS exit wrote. */
  private apic(ev: TraceEvent): void {
    const apic = parseKvmApic(ev.payload);
    const reg = apic?.write ? apicRegister(apic.register) : undefined;
    if (!apic || !reg?.category) return;
    const v = this.vcpu(this.vcpuOf(ev, null));
    this.refineExit(v, ev.timeNs, apic.register, reg.category, `${reg.name}: ${reg.description}`);
  }

  /** kvm_mmio after a data abort / EPT violation / APIC access, LoongArch kvm_exit_idle & co.: what the exit was. */
  private exitDetail(ev: TraceEvent): void {
    const v = this.vcpu(this.vcpuOf(ev, null));
    const mmio = ev.name === 'kvm_mmio' ? parseKvmMmio(ev.payload) : null;
    if (mmio) this.recordsMmio = true;
    const e = v.exit;
    const r = mmio
      ? mmioRefinement(e?.reason ?? '', e?.category ?? null, mmio.gpa)
      : parseExitDetail(ev.name, ev.payload);
    if (r) this.refineExit(v, ev.timeNs, r.name, r.category, r.description);
  }

  /** Notes what an open exit did (which MSR or APIC register), once, and only right after the exit. */
  private refineExit(v: HostVcpu, t: number, what: string | number, category: ExitCategory, description: string) {
    const e = v.exit;
    if (!e || e.part || t - e.t > STEP_WINDOW_NS) return;
    e.part = { detail: exitPartDetail(what), category, description };
  }

  private apicIpi(ev: TraceEvent): void {
    const ipi = apicIpiOf(ev);
    if (!ipi) return;
    this.hasApicIpiEvents = true;
    const n = this.vcpuOf(ev, null);
    if (!ipi.self) this.ipi(n, ipi.dest, ev.timeNs);
  }

  private ipi(from: number, to: number, t: number): void {
    if (from === to) return;
    const target = this.vcpu(to);
    target.ipiAt = t;
    this.path.countHandoff('host', from, to, t);
    this.path.handTo('host', to, from);
    if (target.halted) target.tokenArrivedInHalt = true;
  }

  private entry(ev: TraceEvent): void {
    const n = this.vcpuOf(ev, kvmEntryVcpuOf(ev));
    const v = this.vcpu(n);
    if (v.exit) this.closeExit(n, v, ev.timeNs);
    else this.times.entered(n, ev.timeNs);
  }

  private closeExit(n: number, v: HostVcpu, entryAt: number | null): void {
    const e = v.exit!;
    const fault = !e.part && this.recordsMmio ? abortWithoutMmio(e.reason) : null;
    if (fault) this.refineExit(v, e.t, fault.name, fault.category, fault.description);
    // An exit "lasting" longer than MAX_EXIT_NS (halts aside) is a gap in the trace, not a duration.
    let duration = entryAt !== null && entryAt >= e.t ? entryAt - e.t : null;
    if (duration !== null && !v.halted && duration > MAX_EXIT_NS) duration = null;
    let critical = e.critical;
    if (v.halted) {
      critical = this.path.started('host') ? v.tokenArrivedInHalt : null;
      if (entryAt !== null && v.ipiAt !== null && v.ipiAt >= e.t) {
        this.wake.latencyFromHalt.add(entryAt - v.ipiAt);
        this.wake.latency.add(entryAt - v.ipiAt);
        this.wake.criticalIdleGaps.add(v.ipiAt - e.t);
      }
      if (duration !== null) this.wake.idlePeriods.add(duration);
    }
    const { reason, category, description, part, t: timeNs, line: exampleLine } = e;
    this.times.exitEnded(n, reason, part?.category ?? category, v.halted, duration, entryAt);
    const durationNs = duration;
    this.ledger.add({ reason, category, description, part, vcpu: n, timeNs, durationNs, critical, exampleLine });
    this.updateFact(e.fact, critical, duration);
    v.exit = null;
    v.halted = false;
    v.ipiAt = null;
  }

  private vcpuWakeup(ev: TraceEvent): void {
    const w = parseVcpuWakeup(ev.payload);
    if (!w) return;
    // A halt exit happens either way; kvm_vcpu_wakeup tells whether polling caught the wake-up or it waited.
    if (w.polled) {
      this.polling.polledIdles++;
      this.wakeupPolled.add(w.ns);
    } else {
      this.polling.haltedIdles++;
      this.wakeupWaited.add(w.ns);
    }
  }

  /** Closes exits still open at the end of the trace (counted, no duration). */
  finish(): void {
    for (const [n, v] of this.vcpus) if (v.exit) this.closeExit(n, v, null);
  }

  /** vCPUs seen in kvm_* events. */
  get vcpuCount(): number {
    return this.vcpus.size;
  }
}
