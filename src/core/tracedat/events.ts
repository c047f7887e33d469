// Per event id: name, system and a renderer for the payload text. Renderers come from the event's own print fmt,
// except where trace-cmd's default plugins (libtraceevent plugin_sched_switch.c, plugin_kvm.c) print something
// else — those are reproduced here so the text matches `trace-cmd report`.
import { BytesStrings, latin1Of } from '../stringTable';
import { fieldDecoderFor, type FieldDecoder } from './fastFields';
import { parseEventFormat, type EventFormat, type FormatField } from './format';
import {
  compileFieldDump,
  compilePrintFmt,
  readUnsigned,
  tokenize,
  UnsupportedFormat,
  type EventData,
  type PrintEnv,
  type Renderer,
} from './printfmt';

export interface EventType {
  id: number;
  name: string;
  system: string;
  render: Renderer;
  /** Set when the print fmt could not be evaluated and the payload is field=value pairs. */
  fallbackReason: string | null;
  /** The binary fast path for events the model reads (fastFields.ts); null: print and parse. */
  decodeFields: FieldDecoder | null;
  /** The renderer only reads the event (the sched plugin's also registers comms): it may print when first read. */
  printsWhenRead: boolean;
}

/** Pids whose comm lookup is kept (a power of two). */
const COMM_LOOKUP_SLOTS = 1024;

/**
 * pid → comm, seeded from saved_cmdlines; the sched plugin adds comms it sees (first one wins, as tep_register_comm).
 */
export class CommTable {
  // the last answer per pid slot, direct-mapped: every event looks up its pid, and a few pids fill a trace
  private readonly cachedPids = new Float64Array(COMM_LOOKUP_SLOTS).fill(Number.NaN);
  private readonly cachedComms: string[] = new Array<string>(COMM_LOOKUP_SLOTS).fill('');
  /** A Map subclass may answer by the event being printed (eventPages.ts): its answers are not cached. */
  private readonly cached: boolean;

  constructor(readonly map: Map<number, string>) {
    this.cached = Object.getPrototypeOf(map) === Map.prototype;
  }

  register(pid: number, comm: string): void {
    if (pid === 0 || this.map.has(pid)) return;
    this.map.set(pid, comm);
    this.cachedPids[pid & (COMM_LOOKUP_SLOTS - 1)] = Number.NaN;
  }

  lookup(pid: number): string {
    if (pid === 0) return '<idle>';
    if (!this.cached) return this.map.get(pid) ?? '<...>';
    const slot = pid & (COMM_LOOKUP_SLOTS - 1);
    if (this.cachedPids[slot] === pid) return this.cachedComms[slot];
    const comm = this.map.get(pid) ?? '<...>';
    this.cachedPids[slot] = pid;
    this.cachedComms[slot] = comm;
    return comm;
  }
}

export function fieldOf(ev: EventFormat, name: string): FormatField | undefined {
  return ev.fields.find((f) => f.name === name) ?? ev.commonFields.find((f) => f.name === name);
}

export function readNum(d: EventData, f: FormatField, le: boolean): number {
  const p = d.base + f.offset;
  if (f.offset + f.size > d.size) return 0;
  switch (f.size) {
    case 1:
      return d.bytes[p];
    case 2:
      return d.view.getUint16(p, le);
    case 4:
      return d.view.getUint32(p, le);
    case 8:
      return Number(d.view.getBigUint64(p, le));
    default:
      return 0;
  }
}

export function readBig(d: EventData, f: FormatField, le: boolean): bigint {
  return f.offset + f.size > d.size ? 0n : readUnsigned(d, f.offset, f.size, le);
}

/** "%lld" of a field read unsigned (tep_get_field_val), as the sched plugin prints pids. */
export function lld(d: EventData, f: FormatField, le: boolean): string {
  if (f.size === 8) return BigInt.asIntN(64, readBig(d, f, le)).toString();
  return String(readNum(d, f, le));
}

/** Comms decoded recently, kept by their bytes: the same few tasks fill a trace's switches. */
const COMMS = new BytesStrings(1024);
/** A comm of TASK_COMM_LEN (16) bytes at most is kept; a longer (odd) char[] field is decoded each time. */
const COMM_BYTES = 16;

