// trace.dat events in columns, for handing them from a reader thread to the model's thread: numbers in typed arrays
// (shared memory, reused), strings as indexes into a table the reader grows and sends once (names, comms, payloads
// and x2APIC ICR values while it has room, then the batch's own list), and the model's decoded fields in
// numbered slots. A batch costs a few allocations to send, and the receiver builds each event with two or three
// (or none: lent events, refilled for the next one).
//
// An event whose fields were decoded travels without its payload (printing it is what the decoding saves): reading
// the payload of such an event on the receiving side throws. The model reads decoded fields through the accessors of
// eventFields.ts, never those payloads; the equivalence tests hold every sample and fixture to that.
import type { DecodedFields, KvmExitFields, MsrAccess } from './eventFields';
import { X2APIC_ICR_MSR } from './knowledge/exitTable';
import { KindsById, type EventKind } from './model/eventKinds';
import { RefilledEvent, type TraceEvent } from './records';
import { StringTable } from './stringTable';

const enum Int {
  Cpu,
  Pid,
  Comm,
  Name,
  System,
  Instance,
  Kind,
  S1,
  S2,
  S3,
  Local,
  Flags,
}
const INT_ROW = 12;
const NUM_ROW = 3;
/** Event type numbers below this have their name and system ids cached by number. */
const TYPE_NUMBERS = 1 << 16;
/** Entries of the sender's comm cache (a power of two). */
const COMM_CACHE = 4096;
/** Strings the sender's table holds at most (each is sent once and kept by the receiver). */
const MAX_TABLE = 1 << 16;

/** The string table's columns (each keeps its last few strings at hand). */
const enum Col {
  Comm,
  Name,
  System,
  Instance,
  State,
  Payload,
  Icr,
}

/** Which fields an event carries: what its slots mean. */
const enum Kind {
  None,
  SchedSwitch,
  SchedWakeup,
  Msr,
  CpuIdle,
  IpiTarget,
  KvmExit,
  KvmEntry,
  HaltPoll,
}

const enum Flag {
  MsrWrite = 1,
  HaltPollGrow = 2,
  /** The MSR value did not travel: the model reads only the x2APIC ICR's (UNCARRIED_MSR_VALUE). */
  MsrValueLeft = 4,
}

/** What names an event: its name and system; a trace.dat event type also has its number in the file. */
export interface EventName {
  name: string;
  system: string | null;
  id?: number;
}

/** A reader's warning or failure, at its place among the events (before the event of index `before`). */
export interface ColumnNote {
  before: number;
  fail: boolean;
  line: number | null;
  message: string;
}

/** Where a batch's numbers travel: typed arrays over memory both threads see, reused batch after batch. */
export interface ColumnSlot {
  timeNs: Float64Array<ArrayBufferLike>;
  ints: Int32Array<ArrayBufferLike>;
  nums: Float64Array<ArrayBufferLike>;
}

/** `count` slots for batches of `capacity` events, shared between threads (or not, for one thread). */
export function newColumnSlots(count: number, capacity: number, shared = true): ColumnSlot[] {
  const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  return Array.from({ length: count }, () => ({
    timeNs: new Float64Array(memory(8 * capacity)),
    ints: new Int32Array(memory(4 * INT_ROW * capacity)),
    nums: new Float64Array(memory(8 * NUM_ROW * capacity)),
  }));
}

/** A batch: its numbers are in slot `slot`; the rest travels in the message. */
export interface EventColumns {
  slot: number;
  count: number;
  /** Strings the sender's table gained with this batch, appended in order. */
  newStrings: string[];
  /** kvm_exit fields new to the sender's table (few distinct reasons), appended in order. */
  newExits: KvmExitFields[];
  /** This batch's own strings: MSR values, and payloads once the table is full. */
  local: string[];
  /** Events the columns cannot hold (rare), whole, by their index in the batch. */
  whole: { index: number; event: TraceEvent }[];
  notes: ColumnNote[];
}

