// Payload parsers for the events the model uses. The payload is the text `trace-cmd report` prints after the event
// name (see records.ts), so text and trace.dat inputs share these. Each returns null when the payload is not of a
// form it knows; the caller keeps the event as a generic record then.
import { arm64ExceptionClass, describeExit, svmExit, vmxExit, type ExitInfo } from './knowledge/exitTable';

export interface KvmExitFields {
  vcpu: number | null;
  /** Reason as printed ("HLT", "hlt", "DABT_LOW", "IRQ"); numeric reasons are resolved through the exit table. */
  reason: string;
  info: ExitInfo;
  isa: 'x86' | 'arm64';
}

const KVM_EXIT_X86 = /^(?:vcpu (\d+) )?reason (\S+)(?: \((\d+)\))?/;
const KVM_EXIT_ARM64 = /^(\w+): HSR_EC: (0x[0-9a-f]+)(?: \((\w+)\))?/i;

export function parseKvmExit(payload: string): KvmExitFields | null {
  let m = KVM_EXIT_X86.exec(payload);
  if (m) {
    const vcpu = m[1] !== undefined ? Number(m[1]) : null;
    return x86KvmExit(vcpu, m[2], m[3] !== undefined ? Number(m[3]) : null, payload.includes('info1'));
  }
  m = KVM_EXIT_ARM64.exec(payload);
  if (m) {
    // "TRAP: HSR_EC: 0x0024 (DABT_LOW)": an IRQ exit is named IRQ; a trap by its exception class.
    const kind = m[1];
    const ec = arm64ExceptionClass(Number.parseInt(m[2], 16));
    const reason = kind === 'TRAP' ? m[3] ?? ec?.name ?? m[2] : kind;
    const info = kind === 'TRAP' ? ec ?? describeExit(reason) : describeExit(kind);
    return { vcpu: null, reason, info, isa: 'arm64' };
  }
  return null;
}

/**
 * An x86 kvm_exit from its printed reason: a name, a number, or "UNKNOWN (code)". `svmInfo1`: the payload has the
 * SVM-only info1 field, which settles a numeric reason in the range both tables use.
 */
export function x86KvmExit(
  vcpu: number | null,
  printed: string,
  code: number | null,
  svmInfo1: boolean,
): KvmExitFields {
  let reason = printed;
  let info: ExitInfo | undefined;
  if (/^(0x[0-9a-f]+|\d+)$/i.test(reason)) {
    // A numeric reason: VMX basic reasons are small, SVM codes are 0x40 and up (ambiguous only for 0x40-0x4b).
    const n = Number(reason);
    info = svmInfo1 && n >= 0x40 ? svmExit(n) ?? vmxExit(n) : vmxExit(n) ?? svmExit(n);
    if (info) reason = info.name;
  } else if (reason === 'UNKNOWN' && code !== null) {
    info = vmxExit(code);
    if (info) reason = info.name;
  }
  return { vcpu, reason, info: info ?? describeExit(reason), isa: 'x86' };
}

/** kvm_entry: "vcpu 0" or "vcpu 0, rip 0x..."; arm64 "PC: 0x..." (no vcpu). */
export function parseKvmEntryVcpu(payload: string): number | null {
  const m = /^vcpu (\d+)/.exec(payload);
  return m ? Number(m[1]) : null;
}

export interface MsrAccess {
  write: boolean;
  msr: number;
  /** The value as printed, in hex without 0x; null when the payload has none. Parsed only when needed. */
  valueHex: string | null;
}

/** x2APIC ICR value → destination APIC id (bits 63:32) and vector (bits 7:0). */
export function icrFields(valueHex: string): { dest: number; vector: number } {
  const hi = valueHex.length > 8 ? Number.parseInt(valueHex.slice(0, -8), 16) : 0;
  return { dest: hi, vector: Number.parseInt(valueHex.slice(-2), 16) };
}