/** A char[] comm field up to its first NUL, as the plugin prints it (each byte one character). */
export function comm(d: EventData, f: FormatField): string {
  const start = d.base + f.offset;
  const end = Math.min(start + f.size, d.base + d.size);
  const bytes = d.bytes;
  let i = start;
  while (i < end && bytes[i] !== 0) i++;
  return i - start > COMM_BYTES ? latin1Of(bytes, start, i) : COMMS.text(bytes, start, i);
}

/**
 * Task-state letters by bit. The sample reports (trace-cmd 3.1.x with libtraceevent 1.7) use the plugin's fixed
 * table "SDTtZXxW"; libtraceevent >= 1.8 reads the letters from the kernel's print fmt instead ("SDTtXZPI" on
 * current kernels), which swaps X and Z. We match the reports shipped beside the samples.
 */
const SCHED_STATES = 'SDTtZXxW';

const stateTexts: string[] = [];

/** The plugin's write_state(s, int val): the letters of the set bits joined by '|', "R" for none. */
export function schedStateText(v: number): string {
  if (v >= 0 && v < 256) return (stateTexts[v] ??= stateText(v));
  return stateText(v);
}

function stateText(v: number): string {
  let st = '';
  for (let i = 0; i < SCHED_STATES.length; i++) {
    if ((v & (1 << i)) === 0) continue;
    if (st) st += '|';
    st += SCHED_STATES[i];
  }
  return st || 'R';
}

function schedSwitchPlugin(ev: EventFormat, env: PrintEnv, comms: CommTable): Renderer | null {
  const le = env.le;
  const prevPid = fieldOf(ev, 'prev_pid');
  const nextPid = fieldOf(ev, 'next_pid');
  if (!prevPid || !nextPid) return null;
  const prevComm = fieldOf(ev, 'prev_comm');
  const nextComm = fieldOf(ev, 'next_comm');
  const prevPrio = fieldOf(ev, 'prev_prio');
  const nextPrio = fieldOf(ev, 'next_prio');
  const prevState = fieldOf(ev, 'prev_state');
  return (d) => {
    let s = '';
    const pp = lld(d, prevPid, le);
    if (prevComm) {
      const c = comm(d, prevComm);
      comms.register(Number(pp), c);
      s += c + ':';
    }
    s += pp + ' ';
    if (prevPrio) s += `[${readNum(d, prevPrio, le) | 0}] `;
    if (prevState) s += schedStateText(readNum(d, prevState, le) | 0);
    s += ' ==> ';
    const np = lld(d, nextPid, le);
    if (nextComm) {
      const c = comm(d, nextComm);
      comms.register(Number(np), c);
      s += c + ':';
    }
    s += np;
    if (nextPrio) s += ` [${readNum(d, nextPrio, le) | 0}]`;
    return s;
  };
}

function schedWakeupPlugin(ev: EventFormat, env: PrintEnv, comms: CommTable): Renderer | null {
  const le = env.le;
  const pid = fieldOf(ev, 'pid');
  if (!pid) return null;
  const commF = fieldOf(ev, 'comm');
  const prio = fieldOf(ev, 'prio');
  const success = fieldOf(ev, 'success');
  const target = fieldOf(ev, 'target_cpu');
  return (d) => {
    let s = '';
    const p = lld(d, pid, le);
    if (commF) {
      const c = comm(d, commF);
      comms.register(Number(p), c);
      s += c + ':';
    }
    s += p;
    if (prio) s += ` [${lld(d, prio, le)}]`;
    if (success) s += ` success=${lld(d, success, le)}`;
    if (target) s += ` CPU:${readBig(d, target, le).toString().padStart(3, '0')}`;
    return s;
  };
}

