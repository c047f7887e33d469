// The trace model: turns host (kvm_*) and guest (msr, power, ipi, sched) events into exits attributed to the
// critical path of request/response transactions, wake-up latencies, and the per-hand-off time segments that the
// recommendations predict from. Streaming and bounded: state per CPU / vCPU / task, histograms for durations.
//
// The critical path is followed as a token (seed 003): the CPU (guest) or vCPU (host) whose next action the
// transaction waits for holds it. An IPI or a cross-CPU wake-up hands the sender's token to its target; a CPU that goes
// idle (or halts, seen from the host) has nothing left on the path and drops it. Several transactions in flight
// (clients, connections) are several tokens. An exit on a CPU that holds a token delays a transaction (critical); an
// exit elsewhere does not (off-critical). A halt is critical when a token arrives while the CPU is halted: its
// wake-up latency is then on the path.
import type { ExitCategory } from '../analysisTypes';
import {
  cpuIdleOf,
  icrFields,
  ipiTargetsOf,
  kvmEntryVcpuOf,
  kvmExitOf,
  msrAccessOf,
  parseApicIpi,
  parseHaltPollNs,
  parseKvmApic,
  parseVcpuWakeup,
  schedSwitchOf,
  schedWakeupOf,
} from '../eventFields';
import { apicRegister, CPU_IDLE_EXIT, describeExit, hex, msrInfo } from '../knowledge/exitTable';
import type { TraceEvent } from '../records';
import { LogHistogram } from '../stats/logHistogram';
import { ExitLedger } from './exitLedger';
import { LineFactStore } from './lineFactStore';

type Side = 'guest' | 'host';

/** How far apart two events may be and still belong to one step (send→ICR write, IPI→handler). */
const STEP_WINDOW_NS = 200_000;
const MAX_TRACKED = 100_000;
/** A pause between two hand-offs of a pair longer than this is not part of its active time. */
const IDLE_GAP_NS = 500_000_000;
/** Longer than this, a non-halt exit→entry pair spans a gap in the trace (excerpts, lost events). */
const MAX_EXIT_NS = 1_000_000_000;

/** Where the time of one hand-off (one direction of a round trip) goes, measured on guest traces. */
export class HandoffSegments {
  /** ipi_send_cpu → the ICR write returns: the IPI-send exit as the sender sees it. */
  readonly ipiSend = new LogHistogram();
  /** ICR write → the target's IPI handler, target idle (halted unless polling). */
  readonly deliveryToIdle = new LogHistogram();
  /** ICR write → the target's IPI handler, target running. */
  readonly deliveryToRunning = new LogHistogram();
  /** IPI handler → the woken task runs (scheduler, idle exit, tick restart). */
  readonly wakeToRun = new LogHistogram();
  /** The same, for wake-ups with no timer-MSR exit inside. */
  readonly wakeToRunNoExit = new LogHistogram();
  /** Leaving idle (cpu_idle exit) → the woken task runs. */
  readonly idleExitToRun = new LogHistogram();
  /** The woken task runs → it hands off (sends the IPI / wakes its peer). */
  readonly runToHandoff = new LogHistogram();
  /** Timer-MSR writes inside the wake → run windows above (to price one timer write). */
  timerWritesInWake = 0;
}

interface GuestCpu {
  pid: number;
  haltStart: number | null;
  haltFact: number;
  haltLine: number | null;
  tokenArrivedInHalt: boolean;
  idleSince: number | null;
  lastIpiSendAt: number | null;
  ipiSendTarget: number | null;
  pendingIpiAt: number | null;
  pendingIpiFromPid: number | null;
  pendingIpiToIdle: boolean;
  irqAt: number | null;
  wakeSignalAt: number | null;
  wakeSignalFromPid: number | null;
  timerWritesSinceIrq: number;
  idleExitAt: number | null;
  runStart: number | null;
  runPid: number;
}

interface HostVcpu {
  exit: {
    reason: string;
    category: ExitCategory;
    description: string;
    t: number;
    line: number | null;
    fact: number;
    critical: boolean | null;
    refined: boolean;
  } | null;
  halted: boolean;
  tokenArrivedInHalt: boolean;
  ipiAt: number | null;
}

