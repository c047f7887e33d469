// Trace → Chrome/Perfetto JSON trace events, streaming: one track per guest CPU or host vCPU, exits and halts as
// slices marked critical or off the critical path (the model's per-line facts decide), IPIs and hand-offs as flows.
// State is per CPU / vCPU plus a capped map of pending hand-offs, so memory does not grow with the trace.
import {
  icrFields,
  parseApicIpi,
  cpuIdleOf,
  ipiTargetsOf,
  kvmEntryVcpuOf,
  kvmExitOf,
  msrAccessOf,
  schedSwitchOf,
  schedWakeupOf,
} from '../eventFields';
import { CPU_IDLE_EXIT, hex, msrInfo } from '../knowledge/exitTable';
import type { LineFacts } from '../lineFacts';
import type { TraceEvent } from '../records';
import type { ModelFeed } from './modelFacts';
import type { TraceEventWriter } from './traceEventWriter';
import { VcpuThreads } from '../model/vcpuThreads';

/** An IPI handler or a woken task later than this after the send is not the send's arrival. */
const ARRIVAL_WINDOW_NS = 200_000;
/** A refinement (kvm_msr / kvm_apic) this long after its kvm_exit names that exit. */
const REFINE_WINDOW_NS = 200_000;
const MAX_PENDING_WAKES = 4096;
const IPI_HANDLERS = new Set(['call_function_single_entry', 'call_function_entry', 'reschedule_entry']);

interface OpenExit {
  reason: string;
  startNs: number;
  line: number;
  halt: boolean;
  refined: boolean;
  /** An x2APIC ICR write in this exit (kvm_msr): an IPI, drawn at the exit's end unless kvm_apic_ipi shows it. */
  icr: { dest: number; atNs: number } | null;
}

interface GuestCpu {
  haltStart: number | null;
  haltLine: number;
  pollStart: number | null;
  sendStart: number | null;
  sendTarget: number | null;
  /** An IPI on its way to this CPU: sender and send time. */
  incoming: { fromCpu: number; atNs: number } | null;
}

/** Category and colour of an exit slice from the model's verdict (true / false / null = not attributed). */
function criticalMarks(critical: boolean | null | undefined): { cat: string; cname?: string } {
  if (critical === true) return { cat: 'exit,critical', cname: 'terrible' };
  if (critical === false) return { cat: 'exit,off-critical', cname: 'good' };
  return { cat: 'exit' };
}

/**
 * Exports one input: numbers binary events (they carry no line numbers) so that the model's per-line facts still key
 * them, feeds the model, and hands each event to the exporter of its trace-cmd buffer instance — a trace.dat of
 * `trace-cmd record -A` holds host and guest buffers whose CPU numbers are different CPUs, so each gets its tracks.
 */
export class InputExporter {
  private ordinal = 0;
  private lineFromOrdinal: boolean | null = null;
  private readonly byInstance = new Map<string, PerfettoExporter>();

  constructor(
    private readonly out: TraceEventWriter,
    private readonly model: ModelFeed,
    private readonly label: string,
    /** Allocates a process id for a group of tracks (unique over the whole output). */
    private readonly nextPid: () => number,
    private readonly nextFlowId: () => number,
  ) {}

  add(ev: TraceEvent): void {
    this.ordinal++;
    this.lineFromOrdinal ??= ev.line === null;
    if (this.lineFromOrdinal) ev.line = this.ordinal;
    this.model.add(ev);
    const instance = ev.instance ?? '';
    let exporter = this.byInstance.get(instance);
    if (!exporter) {
      const label = instance ? `${this.label} [${instance}]` : this.label;
      exporter = new PerfettoExporter(
        this.out,
        this.model.facts,
        { guest: this.nextPid(), host: this.nextPid() },
        label,
        this.nextFlowId,
      );
      this.byInstance.set(instance, exporter);
    }
    exporter.add(ev);
  }

  finish(): void {
    this.model.finish();
    for (const exporter of this.byInstance.values()) exporter.finish();
  }
}

/** Exports the events of one buffer: call `add` for each event in trace order, then `finish`. */
export class PerfettoExporter {
  private readonly guestCpus = new Map<number, GuestCpu>();
  private readonly openExits = new Map<number, OpenExit | null>();
  private readonly threads = new VcpuThreads();
  private readonly pendingWakes = new Map<number, { fromCpu: number; atNs: number; toCpu: number }>();
  private readonly namedTracks = new Set<string>();
  private readonly namedProcesses = new Set<number>();
  private hasApicIpiEvents = false;