// plugin_kvm.c's own exit reason tables (they differ from the kernel's print fmt: e.g. 7 is PENDING_INTERRUPT)
const VMX_REASONS: [number, string][] = [
  [0, 'EXCEPTION_NMI'],
  [1, 'EXTERNAL_INTERRUPT'],
  [2, 'TRIPLE_FAULT'],
  [7, 'PENDING_INTERRUPT'],
  [8, 'NMI_WINDOW'],
  [9, 'TASK_SWITCH'],
  [10, 'CPUID'],
  [12, 'HLT'],
  [13, 'INVD'],
  [14, 'INVLPG'],
  [15, 'RDPMC'],
  [16, 'RDTSC'],
  [18, 'VMCALL'],
  [19, 'VMCLEAR'],
  [20, 'VMLAUNCH'],
  [21, 'VMPTRLD'],
  [22, 'VMPTRST'],
  [23, 'VMREAD'],
  [24, 'VMRESUME'],
  [25, 'VMWRITE'],
  [26, 'VMOFF'],
  [27, 'VMON'],
  [28, 'CR_ACCESS'],
  [29, 'DR_ACCESS'],
  [30, 'IO_INSTRUCTION'],
  [31, 'MSR_READ'],
  [32, 'MSR_WRITE'],
  [36, 'MWAIT_INSTRUCTION'],
  [39, 'MONITOR_INSTRUCTION'],
  [40, 'PAUSE_INSTRUCTION'],
  [41, 'MCE_DURING_VMENTRY'],
  [43, 'TPR_BELOW_THRESHOLD'],
  [44, 'APIC_ACCESS'],
  [45, 'EOI_INDUCED'],
  [48, 'EPT_VIOLATION'],
  [49, 'EPT_MISCONFIG'],
  [50, 'INVEPT'],
  [52, 'PREEMPTION_TIMER'],
  [54, 'WBINVD'],
  [55, 'XSETBV'],
  [56, 'APIC_WRITE'],
  [58, 'INVPCID'],
  [62, 'PML_FULL'],
  [63, 'XSAVES'],
  [64, 'XRSTORS'],
];
const SVM_REASONS: [number, string][] = [
  [0x000, 'EXIT_READ_CR0'],
  [0x003, 'EXIT_READ_CR3'],
  [0x004, 'EXIT_READ_CR4'],
  [0x008, 'EXIT_READ_CR8'],
  [0x010, 'EXIT_WRITE_CR0'],
  [0x013, 'EXIT_WRITE_CR3'],
  [0x014, 'EXIT_WRITE_CR4'],
  [0x018, 'EXIT_WRITE_CR8'],
  [0x020, 'EXIT_READ_DR0'],
  [0x021, 'EXIT_READ_DR1'],
  [0x022, 'EXIT_READ_DR2'],
  [0x023, 'EXIT_READ_DR3'],
  [0x024, 'EXIT_READ_DR4'],
  [0x025, 'EXIT_READ_DR5'],
  [0x026, 'EXIT_READ_DR6'],
  [0x027, 'EXIT_READ_DR7'],
  [0x030, 'EXIT_WRITE_DR0'],
  [0x031, 'EXIT_WRITE_DR1'],
  [0x032, 'EXIT_WRITE_DR2'],
  [0x033, 'EXIT_WRITE_DR3'],
  [0x034, 'EXIT_WRITE_DR4'],
  [0x035, 'EXIT_WRITE_DR5'],
  [0x036, 'EXIT_WRITE_DR6'],
  [0x037, 'EXIT_WRITE_DR7'],
  [0x040, 'EXIT_EXCP_DE'],
  [0x041, 'EXIT_EXCP_DB'],
  [0x043, 'EXIT_EXCP_BP'],
  [0x044, 'EXIT_EXCP_OF'],
  [0x045, 'EXIT_EXCP_BR'],
  [0x046, 'EXIT_EXCP_UD'],
  [0x047, 'EXIT_EXCP_NM'],
  [0x048, 'EXIT_EXCP_DF'],
  [0x04a, 'EXIT_EXCP_TS'],
  [0x04b, 'EXIT_EXCP_NP'],
  [0x04c, 'EXIT_EXCP_SS'],
  [0x04d, 'EXIT_EXCP_GP'],
  [0x04e, 'EXIT_EXCP_PF'],
  [0x050, 'EXIT_EXCP_MF'],
  [0x051, 'EXIT_EXCP_AC'],
  [0x052, 'EXIT_EXCP_MC'],
  [0x053, 'EXIT_EXCP_XF'],
  [0x060, 'EXIT_INTR'],
  [0x061, 'EXIT_NMI'],
  [0x062, 'EXIT_SMI'],
  [0x063, 'EXIT_INIT'],
  [0x064, 'EXIT_VINTR'],
  [0x065, 'EXIT_CR0_SEL_WRITE'],
  [0x066, 'EXIT_IDTR_READ'],
  [0x067, 'EXIT_GDTR_READ'],
  [0x068, 'EXIT_LDTR_READ'],
  [0x069, 'EXIT_TR_READ'],
  [0x06a, 'EXIT_IDTR_WRITE'],
  [0x06b, 'EXIT_GDTR_WRITE'],
  [0x06c, 'EXIT_LDTR_WRITE'],
  [0x06d, 'EXIT_TR_WRITE'],
  [0x06e, 'EXIT_RDTSC'],
  [0x06f, 'EXIT_RDPMC'],
  [0x070, 'EXIT_PUSHF'],
  [0x071, 'EXIT_POPF'],
  [0x072, 'EXIT_CPUID'],
  [0x073, 'EXIT_RSM'],
  [0x074, 'EXIT_IRET'],
  [0x075, 'EXIT_SWINT'],
  [0x076, 'EXIT_INVD'],
  [0x077, 'EXIT_PAUSE'],
  [0x078, 'EXIT_HLT'],
  [0x079, 'EXIT_INVLPG'],
  [0x07a, 'EXIT_INVLPGA'],
  [0x07b, 'EXIT_IOIO'],
  [0x07c, 'EXIT_MSR'],
  [0x07d, 'EXIT_TASK_SWITCH'],
  [0x07e, 'EXIT_FERR_FREEZE'],
  [0x07f, 'EXIT_SHUTDOWN'],
  [0x080, 'EXIT_VMRUN'],
  [0x081, 'EXIT_VMMCALL'],
  [0x082, 'EXIT_VMLOAD'],
  [0x083, 'EXIT_VMSAVE'],
  [0x084, 'EXIT_STGI'],
  [0x085, 'EXIT_CLGI'],
  [0x086, 'EXIT_SKINIT'],
  [0x087, 'EXIT_RDTSCP'],
  [0x088, 'EXIT_ICEBP'],
  [0x089, 'EXIT_WBINVD'],
  [0x08a, 'EXIT_MONITOR'],
  [0x08b, 'EXIT_MWAIT'],
  [0x08c, 'EXIT_MWAIT_COND'],
  [0x08d, 'EXIT_XSETBV'],
  [0x400, 'EXIT_NPF'],
  [0x401, 'EXIT_AVIC_INCOMPLETE_IPI'],
  [0x402, 'EXIT_AVIC_UNACCELERATED_ACCESS'],
  [-1, 'EXIT_ERR'],
];
const VMX_MAP = new Map(VMX_REASONS);
const SVM_MAP = new Map(SVM_REASONS);