const guestMsrExits = new Map<number, { reason: string; category: ExitCategory; description: string } | null>();

/** What a guest write to this MSR counts as (reason, category), or null when it is not an exit worth counting. */
function guestMsrExit(msr: number) {
  let e = guestMsrExits.get(msr);
  if (e === undefined) {
    const info = msrInfo(msr);
    e = info?.category ? { reason: `msr_write ${hex(msr)}`, category: info.category, description: `${info.name}: ${info.description}` } : null;
    guestMsrExits.set(msr, e);
  }
  return e;
}

export interface PollingObservation {
  /** Guest: cpu_idle state=0 (the haltpoll poll state) entries; host: kvm_vcpu_wakeup "poll". */
  polledIdles: number;
  /** Idles that ended in a halt that had to be woken. */
  haltedIdles: number;
  /** Highest poll window seen in guest_halt_poll_ns / kvm_halt_poll_ns events. */
  maxWindowNs: number;
  windowEvents: number;
}

export class TraceModel {
  readonly hostLedger = new ExitLedger();
  readonly guestLedger = new ExitLedger();
  /** kvm_msr events, each from an MSR exit: the exits of a host trace that recorded kvm_msr but not kvm_exit. */
  readonly hostMsrLedger = new ExitLedger();
  readonly facts = new LineFactStore();
  readonly segments = new HandoffSegments();
  /** Signal (IPI send / wake) → the woken task (guest) or vCPU (host) runs again. */
  readonly wakeLatency = new LogHistogram();
  /** The same, only for targets that were halted. */
  readonly wakeLatencyFromHalt = new LogHistogram();
  /** How long a CPU had been idle when the critical path woke it (the idle a poll window must cover). */
  readonly criticalIdleGaps = new LogHistogram();
  /** Every idle period (switch to idle → switch away): what a poll window would cost in CPU. */
  readonly idlePeriods = new LogHistogram();
  readonly hostWakeupPolled = new LogHistogram();
  readonly hostWakeupWaited = new LogHistogram();
  readonly guestPolling: PollingObservation = { polledIdles: 0, haltedIdles: 0, maxWindowNs: 0, windowEvents: 0 };
  readonly hostPolling: PollingObservation = { polledIdles: 0, haltedIdles: 0, maxWindowNs: 0, windowEvents: 0 };
  /** IPI handler entries in the idle task, per CPU: halts of CPUs that record no cpu_idle events. */
  private readonly idleIpiWakes = new Map<number, { count: number; firstLine: number | null }>();
  /** kvm_exit events whose payload could not be read (counted as exits all the same). */
  readonly unreadable = { count: 0, firstLine: null as number | null };
  firstNs: number | null = null;
  lastNs: number | null = null;
  events = 0;
  readonly cpusSeen = new Set<number>();
  readonly cpusWithIdleEvents = new Set<number>();

  private recordFacts = true;
  /**
   * Critical-path tokens, null until the first hand-off is seen: guest CPUs moved by guest events, and vCPUs moved by
   * host (kvm_*) events. Kept apart so that host scheduler events (host CPUs) never move a vCPU's token.
   */
  /** The trace.dat buffer the guest-side model follows ('' = top); null until a guest exit event is seen. */
  private guestBuffer: string | null = null;
  private readonly tokens: { guest: Set<number> | null; host: Set<number> | null } = { guest: null, host: null };
  private readonly guestCpus = new Map<number, GuestCpu>();
  private readonly hostVcpus = new Map<number, HostVcpu>();
  private readonly vcpuOfPid = new Map<number, number>();
  private hasApicIpiEvents = false;
  /** Pending wake-ups by task: who woke it and when the signal was sent. */
  private readonly pendingWake = new Map<number, { waker: number; signalAt: number; fromHalt: boolean }>();
  /** Who started each task's current run (for round-trip counting). */
  private readonly episodeInitiator = new Map<number, number>();
  /** The last task that went off each CPU: the likely waker when a wake-up's sender is not traced. */
  private readonly lastSwitchOutByCpu = new Map<number, { pid: number; t: number }>();
  /** Hand-offs between tasks (guest) or vCPUs (host): "a>b" → count. */
  private readonly handoffs: Record<Side, Map<string, { count: number; lastNs: number; activeNs: number }>> = { guest: new Map(), host: new Map() };