  constructor(
    private readonly out: TraceEventWriter,
    /** The model's verdicts per line, looked up once the model has seen the event that decides them. */
    private readonly facts: LineFacts,
    /** Process ids for this input's guest and host tracks (distinct per input), and a label for their names. */
    private readonly pids: { guest: number; host: number },
    private readonly label: string,
    private readonly nextFlowId: () => number,
  ) {}

  /** `ev.line` is set (a source line or the event's ordinal) and the model has seen the event. */
  add(ev: TraceEvent): void {
    const line = ev.line as number;
    switch (ev.name) {
      case 'kvm_exit':
        return this.hostExit(ev, line);
      case 'kvm_entry':
        return this.hostEntry(ev);
      case 'kvm_msr':
        return this.hostMsr(ev);
      case 'kvm_apic_ipi':
        return this.hostApicIpi(ev);
      case 'cpu_idle':
        return this.guestIdle(ev, line);
      case 'write_msr':
        return this.guestMsrWrite(ev, line);
      case 'ipi_send_cpu':
      case 'ipi_send_cpumask':
        return this.guestIpiSend(ev);
      case 'sched_wakeup':
      case 'sched_wakeup_new':
        return this.guestWakeup(ev);
      case 'sched_switch':
        return this.guestSwitch(ev);
      default:
        if (IPI_HANDLERS.has(ev.name)) this.guestIpiHandler(ev);
    }
  }

  /** Closes what is still open at the end of the input (exits without their kvm_entry, halts without their end). */
  finish(): void {
    for (const [vcpu, open] of this.openExits) if (open) this.closeHostExit(vcpu, open, null);
    for (const [cpu, s] of this.guestCpus) {
      if (s.haltStart !== null) {
        this.track('guest', cpu);
        const marks = criticalMarks(this.facts.get(s.haltLine)?.critical);
        this.out.slice(this.pids.guest, cpu, 'HLT', `${marks.cat},halt`, s.haltStart, 0, {
          line: s.haltLine,
          durationUnknown: true,
        });
      }
    }
  }

  // ---- tracks ------------------------------------------------------------------------------------------------

  private track(side: 'guest' | 'host', unit: number): void {
    const pid = this.pids[side];
    if (!this.namedProcesses.has(pid)) {
      this.namedProcesses.add(pid);
      this.out.processName(pid, side === 'guest' ? `Guest CPUs — ${this.label}` : `Host vCPUs — ${this.label}`, pid);
    }
    const key = `${side}:${unit}`;
    if (this.namedTracks.has(key)) return;
    this.namedTracks.add(key);
    this.out.threadName(pid, unit, side === 'guest' ? `CPU ${unit}` : `vCPU ${unit}`);
  }

  // ---- host: kvm_exit → kvm_entry per vCPU ------------------------------------------------------------------

  private vcpuOf(ev: TraceEvent, printed: number | null): number {
    return this.threads.vcpuOf(ev, printed);
  }

  private hostExit(ev: TraceEvent, line: number): void {
    const e = kvmExitOf(ev);
    const vcpu = this.vcpuOf(ev, e?.vcpu ?? null);
    const previous = this.openExits.get(vcpu);
    if (previous) this.closeHostExit(vcpu, previous, null);
    const reason = e?.reason ?? '(unreadable kvm_exit)';
    this.openExits.set(vcpu, {
      reason,
      startNs: ev.timeNs,
      line,
      halt: e?.info.category === 'halt',
      refined: false,
      icr: null,
    });
  }

  private hostEntry(ev: TraceEvent): void {
    const vcpu = this.vcpuOf(ev, kvmEntryVcpuOf(ev));
    const open = this.openExits.get(vcpu);
    if (open) this.closeHostExit(vcpu, open, ev.timeNs);
  }