/**
 * The sender's side: events in, batches of `capacity` events out, into the slots in turn. The receiver must be done
 * with a slot before the sender comes round to it again (readerWorker.ts waits for its credit).
 */
export class EventPacker {
  private readonly strings = new StringTable();
  private readonly exitIds = new Map<string, number>();
  private batch: EventColumns;
  private slot: ColumnSlot;
  private sent = 0;
  // name and system ids by event type number, plus 2 (0: not looked up yet; 1: no system)
  private readonly typeNames = new Int32Array(TYPE_NUMBERS);
  private readonly typeSystems = new Int32Array(TYPE_NUMBERS);
  // comms by pid, direct-mapped: a task's comm is looked up at each of its events and each switch to or from it
  private readonly commPids = new Int32Array(COMM_CACHE).fill(-1);
  private readonly commStrings: string[] = new Array<string>(COMM_CACHE).fill('');
  private readonly commIds = new Int32Array(COMM_CACHE);

  constructor(
    private readonly capacity: number,
    private readonly slots: readonly ColumnSlot[],
  ) {
    this.slot = slots[0];
    this.batch = this.empty(0);
  }

  get full(): boolean {
    return this.batch.count >= this.capacity;
  }

  note(fail: boolean, line: number | null, message: string): void {
    this.batch.notes.push({ before: this.batch.count, fail, line, message });
  }

  /**
   * An event with decoded fields, given by its parts (not an object: none is made per event); false (nothing added)
   * when the fields do not fit the slots.
   */
  addDecoded(
    timeNs: number,
    cpu: number,
    pid: number,
    comm: string,
    type: EventName,
    instance: string | undefined,
    fields: DecodedFields,
  ): boolean {
    const i = this.batch.count;
    this.slot.ints[i * INT_ROW + Int.Flags] = 0;
    if (!this.packFields(fields, i)) return false;
    this.addCommon(i, timeNs, cpu, pid, comm, type, instance);
    return true;
  }

  /**
   * An event with its payload printed, or null (not carried: the receiver never reads it); `fields` that did not fit
   * the slots make it travel whole.
   */
  addPrinted(
    timeNs: number,
    cpu: number,
    pid: number,
    comm: string,
    type: EventName,
    instance: string | undefined,
    payload: string | null,
    fields?: DecodedFields,
  ): void {
    const i = this.batch.count;
    const r = i * INT_ROW;
    this.slot.ints[r + Int.Flags] = 0;
    this.slot.ints[r + Int.Kind] = Kind.None;
    this.slot.ints[r + Int.Local] = payload === null ? -1 : this.text(payload);
    this.addCommon(i, timeNs, cpu, pid, comm, type, instance);
    if (fields !== undefined && payload !== null) {
      const event: TraceEvent = {
        type: 'event',
        line: null,
        timeNs,
        cpu,
        pid,
        comm,
        name: type.name,
        system: type.system,
        payload,
        fields,
      };
      if (instance !== undefined) event.instance = instance;
      this.batch.whole.push({ index: i, event });
    }
  }

  private addCommon(
    i: number,
    timeNs: number,
    cpu: number,
    pid: number,
    comm: string,
    type: EventName,
    instance: string | undefined,
  ): void {
    const r = i * INT_ROW;
    const ints = this.slot.ints;
    this.slot.timeNs[i] = timeNs;
    ints[r + Int.Cpu] = cpu;
    ints[r + Int.Pid] = pid;
    ints[r + Int.Comm] = this.commId(pid, comm);
    const n = type.id;
    if (n !== undefined && n >= 0 && n < TYPE_NUMBERS) {
      if (this.typeNames[n] === 0) {
        this.typeNames[n] = this.strings.id(type.name, Col.Name) + 2;
        this.typeSystems[n] = (type.system === null ? -1 : this.strings.id(type.system, Col.System)) + 2;
      }
      ints[r + Int.Name] = this.typeNames[n] - 2;
      ints[r + Int.System] = this.typeSystems[n] - 2;
    } else {
      ints[r + Int.Name] = this.strings.id(type.name, Col.Name);
      ints[r + Int.System] = type.system === null ? -1 : this.strings.id(type.system, Col.System);
    }
    ints[r + Int.Instance] = instance === undefined ? -1 : this.strings.id(instance, Col.Instance);
    this.batch.count = i + 1;
  }