  setRecordFacts(on: boolean): void {
    this.recordFacts = on;
  }

  add(ev: TraceEvent): void {
    this.events++;
    const t = ev.timeNs;
    if (this.firstNs === null || t < this.firstNs) this.firstNs = t;
    if (this.lastNs === null || t > this.lastNs) this.lastNs = t;
    if (!ev.name.startsWith('kvm_') && !this.inGuestBuffer(ev)) return;
    if (ev.cpu >= 0) {
      this.cpusSeen.add(ev.cpu);
      if (ev.pid >= 0 && !ev.name.startsWith('kvm_')) this.noteRunning(ev);
    }
    switch (ev.name) {
      case 'kvm_exit':
        return this.hostExit(ev);
      case 'kvm_entry':
        return this.hostEntry(ev);
      case 'kvm_msr':
        return this.hostMsr(ev);
      case 'kvm_apic_ipi':
        return this.hostApicIpi(ev);
      case 'kvm_apic':
        return this.hostApic(ev);
      case 'kvm_vcpu_wakeup':
        return this.hostVcpuWakeup(ev);
      case 'kvm_halt_poll_ns':
        return this.pollWindow(this.hostPolling, ev.payload);
      case 'guest_halt_poll_ns':
        return this.pollWindow(this.guestPolling, ev.payload);
      case 'write_msr':
        return this.guestMsrWrite(ev);
      case 'cpu_idle':
        return this.guestIdle(ev);
      case 'ipi_send_cpu':
      case 'ipi_send_cpumask':
        return this.guestIpiSend(ev);
      case 'call_function_single_entry':
      case 'call_function_entry':
      case 'reschedule_entry':
        return this.guestIpiHandler(ev);
      case 'sched_wakeup':
      case 'sched_wakeup_new':
        return this.wakeup(ev);
      case 'sched_switch':
        return this.schedSwitch(ev);
      default:
    }
  }

  /**
   * A trace.dat may hold several buffers (trace-cmd -B / -A): CPU numbers of different buffers are different CPUs.
   * The guest-side model follows one buffer: the first that shows a guest exit event (write_msr, cpu_idle).
   */
  private inGuestBuffer(ev: TraceEvent): boolean {
    const buffer = ev.instance ?? '';
    if (this.guestBuffer === null) {
      if (ev.name === 'write_msr' || ev.name === 'cpu_idle') this.guestBuffer = buffer;
      return true;
    }
    return buffer === this.guestBuffer;
  }

  get durationNs(): number | null {
    return this.firstNs !== null && this.lastNs !== null && this.lastNs > this.firstNs ? this.lastNs - this.firstNs : null;
  }

  private fact(line: number | null, critical: boolean | null, durationNs: number | null): number {
    return this.recordFacts && line !== null ? this.facts.add(line, critical, durationNs, null) : -1;
  }

  private critical(side: Side, unit: number): boolean | null {
    const set = this.tokens[side];
    return set === null ? null : set.has(unit);
  }

  // ---- guest side ------------------------------------------------------------------------------------------

  private cpu(n: number): GuestCpu {
    let s = this.guestCpus.get(n);
    if (!s) {
      s = {
        pid: -1,
        haltStart: null,
        haltFact: -1,
        haltLine: null,
        tokenArrivedInHalt: false,
        idleSince: null,
        lastIpiSendAt: null,
        ipiSendTarget: null,
        pendingIpiAt: null,
        pendingIpiFromPid: null,
        pendingIpiToIdle: false,
        irqAt: null,
        wakeSignalAt: null,
        wakeSignalFromPid: null,
        timerWritesSinceIrq: 0,
        idleExitAt: null,
        runStart: null,
        runPid: -1,
      };
      this.guestCpus.set(n, s);
    }
    return s;
  }

