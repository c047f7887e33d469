// The binary fast path: the fields the model reads, decoded straight from an event's bytes at the offsets its format
// gives, instead of printing the payload and parsing it again. A decoder exists only where its output is exactly
// what eventFields.ts parses from the printed payload: the event's print fmt (or trace-cmd's sched plugin) is the one
// known here, and a value that would print in a form the parser reads differently (a comm with a line break or the
// parser's separators, a negative CPU) is left undecoded, so that the event falls back to print-and-parse.
import type { DecodedFields } from '../eventFields';
import type { FormatField, EventFormat } from './format';
import { x86KvmExit } from '../eventFields';
import { comm, fieldOf, kvmExitReason, lld, readBig, readNum, schedStateText, type CommTable } from './events';
import { readUnsigned, type EventData, type PrintEnv } from './printfmt';

/** The event's fields, or undefined when this event must be printed and parsed instead. */
export type FieldDecoder = (d: EventData) => DecodedFields | undefined;

const MSR_FMT = '"%x, value %llx%s", REC->msr, REC->val, REC->failed ? " #GP" : ""';
const CPU_IDLE_FMT = '"state=%lu cpu_id=%lu", (unsigned long)REC->state, (unsigned long)REC->cpu_id';
const IPI_SEND_CPU_FMT = '"cpu=%u callsite=%pS callback=%pS", REC->cpu, REC->callsite, REC->callback';
const KVM_MSR_FMT =
  '"msr_%s %x = 0x%llx%s", REC->write ? "write" : "read", REC->ecx, REC->data, REC->exception ? " (#GP)" : ""';
const GUEST_HALT_POLL_FMT = '"halt_poll_ns %u (%s %u)", REC->new, REC->grow ? "grow" : "shrink", REC->old';
const KVM_HALT_POLL_FMT =
  '"vcpu %u: halt_poll_ns %u (%s %u)", REC->vcpu_id, REC->new, REC->grow ? "grow" : "shrink", REC->old';
const WAKING_FMT = '"comm=%s pid=%d prio=%d target_cpu=%03d", REC->comm, REC->pid, REC->prio, REC->target_cpu';

/** A decoder for the event, or null when the event is not one the model reads or its layout is not the known one. */
export function fieldDecoderFor(
  ev: EventFormat,
  env: PrintEnv,
  comms: CommTable,
  plugin: boolean,
): FieldDecoder | null {
  const key = `${ev.system}:${ev.name}`;
  const fmt = ev.printFmt;
  if (key === 'sched:sched_switch' && plugin) return schedSwitchDecoder(ev, env, comms);
  if ((key === 'sched:sched_wakeup' || key === 'sched:sched_wakeup_new') && plugin) {
    return schedWakeupPluginDecoder(ev, env, comms);
  }
  if (key === 'sched:sched_waking' && fmt === WAKING_FMT) return schedWakingDecoder(ev, env);
  if ((key === 'msr:write_msr' || key === 'msr:read_msr') && fmt === MSR_FMT) return msrDecoder(ev, env);
  if (key === 'power:cpu_idle' && fmt === CPU_IDLE_FMT) return cpuIdleDecoder(ev, env);
  if (key === 'ipi:ipi_send_cpu' && fmt === IPI_SEND_CPU_FMT) return ipiSendCpuDecoder(ev, env);
  if (key === 'kvm:kvm_exit' && plugin) return kvmExitDecoder(ev, env);
  if (key === 'kvm:kvm_entry' && plugin) return kvmEntryDecoder(ev, env);
  if (key === 'kvm:kvm_msr' && fmt === KVM_MSR_FMT) return kvmMsrDecoder(ev, env);
  if (key === 'power:guest_halt_poll_ns' && fmt === GUEST_HALT_POLL_FMT) return haltPollDecoder(ev, env, false);
  if (key === 'kvm:kvm_halt_poll_ns' && fmt === KVM_HALT_POLL_FMT) return haltPollDecoder(ev, env, true);
  return null;
}

function fields(ev: EventFormat, ...names: string[]): FormatField[] | null {
  const out: FormatField[] = [];
  for (const n of names) {
    const f = fieldOf(ev, n);
    if (!f || f.isDynamic) return null;
    out.push(f);
  }
  return out;
}

