// The guest side of the model: exits inferred from guest events (x2APIC MSR writes, cpu_idle halts), the hand-offs
// between tasks (sched_wakeup / sched_switch, IPIs) and where the time of each hand-off goes.
import type { ExitCategory } from '../analysisTypes';
import {
  icrFields,
  cpuIdleOf,
  haltPollNsOf,
  ipiTargetsOf,
  writeMsrOf,
  schedSwitchOf,
  schedWakeupOf,
} from '../eventFields';
import { CPU_IDLE_EXIT, describeExit, msrInfo, X2APIC_ICR_MSR } from '../knowledge/exitTable';
import { GUEST_HALT_REASON, guestMsrWriteReason, INFERRED_HALT_REASON } from '../knowledge/reasonKey';
import type { TraceEvent } from '../records';
import { Reservoir } from '../stats/bootstrap';
import { LogHistogram } from '../stats/logHistogram';
import { CpuTable } from './cpuTable';
import type { CriticalPathTracker } from './criticalPath';
import { EventKind, eventKind } from './eventKinds';
import { ExitLedger, type ExitSample } from './exitLedger';
import { IdleByCpu } from './idleByCpu';
import { IntKeyTable } from './intKeyTable';
import type { WakeTimings } from './wakeTimings';

/** How far apart two events may be and still belong to one step (send→ICR write, IPI→handler). */
const STEP_WINDOW_NS = 200_000;
const MAX_TRACKED = 100_000;

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
  /** The same, without a timer-MSR write inside (a polling vCPU does not re-arm its tick at idle exit). */
  readonly idleExitToRunNoTimer = new LogHistogram();
  readonly idleExitToRunNoTimerSample = new Reservoir(4096, 1);
  /** The woken task runs → it hands off (sends the IPI / wakes its peer). */
  readonly runToHandoff = new LogHistogram();
  readonly runToHandoffSample = new Reservoir(4096, 2);
  /** The same, for runs that did not start by leaving idle: a warm vCPU, as a polling one stays. */
  readonly warmRunToHandoff = new LogHistogram();
  readonly warmRunToHandoffSample = new Reservoir(4096, 3);
  /** Timer-MSR writes inside the wake → run windows above (to price one timer write). */
  timerWritesInWake = 0;
  /**
   * IPI handler (idle) → the sched_wakeup it performs: the queued wake-up (ttwu_queue_wakelist). A polling vCPU gets
   * no IPI but still runs this work, after it leaves the poll loop (halt-polling prediction).
   */
  readonly wakeFlushSample = new Reservoir(4096, 4);
  /** sched_wakeup in idle context → the woken task's hand-off, where its switch-in was not traced (an upper bound). */
  readonly handoffAfterIdleWakeSample = new Reservoir(4096, 5);
}

/**
 * A time or duration not set (GuestCpu, Chain): NaN, not null, so that the fields holding them stay unboxed numbers
 * (a field that may hold null keeps each new number in a box allocated per store, at nearly every event here).
 */
const UNSET = Number.NaN;
const isSet = (t: number): boolean => !Number.isNaN(t);

/** One hand-off's contiguous pieces, from the waker's run start to the woken task's run start (UNSET: not seen). */
interface Chain {
  /** The waker's run start → its hand-off (ipi_send_cpu or sched_wakeup); unset when its start was not seen. */
  runToSignal: number;
  /** ipi_send_cpu → the ICR write returns; unset for a hand-off without an IPI. */
  ipiSendNs: number;
  /** ICR write → the IPI handler. */
  deliveryNs: number;
  /** When the IPI handler ran (IPI hand-offs) or the wake-up was signalled (others). */
  lastStepAt: number;
}

/** A wake-up signalled and not yet seen running: who woke the task, when, from halt or not, its hand-off chain. */
interface PendingWake {
  waker: number;
  signalAt: number;
  fromHalt: boolean;
  chain: Chain | null;
}

function newPendingWake(): PendingWake {
  return { waker: 0, signalAt: 0, fromHalt: false, chain: null };
}

/** Spare pending-wake entries kept for reuse (a few are in flight at once). */
const SPARE_WAKES = 64;