  /** A token moves from `from` (when it sent the hand-off) to `target`; a halted target's halt becomes critical. */
  private handTokenTo(side: Side, target: number, from: number | null): void {
    const set = (this.tokens[side] ??= new Set());
    if (from !== null) set.delete(from);
    set.add(target);
    if (side === 'guest') {
      const s = this.guestCpus.get(target);
      if (s && s.haltStart !== null) s.tokenArrivedInHalt = true;
    } else {
      const v = this.hostVcpus.get(target);
      if (v && v.halted) v.tokenArrivedInHalt = true;
    }
  }

  private guestMsrWrite(ev: TraceEvent): void {
    const access = msrAccessOf('write_msr', ev);
    if (!access) return;
    const exit = guestMsrExit(access.msr);
    if (!exit) return; // writes that say nothing about exits (or do not exit)
    const s = this.cpu(ev.cpu);
    const critical = this.critical('guest', ev.cpu);
    this.guestLedger.add({
      reason: exit.reason,
      category: exit.category,
      description: exit.description,
      vcpu: ev.cpu,
      timeNs: ev.timeNs,
      durationNs: null,
      critical,
      exampleLine: ev.line,
    });
    this.fact(ev.line, critical, null);
    if (exit.category === 'timer') s.timerWritesSinceIrq++;
    if (access.msr === 0x830) {
      if (s.lastIpiSendAt !== null && ev.timeNs - s.lastIpiSendAt <= STEP_WINDOW_NS) this.segments.ipiSend.add(ev.timeNs - s.lastIpiSendAt);
      // x2APIC ICR: destination APIC id in bits 63:32; the ipi_send_cpu just before names the CPU more reliably.
      const dest = s.ipiSendTarget ?? (access.valueHex !== null ? icrFields(access.valueHex).dest : -1);
      s.lastIpiSendAt = null;
      s.ipiSendTarget = null;
      if (dest >= 0 && dest !== ev.cpu) this.guestIpiTo(dest, ev.timeNs, s.pid, ev.cpu);
    }
  }

  private dropToken(side: Side, unit: number): void {
    this.tokens[side]?.delete(unit);
  }

  private guestIpiTo(dest: number, t: number, fromPid: number, fromCpu: number): void {
    const target = this.cpu(dest);
    target.pendingIpiAt = t;
    target.pendingIpiFromPid = fromPid;
    target.pendingIpiToIdle = target.pid === 0;
    if (target.pid === 0 && target.idleSince !== null) this.criticalIdleGaps.add(t - target.idleSince);
    this.handTokenTo('guest', dest, fromCpu);
  }

  private guestIpiSend(ev: TraceEvent): void {
    const targets = ipiTargetsOf(ev);
    const s = this.cpu(ev.cpu);
    s.lastIpiSendAt = ev.timeNs;
    s.ipiSendTarget = targets && targets.length === 1 ? targets[0] : null;
    this.endRunSegment(s, ev.timeNs);
  }

  private guestIpiHandler(ev: TraceEvent): void {
    const s = this.cpu(ev.cpu);
    if (ev.pid === 0) {
      // An IPI is sent only to a CPU that is not polling, so an idle CPU woken by one had halted.
      const w = this.idleIpiWakes.get(ev.cpu) ?? { count: 0, firstLine: ev.line };
      w.count++;
      this.idleIpiWakes.set(ev.cpu, w);
    }
    if (s.pendingIpiAt !== null && ev.timeNs - s.pendingIpiAt <= STEP_WINDOW_NS) {
      (s.pendingIpiToIdle ? this.segments.deliveryToIdle : this.segments.deliveryToRunning).add(ev.timeNs - s.pendingIpiAt);
      s.irqAt = ev.timeNs;
      s.wakeSignalAt = s.pendingIpiAt;
      s.wakeSignalFromPid = s.pendingIpiFromPid;
      s.timerWritesSinceIrq = 0;
    }
    s.pendingIpiAt = null;
  }

