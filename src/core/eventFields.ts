// Payload parsers for the events the model uses. The payload is the text `trace-cmd report` prints after the event
// name (see records.ts), so text and trace.dat inputs share these. Each returns null when the payload is not of a
// form it knows; the caller keeps the event as a generic record then.
import {
  arm64ExceptionClass,
  describeExit,
  s390Intercept,
  svmExit,
  vmxExit,
  type ExitInfo,
} from './knowledge/exitTable';

export interface KvmExitFields {
  vcpu: number | null;
  /** Reason as printed ("HLT", "hlt", "DABT_LOW", "IRQ"); numeric reasons are resolved through the exit table. */
  reason: string;
  info: ExitInfo;
  isa: 'x86' | 'arm64' | 's390' | 'loongarch' | 'riscv';
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
  if (m) return arm64Exit(m);
  return parseOtherIsaExit(payload);
}

function arm64Exit(m: RegExpExecArray): KvmExitFields {
  // "TRAP: HSR_EC: 0x0024 (DABT_LOW)": an IRQ exit is named IRQ; a trap by its exception class.
  const kind = m[1];
  const ec = arm64ExceptionClass(Number.parseInt(m[2], 16));
  const reason = kind === 'TRAP' ? (m[3] ?? ec?.name ?? m[2]) : kind;
  const info = kind === 'TRAP' ? (ec ?? describeExit(reason)) : describeExit(kind);
  return { vcpu: null, reason, info, isa: 'arm64' };
}

// RISC-V (arch/riscv/kvm/trace.h): "EXC: SEPC:0x..., SCAUSE:0xd (LOAD_GUEST_PAGE_FAULT), STVAL:..." / "IRQ: ...".
const KVM_EXIT_RISCV = /^(?:IRQ|EXC): SEPC:\s*0x[0-9a-f]+, SCAUSE:\s*(0x[0-9a-f]+)(?: \((\w+)\))?/i;
// LoongArch (arch/loongarch/kvm/trace.h): "[IDLE]PC: 0x..." or, newer, "vcpu 1 [0x16] PC: 0x...".
const KVM_EXIT_LOONGARCH = /^(?:vcpu (\d+) )?\[(\w+)\]\s*PC: 0x/;
// s390 kvm_s390_sie_exit: "01[0704000180000000-0000000000a3c1fa]: exit sie icptcode 4 (Instruction)".
const KVM_EXIT_S390 = /^(?:(\d+)\[[0-9a-f-]+\]: )?exit sie icptcode (0x[0-9a-f]+|\d+)(?: \(([^)]+)\))?/i;

/** LoongArch exception codes (ECODE in ESTAT) as kvm_exit prints them when they have no name. */
const LOONGARCH_ECODES: Record<number, string> = {
  0: 'Int',
  1: 'Mem read',
  2: 'Mem store',
  3: 'Mem read',
  4: 'Mem modify',
  22: 'GSPR',
  23: 'Hypercall',
};

function parseOtherIsaExit(payload: string): KvmExitFields | null {
  let m = KVM_EXIT_RISCV.exec(payload);
  if (m) {
    const reason = m[2] ?? m[1];
    return { vcpu: null, reason, info: describeExit(reason), isa: 'riscv' };
  }
  m = KVM_EXIT_LOONGARCH.exec(payload);
  if (m) {
    const code = /^(?:0x[0-9a-f]+|\d+)$/i.test(m[2]) ? Number(m[2]) : null;
    const reason = code === null ? m[2] : (LOONGARCH_ECODES[code] ?? `ecode ${code}`);
    return { vcpu: m[1] !== undefined ? Number(m[1]) : null, reason, info: describeExit(reason), isa: 'loongarch' };
  }
  m = KVM_EXIT_S390.exec(payload);
  if (m) {
    const known = s390Intercept(Number(m[2]));
    const reason = m[3] ?? known?.name ?? `icptcode ${m[2]}`;
    return { vcpu: m[1] !== undefined ? Number(m[1]) : null, reason, info: known ?? describeExit(reason), isa: 's390' };
  }
  return null;
}

/**
 * Host exit/entry events of every architecture under the names the model knows: s390 SIE exit/enter, LoongArch
 * kvm_enter/kvm_reenter; LoongArch kvm_exit_idle & co. name what the kvm_exit just before was ("detail").
 */
const HOST_EVENT_ALIASES: Record<string, string> = {
  kvm_s390_sie_exit: 'kvm_exit',
  kvm_s390_sie_enter: 'kvm_entry',
  // 3.x kernels named them the other way round ("exit sie icptcode %d", no name in parentheses).
  kvm_s390_exit_sie: 'kvm_exit',
  kvm_s390_enter_sie: 'kvm_entry',
  kvm_enter: 'kvm_entry',
  kvm_reenter: 'kvm_entry',
  kvm_exit_idle: 'kvm_exit_detail',
  kvm_exit_cache: 'kvm_exit_detail',
  kvm_exit_cpucfg: 'kvm_exit_detail',
  kvm_exit_csr: 'kvm_exit_detail',
  kvm_exit_gspr: 'kvm_exit_detail',
};