/** A field read unsigned (as printed by %u/%lu/%x and the plugin's lld of a field narrower than 8 bytes). */
function unsignedNumber(d: EventData, f: FormatField, le: boolean): number {
  return f.size <= 4 ? readNum(d, f, le) : Number(readUnsigned(d, f.offset, f.size, le));
}

/** "%x" / "%u" of a field: its low 32 bits, unsigned. */
function u32Number(d: EventData, f: FormatField, le: boolean): number {
  return f.size <= 4 ? readNum(d, f, le) : Number(BigInt.asUintN(32, readUnsigned(d, f.offset, f.size, le)));
}

/** The plugin's "%lld" of a pid field, as a number. */
function pidNumber(d: EventData, f: FormatField, le: boolean): number {
  return f.size === 8 ? Number(lld(d, f, le)) : readNum(d, f, le);
}

/** Values whose "%llx" text is kept (a power of two). */
const HEX_SLOTS = 16;

/**
 * "%llx" of a 64-bit field without BigInt: the high word, then the low word padded to 8 digits. The texts of recent
 * values are kept by their words: x2APIC ICR writes (an IPI's vector and destination) repeat a few values, and the
 * same string each time is also what the packer's table finds at once.
 */
class Hex64Texts {
  private readonly his = new Float64Array(HEX_SLOTS).fill(Number.NaN);
  private readonly los = new Float64Array(HEX_SLOTS);
  private readonly texts: string[] = new Array<string>(HEX_SLOTS).fill('');

  of(d: EventData, f: FormatField, le: boolean): string {
    if (f.size !== 8) return BigInt.asUintN(64, readUnsigned(d, f.offset, f.size, le)).toString(16);
    if (f.offset + 8 > d.size) return '0';
    const p = d.base + f.offset;
    const lo = d.view.getUint32(le ? p : p + 4, le);
    const hi = d.view.getUint32(le ? p + 4 : p, le);
    const slot = (lo ^ hi) & (HEX_SLOTS - 1);
    if (this.his[slot] === hi && this.los[slot] === lo) return this.texts[slot];
    this.his[slot] = hi;
    this.los[slot] = lo;
    return (this.texts[slot] = hexOfWords(hi, lo));
  }
}