  private guestIdle(ev: TraceEvent): void {
    const idle = cpuIdleOf(ev);
    if (!idle) return;
    const cpu = ev.cpu >= 0 ? ev.cpu : idle.cpu;
    const s = this.cpu(cpu);
    this.cpusWithIdleEvents.add(cpu);
    if (idle.state === CPU_IDLE_EXIT) {
      if (s.haltStart !== null) {
        const duration = ev.timeNs - s.haltStart;
        const critical = this.tokens.guest === null ? null : s.tokenArrivedInHalt;
        this.guestLedger.add({
          reason: 'hlt',
          category: 'halt',
          description: describeExit('HLT').description,
          vcpu: cpu,
          timeNs: s.haltStart,
          durationNs: duration,
          critical,
          exampleLine: s.haltLine,
        });
        this.facts.update(s.haltFact, critical, duration);
        this.guestPolling.haltedIdles++;
      }
      s.haltStart = null;
      s.idleExitAt = ev.timeNs;
      return;
    }
    if (idle.state === 0) {
      // cpuidle-haltpoll's poll state: the vCPU spins in the guest, no exit.
      this.guestPolling.polledIdles++;
      return;
    }
    // Any other state halts the vCPU (HLT; deeper states too on KVM unless MWAIT is passed through).
    s.haltStart = ev.timeNs;
    s.haltLine = ev.line;
    s.tokenArrivedInHalt = false;
    s.haltFact = this.fact(ev.line, null, null);
  }

  private wakeup(ev: TraceEvent): void {
    const w = schedWakeupOf(ev);
    if (!w || w.pid <= 0) return;
    const target = this.cpu(w.targetCpu);
    let waker = ev.pid;
    let signalAt = ev.timeNs;
    if (ev.pid <= 0) {
      // Woken in idle context: by the IPI that just arrived, or (polling target, no IPI) by the task that ran
      // last on another CPU.
      if (target.wakeSignalAt !== null && ev.timeNs - target.wakeSignalAt <= STEP_WINDOW_NS && target.wakeSignalFromPid !== null) {
        waker = target.wakeSignalFromPid;
        signalAt = target.wakeSignalAt;
      } else {
        waker = this.lastSwitchOutElsewhere(w.targetCpu) ?? waker;
      }
    } else if (w.targetCpu !== ev.cpu) {
      // A wake-up of a task on another CPU is a hand-off; one on this CPU (a kworker, a timer) is not.
      this.endRunSegment(this.cpu(ev.cpu), ev.timeNs, w.pid);
    }
    if (this.pendingWake.size < MAX_TRACKED) this.pendingWake.set(w.pid, { waker, signalAt, fromHalt: target.haltStart !== null || target.pendingIpiToIdle });
    // A running task waking a task on another CPU hands its token on; a wake-up logged on the target in idle context
    // (a polling target, no IPI) brings one from a sender that is not known here.
    if (ev.pid > 0 && ev.cpu !== w.targetCpu) this.handTokenTo('guest', w.targetCpu, ev.cpu);
    else if (ev.pid <= 0) this.handTokenTo('guest', w.targetCpu, null);
  }

  /** The task on this CPU hands off (sends an IPI or wakes a peer): closes its run segment. */
  private endRunSegment(s: GuestCpu, t: number, wokenPid?: number): void {
    if (s.runStart === null || wokenPid === s.runPid) return;
    this.segments.runToHandoff.add(t - s.runStart);
    s.runStart = null;
  }

  private schedSwitch(ev: TraceEvent): void {
    const sw = schedSwitchOf(ev);
    if (!sw) return;
    const s = this.cpu(ev.cpu);
    const t = ev.timeNs;
    if (sw.prevPid > 0) {
      const initiator = this.episodeInitiator.get(sw.prevPid) ?? this.lastSwitchOutElsewhere(ev.cpu);
      if (initiator !== undefined && initiator !== sw.prevPid) this.countHandoff('guest', initiator, sw.prevPid, t);
      this.episodeInitiator.delete(sw.prevPid);
      this.lastSwitchOutByCpu.set(ev.cpu, { pid: sw.prevPid, t });
    } else if (s.idleSince !== null) {
      this.idlePeriods.add(t - s.idleSince);
    }
    s.pid = sw.nextPid;
    if (sw.nextPid === 0) {
      this.dropToken('guest', ev.cpu);
      s.idleSince = t;
      s.runStart = null;
      return;
    }
    this.taskRuns(s, sw.nextPid, sw.prevPid, t, true);
  }