  /** The batch so far (possibly empty), and a new one started. */
  take(): EventColumns {
    const b = this.batch;
    b.newStrings = this.strings.takeNew();
    this.sent++;
    const next = this.sent % this.slots.length;
    this.slot = this.slots[next];
    this.batch = this.empty(next);
    return b;
  }

  private empty(slot: number): EventColumns {
    return {
      slot,
      count: 0,
      newStrings: [],
      newExits: [],
      local: [],
      whole: [],
      notes: [],
    };
  }

  private commId(pid: number, comm: string): number {
    const slot = pid & (COMM_CACHE - 1);
    if (this.commPids[slot] === pid && this.commStrings[slot] === comm) return this.commIds[slot];
    const id = this.strings.id(comm, Col.Comm);
    this.commPids[slot] = pid;
    this.commStrings[slot] = comm;
    this.commIds[slot] = id;
    return id;
  }

  /**
   * A payload or value: from the table (payloads repeat: "vector=251"), while it has room; else the batch's own
   * list (a string message costs the sender and the receiver far more than a table index).
   */
  private text(s: string, col = Col.Payload): number {
    if (this.strings.size < MAX_TABLE) return this.strings.id(s, col);
    return this.strings.known(s) ?? this.own(s);
  }

  /** A string in the batch's own list. */
  private own(s: string): number {
    return -2 - (this.batch.local.push(s) - 1);
  }

  /** False when the fields do not fit the slots (the event then travels whole). */
  private packFields(f: DecodedFields, i: number): boolean {
    const r = i * INT_ROW;
    const n = i * NUM_ROW;
    const { ints, nums } = this.slot;
    ints[r + Int.Local] = -1;
    switch (f.kind) {
      case 'sched_switch': {
        const v = f.value;
        ints[r + Int.S1] = this.commId(v.prevPid, v.prevComm);
        ints[r + Int.S2] = this.strings.id(v.prevState, Col.State);
        ints[r + Int.S3] = this.commId(v.nextPid, v.nextComm);
        nums[n] = v.prevPid;
        nums[n + 1] = v.nextPid;
        ints[r + Int.Kind] = Kind.SchedSwitch;
        return true;
      }
      case 'sched_wakeup':
        ints[r + Int.S1] = this.commId(f.value.pid, f.value.comm);
        nums[n] = f.value.pid;
        nums[n + 1] = f.value.targetCpu;
        ints[r + Int.Kind] = Kind.SchedWakeup;
        return true;
      case 'msr':
        nums[n] = f.value.msr;
        // an ICR value is an IPI's vector and destination: a few values repeat, a table index each
        // the model reads a value only for the x2APIC ICR (an IPI's destination): other values (TSC deadlines,
        // unique per write) stay in the reading thread, and reading one on this side throws
        if (f.value.msr !== X2APIC_ICR_MSR) ints[r + Int.Flags] |= Flag.MsrValueLeft;
        else ints[r + Int.Local] = f.value.valueHex === null ? -1 : this.text(f.value.valueHex, Col.Icr);
        if (f.value.write) ints[r + Int.Flags] |= Flag.MsrWrite;
        ints[r + Int.Kind] = Kind.Msr;
        return true;
      case 'cpu_idle':
        nums[n] = f.value.state;
        nums[n + 1] = f.value.cpu;
        ints[r + Int.Kind] = Kind.CpuIdle;
        return true;
      case 'ipi_targets':
        if (f.value.length !== 1) return false;
        nums[n] = f.value[0];
        ints[r + Int.Kind] = Kind.IpiTarget;
        return true;
      case 'kvm_exit':
        ints[r + Int.S1] = this.exitId(f.value);
        ints[r + Int.Kind] = Kind.KvmExit;
        return true;
      case 'kvm_entry':
        nums[n] = f.vcpu ?? Number.NaN;
        ints[r + Int.Kind] = Kind.KvmEntry;
        return true;
      case 'halt_poll_ns':
        nums[n] = f.value.vcpu ?? Number.NaN;
        nums[n + 1] = f.value.ns;
        nums[n + 2] = f.value.oldNs;
        if (f.value.grow) ints[r + Int.Flags] |= Flag.HaltPollGrow;
        ints[r + Int.Kind] = Kind.HaltPoll;
        return true;
    }
  }