  private closeHostExit(vcpu: number, open: OpenExit, entryNs: number | null): void {
    if (open.icr && !this.hasApicIpiEvents) this.hostIpi(vcpu, open.icr.dest, open.icr.atNs);
    this.openExits.set(vcpu, null);
    this.track('host', vcpu);
    const fact = this.facts.get(open.line);
    const critical = fact?.critical ?? null;
    const marks = criticalMarks(critical);
    // The model's duration when it has one (it also drops "durations" that span a gap in the trace).
    const measured = entryNs !== null && entryNs >= open.startNs ? entryNs - open.startNs : null;
    const duration = fact ? fact.durationNs : measured;
    const args = {
      reason: open.reason,
      critical,
      line: open.line,
      ...(duration === null ? { durationUnknown: true } : {}),
    };
    this.out.slice(
      this.pids.host,
      vcpu,
      open.reason,
      open.halt ? `${marks.cat},halt` : marks.cat,
      open.startNs,
      duration ?? 0,
      args,
      marks.cname,
    );
  }

  private hostMsr(ev: TraceEvent): void {
    const access = msrAccessOf('kvm_msr', ev);
    if (!access?.write) return;
    const vcpu = this.vcpuOf(ev, null);
    const open = this.openExits.get(vcpu);
    if (open && !open.refined && ev.timeNs - open.startNs <= REFINE_WINDOW_NS && msrInfo(access.msr)?.category) {
      open.reason = `${open.reason} ${hex(access.msr)}`;
      open.refined = true;
    }
    if (access.msr === 0x830 && open && access.valueHex !== null)
      open.icr = { dest: icrFields(access.valueHex).dest, atNs: ev.timeNs };
  }

  private hostApicIpi(ev: TraceEvent): void {
    const ipi = parseApicIpi(ev.payload);
    if (!ipi) return;
    this.hasApicIpiEvents = true;
    const from = this.vcpuOf(ev, null);
    const open = this.openExits.get(from);
    if (open) open.icr = null; // this event draws the IPI
    if (!ipi.self) this.hostIpi(from, ipi.dest, ev.timeNs);
  }

  /** An IPI from vCPU to vCPU: the arrow starts inside the sender's exit and ends in the target's halt (if any). */
  private hostIpi(from: number, to: number, atNs: number): void {
    if (from === to) return;
    this.track('host', from);
    this.track('host', to);
    const pid = this.pids.host;
    // Each end binds to the slice enclosing it: the sender's exit and the target's halt; a zero-length slice where
    // there is none (Perfetto drops a flow end with nothing to bind to).
    if (!this.openExits.get(from)) this.out.slice(pid, from, 'send IPI', 'ipi', atNs, 0);
    if (!this.openExits.get(to)) this.out.slice(pid, to, 'IPI arrives', 'ipi', atNs, 0);
    this.out.flow(
      this.nextFlowId(),
      `IPI → vCPU ${to}`,
      'ipi',
      { pid, tid: from, ns: atNs },
      { pid, tid: to, ns: atNs },
    );
  }

  // ---- guest: halts from cpu_idle, exits inferred from MSR writes, IPIs and wake-ups --------------------------

  private cpu(n: number): GuestCpu {
    let s = this.guestCpus.get(n);
    if (!s) {
      s = { haltStart: null, haltLine: 0, pollStart: null, sendStart: null, sendTarget: null, incoming: null };
      this.guestCpus.set(n, s);
      this.track('guest', n);
    }
    return s;
  }

  private guestIdle(ev: TraceEvent, line: number): void {
    const idle = cpuIdleOf(ev);
    if (!idle) return;
    const cpu = ev.cpu >= 0 ? ev.cpu : idle.cpu;
    const s = this.cpu(cpu);
    const pid = this.pids.guest;
    if (idle.state === CPU_IDLE_EXIT) {
      if (s.haltStart !== null) {
        const critical = this.facts.get(s.haltLine)?.critical ?? null;
        const marks = criticalMarks(critical);
        const args = { reason: 'hlt', critical, line: s.haltLine };
        this.out.slice(pid, cpu, 'HLT', `${marks.cat},halt`, s.haltStart, ev.timeNs - s.haltStart, args, marks.cname);
      } else if (s.pollStart !== null) {
        this.out.slice(pid, cpu, 'poll (no exit)', 'poll', s.pollStart, ev.timeNs - s.pollStart);
      }
      s.haltStart = null;
      s.pollStart = null;
    } else if (idle.state === 0) {
      s.pollStart = ev.timeNs; // cpuidle-haltpoll's poll state: the vCPU spins in the guest, no exit
    } else {
      s.haltStart = ev.timeNs;
      s.haltLine = line;
    }
  }