  /**
   * `pid` starts running on CPU `s` at `t` (after `prevPid`, -1 when unknown). `switchSeen` is false when only a
   * later event of the task shows that it runs: latencies are then upper bounds and no run segment starts.
   */
  private taskRuns(s: GuestCpu, pid: number, prevPid: number, t: number, switchSeen: boolean): void {
    s.idleSince = null;
    const wake = this.pendingWake.get(pid);
    if (wake) {
      this.pendingWake.delete(pid);
      this.wakeLatency.add(t - wake.signalAt);
      if (wake.fromHalt) this.wakeLatencyFromHalt.add(t - wake.signalAt);
      if (this.episodeInitiator.size < MAX_TRACKED) this.episodeInitiator.set(pid, wake.waker);
    } else if (prevPid > 0 && this.episodeInitiator.size < MAX_TRACKED) {
      this.episodeInitiator.set(pid, prevPid);
    }
    if (s.irqAt !== null && switchSeen) {
      this.segments.wakeToRun.add(t - s.irqAt);
      this.segments.timerWritesInWake += s.timerWritesSinceIrq;
      if (s.timerWritesSinceIrq === 0) this.segments.wakeToRunNoExit.add(t - s.irqAt);
    }
    if (s.idleExitAt !== null && switchSeen) this.segments.idleExitToRun.add(t - s.idleExitAt);
    s.irqAt = null;
    s.wakeSignalAt = null;
    s.idleExitAt = null;
    s.runStart = switchSeen ? t : null;
    s.runPid = pid;
  }

  /**
   * Every event line names the task that was running. Some switch-ins are never traced (idle → task inside the
   * idle loop on some kernels), so the first event of a woken task counts as it running.
   */
  private noteRunning(ev: TraceEvent): void {
    const s = this.cpu(ev.cpu);
    if (ev.name === 'sched_switch' || s.pid === ev.pid) return;
    s.pid = ev.pid;
    if (ev.pid > 0 && this.pendingWake.has(ev.pid)) this.taskRuns(s, ev.pid, -1, ev.timeNs, false);
  }

  private lastSwitchOutElsewhere(cpu: number): number | undefined {
    let best: { pid: number; t: number } | undefined;
    for (const [c, last] of this.lastSwitchOutByCpu) if (c !== cpu && (!best || last.t > best.t)) best = last;
    return best?.pid;
  }

  /** Hand-offs between tasks (guest side: pids) or vCPUs (host side: IPIs between vCPU ids). */
  private countHandoff(side: Side, from: number, to: number, t: number): void {
    const handoffs = this.handoffs[side];
    const key = `${from}>${to}`;
    const h = handoffs.get(key);
    if (h) {
      h.count++;
      // Active time: pauses longer than IDLE_GAP_NS (set-up, tear-down, a stalled peer) do not count.
      if (t - h.lastNs <= IDLE_GAP_NS) h.activeNs += t - h.lastNs;
      h.lastNs = t;
    } else if (handoffs.size < MAX_TRACKED) handoffs.set(key, { count: 1, lastNs: t, activeNs: 0 });
  }

  private pollWindow(obs: PollingObservation, payload: string): void {
    const p = parseHaltPollNs(payload);
    if (!p) return;
    obs.windowEvents++;
    obs.maxWindowNs = Math.max(obs.maxWindowNs, p.ns, p.oldNs);
  }

  // ---- host side -------------------------------------------------------------------------------------------