function hexOfWords(hi: number, lo: number): string {
  if (hi !== 0) return hi.toString(16) + hex8(lo);
  return lo <= 0x7fffffff ? lo.toString(16) : hex8(lo); // a number above 2^31 prints slowly (as a double)
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** A 32-bit word as 8 hex digits, by bytes from a table: a fifth of the time of toString(16) and padStart. */
function hex8(w: number): string {
  return HEX_BYTES[w >>> 24] + HEX_BYTES[(w >>> 16) & 255] + HEX_BYTES[(w >>> 8) & 255] + HEX_BYTES[w & 255];
}

/**
 * A comm the plugin-form parser splits back correctly (it anchors on ":pid [prio]" and " ==> "): no line break,
 * " [" or " ==> " in it. A loop over its few characters: two per sched_switch, cheaper than a regex.
 */
export function plainComm(c: string): boolean {
  for (let i = 0; i < c.length; i++) {
    const ch = c.charCodeAt(i);
    if (ch === 10 || ch === 13) return false;
    if (ch === 32 && (c.charCodeAt(i + 1) === 91 || c.startsWith('==> ', i + 1))) return false;
  }
  return true;
}

/** (pid, comm field bytes) pairs whose comm is kept (a power of two). */
const PID_COMM_SLOTS = 1024;
/** TASK_COMM_LEN: a comm field of this size is compared as four 32-bit words. */
const COMM_FIELD_BYTES = 16;

/**
 * The comms of the sched plugin's events, registered as the plugin registers them when it prints (the payload may
 * never be printed). A task's events carry the same comm bytes each time: the comms of recent (pid, field bytes)
 * pairs are kept, and a pair found again skips decoding, registering (done before) and the plainComm check.
 */
class SchedComms {
  private readonly pids = new Float64Array(PID_COMM_SLOTS).fill(Number.NaN);
  private readonly words = new Int32Array(4 * PID_COMM_SLOTS);
  private readonly comms: string[] = new Array<string>(PID_COMM_SLOTS).fill('');
  private readonly plain = new Uint8Array(PID_COMM_SLOTS);
  /** Whether the comm last returned is one plainComm accepts. */
  lastPlain = false;

  constructor(private readonly table: CommTable) {}

  /** The comm in field `f` of the task `pid`, registered. */
  commOf(d: EventData, f: FormatField, pid: number): string {
    if (f.size !== COMM_FIELD_BYTES || f.offset + COMM_FIELD_BYTES > d.size) return this.decoded(d, f, pid);
    const p = d.base + f.offset;
    const v = d.view;
    const w0 = v.getInt32(p, true);
    const w1 = v.getInt32(p + 4, true);
    const w2 = v.getInt32(p + 8, true);
    const w3 = v.getInt32(p + 12, true);
    // the slot mixes the bytes in: each CPU's idle task is pid 0 with a comm of its own (swapper/0, swapper/1)
    const mixed = pid ^ w0 ^ w1 ^ w2 ^ w3;
    const slot = (mixed ^ (mixed >>> 10)) & (PID_COMM_SLOTS - 1);
    const w = 4 * slot;
    const words = this.words;
    if (
      this.pids[slot] === pid &&
      words[w] === w0 &&
      words[w + 1] === w1 &&
      words[w + 2] === w2 &&
      words[w + 3] === w3
    ) {
      this.lastPlain = this.plain[slot] === 1;
      return this.comms[slot];
    }
    const c = this.decoded(d, f, pid);
    this.pids[slot] = pid;
    words[w] = w0;
    words[w + 1] = w1;
    words[w + 2] = w2;
    words[w + 3] = w3;
    this.comms[slot] = c;
    this.plain[slot] = this.lastPlain ? 1 : 0;
    return c;
  }

  private decoded(d: EventData, f: FormatField, pid: number): string {
    const c = comm(d, f);
    this.table.register(pid, c);
    this.lastPlain = plainComm(c);
    return c;
  }
}

function schedSwitchDecoder(ev: EventFormat, env: PrintEnv, table: CommTable): FieldDecoder | null {
  const f = fields(ev, 'prev_comm', 'prev_pid', 'prev_prio', 'prev_state', 'next_comm', 'next_pid', 'next_prio');
  if (!f) return null;
  const [prevCommF, prevPidF, , prevStateF, nextCommF, nextPidF] = f;
  const le = env.le;
  const comms = new SchedComms(table);
  return (d) => {
    const prevPid = pidNumber(d, prevPidF, le);
    const prevComm = comms.commOf(d, prevCommF, prevPid);
    const prevPlain = comms.lastPlain;
    const nextPid = pidNumber(d, nextPidF, le);
    const nextComm = comms.commOf(d, nextCommF, nextPid);
    if (!prevPlain || !comms.lastPlain) return undefined;
    const prevState = schedStateText(readNum(d, prevStateF, le) | 0);
    return { kind: 'sched_switch', value: { prevComm, prevPid, prevState, nextComm, nextPid } };
  };
}

function schedWakeupPluginDecoder(ev: EventFormat, env: PrintEnv, table: CommTable): FieldDecoder | null {
  const f = fields(ev, 'comm', 'pid', 'prio', 'target_cpu');
  if (!f) return null;
  const [commF, pidF, , targetF] = f;
  const successF = fieldOf(ev, 'success');
  const le = env.le;
  const comms = new SchedComms(table);
  return (d) => {
    const pid = pidNumber(d, pidF, le);
    const c = comms.commOf(d, commF, pid);
    if (!comms.lastPlain || (successF && lld(d, successF, le).startsWith('-'))) return undefined;
    const targetCpu = targetF.size <= 4 ? readNum(d, targetF, le) : Number(readBig(d, targetF, le));
    return { kind: 'sched_wakeup', value: { comm: c, pid, targetCpu } };
  };
}

function schedWakingDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const f = fields(ev, 'comm', 'pid', 'target_cpu');
  if (!f) return null;
  const [commF, pidF, targetF] = f;
  const le = env.le;
  const int = (d: EventData, x: FormatField) => Number(BigInt.asIntN(32, readUnsigned(d, x.offset, x.size, le)));
  return (d) => {
    const c = comm(d, commF);
    const targetCpu = int(d, targetF);
    if (/[\n\r]| pid=/.test(c) || targetCpu < 0) return undefined;
    return { kind: 'sched_wakeup', value: { comm: c, pid: int(d, pidF), targetCpu } };
  };
}

function msrDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const f = fields(ev, 'msr', 'val');
  if (!f) return null;
  const [msrF, valF] = f;
  const le = env.le;
  const write = ev.name === 'write_msr';
  const hex = new Hex64Texts();
  return (d) => {
    const msr = u32Number(d, msrF, le);
    const valueHex = hex.of(d, valF, le);
    return { kind: 'msr', value: { write, msr, valueHex } };
  };
}

function cpuIdleDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const f = fields(ev, 'state', 'cpu_id');
  if (!f) return null;
  const [stateF, cpuF] = f;
  const le = env.le;
  return (d) => ({
    kind: 'cpu_idle',
    value: { state: unsignedNumber(d, stateF, le), cpu: unsignedNumber(d, cpuF, le) },
  });
}

function ipiSendCpuDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const f = fields(ev, 'cpu');
  if (!f) return null;
  const [cpuF] = f;
  const le = env.le;
  return (d) => ({
    kind: 'ipi_targets',
    value: [u32Number(d, cpuF, le)],
  });
}

/** plugin_kvm's kvm_exit ("reason HLT rip 0x… info …"), read as parseKvmExit reads it: x86, no vCPU in the text. */
function kvmExitDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const reasonF = fieldOf(ev, 'exit_reason');
  if (!reasonF) return null;
  const isaF = fieldOf(ev, 'isa');
  const le = env.le;
  return (d) => {
    const r = kvmExitReason(d, reasonF, isaF, le);
    const code = r.code === null ? null : Number(r.code);
    return { kind: 'kvm_exit', value: x86KvmExit(null, r.name, code, false) };
  };
}

/** plugin_kvm's kvm_entry ("vcpu 1 rip 0x…", or "rip 0x…" when the format has no vcpu_id). */
function kvmEntryDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const vcpuF = fieldOf(ev, 'vcpu_id');
  const le = env.le;
  return (d) => ({ kind: 'kvm_entry', vcpu: vcpuF ? Number(BigInt.asUintN(32, readBig(d, vcpuF, le))) : null });
}

function kvmMsrDecoder(ev: EventFormat, env: PrintEnv): FieldDecoder | null {
  const f = fields(ev, 'write', 'ecx', 'data');
  if (!f) return null;
  const [writeF, ecxF, dataF] = f;
  const le = env.le;
  const hex = new Hex64Texts();
  return (d) => {
    const write = readUnsigned(d, writeF.offset, writeF.size, le) !== 0n;
    return { kind: 'msr', value: { write, msr: u32Number(d, ecxF, le), valueHex: hex.of(d, dataF, le) } };
  };
}

/**
 * guest_halt_poll_ns / kvm_halt_poll_ns: "%u" of each number. A guest whose window never moves records the same
 * values on every idle: the last fields are handed out again then (they are only read).
 */
function haltPollDecoder(ev: EventFormat, env: PrintEnv, withVcpu: boolean): FieldDecoder | null {
  const f = fields(ev, 'grow', 'new', 'old', ...(withVcpu ? ['vcpu_id'] : []));
  if (!f) return null;
  const [growF, newF, oldF, vcpuF] = f;
  const le = env.le;
  let last: DecodedFields & { kind: 'halt_poll_ns' } = {
    kind: 'halt_poll_ns',
    value: { vcpu: withVcpu ? -1 : null, ns: -1, grow: false, oldNs: -1 },
  };
  return (d) => {
    const vcpu = vcpuF ? u32Number(d, vcpuF, le) : null;
    const ns = u32Number(d, newF, le);
    const grow = readNum(d, growF, le) !== 0;
    const oldNs = u32Number(d, oldF, le);
    const v = last.value;
    if (v.ns !== ns || v.oldNs !== oldNs || v.grow !== grow || v.vcpu !== vcpu) {
      last = { kind: 'halt_poll_ns', value: { vcpu, ns, grow, oldNs } };
    }
    return last;
  };
}