  private guestMsrWrite(ev: TraceEvent, line: number): void {
    const access = msrAccessOf('write_msr', ev);
    const info = access ? msrInfo(access.msr) : undefined;
    if (!access || !info?.category) return; // a write that does not exit (or says nothing about exits)
    const s = this.cpu(ev.cpu);
    const pid = this.pids.guest;
    const reason = `msr_write ${hex(access.msr)}`;
    const critical = this.facts.get(line)?.critical ?? null;
    const marks = criticalMarks(critical);
    // The guest sees the exit happen but not how long the host took: a zero-length slice at the write.
    const args = { reason, what: info.name, category: info.category, critical, line, durationUnknown: true };
    this.out.slice(pid, ev.cpu, reason, marks.cat, ev.timeNs, 0, args, marks.cname);
    if (access.msr !== 0x830) return;
    const dest = s.sendTarget ?? (access.valueHex !== null ? icrFields(access.valueHex).dest : -1);
    const sendStart = s.sendStart ?? ev.timeNs;
    s.sendStart = null;
    s.sendTarget = null;
    if (dest < 0 || dest === ev.cpu) return;
    this.out.slice(pid, ev.cpu, `send IPI → CPU ${dest}`, 'ipi', sendStart, ev.timeNs - sendStart);
    this.cpu(dest).incoming = { fromCpu: ev.cpu, atNs: sendStart };
  }

  private guestIpiSend(ev: TraceEvent): void {
    const targets = ipiTargetsOf(ev);
    const s = this.cpu(ev.cpu);
    s.sendStart = ev.timeNs;
    s.sendTarget = targets && targets.length === 1 ? targets[0] : null;
  }

  private guestIpiHandler(ev: TraceEvent): void {
    const s = this.cpu(ev.cpu);
    const incoming = s.incoming;
    s.incoming = null;
    if (!incoming || ev.timeNs - incoming.atNs > ARRIVAL_WINDOW_NS) return;
    const pid = this.pids.guest;
    // Halted: the arrow ends in the halt it wakes; running: on a zero-length slice for the handler.
    if (s.haltStart === null) this.out.slice(pid, ev.cpu, ev.name, 'ipi', ev.timeNs, 0);
    this.out.flow(
      this.nextFlowId(),
      `IPI → CPU ${ev.cpu}`,
      'ipi',
      { pid, tid: incoming.fromCpu, ns: incoming.atNs },
      { pid, tid: ev.cpu, ns: ev.timeNs },
    );
  }

  /** A running task waking a task on another CPU hands the transaction on: an arrow to where the woken task runs. */
  private guestWakeup(ev: TraceEvent): void {
    if (ev.pid <= 0) return; // woken from idle context: the IPI arrow already shows the hand-off
    const w = schedWakeupOf(ev);
    if (!w || w.pid <= 0 || w.targetCpu === ev.cpu) return;
    if (this.pendingWakes.size >= MAX_PENDING_WAKES) this.pendingWakes.clear();
    this.cpu(ev.cpu);
    this.out.slice(this.pids.guest, ev.cpu, `wake ${w.comm}:${w.pid}`, 'handoff', ev.timeNs, 0);
    this.pendingWakes.set(w.pid, { fromCpu: ev.cpu, atNs: ev.timeNs, toCpu: w.targetCpu });
  }

  private guestSwitch(ev: TraceEvent): void {
    const sw = schedSwitchOf(ev);
    if (!sw || sw.nextPid <= 0) return;
    const wake = this.pendingWakes.get(sw.nextPid);
    if (!wake) return;
    this.pendingWakes.delete(sw.nextPid);
    if (ev.cpu !== wake.toCpu || ev.timeNs - wake.atNs > ARRIVAL_WINDOW_NS) return;
    const pid = this.pids.guest;
    this.out.slice(pid, ev.cpu, `${sw.nextComm}:${sw.nextPid} runs`, 'handoff', ev.timeNs, 0);
    this.out.flow(
      this.nextFlowId(),
      `hand-off → ${sw.nextComm}:${sw.nextPid}`,
      'handoff',
      { pid, tid: wake.fromCpu, ns: wake.atNs },
      { pid, tid: ev.cpu, ns: ev.timeNs },
    );
  }
}