export const BREAKDOWN_COMPONENTS = {
  run: "run until the hand-off (the task's own work)",
  ipiSend: 'IPI send (ICR write exit)',
  delivery: 'IPI delivery (ICR write → handler)',
  wakeAfterIpi: 'wake → run (handler → task runs: idle exit, timer writes, schedule)',
  wakeNoIpi: 'wake-up → run (no IPI: the target was running or polling)',
} as const;
export type BreakdownComponent = keyof typeof BREAKDOWN_COMPONENTS;

/** Sums of each piece over complete hand-offs: the per-transaction breakdown adds up by construction. */
export class HandoffBreakdown {
  readonly sums: Record<BreakdownComponent, { ns: number; n: number }> = {
    run: { ns: 0, n: 0 },
    ipiSend: { ns: 0, n: 0 },
    delivery: { ns: 0, n: 0 },
    wakeAfterIpi: { ns: 0, n: 0 },
    wakeNoIpi: { ns: 0, n: 0 },
  };
  handoffs = 0;

  add(chain: Chain, runAt: number): void {
    if (!isSet(chain.runToSignal) || runAt < chain.lastStepAt) return;
    const viaIpi = isSet(chain.deliveryNs);
    if (viaIpi && !isSet(chain.ipiSendNs)) return;
    this.handoffs++;
    const sums = this.sums; // by name, not by a key in a variable: a fixed property load each
    put(sums.run, chain.runToSignal);
    if (viaIpi) {
      put(sums.ipiSend, chain.ipiSendNs);
      put(sums.delivery, chain.deliveryNs);
      put(sums.wakeAfterIpi, runAt - chain.lastStepAt);
    } else put(sums.wakeNoIpi, runAt - chain.lastStepAt);
  }
}

function put(sum: { ns: number; n: number }, ns: number): void {
  sum.ns += ns;
  sum.n++;
}

/** A guest CPU's state (its times UNSET until seen). */
interface GuestCpu {
  /** This CPU's number (for the per-CPU idle samples). */
  number: number;
  pid: number;
  haltStart: number;
  haltFact: number;
  haltLine: number | null;
  tokenArrivedInHalt: boolean;
  idleSince: number;
  lastIpiSendAt: number;
  ipiSendTarget: number | null;
  pendingIpiAt: number;
  pendingIpiFromPid: number | null;
  pendingIpiToIdle: boolean;
  irqAt: number;
  wakeSignalAt: number;
  wakeSignalFromPid: number | null;
  timerWritesSinceIrq: number;
  idleExitAt: number;
  timerWritesSinceIdleExit: number;
  runStart: number;
  runPid: number;
  /** Whether the current run started by leaving idle (a cold vCPU, right after a halt). */
  runAfterIdle: boolean;
  /** When the running task was first seen running (switch-in, or its first event): where its chain piece starts. */
  chainRunStart: number;
  /** The running task's run → ipi_send_cpu, until the ICR write that follows. */
  runToIpiSend: number;
  /** When a task was woken here in idle context (sched_wakeup, pid 0); then its run's start if no switch-in shows. */
  idleWakeAt: number;
  untracedRunFrom: number;
  /** An IPI on its way to this CPU, then the chain it carries once its handler ran. */
  pendingChain: Chain | null;
  chain: Chain | null;
}

function newCpu(number: number): GuestCpu {
  return {
    number,
    pid: -1,
    haltStart: UNSET,
    haltFact: -1,
    haltLine: null,
    tokenArrivedInHalt: false,
    idleSince: UNSET,
    lastIpiSendAt: UNSET,
    ipiSendTarget: null,
    pendingIpiAt: UNSET,
    pendingIpiFromPid: null,
    pendingIpiToIdle: false,
    irqAt: UNSET,
    wakeSignalAt: UNSET,
    wakeSignalFromPid: null,
    timerWritesSinceIrq: 0,
    idleExitAt: UNSET,
    timerWritesSinceIdleExit: 0,
    runStart: UNSET,
    runPid: -1,
    runAfterIdle: false,
    chainRunStart: UNSET,
    runToIpiSend: UNSET,
    idleWakeAt: UNSET,
    untracedRunFrom: UNSET,
    pendingChain: null,
    chain: null,
  };
}

/**
 * A sample the model fills per exit (the ledger reads it and keeps nothing of it). Written as one literal: an object
 * built by spreads gets a slow shape, and the ledger reads every field of it per exit. Its time starts as a number
 * (every exit sets one): a field that held null keeps each new timestamp in a box allocated per exit.
 */