/** The exit reason as plugin_kvm prints it: a name from its table, "UNKNOWN" with the code, or "UNKNOWN-ISA". */
export function kvmExitReason(
  d: EventData,
  reason: FormatField,
  isa: FormatField | undefined,
  le: boolean,
): { name: string; code: bigint | null } {
  const val = readBig(d, reason, le);
  const isaV = isa ? readNum(d, isa, le) : 1;
  const table = isaV === 1 ? VMX_MAP : isaV === 2 ? SVM_MAP : null;
  if (!table) return { name: 'UNKNOWN-ISA', code: null };
  const name = table.get(Number(BigInt.asIntN(32, val)));
  return name ? { name, code: null } : { name: 'UNKNOWN', code: val };
}

function kvmExitPlugin(ev: EventFormat, env: PrintEnv): Renderer | null {
  const le = env.le;
  const reason = fieldOf(ev, 'exit_reason');
  const rip = fieldOf(ev, 'guest_rip');
  if (!reason || !rip) return null;
  const isa = fieldOf(ev, 'isa');
  const info1 = fieldOf(ev, 'info1');
  const info2 = fieldOf(ev, 'info2');
  return (d) => {
    const r = kvmExitReason(d, reason, isa, le);
    let s = r.code === null ? `reason ${r.name}` : `reason UNKNOWN (${r.code.toString()})`;
    s += ` rip 0x${readBig(d, rip, le).toString(16)}`;
    if (info1 && info2) s += ` info ${readBig(d, info1, le).toString(16)} ${readBig(d, info2, le).toString(16)}`;
    return s;
  };
}

