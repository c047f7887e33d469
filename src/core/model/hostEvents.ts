// Host events beside kvm_exit/kvm_entry: MSRs and I/O ports behind exits (every one by number), nested exits,
// exits to user space and halt-poll window changes. Counted here so a trace holding only these still says what it
// holds, and so MSR / port top-N lists reach the JSON. Bounded: maps keyed by MSR, port, reason and event name.
import type { AccessCount, Analysis, HostEventsSummary } from '../analysisTypes';
import { haltPollNsOf, parseKvmPio, msrAccessOf, parseNestedExit, parseUserspaceExit } from '../eventFields';
import { hex, msrInfo } from '../knowledge/exitTable';
import type { TraceEvent } from '../records';
import { EventKind, eventKind, isHostKind } from './eventKinds';

const TOP_ACCESSES = 10;
const TOP_EVENTS = 30;
const HISTORY_KEPT = 50;
/** Distinct keys kept per map: a garbage trace must not grow memory without bound. */
const MAX_KEYS = 10_000;
/** Event names counted outside the map (a guest or host trace uses a handful). */
const RECENT_NAMES = 16;

/** Kinds that stand for one event name each: counted by kind in an array, without comparing names. */
const ONE_NAME_KINDS: readonly EventKind[] = [
  EventKind.writeMsr,
  EventKind.cpuIdle,
  EventKind.ipiSendCpu,
  EventKind.ipiSendCpumask,
  EventKind.schedSwitch,
  EventKind.guestHaltPollNs,
  EventKind.kvmExit,
  EventKind.kvmEntry,
  EventKind.kvmMsr,
  EventKind.kvmApicIpi,
];
const KINDS = Math.max(...Object.values(EventKind)) + 1;
const isOneNameKind = new Uint8Array(KINDS);
for (const k of ONE_NAME_KINDS) isOneNameKind[k] = 1;
/** A one-name kind's count: not seen yet, counted in the array, or not counted (the name map was full). */
const UNSEEN = 0;
const COUNTED = 1;
const DROPPED = 2;

interface Access {
  reads: number;
  writes: number;
  firstLine: number | null;
}

type Counts = Map<string, number>;
type PollChange = NonNullable<HostEventsSummary['haltPollWindow']>['history'][number];

function bump(map: Counts, key: string, by = 1): void {
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + by);
  else if (map.size < MAX_KEYS) map.set(key, by);
}

function ranked(map: Counts, limit: number): { reason: string; count: number }[] {
  return [...map]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([reason, count]) => ({ reason, count }));
}

/** KVM_EXIT_* codes worth a sentence (include/uapi/linux/kvm.h). */
const USERSPACE_NOTES: Record<string, string> = {
  KVM_EXIT_SHUTDOWN: 'KVM_EXIT_SHUTDOWN: the guest triple-faulted (or asked for shutdown); the VMM resets or stops it.',
  KVM_EXIT_INTERNAL_ERROR: 'KVM_EXIT_INTERNAL_ERROR: KVM could not emulate an instruction or deliver an event.',
  KVM_EXIT_FAIL_ENTRY: 'KVM_EXIT_FAIL_ENTRY: VM entry failed (invalid guest state).',
};

export class HostEventCollector {
  private readonly eventCounts: Counts = new Map();
  private readonly msrs = new Map<number, Access>();
  private readonly ports = new Map<number, Access>();
  private readonly nested: Counts = new Map();
  private nestedInjected = 0;
  private readonly userspace: Counts = new Map();
  private readonly poll = { changes: 0, grows: 0, shrinks: 0, maxNs: 0, lastNs: 0 };
  private readonly pollHistory: PollChange[] = [];
  /**
   * The few names a trace repeats, with counts not yet in eventCounts: comparing a new event's name with these is
   * cheaper than hashing it into the map for every event. Each name enters the map when first seen, as before.
   */
  private readonly recentNames: string[] = [];
  private readonly recentCounts: number[] = [];
  /** Counts of one-name kinds not yet in eventCounts (each name enters the map when first seen, as above). */
  private readonly kindCounts = new Float64Array(KINDS);
  private readonly kindStates = new Uint8Array(KINDS);
  private readonly kindNames: string[] = new Array<string>(KINDS).fill('');
  /** Events whose timestamps have no known unit (counter clocks): no durations or rates may come from them. */
  private clockUnknown = 0;