  private exitId(v: KvmExitFields): number {
    const key = JSON.stringify(v);
    let id = this.exitIds.get(key);
    if (id === undefined) {
      id = this.exitIds.size;
      this.exitIds.set(key, id);
      this.batch.newExits.push(v);
    }
    return id;
  }
}

/** An MSR access read in another thread whose value stayed there (see packFields). */
class MsrValueLeft implements MsrAccess {
  constructor(
    public write: boolean,
    public msr: number,
  ) {}

  get valueHex(): string | null {
    throw new Error(`the value of an access to MSR 0x${this.msr.toString(16)} was not carried: the model reads none`);
  }
}

/** An event read in another thread: its printed payload, or its decoded fields and no payload (see the top). */
class ThreadEvent extends RefilledEvent {
  kind: EventKind = 0;
  /** Absent (not undefined) for the top instance, as on the sender's events. */
  declare instance?: string;

  /** `competingWorkDone`: the same for every event of one reader (set once, not per event). */
  constructor(readonly competingWorkDone: boolean) {
    super();
  }

  protected payloadMissing(): string {
    return `the payload of a ${this.name} event read in another thread was not carried: the model reads none`;
  }
}

type FieldsOf<K extends DecodedFields['kind']> = DecodedFields & { kind: K };

/** A new fields object of each kind that the receiver fills in (kvm_exit's and halt_poll_ns's are shared instead). */
const NEW_FIELDS = {
  schedSwitch: (): FieldsOf<'sched_switch'> => ({
    kind: 'sched_switch',
    value: { prevComm: '', prevPid: 0, prevState: '', nextComm: '', nextPid: 0 },
  }),
  schedWakeup: (): FieldsOf<'sched_wakeup'> => ({ kind: 'sched_wakeup', value: { comm: '', pid: 0, targetCpu: 0 } }),
  msr: (): FieldsOf<'msr'> => ({ kind: 'msr', value: { write: false, msr: 0, valueHex: null } }),
  msrValueLeft: (): FieldsOf<'msr'> & { value: MsrValueLeft } => ({ kind: 'msr', value: new MsrValueLeft(false, 0) }),
  cpuIdle: (): FieldsOf<'cpu_idle'> => ({ kind: 'cpu_idle', value: { state: 0, cpu: 0 } }),
  ipiTarget: (): FieldsOf<'ipi_targets'> => ({ kind: 'ipi_targets', value: [0] }),
  kvmEntry: (): FieldsOf<'kvm_entry'> => ({ kind: 'kvm_entry', vcpu: null }),
};
type LentFields = { [K in keyof typeof NEW_FIELDS]: ReturnType<(typeof NEW_FIELDS)[K]> };

/** One of each, refilled event after event (lent events). */
function lentFields(): LentFields {
  const f = NEW_FIELDS;
  return {
    ...{ schedSwitch: f.schedSwitch(), schedWakeup: f.schedWakeup(), msr: f.msr(), msrValueLeft: f.msrValueLeft() },
    ...{ cpuIdle: f.cpuIdle(), ipiTarget: f.ipiTarget(), kvmEntry: f.kvmEntry() },
  };
}