const KVM_MSR = /^msr_(read|write) ([0-9a-f]+) = (0x[0-9a-f]+)/i;
const GUEST_MSR = /^([0-9a-f]+)(?:, value ([0-9a-f]+))?/i;

/** kvm_msr (host: "msr_write 830 = 0xfb") or msr:write_msr / read_msr (guest: "830, value fb"). */
export function parseMsrAccess(event: string, payload: string): MsrAccess | null {
  if (event === 'kvm_msr') {
    const m = KVM_MSR.exec(payload);
    return m ? { write: m[1] === 'write', msr: Number.parseInt(m[2], 16), valueHex: m[3].slice(2) } : null;
  }
  const m = GUEST_MSR.exec(payload);
  if (!m) return null;
  return { write: event === 'write_msr', msr: Number.parseInt(m[1], 16), valueHex: m[2] ?? null };
}

/** power:cpu_idle "state=1 cpu_id=0". */
export function parseCpuIdle(payload: string): { state: number; cpu: number } | null {
  const m = /state=(\d+) cpu_id=(\d+)/.exec(payload);
  return m ? { state: Number(m[1]), cpu: Number(m[2]) } : null;
}

export interface SchedSwitch {
  prevComm: string;
  prevPid: number;
  prevState: string;
  nextComm: string;
  nextPid: number;
}

// trace-cmd's plugin form; comm may contain spaces and colons, so anchor on the pid/prio shape.
const SWITCH_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\] (\S+) ==> (.*):(-?\d+) \[(-?\d+)\]/;
const SWITCH_RAW = /^prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)/;

export function parseSchedSwitch(payload: string): SchedSwitch | null {
  const m = SWITCH_PLUGIN.exec(payload) ?? SWITCH_RAW.exec(payload);
  return m ? { prevComm: m[1], prevPid: Number(m[2]), prevState: m[4], nextComm: m[5], nextPid: Number(m[6]) } : null;
}

const WAKEUP_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\](?: success=\d+)? CPU:(\d+)/;
const WAKEUP_RAW = /^comm=(.*) pid=(-?\d+) prio=(-?\d+)(?: success=\d+)? target_cpu=(\d+)/;

/** sched_wakeup / sched_waking / sched_wakeup_new: who is woken and on which CPU it will run. */
export function parseSchedWakeup(payload: string): { comm: string; pid: number; targetCpu: number } | null {
  const m = WAKEUP_PLUGIN.exec(payload) ?? WAKEUP_RAW.exec(payload);
  return m ? { comm: m[1], pid: Number(m[2]), targetCpu: Number(m[4]) } : null;
}

/** ipi:ipi_send_cpu "cpu=0 callsite=..." → [0]; ipi_send_cpumask "cpumask=0-2,5" → [0,1,2,5]. */
export function parseIpiTargets(event: string, payload: string): number[] | null {
  if (event === 'ipi_send_cpu') {
    const m = /^cpu=(\d+)/.exec(payload);
    return m ? [Number(m[1])] : null;
  }
  if (event === 'ipi_send_cpumask') {
    const m = /^cpumask=([\d,-]+)/.exec(payload);
    if (!m) return null;
    const cpus: number[] = [];
    for (const part of m[1].split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let c = a; c <= (b ?? a) && cpus.length < 4096; c++) cpus.push(c);
    }
    return cpus;
  }
  return null;
}

/** kvm_vcpu_wakeup "wait time 12345 ns, polling valid" / "poll time 800 ns, polling valid". */
export function parseVcpuWakeup(payload: string): { polled: boolean; ns: number; valid: boolean } | null {
  const m = /^(poll|wait) time (\d+) ns(?:, polling (valid|invalid))?/.exec(payload);
  return m ? { polled: m[1] === 'poll', ns: Number(m[2]), valid: m[3] !== 'invalid' } : null;
}