  /** `kind`: the event's kind when the caller has looked it up already. */
  add(ev: TraceEvent, kind: EventKind = eventKind(ev.name)): void {
    if (isOneNameKind[kind] === 1) this.countKind(kind, ev.name);
    else this.countName(ev.name);
    if (ev.clockUnknown) this.clockUnknown++;
    if (!isHostKind(kind)) return; // every name below is a kvm_* one
    switch (ev.name) {
      case 'kvm_msr':
        return this.msr(ev);
      case 'kvm_pio':
        return this.pio(ev);
      case 'kvm_nested_vmexit':
        return bump(this.nested, parseNestedExit(ev.payload)?.reason ?? '(unreadable)');
      case 'kvm_nested_vmexit_inject':
        this.nestedInjected++;
        return;
      case 'kvm_userspace_exit':
        return bump(this.userspace, parseUserspaceExit(ev.payload)?.reason ?? '(unreadable)');
      case 'kvm_halt_poll_ns':
        return this.haltPoll(ev);
      default:
    }
  }

  private countName(name: string): void {
    const names = this.recentNames;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) {
        this.recentCounts[i]++;
        return;
      }
    }
    const known = this.eventCounts.size;
    bump(this.eventCounts, name);
    if (this.eventCounts.size > known && names.length < RECENT_NAMES) {
      names.push(name);
      this.recentCounts.push(0);
    }
  }

  private countKind(kind: EventKind, name: string): void {
    const state = this.kindStates[kind];
    if (state === COUNTED) this.kindCounts[kind]++;
    else if (state === UNSEEN) {
      const known = this.eventCounts.size;
      bump(this.eventCounts, name);
      this.kindStates[kind] = this.eventCounts.size > known ? COUNTED : DROPPED;
      this.kindNames[kind] = name;
    }
  }

  /** Puts the counts of the recent names and of the one-name kinds into eventCounts. */
  private flushNameCounts(): void {
    this.recentNames.forEach((name, i) => {
      if (this.recentCounts[i] > 0) this.eventCounts.set(name, this.eventCounts.get(name)! + this.recentCounts[i]);
      this.recentCounts[i] = 0;
    });
    for (let kind = 0; kind < KINDS; kind++) {
      const n = this.kindCounts[kind];
      if (n === 0) continue;
      const name = this.kindNames[kind];
      this.eventCounts.set(name, this.eventCounts.get(name)! + n);
      this.kindCounts[kind] = 0;
    }
  }

  private msr(ev: TraceEvent): void {
    const a = msrAccessOf('kvm_msr', ev);
    if (a) this.access(this.msrs, a.msr, a.write, 1, ev.line);
  }

  private pio(ev: TraceEvent): void {
    const p = parseKvmPio(ev.payload);
    if (p) this.access(this.ports, p.port, p.write, 1, ev.line);
  }

  private access(map: Map<number, Access>, key: number, write: boolean, n: number, line: number | null): void {
    let a = map.get(key);
    if (!a) {
      if (map.size >= MAX_KEYS) return;
      map.set(key, (a = { reads: 0, writes: 0, firstLine: line }));
    }
    if (write) a.writes += n;
    else a.reads += n;
  }

  private haltPoll(ev: TraceEvent): void {
    const p = haltPollNsOf(ev);
    if (!p) return;
    const poll = this.poll;
    poll.changes++;
    if (p.grow) poll.grows++;
    else poll.shrinks++;
    poll.maxNs = Math.max(poll.maxNs, p.ns, p.oldNs);
    poll.lastNs = p.ns;
    if (this.pollHistory.length < HISTORY_KEPT) {
      this.pollHistory.push({ timeNs: ev.timeNs, line: ev.line, vcpu: p.vcpu, fromNs: p.oldNs, toNs: p.ns });
    }
  }

  /** Every event name counted (a name enters the map when first seen; at most MAX_KEYS names). */
  eventNames(): IterableIterator<string> {
    return this.eventCounts.keys();
  }

  summary(): HostEventsSummary | null {
    this.flushNameCounts();
    if (this.eventCounts.size === 0) return null;
    const userspaceTotal = [...this.userspace.values()].reduce((a, b) => a + b, 0);
    const nestedTotal = [...this.nested.values()].reduce((a, b) => a + b, 0);
    return {
      events: ranked(this.eventCounts, TOP_EVENTS).map(({ reason, count }) => ({ name: reason, count })),
      nestedExits:
        nestedTotal + this.nestedInjected > 0
          ? { count: nestedTotal, injectedToL1: this.nestedInjected, byReason: ranked(this.nested, TOP_EVENTS) }
          : null,
      userspaceExits:
        userspaceTotal > 0
          ? {
              count: userspaceTotal,
              byReason: ranked(this.userspace, TOP_EVENTS),
              internalErrors: this.userspace.get('KVM_EXIT_INTERNAL_ERROR') ?? 0,
              shutdowns: this.userspace.get('KVM_EXIT_SHUTDOWN') ?? 0,
              failedEntries: this.userspace.get('KVM_EXIT_FAIL_ENTRY') ?? 0,
              notes: Object.keys(USERSPACE_NOTES)
                .filter((k) => this.userspace.has(k))
                .map((k) => USERSPACE_NOTES[k]),
            }
          : null,
      haltPollWindow: this.poll.changes > 0 ? { ...this.poll, history: [...this.pollHistory] } : null,
    };
  }

  msrList(): AccessCount[] {
    return topAccesses(this.msrs, (msr) => {
      const info = msrInfo(msr);
      return { name: info?.name ?? null, category: info?.category ?? null };
    });
  }

  portList(): AccessCount[] {
    return topAccesses(this.ports, () => ({ name: null, category: 'io' }));
  }

  /** Adds the summary to an analysis: MSR / port lists under `exits` when there is one, else under `hostEvents`. */
  attach(analysis: Analysis): void {
    const summary = this.summary();
    analysis.hostEvents = summary;
    const msrs = this.msrList();
    const ports = this.portList();
    if (this.clockUnknown > 0 && analysis.exits) withoutTimes(analysis, this.clockUnknown);
    const target = analysis.exits ?? summary;
    if (!target) return;
    if (msrs.length > 0) target.msrs = msrs;
    if (ports.length > 0) target.ioPorts = ports;
  }
}

/** A trace timed by a clock of unknown unit gives counts only: every duration and rate is withdrawn, and said so. */
function withoutTimes(analysis: Analysis, events: number): void {
  const exits = analysis.exits!;
  exits.perSecond = null;
  exits.durationNs = null;
  exits.timeline = null;
  for (const r of exits.byReason) r.meanNs = r.p50Ns = r.p99Ns = r.maxNs = null;
  const note =
    `${events} events have timestamps of unknown unit (no fraction: a counter clock or integer ns): ` +
    'exit counts only, no durations or rates.';
  analysis.modelNotes = [...(analysis.modelNotes ?? []), note];
}

function topAccesses(
  map: Map<number, Access>,
  describe: (key: number) => Pick<AccessCount, 'name' | 'category'>,
): AccessCount[] {
  return [...map]
    .map(([key, a]) => ({ id: hex(key), ...describe(key), count: a.reads + a.writes, ...a }))
    .sort((x, y) => y.count - x.count || x.id.localeCompare(y.id))
    .slice(0, TOP_ACCESSES);
}
