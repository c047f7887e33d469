// The event names the model's per-event paths act on, as small numbers: an event's name is looked up once (one map
// lookup) and every part of the model switches on the number, instead of comparing the name with string after string.

/** Guest-side kinds are below FIRST_HOST_KIND, host (kvm_*) kinds from it on. */
export const EventKind = {
  otherGuest: 0,
  writeMsr: 1,
  cpuIdle: 2,
  ipiSendCpu: 3,
  ipiSendCpumask: 4,
  /** call_function_single_entry, call_function_entry, reschedule_entry: an IPI's handler runs. */
  ipiHandler: 5,
  schedWakeup: 6,
  schedSwitch: 7,
  guestHaltPollNs: 8,
  otherHost: 16,
  kvmExit: 17,
  kvmEntry: 18,
  kvmMsr: 19,
  kvmApicIpi: 20,
} as const;
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

const FIRST_HOST_KIND = EventKind.otherHost;

const KNOWN: readonly [string, EventKind][] = [
  ['write_msr', EventKind.writeMsr],
  ['cpu_idle', EventKind.cpuIdle],
  ['ipi_send_cpu', EventKind.ipiSendCpu],
  ['ipi_send_cpumask', EventKind.ipiSendCpumask],
  ['call_function_single_entry', EventKind.ipiHandler],
  ['call_function_entry', EventKind.ipiHandler],
  ['reschedule_entry', EventKind.ipiHandler],
  // sched_wakeup_new is a wake-up like sched_wakeup
  ['sched_wakeup', EventKind.schedWakeup],
  ['sched_wakeup_new', EventKind.schedWakeup],
  ['sched_switch', EventKind.schedSwitch],
  ['guest_halt_poll_ns', EventKind.guestHaltPollNs],
  ['kvm_exit', EventKind.kvmExit],
  ['kvm_entry', EventKind.kvmEntry],
  ['kvm_msr', EventKind.kvmMsr],
  ['kvm_apic_ipi', EventKind.kvmApicIpi],
];

/**
 * The known names by length: a text reader gives each event a new name string, and comparing it with the one to three
 * known names of its length costs less than hashing it into a map.
 */
const LONGEST = Math.max(...KNOWN.map(([name]) => name.length));
const KNOWN_BY_LENGTH: [string, EventKind][][] = Array.from({ length: LONGEST + 1 }, () => []);
for (const entry of KNOWN) KNOWN_BY_LENGTH[entry[0].length].push(entry);

/**
 * Kinds of the names asked so far. Readers hand out one string per name (from their string tables), which keeps its
 * hash once computed: a map lookup then costs less than comparing it with the known names of its length.
 */
const askedKinds = new Map<string, EventKind>();
/** Names remembered at most (a garbage trace must not grow memory without bound). */
export const MAX_REMEMBERED_NAMES = 4096;

/**
 * In front of the map, a slot per (length, first and last character) holds the last name seen there and its kind: a
 * reader's name string is one object per name, and the same object compares equal at once (no hashing, no characters
 * read). The slot formula keeps the usual guest and host event names (sched, irq, ipi, msr, kvm_*) apart.
 */
const SLOTS = 256;
const slotNames: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
const slotKinds = new Uint8Array(SLOTS);

function slotOf(name: string): number {
  const length = name.length;
  return length === 0 ? 0 : (length * 13 + name.charCodeAt(length - 1) + name.charCodeAt(0) * 9) & (SLOTS - 1);
}

/** The kind of an event named `name` (without its system): any other kvm_* name is otherHost. */
export function eventKind(name: string): EventKind {
  const slot = slotOf(name);
  if (slotNames[slot] === name) return slotKinds[slot] as EventKind;
  const kind = rememberedKind(name);
  slotNames[slot] = name;
  slotKinds[slot] = kind;
  return kind;
}

function rememberedKind(name: string): EventKind {
  const asked = askedKinds.get(name);
  if (asked !== undefined) return asked;
  const kind = kindByName(name);
  if (askedKinds.size < MAX_REMEMBERED_NAMES) askedKinds.set(name, kind);
  return kind;
}

function kindByName(name: string): EventKind {
  if (name.length <= LONGEST) {
    const candidates = KNOWN_BY_LENGTH[name.length];
    for (let i = 0; i < candidates.length; i++) if (candidates[i][0] === name) return candidates[i][1];
  }
  return name.startsWith('kvm_') ? EventKind.otherHost : EventKind.otherGuest;
}

export function isHostKind(kind: EventKind): boolean {
  return kind >= FIRST_HOST_KIND;
}

/** Ids below this have their kind kept (a larger id is looked up by its name each time). */
const KEPT_IDS = 1 << 16;

/**
 * The kind of each event name met by a small number that stands for it (an index into a received string table, an
 * event type's number in a trace.dat), looked up once per number.
 */
export class KindsById {
  /** The eventKind of each id, plus 1 (0: not looked up yet). */
  private kinds = new Int16Array(256);

  /** The kind of `name`, which `id` always stands for. */
  kindOf(id: number, name: string): EventKind {
    if (id < 0 || id >= KEPT_IDS) return eventKind(name);
    if (id >= this.kinds.length) {
      const grown = new Int16Array(Math.min(KEPT_IDS, Math.max(id + 1, 2 * this.kinds.length)));
      grown.set(this.kinds);
      this.kinds = grown;
    }
    const k = this.kinds[id];
    if (k !== 0) return (k - 1) as EventKind;
    const kind = eventKind(name);
    this.kinds[id] = kind + 1;
    return kind;
  }
}