/** kvm_halt_poll_ns "vcpu 0: halt_poll_ns 20000 (grow 10000)"; guest_halt_poll_ns "halt_poll_ns 0 (shrink 0)". */
export function parseHaltPollNs(payload: string): { vcpu: number | null; ns: number; grow: boolean; oldNs: number } | null {
  const m = /^(?:vcpu (\d+): )?halt_poll_ns (\d+) \((grow|shrink) (\d+)\)/.exec(payload);
  return m ? { vcpu: m[1] !== undefined ? Number(m[1]) : null, ns: Number(m[2]), grow: m[3] === 'grow', oldNs: Number(m[4]) } : null;
}

/** kvm_apic_ipi "dst b0 vec 176 (Fixed|physical|assert|edge|self)": destination APIC id (hex). */
export function parseApicIpi(payload: string): { dest: number; vector: number; self: boolean } | null {
  const m = /^dst ([0-9a-f]+) vec (\d+)/i.exec(payload);
  return m ? { dest: Number.parseInt(m[1], 16), vector: Number(m[2]), self: payload.includes('|self') } : null;
}

/** kvm_apic "apic_write APIC_ICR = 0x..." */
export function parseKvmApic(payload: string): { write: boolean; register: string } | null {
  const m = /^apic_(read|write) (\S+) = /.exec(payload);
  return m ? { write: m[1] === 'write', register: m[2] } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Fields decoded from a trace.dat event's binary layout (tracedat/fastFields.ts) ride on the event, so that the
// model reads them without printing and re-parsing the payload; text events are parsed as above. Each accessor gives
// exactly what its parser gives for the printed payload (tested on every sample trace.dat).

export type DecodedFields =
  | { kind: 'sched_switch'; value: SchedSwitch }
  | { kind: 'sched_wakeup'; value: { comm: string; pid: number; targetCpu: number } }
  | { kind: 'msr'; value: MsrAccess }
  | { kind: 'cpu_idle'; value: { state: number; cpu: number } }
  | { kind: 'ipi_targets'; value: number[] }
  | { kind: 'kvm_exit'; value: KvmExitFields }
  | { kind: 'kvm_entry'; vcpu: number | null };

/** The parts of an event the accessors need (TraceEvent has them). */
interface EventWithFields {
  name: string;
  payload: string;
  fields?: DecodedFields;
}

export function schedSwitchOf(ev: EventWithFields): SchedSwitch | null {
  return ev.fields?.kind === 'sched_switch' ? ev.fields.value : parseSchedSwitch(ev.payload);
}

export function schedWakeupOf(ev: EventWithFields): { comm: string; pid: number; targetCpu: number } | null {
  return ev.fields?.kind === 'sched_wakeup' ? ev.fields.value : parseSchedWakeup(ev.payload);
}

/** msr:write_msr / read_msr and kvm_msr; `event` is the name the payload is read as. */
export function msrAccessOf(event: string, ev: EventWithFields): MsrAccess | null {
  return ev.fields?.kind === 'msr' && ev.name === event ? ev.fields.value : parseMsrAccess(event, ev.payload);
}

export function cpuIdleOf(ev: EventWithFields): { state: number; cpu: number } | null {
  return ev.fields?.kind === 'cpu_idle' ? ev.fields.value : parseCpuIdle(ev.payload);
}

export function ipiTargetsOf(ev: EventWithFields): number[] | null {
  return ev.fields?.kind === 'ipi_targets' ? ev.fields.value : parseIpiTargets(ev.name, ev.payload);
}

export function kvmExitOf(ev: EventWithFields): KvmExitFields | null {
  return ev.fields?.kind === 'kvm_exit' ? ev.fields.value : parseKvmExit(ev.payload);
}

export function kvmEntryVcpuOf(ev: EventWithFields): number | null {
  return ev.fields?.kind === 'kvm_entry' ? ev.fields.vcpu : parseKvmEntryVcpu(ev.payload);
}