function newSample(reason: string, category: ExitCategory): ExitSample {
  return {
    reason,
    category,
    description: '',
    part: null,
    vcpu: null,
    timeNs: 0,
    durationNs: null,
    critical: null,
    exampleLine: null,
  };
}

/** describeExit("HLT").description, looked up at the first halt. */
let haltDescription: string | undefined;

type GuestMsrExit = { reason: string; category: ExitCategory; description: string } | null;
const guestMsrExits = new Map<number, GuestMsrExit>();
/** The same for MSRs below 0x1000 (x2APIC 0x800-0x8ff, TSC deadline 0x6e0), by index: no hashing per write. */
const lowGuestMsrExits: (GuestMsrExit | undefined)[] = new Array<GuestMsrExit | undefined>(0x1000).fill(undefined);

/** What a guest write to this MSR counts as (reason, category), or null when it is not an exit worth counting. */
export function guestMsrExit(msr: number): GuestMsrExit {
  const low = msr >= 0 && msr < 0x1000 && Number.isInteger(msr);
  let e = low ? lowGuestMsrExits[msr] : guestMsrExits.get(msr);
  if (e === undefined) {
    const info = msrInfo(msr);
    e = info?.category
      ? { reason: guestMsrWriteReason(msr), category: info.category, description: `${info.name}: ${info.description}` }
      : null;
    if (low) lowGuestMsrExits[msr] = e;
    else guestMsrExits.set(msr, e);
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

export function newPollingObservation(): PollingObservation {
  return { polledIdles: 0, haltedIdles: 0, maxWindowNs: 0, windowEvents: 0 };
}

export function notePollWindow(obs: PollingObservation, ev: TraceEvent): void {
  const p = haltPollNsOf(ev);
  if (!p) return;
  obs.windowEvents++;
  obs.maxWindowNs = Math.max(obs.maxWindowNs, p.ns, p.oldNs);
}

/** Records a per-line fact for hovers; returns its index (or -1). */
export type FactRecorder = (line: number | null, critical: boolean | null, durationNs: number | null) => number;
export type FactUpdater = (index: number, critical: boolean | null, durationNs: number | null) => void;

export class GuestModel {
  readonly ledger = new ExitLedger();
  readonly segments = new HandoffSegments();
  readonly polling = newPollingObservation();
  readonly cpusWithIdleEvents = new Set<number>();
  /** The idle periods and critical idle gaps below, per CPU. */
  readonly idleByCpu = new IdleByCpu();
  /** CPUs below 256 already in cpusWithIdleEvents: a typed-array test per cpu_idle instead of a set insertion. */
  private readonly idleCpuMarks = new Uint8Array(256);
  /** IPI handler entries in the idle task, per CPU: halts of CPUs that record no cpu_idle events. */
  private idleIpiWakes = new CpuTable<{ count: number; firstLine: number | null }>();
  private readonly cpus = new CpuTable<GuestCpu>();
  /** Pending wake-ups by task: who woke it and when the signal was sent. */
  private readonly pendingWake = new IntKeyTable<PendingWake>();
  /** Entries taken out of pendingWake, to be filled again (no object per wake-up). */
  private readonly spareWakes: PendingWake[] = [];
  readonly breakdown = new HandoffBreakdown();
  /** Who started each task's current run (for round-trip counting). */
  private readonly episodeInitiator = new IntKeyTable<number>();
  /** The last task that went off each CPU: the likely waker when a wake-up's sender is not traced. */
  private readonly lastSwitchOutByCpu = new CpuTable<{ cpu: number; pid: number; t: number }>();
  /** The same entries in the order their CPUs first appeared (iterated without allocating). */
  private readonly lastSwitchOuts: { cpu: number; pid: number; t: number }[] = [];
  private readonly msrSample = newSample('', 'other');
  private readonly haltSample = newSample(GUEST_HALT_REASON, 'halt');

  constructor(
    private readonly path: CriticalPathTracker,
    private readonly wake: WakeTimings,
    private readonly recordFact: FactRecorder,
    private readonly updateFact: FactUpdater,
  ) {}

  /** `kind`: the event's kind when the caller has looked it up already. */
  add(ev: TraceEvent, kind: EventKind = eventKind(ev.name)): void {
    // The event's CPU state, looked up once and handed to the handlers.
    const s = this.cpu(ev.cpu);
    if (ev.cpu >= 0 && ev.pid >= 0) this.noteRunning(s, ev, kind);
    switch (kind) {
      case EventKind.guestHaltPollNs:
        return notePollWindow(this.polling, ev);
      case EventKind.writeMsr:
        return this.msrWrite(ev, s);
      case EventKind.cpuIdle:
        return this.idle(ev, s);
      case EventKind.ipiSendCpu:
      case EventKind.ipiSendCpumask:
        return this.ipiSend(ev, s);
      case EventKind.ipiHandler:
        return this.ipiHandler(ev, s);
      case EventKind.schedWakeup:
        return this.wakeup(ev, s);
      case EventKind.schedSwitch:
        return this.schedSwitch(ev, s);
      default:
    }
  }

  private cpu(n: number): GuestCpu {
    let s = this.cpus.get(n);
    if (!s) this.cpus.set(n, (s = newCpu(n)));
    return s;
  }

  /** A token moves to `target`; a halted target's halt becomes critical (its wake-up is on the path). */
  private handTokenTo(target: GuestCpu, from: number | null): void {
    this.path.handTo('guest', target.number, from);
    if (isSet(target.haltStart)) target.tokenArrivedInHalt = true;
  }

  /** `s`: the state of the event's CPU (as for every handler below). */
  private msrWrite(ev: TraceEvent, s: GuestCpu): void {
    const access = writeMsrOf(ev);
    if (!access) return;
    const exit = guestMsrExit(access.msr);
    if (!exit) return; // writes that say nothing about exits (or do not exit)
    const critical = this.path.holds('guest', ev.cpu);
    // One sample object filled per write (the ledger reads it, keeps nothing of it): no allocation per event.
    const sample = this.msrSample;
    sample.reason = exit.reason;
    sample.category = exit.category;
    sample.description = exit.description;
    sample.vcpu = ev.cpu;
    sample.timeNs = ev.timeNs;
    sample.critical = critical;
    sample.exampleLine = ev.line;
    this.ledger.add(sample);
    this.recordFact(ev.line, critical, null);
    if (exit.category === 'timer') {
      s.timerWritesSinceIrq++;
      s.timerWritesSinceIdleExit++;
    }
    if (access.msr === X2APIC_ICR_MSR) {
      const sent = isSet(s.lastIpiSendAt) && ev.timeNs - s.lastIpiSendAt <= STEP_WINDOW_NS;
      if (sent) this.segments.ipiSend.add(ev.timeNs - s.lastIpiSendAt);
      const runToSignal = s.runToIpiSend;
      const ipiSendNs = sent ? ev.timeNs - s.lastIpiSendAt : UNSET;
      s.runToIpiSend = UNSET;
      // x2APIC ICR: destination APIC id in bits 63:32; the ipi_send_cpu just before names the CPU more reliably.
      const dest = s.ipiSendTarget ?? (access.valueHex !== null ? icrFields(access.valueHex).dest : -1);
      s.lastIpiSendAt = UNSET;
      s.ipiSendTarget = null;
      if (dest >= 0 && dest !== ev.cpu) {
        const chain: Chain = { runToSignal, ipiSendNs, deliveryNs: UNSET, lastStepAt: ev.timeNs };
        this.ipiTo(dest, ev.timeNs, s.pid, ev.cpu, chain);
      }
    }
  }

  private ipiTo(dest: number, t: number, fromPid: number, fromCpu: number, chain: Chain): void {
    const target = this.cpu(dest);
    target.pendingChain = chain;
    target.pendingIpiAt = t;
    target.pendingIpiFromPid = fromPid;
    target.pendingIpiToIdle = target.pid === 0;
    if (target.pid === 0 && isSet(target.idleSince)) {
      this.wake.criticalIdleGaps.add(t - target.idleSince);
      this.idleByCpu.criticalIdleGap(dest, t - target.idleSince);
    }
    this.handTokenTo(target, fromCpu);
  }

  private ipiSend(ev: TraceEvent, s: GuestCpu): void {
    const targets = ipiTargetsOf(ev);
    s.lastIpiSendAt = ev.timeNs;
    s.ipiSendTarget = targets && targets.length === 1 ? targets[0] : null;
    s.runToIpiSend = isSet(s.chainRunStart) ? ev.timeNs - s.chainRunStart : UNSET;
    this.endRunSegment(s, ev.timeNs);
  }

  private ipiHandler(ev: TraceEvent, s: GuestCpu): void {
    if (ev.pid === 0) {
      // An IPI is sent only to a CPU that is not polling, so an idle CPU woken by one had halted.
      let w = this.idleIpiWakes.get(ev.cpu);
      if (!w) this.idleIpiWakes.set(ev.cpu, (w = { count: 0, firstLine: ev.line }));
      w.count++;
    }
    if (isSet(s.pendingIpiAt) && ev.timeNs - s.pendingIpiAt <= STEP_WINDOW_NS) {
      const delivery = s.pendingIpiToIdle ? this.segments.deliveryToIdle : this.segments.deliveryToRunning;
      delivery.add(ev.timeNs - s.pendingIpiAt);
      s.irqAt = ev.timeNs;
      s.wakeSignalAt = s.pendingIpiAt;
      s.wakeSignalFromPid = s.pendingIpiFromPid;
      s.timerWritesSinceIrq = 0;
      // The IPI's chain goes on from here (it has no other holder: completed in place, not copied).
      const c = s.pendingChain;
      if (c) {
        c.deliveryNs = ev.timeNs - s.pendingIpiAt;
        c.lastStepAt = ev.timeNs;
      }
      s.chain = c;
    }
    s.pendingIpiAt = UNSET;
    s.pendingChain = null;
  }

  private idle(ev: TraceEvent, evCpu: GuestCpu): void {
    const idle = cpuIdleOf(ev);
    if (!idle) return;
    const cpu = ev.cpu >= 0 ? ev.cpu : idle.cpu;
    const s = ev.cpu >= 0 ? evCpu : this.cpu(cpu);
    this.noteIdleCpu(cpu);
    if (idle.state === CPU_IDLE_EXIT) return this.idleExit(s, cpu, ev.timeNs);
    if (idle.state === 0) {
      // cpuidle-haltpoll's poll state: the vCPU spins in the guest, no exit.
      this.polling.polledIdles++;
      return;
    }
    // Any other state halts the vCPU (HLT; deeper states too on KVM unless MWAIT is passed through).
    s.haltStart = ev.timeNs;
    s.haltLine = ev.line;
    s.tokenArrivedInHalt = false;
    s.haltFact = this.recordFact(ev.line, null, null);
  }

  private noteIdleCpu(cpu: number): void {
    const marked = cpu >= 0 && cpu < 256 && Number.isInteger(cpu);
    if (marked && this.idleCpuMarks[cpu] === 1) return;
    if (marked) this.idleCpuMarks[cpu] = 1;
    this.cpusWithIdleEvents.add(cpu);
  }

  private idleExit(s: GuestCpu, cpu: number, t: number): void {
    if (isSet(s.haltStart)) {
      const duration = t - s.haltStart;
      const critical = this.path.started('guest') ? s.tokenArrivedInHalt : null;
      const sample = this.haltSample; // filled per halt, as msrSample is
      sample.description = haltDescription ??= describeExit('HLT').description;
      sample.vcpu = cpu;
      sample.timeNs = s.haltStart;
      sample.durationNs = duration;
      sample.critical = critical;
      sample.exampleLine = s.haltLine;
      this.ledger.add(sample);
      this.updateFact(s.haltFact, critical, duration);
      this.polling.haltedIdles++;
    }
    s.haltStart = UNSET;
    s.idleExitAt = t;
    s.timerWritesSinceIdleExit = 0;
  }

  private wakeup(ev: TraceEvent, here: GuestCpu): void {
    const w = schedWakeupOf(ev);
    if (!w || w.pid <= 0) return;
    const target = this.cpu(w.targetCpu);
    let waker = ev.pid;
    let signalAt = ev.timeNs;
    let chain: Chain | null = null;
    if (ev.pid <= 0) {
      // Woken in idle context: by the IPI that just arrived, or (polling target, no IPI) by the task that ran
      // last on another CPU.
      const byIpi = isSet(target.wakeSignalAt) && ev.timeNs - target.wakeSignalAt <= STEP_WINDOW_NS;
      if (ev.cpu === w.targetCpu) {
        target.idleWakeAt = ev.timeNs;
        if (byIpi && isSet(target.irqAt)) this.segments.wakeFlushSample.add(ev.timeNs - target.irqAt);
      }
      if (byIpi && target.wakeSignalFromPid !== null) {
        waker = target.wakeSignalFromPid;
        signalAt = target.wakeSignalAt;
        chain = target.chain;
      } else {
        waker = this.lastSwitchOutElsewhere(w.targetCpu) ?? waker;
      }
    } else if (w.targetCpu !== ev.cpu) {
      // A wake-up of a task on another CPU is a hand-off; one on this CPU (a kworker, a timer) is not.
      const sender = here;
      const runToSignal = isSet(sender.chainRunStart) ? ev.timeNs - sender.chainRunStart : UNSET;
      chain = { runToSignal, ipiSendNs: UNSET, deliveryNs: UNSET, lastStepAt: ev.timeNs };
      this.endRunSegment(sender, ev.timeNs, w.pid);
    }
    target.chain = null;
    if (this.pendingWake.size < MAX_TRACKED) {
      const fromHalt = isSet(target.haltStart) || target.pendingIpiToIdle;
      let entry = this.pendingWake.get(w.pid);
      if (!entry) this.pendingWake.set(w.pid, (entry = this.spareWakes.pop() ?? newPendingWake()));
      entry.waker = waker;
      entry.signalAt = signalAt;
      entry.fromHalt = fromHalt;
      entry.chain = chain;
    }
    // A running task waking a task on another CPU hands its token on; a wake-up logged on the target in idle context
    // (a polling target, no IPI) brings one from a sender that is not known here.
    if (ev.pid > 0 && ev.cpu !== w.targetCpu) this.handTokenTo(target, ev.cpu);
    else if (ev.pid <= 0) this.handTokenTo(target, null);
  }

  /** The task on this CPU hands off (sends an IPI or wakes a peer): closes its run segment. */
  private endRunSegment(s: GuestCpu, t: number, wokenPid?: number): void {
    if (wokenPid === s.runPid) return;
    if (isSet(s.untracedRunFrom)) this.segments.handoffAfterIdleWakeSample.add(t - s.untracedRunFrom);
    s.untracedRunFrom = UNSET;
    if (!isSet(s.runStart)) return;
    this.segments.runToHandoff.add(t - s.runStart);
    this.segments.runToHandoffSample.add(t - s.runStart);
    if (!s.runAfterIdle) {
      this.segments.warmRunToHandoff.add(t - s.runStart);
      this.segments.warmRunToHandoffSample.add(t - s.runStart);
    }
    s.runStart = UNSET;
  }

  private schedSwitch(ev: TraceEvent, s: GuestCpu): void {
    const sw = schedSwitchOf(ev);
    if (!sw) return;
    const t = ev.timeNs;
    if (sw.prevPid > 0) {
      const initiator = this.episodeInitiator.take(sw.prevPid) ?? this.lastSwitchOutElsewhere(ev.cpu);
      if (initiator !== undefined && initiator !== sw.prevPid) {
        this.path.countHandoff('guest', initiator, sw.prevPid, t);
      }
      const last = this.lastSwitchOutByCpu.get(ev.cpu);
      if (last) {
        last.pid = sw.prevPid;
        last.t = t;
      } else {
        const entry = { cpu: ev.cpu, pid: sw.prevPid, t };
        this.lastSwitchOutByCpu.set(ev.cpu, entry);
        this.lastSwitchOuts.push(entry);
      }
    } else if (isSet(s.idleSince)) {
      this.wake.idlePeriods.add(t - s.idleSince);
      this.idleByCpu.idlePeriod(ev.cpu, t - s.idleSince);
      s.idleSince = UNSET;
    }
    s.pid = sw.nextPid;
    if (sw.nextPid === 0) {
      this.path.drop('guest', ev.cpu);
      s.idleSince = t;
      s.runStart = UNSET;
      s.chainRunStart = UNSET;
      s.untracedRunFrom = UNSET;
      return;
    }
    this.taskRuns(s, sw.nextPid, sw.prevPid, t, true);
  }

  /**
   * `pid` starts running on CPU `s` at `t` (after `prevPid`, -1 when unknown). `switchSeen` is false when only a
   * later event of the task shows that it runs: latencies are then upper bounds and no run segment starts.
   */
  private taskRuns(s: GuestCpu, pid: number, prevPid: number, t: number, switchSeen: boolean): void {
    // An idle period whose end was not traced (no idle → task switch on some kernels) ends at the wake.
    if (isSet(s.idleSince)) {
      const end = isSet(s.irqAt) ? s.irqAt : t;
      this.wake.idlePeriods.add(Math.max(0, end - s.idleSince));
      this.idleByCpu.idlePeriod(s.number, Math.max(0, end - s.idleSince));
    }
    s.idleSince = UNSET;
    const wake = this.pendingWake.take(pid);
    if (wake) {
      this.wake.latency.add(t - wake.signalAt);
      if (wake.fromHalt) this.wake.latencyFromHalt.add(t - wake.signalAt);
      if (wake.chain) this.breakdown.add(wake.chain, t);
      if (this.episodeInitiator.size < MAX_TRACKED) this.episodeInitiator.set(pid, wake.waker);
      wake.chain = null;
      if (this.spareWakes.length < SPARE_WAKES) this.spareWakes.push(wake);
    } else if (prevPid > 0 && this.episodeInitiator.size < MAX_TRACKED) {
      this.episodeInitiator.set(pid, prevPid);
    }
    s.runAfterIdle = isSet(s.idleExitAt) || isSet(s.irqAt) || prevPid === 0;
    s.untracedRunFrom = switchSeen ? UNSET : s.idleWakeAt;
    s.idleWakeAt = UNSET;
    if (switchSeen) this.closeWakeSegments(s, t);
    s.irqAt = UNSET;
    s.wakeSignalAt = UNSET;
    s.idleExitAt = UNSET;
    s.runStart = switchSeen ? t : UNSET;
    s.runPid = pid;
    s.chainRunStart = t;
  }

  private closeWakeSegments(s: GuestCpu, t: number): void {
    const seg = this.segments;
    if (isSet(s.irqAt)) {
      seg.wakeToRun.add(t - s.irqAt);
      seg.timerWritesInWake += s.timerWritesSinceIrq;
      if (s.timerWritesSinceIrq === 0) seg.wakeToRunNoExit.add(t - s.irqAt);
    }
    if (isSet(s.idleExitAt)) {
      seg.idleExitToRun.add(t - s.idleExitAt);
      if (s.timerWritesSinceIdleExit === 0) {
        seg.idleExitToRunNoTimer.add(t - s.idleExitAt);
        seg.idleExitToRunNoTimerSample.add(t - s.idleExitAt);
      }
    }
  }

  /**
   * Every event line names the task that was running. Some switch-ins are never traced (idle → task inside the
   * idle loop on some kernels), so the first event of a woken task counts as it running.
   */
  private noteRunning(s: GuestCpu, ev: TraceEvent, kind: EventKind): void {
    if (kind === EventKind.schedSwitch || s.pid === ev.pid) return;
    s.pid = ev.pid;
    if (ev.pid > 0 && this.pendingWake.has(ev.pid)) this.taskRuns(s, ev.pid, -1, ev.timeNs, false);
  }

  private lastSwitchOutElsewhere(cpu: number): number | undefined {
    let best: { pid: number; t: number } | undefined;
    for (const last of this.lastSwitchOuts) if (last.cpu !== cpu && (!best || last.t > best.t)) best = last;
    return best?.pid;
  }

  /**
   * CPUs that record no cpu_idle events (some kernels trace none on some CPUs) still halted whenever an IPI woke
   * them in idle: count those halts, on the critical path, since the IPI handed the token to them.
   */
  finish(): void {
    if (this.cpusWithIdleEvents.size === 0 && this.ledger.total === 0) return;
    for (const [cpu, w] of [...this.idleIpiWakes.entries()].sort((a, b) => a[0] - b[0])) {
      if (this.cpusWithIdleEvents.has(cpu)) continue;
      this.ledger.add(
        {
          reason: INFERRED_HALT_REASON,
          category: 'halt',
          description:
            'A HLT this CPU did not trace: an IPI woke it in the idle task, and an IPI is only sent to a CPU that ' +
            'is not polling, so it had halted.',
          vcpu: cpu,
          timeNs: null,
          durationNs: null,
          critical: true,
          exampleLine: w.firstLine,
        },
        w.count,
      );
    }
    this.idleIpiWakes = new CpuTable();
  }
}