export function canonicalEventName(name: string): string {
  return HOST_EVENT_ALIASES[name] ?? name;
}

/** LoongArch kvm_exit_idle "[IDLE]PC: 0x..." → the exit it names; kvm_exit_gspr "Inst word: 0x..." → GSPR. */
export function parseExitDetail(event: string, payload: string): ExitInfo | null {
  const m = KVM_EXIT_LOONGARCH.exec(payload);
  const name = m ? m[2] : event === 'kvm_exit_gspr' ? 'GSPR' : null;
  return name === null ? null : describeExit(name);
}

/** kvm_mmio "mmio write len 4 gpa 0xfee000b0 val 0x0" (x86 and arm64; "unsatisfied-read" too). */
export function parseKvmMmio(payload: string): { write: boolean; len: number; gpa: number } | null {
  const m = /^mmio (\S+) len (\d+) gpa (0x[0-9a-f]+)/i.exec(payload);
  return m ? { write: m[1] === 'write', len: Number(m[2]), gpa: Number.parseInt(m[3], 16) } : null;
}

/** kvm_pio "pio_write at 0x3f8 size 1 count 1 val 0x34" / "pio_read at 0xc13e size 2 count 1". */
export function parseKvmPio(payload: string): { write: boolean; port: number; size: number; count: number } | null {
  const m = /^pio_(read|write) at (0x[0-9a-f]+) size (\d+) count (\d+)/i.exec(payload);
  if (!m) return null;
  return { write: m[1] === 'write', port: Number.parseInt(m[2], 16), size: Number(m[3]), count: Number(m[4]) };
}

/** kvm_userspace_exit "reason KVM_EXIT_IO (2)"; old kernels "reason KVM_EXIT_MMIO (6)"; errno form "errno (-4)". */
export function parseUserspaceExit(payload: string): { reason: string; code: number | null } | null {
  const m = /^reason (\S+)(?: \((-?\d+)\))?/.exec(payload);
  if (m) return { reason: m[1], code: m[2] !== undefined ? Number(m[2]) : null };
  const e = /^errno (\S+)(?: \((-?\d+)\))?/.exec(payload);
  return e ? { reason: `errno ${e[1]}`, code: e[2] !== undefined ? Number(e[2]) : null } : null;
}

/**
 * kvm_nested_vmexit: VMX "rip 7fa9ee5224e4 reason IO_INSTRUCTION info1 ..." (older), "vcpu 0 reason npf rip ..."
 * (newer, SVM and VMX), early SVM "rip: 0x... reason: npf ext_inf1: ...". The reason the L2 guest exited for.
 */
export function parseNestedExit(payload: string): { reason: string } | null {
  const m = /(?:^|\s)reason:? (\S+)/.exec(payload);
  return m ? { reason: m[1] } : null;
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
    info = svmInfo1 && n >= 0x40 ? (svmExit(n) ?? vmxExit(n)) : (vmxExit(n) ?? svmExit(n));
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
const SWITCH_RAW =
  /^prev_comm=(.*) prev_pid=(-?\d+) prev_prio=(-?\d+) prev_state=(\S+) ==> next_comm=(.*) next_pid=(-?\d+) next_prio=(-?\d+)/;

export function parseSchedSwitch(payload: string): SchedSwitch | null {
  const m = SWITCH_PLUGIN.exec(payload) ?? SWITCH_RAW.exec(payload);
  return m ? { prevComm: m[1], prevPid: Number(m[2]), prevState: m[4], nextComm: m[5], nextPid: Number(m[6]) } : null;
}

const WAKEUP_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\](?: success=\d+)? CPU:(\d+)/;
const WAKEUP_RAW = /^comm=(.*) pid=(-?\d+) prio=(-?\d+)(?: success=\d+)? target_cpu=(\d+)/;

type SchedWakeup = { comm: string; pid: number; targetCpu: number };