function kvmEntryPlugin(ev: EventFormat, env: PrintEnv): Renderer | null {
  const le = env.le;
  const rip = fieldOf(ev, 'rip');
  if (!rip) return null;
  const vcpu = fieldOf(ev, 'vcpu_id');
  // the plugin prints " vcpu %u rip 0x%llx"; the leading blank is dropped like the text reader drops it
  return (d) => {
    const r = `rip 0x${readBig(d, rip, le).toString(16)}`;
    return vcpu ? `vcpu ${BigInt.asUintN(32, readBig(d, vcpu, le)).toString()} ${r}` : r;
  };
}

/**
 * The same characters as an internalized string (as a property key is): names compared per event (the model's kind
 * table, the last name seen) then compare by identity instead of character by character.
 */
function interned(s: string): string {
  return Object.keys({ [s]: 0 })[0];
}

export class EventTypes {
  private readonly byId = new Map<number, EventType | null>();
  /**
   * The same for the ids the file describes, up to the highest (below 65536): an index instead of a hash per event,
   * in an array filled up front (an array grown from empty at index ~500 would be a dictionary).
   */
  private readonly byFormatId: (EventType | null | undefined)[];

  constructor(
    private readonly sources: Map<number, { system: string; text: string }>,
    private readonly env: PrintEnv,
    private readonly comms: CommTable,
    private readonly onFallback: (t: EventType) => void,
    /** Decode the model's fields from the binary layout where a decoder exists (false: always print and parse). */
    private readonly fastFields = true,
  ) {
    let highest = -1;
    for (const id of sources.keys()) if (id < 0x10000 && id > highest) highest = id;
    this.byFormatId = new Array<EventType | null | undefined>(highest + 1).fill(undefined);
  }

  get(id: number): EventType | null {
    const low = id < this.byFormatId.length;
    const known = low ? this.byFormatId[id] : this.byId.get(id);
    if (known !== undefined) return known;
    const t = this.build(id);
    if (low) this.byFormatId[id] = t;
    else this.byId.set(id, t);
    if (t && t.fallbackReason !== null) this.onFallback(t);
    return t;
  }

  private build(id: number): EventType | null {
    const src = this.sources.get(id);
    if (!src) return null;
    const ev = parseEventFormat(src.text, src.system);
    if (!ev) return null;
    let render: Renderer | null = null;
    const key = `${ev.system}:${ev.name}`;
    if (key === 'sched:sched_switch') render = schedSwitchPlugin(ev, this.env, this.comms);
    else if (key === 'sched:sched_wakeup' || key === 'sched:sched_wakeup_new')
      render = schedWakeupPlugin(ev, this.env, this.comms);
    else if (key === 'kvm:kvm_exit') render = kvmExitPlugin(ev, this.env);
    else if (key === 'kvm:kvm_entry') render = kvmEntryPlugin(ev, this.env);
    const plugin = render !== null;
    const registersComms = plugin && ev.system === 'sched';
    let fallbackReason: string | null = null;
    if (!render) {
      try {
        render = compilePrintFmt(ev, this.env);
      } catch (e) {
        if (!(e instanceof UnsupportedFormat) && !(e instanceof RangeError) && !(e instanceof SyntaxError)) throw e;
        fallbackReason = e.message;
        render = compileFieldDump(ev, this.env);
      }
    }
    const decodeFields =
      this.fastFields && fallbackReason === null ? fieldDecoderFor(ev, this.env, this.comms, plugin) : null;
    const printsWhenRead = !registersComms;
    return {
      id,
      name: interned(ev.name),
      system: interned(ev.system),
      render,
      fallbackReason,
      decodeFields,
      printsWhenRead,
    };
  }
}

export { tokenize };