  private vcpuOf(ev: TraceEvent, printed: number | null): number {
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

  private vcpu(n: number): HostVcpu {
    let v = this.hostVcpus.get(n);
    if (!v) this.hostVcpus.set(n, (v = { exit: null, halted: false, tokenArrivedInHalt: false, ipiAt: null }));
    return v;
  }

  private hostExit(ev: TraceEvent): void {
    // A kvm_exit whose payload we cannot read is still an exit: counted under its own name, and noted.
    const e = kvmExitOf(ev) ?? { vcpu: null, reason: '(unreadable kvm_exit)', info: describeExit('(unreadable kvm_exit)'), isa: 'x86' as const };
    if (e.reason === '(unreadable kvm_exit)') {
      this.unreadable.count++;
      this.unreadable.firstLine ??= ev.line;
    }
    const n = this.vcpuOf(ev, e.vcpu);
    const v = this.vcpu(n);
    if (v.exit) this.closeHostExit(n, v, null); // no kvm_entry seen for the previous one
    const halt = e.info.category === 'halt';
    const critical = halt ? null : this.critical('host', n);
    v.exit = {
      reason: e.reason,
      category: e.info.category,
      description: e.info.description,
      t: ev.timeNs,
      line: ev.line,
      fact: this.fact(ev.line, critical, null),
      critical,
      refined: false,
    };
    v.halted = halt;
    v.tokenArrivedInHalt = false;
    if (halt) this.dropToken('host', n);
  }

  private hostMsr(ev: TraceEvent): void {
    const access = msrAccessOf('kvm_msr', ev);
    if (!access) return;
    const n = this.vcpuOf(ev, null);
    const v = this.vcpu(n);
    const info = msrInfo(access.msr);
    if (access.write && info?.category) this.refineExit(v, ev.timeNs, hex(access.msr), info.category, `${info.name}: ${info.description}`);
    this.hostMsrLedger.add({
      reason: `${access.write ? 'MSR_WRITE' : 'MSR_READ'} ${hex(access.msr)}`,
      category: (access.write ? info?.category : null) ?? 'other',
      description: info ? `${info.name}: ${info.description}` : 'MSR access',
      vcpu: n,
      timeNs: ev.timeNs,
      durationNs: null,
      critical: null,
      exampleLine: ev.line,
    });
    if (access.write && access.msr === 0x830 && !this.hasApicIpiEvents && access.valueHex !== null) {
      this.hostIpi(n, icrFields(access.valueHex).dest, ev.timeNs);
    }
  }

  /** kvm_apic "apic_write APIC_EOI = 0x0" names the register an APIC_WRITE / msr / APIC_ACCESS exit wrote. */
  private hostApic(ev: TraceEvent): void {
    const apic = parseKvmApic(ev.payload);
    const reg = apic?.write ? apicRegister(apic.register) : undefined;
    if (!apic || !reg?.category) return;
    this.refineExit(this.vcpu(this.vcpuOf(ev, null)), ev.timeNs, apic.register, reg.category, `${reg.name}: ${reg.description}`);
  }

  /** Names what an open exit did (which MSR or APIC register), once, and only right after the exit. */
  private refineExit(v: HostVcpu, t: number, what: string, category: ExitCategory, description: string): void {
    const e = v.exit;
    if (!e || e.refined || t - e.t > STEP_WINDOW_NS) return;
    e.refined = true;
    e.reason = `${e.reason} ${what}`;
    e.category = category;
    e.description = description;
  }

  private hostApicIpi(ev: TraceEvent): void {
    const ipi = parseApicIpi(ev.payload);
    if (!ipi) return;
    this.hasApicIpiEvents = true;
    const n = this.vcpuOf(ev, null);
    if (!ipi.self) this.hostIpi(n, ipi.dest, ev.timeNs);
  }

  private hostIpi(from: number, to: number, t: number): void {
    if (from === to) return;
    this.vcpu(to).ipiAt = t;
    this.countHandoff('host', from, to, t);
    this.handTokenTo('host', to, from);
  }

  private hostEntry(ev: TraceEvent): void {
    const n = this.vcpuOf(ev, kvmEntryVcpuOf(ev));
    const v = this.vcpu(n);
    if (v.exit) this.closeHostExit(n, v, ev.timeNs);
  }

  private closeHostExit(n: number, v: HostVcpu, entryAt: number | null): void {
    const e = v.exit!;
    // An exit "lasting" longer than MAX_EXIT_NS (halts aside) is a gap in the trace, not a duration.
    let duration = entryAt !== null && entryAt >= e.t ? entryAt - e.t : null;
    if (duration !== null && !v.halted && duration > MAX_EXIT_NS) duration = null;
    let critical = e.critical;
    if (v.halted) {
      critical = this.tokens.host === null ? null : v.tokenArrivedInHalt;
      if (entryAt !== null && v.ipiAt !== null && v.ipiAt >= e.t) {
        this.wakeLatencyFromHalt.add(entryAt - v.ipiAt);
        this.wakeLatency.add(entryAt - v.ipiAt);
        this.criticalIdleGaps.add(v.ipiAt - e.t);
      }
      if (duration !== null) this.idlePeriods.add(duration);
    }
    this.hostLedger.add({ reason: e.reason, category: e.category, description: e.description, vcpu: n, timeNs: e.t, durationNs: duration, critical, exampleLine: e.line });
    this.facts.update(e.fact, critical, duration);
    v.exit = null;
    v.halted = false;
    v.ipiAt = null;
  }

  private hostVcpuWakeup(ev: TraceEvent): void {
    const w = parseVcpuWakeup(ev.payload);
    if (!w) return;
    // A halt exit happens either way; kvm_vcpu_wakeup tells whether polling caught the wake-up or it waited.
    if (w.polled) {
      this.hostPolling.polledIdles++;
      this.hostWakeupPolled.add(w.ns);
    } else {
      this.hostPolling.haltedIdles++;
      this.hostWakeupWaited.add(w.ns);
    }
  }

  /** Closes exits still open at the end of the trace (counted, no duration). */
  finish(): void {
    for (const [n, v] of this.hostVcpus) if (v.exit) this.closeHostExit(n, v, null);
    // CPUs that record no cpu_idle events (some kernels trace no idle events on some CPUs) still halted whenever an
    // IPI woke them in idle: count those halts, on the critical path, since the IPI handed the token to them.
    if (this.cpusWithIdleEvents.size === 0 && this.guestLedger.total === 0) return;
    for (const [cpu, w] of [...this.idleIpiWakes].sort((a, b) => a[0] - b[0])) {
      if (this.cpusWithIdleEvents.has(cpu)) continue;
      this.guestLedger.add(
        {
          reason: 'hlt (inferred)',
          category: 'halt',
          description: 'A HLT this CPU did not trace: an IPI woke it in the idle task, and an IPI is only sent to a CPU that is not polling, so it had halted.',
          vcpu: cpu,
          timeNs: null,
          durationNs: null,
          critical: true,
          exampleLine: w.firstLine,
        },
        w.count,
      );
    }
    this.idleIpiWakes.clear();
  }

  /** The dominant request/response pair and its round trips: min of the hand-offs each way. */
  /**
   * Request/response round trips: for each pair of tasks (vCPUs) that hand off to each other, the smaller of the
   * hand-offs each way, summed over the pairs that carry at least 10 % of the busiest pair's round trips (several
   * clients, connections or worker threads each make a pair; stray pairs do not count). The time is the busiest
   * pair's active time, without pauses (a trace usually starts before and ends after the benchmark).
   */
  roundTrips(): { count: number; pairs: number; handoffs: number; activeNs: number } {
    // IPIs between vCPUs when the host shows them; else tasks waking each other (a guest trace, or host threads).
    const handoffs = this.handoffs.host.size > 0 ? this.handoffs.host : this.handoffs.guest;
    const pairs: { count: number; handoffs: number; activeNs: number }[] = [];
    for (const [key, ab] of handoffs) {
      const [a, b] = key.split('>').map(Number);
      const ba = handoffs.get(`${b}>${a}`);
      if (a > b || !ba) continue;
      pairs.push({ count: Math.min(ab.count, ba.count), handoffs: ab.count + ba.count, activeNs: Math.max(ab.activeNs, ba.activeNs) });
    }
    pairs.sort((x, y) => y.count - x.count);
    const busiest = pairs[0];
    if (!busiest) return { count: 0, pairs: 0, handoffs: 0, activeNs: 0 };
    const counted = pairs.filter((p) => p.count >= busiest.count * 0.1);
    return {
      count: counted.reduce((n, p) => n + p.count, 0),
      pairs: counted.length,
      handoffs: counted.reduce((n, p) => n + p.handoffs, 0),
      activeNs: busiest.activeNs,
    };
  }
}