/** sched_wakeup / sched_waking / sched_wakeup_new: who is woken and on which CPU it will run. */
export function parseSchedWakeup(payload: string): SchedWakeup | null {
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

export type HaltPollNs = { vcpu: number | null; ns: number; grow: boolean; oldNs: number };
let lastHaltPollPayload: string | null = null;
let lastHaltPoll: HaltPollNs | null = null;

/**
 * kvm_halt_poll_ns "vcpu 0: halt_poll_ns 20000 (grow 10000)"; guest_halt_poll_ns "halt_poll_ns 0 (shrink 0)". A
 * payload equal to the last one is not parsed again (a guest whose window stays 0 prints the same one every idle);
 * the result is only read, so it may be shared.
 */
export function parseHaltPollNs(payload: string): HaltPollNs | null {
  if (payload === lastHaltPollPayload) return lastHaltPoll;
  const m = /^(?:vcpu (\d+): )?halt_poll_ns (\d+) \((grow|shrink) (\d+)\)/.exec(payload);
  lastHaltPollPayload = payload;
  lastHaltPoll = m
    ? { vcpu: m[1] !== undefined ? Number(m[1]) : null, ns: Number(m[2]), grow: m[3] === 'grow', oldNs: Number(m[4]) }
    : null;
  return lastHaltPoll;
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
  | { kind: 'kvm_entry'; vcpu: number | null }
  | { kind: 'halt_poll_ns'; value: HaltPollNs };

/** The parts of an event the accessors need (TraceEvent has them). */
interface EventWithFields {
  name: string;
  payload: string;
  fields?: DecodedFields;
}

/**
 * One-entry memo of a payload parser: the guest or host model and the transaction sketch read the same event one
 * after the other, so a text event's payload is parsed once, not twice. Parsers are pure and their results are
 * only read, so a result may be shared.
 */
function lastParsed<T>(parse: (event: string, payload: string) => T): (event: string, payload: string) => T {
  let lastEvent: string | null = null;
  let lastPayload: string | null = null;
  let last: T;
  return (event, payload) => {
    if (payload !== lastPayload || event !== lastEvent) {
      last = parse(event, payload);
      lastEvent = event;
      lastPayload = payload;
    }
    return last;
  };
}

const switchParsed = lastParsed((_e, p) => parseSchedSwitch(p));
const wakeupParsed = lastParsed((_e, p) => parseSchedWakeup(p));
const msrParsed = lastParsed(parseMsrAccess);
const idleParsed = lastParsed((_e, p) => parseCpuIdle(p));
const ipiTargetsParsed = lastParsed(parseIpiTargets);
const kvmExitParsed = lastParsed((_e, p) => parseKvmExit(p));
const kvmEntryParsed = lastParsed((_e, p) => parseKvmEntryVcpu(p));
const apicIpiParsed = lastParsed((_e, p) => parseApicIpi(p));

export function schedSwitchOf(ev: EventWithFields): SchedSwitch | null {
  return ev.fields?.kind === 'sched_switch' ? ev.fields.value : switchParsed(ev.name, ev.payload);
}

export function schedWakeupOf(ev: EventWithFields): SchedWakeup | null {
  return ev.fields?.kind === 'sched_wakeup' ? ev.fields.value : wakeupParsed(ev.name, ev.payload);
}

/** msr:write_msr / read_msr and kvm_msr; `event` is the name the payload is read as. */
export function msrAccessOf(event: string, ev: EventWithFields): MsrAccess | null {
  return ev.fields?.kind === 'msr' && ev.name === event ? ev.fields.value : msrParsed(event, ev.payload);
}

/** msr:write_msr, for an event known to be one (EventKind.writeMsr): as msrAccessOf('write_msr', ev), no name check. */
export function writeMsrOf(ev: EventWithFields): MsrAccess | null {
  return ev.fields?.kind === 'msr' ? ev.fields.value : msrParsed('write_msr', ev.payload);
}

export function cpuIdleOf(ev: EventWithFields): { state: number; cpu: number } | null {
  return ev.fields?.kind === 'cpu_idle' ? ev.fields.value : idleParsed(ev.name, ev.payload);
}

export function ipiTargetsOf(ev: EventWithFields): number[] | null {
  return ev.fields?.kind === 'ipi_targets' ? ev.fields.value : ipiTargetsParsed(ev.name, ev.payload);
}

export function kvmExitOf(ev: EventWithFields): KvmExitFields | null {
  return ev.fields?.kind === 'kvm_exit' ? ev.fields.value : kvmExitParsed(ev.name, ev.payload);
}

export function kvmEntryVcpuOf(ev: EventWithFields): number | null {
  return ev.fields?.kind === 'kvm_entry' ? ev.fields.vcpu : kvmEntryParsed(ev.name, ev.payload);
}

/** guest_halt_poll_ns / kvm_halt_poll_ns: the new and old poll window (parseHaltPollNs memoises on its own). */
export function haltPollNsOf(ev: EventWithFields): HaltPollNs | null {
  return ev.fields?.kind === 'halt_poll_ns' ? ev.fields.value : parseHaltPollNs(ev.payload);
}

/** kvm_apic_ipi's fields (parsed from the payload, once per event). */
export function apicIpiOf(ev: EventWithFields): { dest: number; vector: number; self: boolean } | null {
  return apicIpiParsed(ev.name, ev.payload);
}