/** The receiver's side: batches in (in the order sent), events out. */
export class EventUnpacker {
  /** Lent events: the event objects handed out, and their fields, are refilled for the next event. */
  private readonly lentTop: ThreadEvent | null;
  private lentInInstance: ThreadEvent | null = null;
  private readonly lent: LentFields | null;

  /**
   * `competingWorkDone`: the sender fed every event to its competing-work collector (TraceEvent). `lend`: the
   * receiver reads each event only while `onEvent` runs and keeps no reference to it or its fields, so the same few
   * objects are handed out again and again, refilled (~200 bytes less to allocate and collect per event).
   */
  constructor(
    private readonly slots: readonly ColumnSlot[],
    private readonly competingWorkDone = false,
    lend = false,
  ) {
    this.lentTop = lend ? new ThreadEvent(competingWorkDone) : null;
    this.lent = lend ? lentFields() : null;
  }

  private readonly strings: string[] = [];
  /** The model's kind of each table string used as a name. */
  private readonly nameKinds = new KindsById();
  /** Each kvm_exit's fields object, by the sender's id (a few distinct reasons): shared, never changed. */
  private readonly exits: FieldsOf<'kvm_exit'>[] = [];
  private lastHaltPoll: FieldsOf<'halt_poll_ns'> = {
    kind: 'halt_poll_ns',
    value: { vcpu: -1, ns: -1, grow: false, oldNs: -1 },
  };

  /** Hands the batch's events and notes to the callbacks in their order. */
  unpack(b: EventColumns, onEvent: (ev: TraceEvent) => void, onNote: (note: ColumnNote) => void): void {
    for (const s of b.newStrings) this.strings.push(s);
    for (const e of b.newExits) this.exits.push({ kind: 'kvm_exit', value: e });
    const slot = this.slots[b.slot];
    const { notes, whole } = b;
    let note = 0;
    let nextWhole = 0;
    // the indexes of the next note and whole event (-1: none left), compared with each event's
    let noteAt = notes.length > 0 ? notes[0].before : -1;
    let wholeAt = whole.length > 0 ? whole[0].index : -1;
    for (let i = 0; i < b.count; i++) {
      while (noteAt === i) {
        onNote(notes[note++]);
        noteAt = note < notes.length ? notes[note].before : -1;
      }
      if (wholeAt !== i) onEvent(this.event(slot, b, i));
      else {
        onEvent(this.wholeEvent(whole[nextWhole++].event));
        wholeAt = nextWhole < whole.length ? whole[nextWhole].index : -1;
      }
    }
    while (note < notes.length) onNote(notes[note++]);
  }

  private wholeEvent(ev: TraceEvent): TraceEvent {
    if (this.competingWorkDone) ev.competingWorkDone = true;
    return ev;
  }

  private event(slot: ColumnSlot, b: EventColumns, i: number): TraceEvent {
    const r = i * INT_ROW;
    const { ints, timeNs } = slot;
    const s = this.strings;
    const system = ints[r + Int.System];
    const instance = ints[r + Int.Instance];
    const ev = this.eventObject(instance >= 0);
    ev.timeNs = timeNs[i];
    ev.cpu = ints[r + Int.Cpu];
    ev.pid = ints[r + Int.Pid];
    ev.comm = s[ints[r + Int.Comm]];
    ev.name = s[ints[r + Int.Name]];
    ev.system = system < 0 ? null : s[system];
    ev.fields = this.fields(slot, b, i);
    ev.kind = this.nameKinds.kindOf(ints[r + Int.Name], ev.name);
    ev.printed = ev.fields === undefined ? this.text(b, ints[r + Int.Local]) : null;
    if (instance >= 0) ev.instance = s[instance];
    return ev;
  }

  /** The event object to fill: a lent one (one without an instance, one with: the top instance has none), or new. */
  private eventObject(inInstance: boolean): ThreadEvent {
    if (this.lentTop === null) return new ThreadEvent(this.competingWorkDone);
    return inInstance ? (this.lentInInstance ??= new ThreadEvent(this.competingWorkDone)) : this.lentTop;
  }

  private fields(slot: ColumnSlot, b: EventColumns, i: number): DecodedFields | undefined {
    const r = i * INT_ROW;
    const n = i * NUM_ROW;
    const { ints, nums } = slot;
    const s = this.strings;
    const flags = ints[r + Int.Flags];
    const lent = this.lent;
    switch (ints[r + Int.Kind] as Kind) {
      case Kind.None:
        return undefined;
      case Kind.SchedSwitch: {
        const f = lent?.schedSwitch ?? NEW_FIELDS.schedSwitch();
        const v = f.value;
        v.prevComm = s[ints[r + Int.S1]];
        v.prevPid = nums[n];
        v.prevState = s[ints[r + Int.S2]];
        v.nextComm = s[ints[r + Int.S3]];
        v.nextPid = nums[n + 1];
        return f;
      }
      case Kind.SchedWakeup: {
        const f = lent?.schedWakeup ?? NEW_FIELDS.schedWakeup();
        f.value.comm = s[ints[r + Int.S1]];
        f.value.pid = nums[n];
        f.value.targetCpu = nums[n + 1];
        return f;
      }
      case Kind.Msr:
        return this.msr(b, nums[n], ints[r + Int.Local], flags);
      case Kind.CpuIdle: {
        const f = lent?.cpuIdle ?? NEW_FIELDS.cpuIdle();
        f.value.state = nums[n];
        f.value.cpu = nums[n + 1];
        return f;
      }
      case Kind.IpiTarget: {
        const f = lent?.ipiTarget ?? NEW_FIELDS.ipiTarget();
        f.value[0] = nums[n];
        return f;
      }
      case Kind.KvmExit:
        return this.exits[ints[r + Int.S1]];
      case Kind.KvmEntry: {
        const f = lent?.kvmEntry ?? NEW_FIELDS.kvmEntry();
        f.vcpu = Number.isNaN(nums[n]) ? null : nums[n];
        return f;
      }
      case Kind.HaltPoll:
        return this.haltPoll(nums[n], nums[n + 1], nums[n + 2], (flags & Flag.HaltPollGrow) !== 0);
    }
  }

  /** `local`: the value's Local column (carried only for the x2APIC ICR); `flags`: the event's Flags column. */
  private msr(b: EventColumns, msr: number, local: number, flags: number): DecodedFields {
    const write = (flags & Flag.MsrWrite) !== 0;
    if ((flags & Flag.MsrValueLeft) !== 0) {
      const f = this.lent?.msrValueLeft ?? NEW_FIELDS.msrValueLeft();
      f.value.write = write;
      f.value.msr = msr;
      return f;
    }
    const f = this.lent?.msr ?? NEW_FIELDS.msr();
    f.value.write = write;
    f.value.msr = msr;
    f.value.valueHex = this.text(b, local);
    return f;
  }

  /** A Local column's string: a table index (≥ 0), null (-1), or the batch's own list (-2 - index). */
  private text(b: EventColumns, code: number): string | null {
    return code >= 0 ? this.strings[code] : code === -1 ? null : b.local[-2 - code];
  }

  /** The same fields as the last halt-poll event's are handed out again (a guest whose window never moves). */
  private haltPoll(vcpuOrNaN: number, ns: number, oldNs: number, grow: boolean): DecodedFields {
    const vcpu = Number.isNaN(vcpuOrNaN) ? null : vcpuOrNaN;
    const v = this.lastHaltPoll.value;
    if (v.ns !== ns || v.oldNs !== oldNs || v.grow !== grow || v.vcpu !== vcpu) {
      this.lastHaltPoll = { kind: 'halt_poll_ns', value: { vcpu, ns, grow, oldNs } };
    }
    return this.lastHaltPoll;
  }
}
