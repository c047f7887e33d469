// The data behind the transaction picture: one request/response round trip drawn across CPUs (guest) or vCPUs (host)
// — what each lane was doing (running, halted, in an exit), each exit with its reason and critical flag, the IPIs and
// hand-offs between lanes, and where the round trip's time went. The collector keeps a bounded sample: one
// transaction per duration class (log buckets), so the median, the p99 and a few others can be drawn afterwards.
//
// A transaction runs from one hand-off sent by the initiating lane (the first lane seen sending one) to its next,
// provided a hand-off came back to it in between. The model's critical-path tracker may call `transactionBoundary`
// instead (see `setExternalBoundaries`), so both agree on what a transaction is.
import type { ExitCategory } from '../analysisTypes';
import {
  icrFields,
  apicIpiOf,
  cpuIdleOf,
  ipiTargetsOf,
  kvmEntryVcpuOf,
  kvmExitOf,
  msrAccessOf,
  writeMsrOf,
  schedSwitchOf,
  schedWakeupOf,
} from '../eventFields';
import { CPU_IDLE_EXIT, hex, msrInfo, X2APIC_ICR_MSR } from '../knowledge/exitTable';
import type { LineFacts } from '../lineFacts';
import type { TraceEvent } from '../records';
import { LogHistogram } from '../stats/logHistogram';
import { WholeNumberBuckets } from '../stats/wholeNumberBuckets';
import { CpuTable } from './cpuTable';
import { EventKind, eventKind, isHostKind } from './eventKinds';
import { guestMsrExit } from './guestModel';
import { TransactionRows, type ExitRow, type KeptTransaction, type SpanKind } from './sketchRows';
import { VcpuThreads } from './vcpuThreads';

export type SketchSide = 'guest' | 'host';
export type { SpanKind };

/** Times are ns relative to the transaction's start. */
export interface SketchSpan {
  kind: SpanKind;
  startNs: number;
  endNs: number;
}

export interface SketchLane {
  /** CPU number (guest) or vCPU number (host). */
  unit: number;
  label: string;
  spans: SketchSpan[];
}

export interface SketchExit {
  /** Index into `lanes`. */
  lane: number;
  atNs: number;
  /** Host: exit → entry; guest: halts only (an MSR-write exit's length is not visible from the guest). */
  durationNs: number | null;
  reason: string;
  category: ExitCategory;
  /** On the critical path (true), off it (false), not attributed (null) — the model's verdict for its line. */
  critical: boolean | null;
  /** 1-based source line (text inputs), null for binary inputs. */
  line: number | null;
}

export interface SketchArrow {
  fromLane: number;
  toLane: number;
  fromNs: number;
  toNs: number;
  kind: 'ipi' | 'handoff';
  /** The target was halted when the signal arrived: the flight time is a wake-up from halt. */
  toHalted: boolean;
}

export interface BreakdownPart {
  label: 'running' | 'in exits' | 'wake-up from halt' | 'signal delivery';
  ns: number;
}

export interface TransactionSketch {
  side: SketchSide;
  /** 0-based ordinal of the transaction in the trace. */
  index: number;
  /** Absolute trace time of the start, ns. */
  startNs: number;
  durationNs: number;
  lanes: SketchLane[];
  exits: SketchExit[];
  arrows: SketchArrow[];
  /** Where the time of the critical path went (following the hand-offs); the parts sum to `durationNs`. */
  breakdown: BreakdownPart[];
}

export interface SketchSample {
  /** Transactions seen (all, not only the kept ones). */
  count: number;
  p50Ns: number | null;
  p99Ns: number | null;
  /** The kept transaction closest to the median duration, and to the p99. */
  median: TransactionSketch | null;
  p99: TransactionSketch | null;
  /** A few more (fastest, slowest, in between), by duration. */
  others: TransactionSketch[];
}

/** Duration classes 20 % wide: one kept transaction each (≈ 160 classes from 1 µs to 10 s at most). */
const CLASS_RATIO = 1.2;
/** A transaction with more items than this is not kept (a stalled or absurd one); it still counts. */
const MAX_ITEMS = 400;
const ARRIVAL_WINDOW_NS = 200_000;

interface LaneState {
  unit: number;
  kind: SpanKind;
  since: number;
}

/** The model's verdict on the event just added: a handle for later updates and the critical flag so far. */
export interface ExitVerdict {
  handle: number;
  critical: boolean | null;
}

// Per-lane state, one record per lane made once and reused (`active` says whether it holds something now).
interface Incoming {
  active: boolean;
  from: number;
  atNs: number;
  kind: 'ipi' | 'handoff';
  pid: number;
}
interface SendStart {
  active: boolean;
  atNs: number;
  target: number | null;
}
interface OpenExit {
  active: boolean;
  atNs: number;
  reason: string;
  category: ExitCategory;
  /** The sketch's exit (TransactionRows seq), -1 when none was drawn. */
  exit: number;
}
interface OpenHalt {
  active: boolean;
  atNs: number;
  exit: number;
}

const LOG_CLASS_RATIO = Math.log(CLASS_RATIO);
/** A duration's class, by its definition. */
export const classByLog = (ns: number) => Math.floor(Math.log(Math.max(ns, 1)) / LOG_CLASS_RATIO);
const wholeClasses = new WholeNumberBuckets(classByLog);
/** The same, by table for whole numbers below 2^32 (every duration in ns): no logarithm per transaction. */
export const classOf = (ns: number) => (ns >>> 0 === ns ? wholeClasses.of(ns) : classByLog(ns));

/** The lane's record in `table`, made on first use. */
function recordOf<T>(table: CpuTable<T>, unit: number, make: () => T): T {
  let r = table.get(unit);
  if (!r) table.set(unit, (r = make()));
  return r;
}
const newIncoming = (): Incoming => ({ active: false, from: 0, atNs: 0, kind: 'ipi', pid: 0 });
const newSendStart = (): SendStart => ({ active: false, atNs: 0, target: null });
const newOpenExit = (): OpenExit => ({ active: false, atNs: 0, reason: '', category: 'other', exit: -1 });
const newOpenHalt = (): OpenHalt => ({ active: false, atNs: 0, exit: -1 });

export class TransactionSketchCollector {
  private side: SketchSide | null = null;
  private readonly lanes = new CpuTable<LaneState>();
  /** The same lane states, to visit all at a transaction's end. */
  private readonly laneList: LaneState[] = [];
  private anchor: number | null = null;
  private count = 0;
  private readonly durations = new LogHistogram();
  private readonly kept = new Map<number, KeptTransaction>();
  private external = false;
  /** The trace-cmd buffer each side follows ('' = top); null until that side's first exit event. */
  private guestBuffer: string | null = null;
  private hostBuffer: string | null = null;
  // The transaction being built: whether there is one, its ordinal, start, whether a hand-off came back to the
  // initiating lane, its item count; its spans, exits and arrows are in `rows`.
  private building = false;
  private index = 0;
  private startNs = 0;
  private returned = false;
  private items = 0;
  private readonly rows = new TransactionRows();
  // pending signals by target lane: sender and send time
  private readonly incoming = new CpuTable<Incoming>();
  private readonly sendStart = new CpuTable<SendStart>();
  private readonly openExits = new CpuTable<OpenExit>();
  /** Halts in progress: the exit is recorded where the halt starts and gets its duration when it ends. */
  private readonly openHalts = new CpuTable<OpenHalt>();
  private readonly threads = new VcpuThreads();
  private verdictNow: ExitVerdict | null = null;
  /** The line the exits of the event being added name (null when the caller keeps no lines). */
  private lineNow: number | null = null;
  /** Where the boundary being drawn is, for `closeBefore` (made once, not a closure per transaction). */
  private boundaryNs = 0;
  private readonly closeBefore = (stay: number) => {
    if (this.returned || this.external) this.close(this.boundaryNs, stay);
  };

  /** The model calls `transactionBoundary` itself: the collector stops detecting boundaries. */
  setExternalBoundaries(on: boolean): void {
    this.external = on;
  }

  /** A transaction starts at `atNs` (the previous one, if any, ends there). */
  transactionBoundary(atNs: number): void {
    // An exit recorded just before the boundary was named (the host sees the IPI inside the exit that sends it)
    // belongs to the new transaction.
    this.boundaryNs = atNs;
    this.rows.startAt(atNs, this.building ? this.startNs : null, this.closeBefore);
    this.building = true;
    this.index = this.count;
    this.startNs = atNs;
    this.returned = false;
    this.items = this.rows.exits.count;
  }

  /**
   * `verdict`: the model's verdict on this event's exit (it saw the event first), when it gave one; `kind`: the
   * event's kind when the caller has looked it up already; `keepLine`: whether drawn exits name the event's line.
   */
  add(ev: TraceEvent, verdict: ExitVerdict | null = null, kind: EventKind = eventKind(ev.name), keepLine = true): void {
    this.verdictNow = verdict;
    this.lineNow = keepLine ? ev.line : null;
    // One trace-cmd buffer per side (as the model follows one): other buffers number their CPUs differently.
    const buffer = ev.instance ?? '';
    if (isHostKind(kind)) {
      if (this.hostBuffer === null && kind === EventKind.kvmExit) this.hostBuffer = buffer;
      if (this.hostBuffer === null || this.hostBuffer === buffer) this.hostEvent(ev, kind);
    } else {
      if (this.guestBuffer === null && (kind === EventKind.writeMsr || kind === EventKind.cpuIdle)) {
        this.guestBuffer = buffer;
      }
      if (this.guestBuffer === null || this.guestBuffer === buffer) this.guestEvent(ev, kind);
    }
  }

  /** The model changed its verdict on an exit (a halt's, when it ends). */
  verdict(handle: number, critical: boolean | null): void {
    this.rows.verdict(handle, critical);
  }

  /** The kept sample, critical flags from the model's verdicts, else through its per-line facts. */
  sample(facts: LineFacts): SketchSample {
    const sorted = [...this.kept.values()].sort((a, b) => a.endNs - a.startNs - (b.endNs - b.startNs));
    const p50 = this.durations.quantile(0.5);
    const p99 = this.durations.quantile(0.99);
    const nearest = (ns: number | null) =>
      ns === null || !sorted.length
        ? null
        : sorted.reduce((best, k) =>
            Math.abs(k.endNs - k.startNs - ns) < Math.abs(best.endNs - best.startNs - ns) ? k : best,
          );
    const median = nearest(p50);
    const slow = nearest(p99);
    const picks = [
      sorted[0],
      sorted[Math.floor(sorted.length / 4)],
      sorted[Math.floor((3 * sorted.length) / 4)],
      sorted[sorted.length - 1],
    ];
    const others = [...new Set(picks.filter((k) => k && k !== median && k !== slow))];
    const sketch = (k: KeptTransaction | null) => (k ? this.toSketch(k, facts) : null);
    return {
      count: this.count,
      p50Ns: p50,
      p99Ns: p99,
      median: sketch(median),
      p99: sketch(slow),
      others: others.map((k) => this.toSketch(k, facts)),
    };
  }

  // ---- lanes and transactions --------------------------------------------------------------------------------

  private setSide(side: SketchSide): boolean {
    this.side ??= side;
    return this.side === side;
  }

  private lane(unit: number, t: number): LaneState {
    let s = this.lanes.get(unit);
    if (!s) {
      this.lanes.set(unit, (s = { unit, kind: 'running', since: t }));
      this.laneList.push(s);
    }
    return s;
  }

  private setKind(unit: number, kind: SpanKind, t: number): void {
    const s = this.lane(unit, t);
    if (s.kind === kind) return;
    this.pushSpan(s, t);
    s.kind = kind;
    s.since = t;
  }

  private pushSpan(s: LaneState, t: number): void {
    if (!this.building) return;
    const start = Math.max(s.since, this.startNs);
    if (t <= start) return;
    // A transaction past MAX_ITEMS is not kept: its items are counted, not written.
    if (++this.items > MAX_ITEMS) return;
    const span = this.rows.spans.push();
    span.unit = s.unit;
    span.kind = s.kind;
    span.startNs = start - this.startNs;
    span.endNs = t - this.startNs;
  }

  /** A hand-off leaves `from`: the initiating lane's sends delimit transactions (unless the model does). */
  private sent(from: number, atNs: number): void {
    this.anchor ??= from;
    if (!this.external && from === this.anchor) this.transactionBoundary(atNs);
  }

  private signal(to: number, from: number, atNs: number, kind: 'ipi' | 'handoff', pid: number): void {
    const r = recordOf(this.incoming, to, newIncoming);
    r.active = true;
    r.from = from;
    r.atNs = atNs;
    r.kind = kind;
    r.pid = pid;
  }

  /** The signal pending for lane `to` (an IPI or a hand-off), if any. */
  private pending(to: number): Incoming | null {
    const r = this.incoming.get(to);
    return r && r.active ? r : null;
  }

  private arrived(to: number, atNs: number): void {
    const pending = this.pending(to);
    if (!pending) return;
    pending.active = false;
    if (!this.building || atNs - pending.atNs > ARRIVAL_WINDOW_NS || pending.atNs < this.startNs) return;
    const toHalted = this.lane(to, atNs).kind === 'halted';
    if (++this.items <= MAX_ITEMS) {
      const a = this.rows.arrows.push();
      a.from = pending.from;
      a.to = to;
      a.fromNs = pending.atNs - this.startNs;
      a.toNs = atNs - this.startNs;
      a.kind = pending.kind;
      a.toHalted = toHalted;
    }
    if (to === this.anchor) this.returned = true;
  }

  /** Draws an exit in the transaction being built; its seq (for later changes), -1 when none is built. */
  private exit(
    unit: number,
    atNs: number,
    durationNs: number | null,
    reason: string,
    category: ExitCategory,
    line: number | null,
  ): number {
    if (!this.building || atNs < this.startNs) return -1;
    const e = this.rows.addExit(this.verdictNow);
    e.unit = unit;
    e.atNs = atNs - this.startNs;
    e.durationNs = durationNs;
    e.reason = reason;
    e.category = category;
    e.line = line;
    this.items++;
    return e.seq;
  }

  /** The transaction being built ends at `endNs`, its first `exitCount` exits its own. */
  private close(endNs: number, exitCount: number): void {
    for (const s of this.laneList) {
      this.pushSpan(s, endNs);
      s.since = Math.max(s.since, endNs);
    }
    this.count++;
    const duration = endNs - this.startNs;
    this.durations.add(duration);
    if (this.items > MAX_ITEMS) return;
    const cls = classOf(duration);
    // The first transaction starts before the model knows the critical path: kept only until another replaces it.
    const kept = this.kept.get(cls);
    if (kept && kept.index !== 0) return;
    if (kept) this.rows.forget(kept);
    this.kept.set(cls, this.rows.keep(this.index, this.startNs, endNs, exitCount));
  }

  // ---- guest events ------------------------------------------------------------------------------------------

  // One method per kind: each small enough for the compiler to inline the lane helpers it calls.
  private guestEvent(ev: TraceEvent, kind: EventKind): void {
    if (ev.cpu < 0 || !this.setSide('guest')) return;
    switch (kind) {
      case EventKind.cpuIdle:
        return this.guestIdle(ev);
      case EventKind.writeMsr:
        return this.guestMsrWrite(ev);
      case EventKind.ipiSendCpu:
      case EventKind.ipiSendCpumask:
        return this.guestIpiSend(ev);
      case EventKind.schedWakeup:
        return this.guestWakeup(ev);
      case EventKind.schedSwitch: {
        const sw = schedSwitchOf(ev);
        const pending = this.pending(ev.cpu);
        if (sw && pending?.kind === 'handoff' && pending.pid === sw.nextPid) this.arrived(ev.cpu, ev.timeNs);
        return;
      }
      case EventKind.ipiHandler:
        if (this.pending(ev.cpu)?.kind === 'ipi') this.arrived(ev.cpu, ev.timeNs);
        return;
      default:
    }
  }

  private guestIdle(ev: TraceEvent): void {
    const idle = cpuIdleOf(ev);
    if (!idle) return;
    const t = ev.timeNs;
    if (idle.state === CPU_IDLE_EXIT) {
      this.endHalt(ev.cpu, t);
      this.setKind(ev.cpu, 'running', t);
    } else if (idle.state === 0) this.setKind(ev.cpu, 'polling', t);
    else {
      this.setKind(ev.cpu, 'halted', t);
      const exit = this.exit(ev.cpu, t, null, 'hlt', 'halt', this.lineNow);
      const h = recordOf(this.openHalts, ev.cpu, newOpenHalt);
      h.active = true;
      h.atNs = t;
      h.exit = exit;
    }
  }

  private guestMsrWrite(ev: TraceEvent): void {
    const access = writeMsrOf(ev);
    // the exits the guest model counts: MSRs with a category, reason "msr_write 0x830"
    const msrExit = access ? guestMsrExit(access.msr) : null;
    if (!access || !msrExit) return;
    const t = ev.timeNs;
    if (access.msr === X2APIC_ICR_MSR) {
      const send = this.sendStart.get(ev.cpu);
      const sendActive = send !== undefined && send.active;
      const sendAt = sendActive ? send.atNs : null;
      const sendTarget = sendActive ? send.target : null;
      if (sendActive) send.active = false;
      const dest = sendTarget ?? (access.valueHex !== null ? icrFields(access.valueHex).dest : -1);
      if (dest >= 0 && dest !== ev.cpu) {
        const at = sendAt ?? t;
        if (sendTarget === null) this.sent(ev.cpu, at); // else counted at ipi_send_cpu
        this.signal(dest, ev.cpu, at, 'ipi', 0);
      }
    }
    this.exit(ev.cpu, t, null, msrExit.reason, msrExit.category, this.lineNow);
  }

  private guestIpiSend(ev: TraceEvent): void {
    const targets = ipiTargetsOf(ev);
    const target = targets?.length === 1 && targets[0] !== ev.cpu ? targets[0] : null;
    const send = recordOf(this.sendStart, ev.cpu, newSendStart);
    send.active = true;
    send.atNs = ev.timeNs;
    send.target = target;
    if (target !== null) this.sent(ev.cpu, ev.timeNs);
  }

  private guestWakeup(ev: TraceEvent): void {
    const w = schedWakeupOf(ev);
    if (ev.pid <= 0 || !w || w.targetCpu === ev.cpu || this.pending(w.targetCpu)) return;
    this.sent(ev.cpu, ev.timeNs);
    this.signal(w.targetCpu, ev.cpu, ev.timeNs, 'handoff', w.pid);
  }

  private endHalt(cpu: number, t: number): void {
    const h = this.openHalts.get(cpu);
    if (!h || !h.active) return;
    h.active = false;
    const e = this.rows.exitBySeq(h.exit);
    if (e) e.durationNs = t - h.atNs;
  }

  // ---- host events -------------------------------------------------------------------------------------------

  private vcpuOf(ev: TraceEvent, printed: number | null): number {
    return this.threads.vcpuOf(ev, printed);
  }

  private hostEvent(ev: TraceEvent, kind: EventKind): void {
    if (!this.setSide('host')) return;
    const t = ev.timeNs;
    if (kind === EventKind.kvmExit) {
      const e = kvmExitOf(ev);
      const v = this.vcpuOf(ev, e?.vcpu ?? null);
      this.closeHostExit(v, null);
      const halt = e?.info.category === 'halt';
      const reason = e?.reason ?? '(unreadable kvm_exit)';
      const category = e?.info.category ?? 'other';
      this.setKind(v, halt ? 'halted' : 'in-exit', t);
      const exit = this.exit(v, t, null, reason, category, this.lineNow);
      const open = recordOf(this.openExits, v, newOpenExit);
      open.active = true;
      open.atNs = t;
      open.reason = reason;
      open.category = category;
      open.exit = exit;
    } else if (kind === EventKind.kvmEntry) {
      const v = this.vcpuOf(ev, kvmEntryVcpuOf(ev));
      if (this.lane(v, t).kind === 'halted') this.arrived(v, t);
      this.closeHostExit(v, t);
      this.setKind(v, 'running', t);
    } else if (kind === EventKind.kvmMsr) {
      const access = msrAccessOf('kvm_msr', ev);
      const open = this.openExit(this.vcpuOf(ev, null));
      const cat = access?.write ? msrInfo(access.msr)?.category : null;
      if (open && access && cat && !open.reason.includes(' ')) {
        open.reason = `${open.reason} ${hex(access.msr)}`;
        open.category = cat;
      }
    } else if (kind === EventKind.kvmApicIpi) {
      const ipi = apicIpiOf(ev);
      const from = this.vcpuOf(ev, null);
      if (!ipi || ipi.self || ipi.dest === from) return;
      // The transaction starts with the exit that sends the IPI (the ICR write), not inside it.
      this.sent(from, this.openExit(from)?.atNs ?? t);
      this.signal(ipi.dest, from, t, 'ipi', 0);
      if (this.lane(ipi.dest, t).kind !== 'halted') this.arrived(ipi.dest, t);
    }
  }

  /** The exit open on vCPU `v` (kvm_exit seen, its kvm_entry not yet), if any. */
  private openExit(v: number): OpenExit | null {
    const open = this.openExits.get(v);
    return open && open.active ? open : null;
  }

  private closeHostExit(v: number, entryNs: number | null): void {
    const open = this.openExit(v);
    if (!open) return;
    open.active = false;
    const e = this.rows.exitBySeq(open.exit);
    if (e) {
      e.durationNs = entryNs === null ? null : entryNs - open.atNs;
      e.reason = open.reason;
      e.category = open.category;
    }
  }

  // ---- the sketch --------------------------------------------------------------------------------------------

  private toSketch(k: KeptTransaction, facts: LineFacts): TransactionSketch {
    const units = [
      ...new Set([...k.spans.keys(), ...k.exits.map((e) => e.unit), ...k.arrows.flatMap((a) => [a.from, a.to])]),
    ].sort((a, b) => a - b);
    const laneOf = new Map(units.map((u, i) => [u, i]));
    const side = this.side ?? 'guest';
    const lanes = units.map((unit) => ({
      unit,
      label: side === 'guest' ? `CPU ${unit}` : `vCPU ${unit}`,
      spans: k.spans.get(unit) ?? [],
    }));
    const verdictOf = (e: ExitRow) => e.critical ?? (e.line === null ? null : (facts.get(e.line)?.critical ?? null));
    const exits = k.exits.map((e) => drawnExit(e, laneOf.get(e.unit)!, verdictOf(e)));
    const arrows = k.arrows.map(({ fromNs, toNs, kind, toHalted, from, to }) => {
      return { fromNs, toNs, kind, toHalted, fromLane: laneOf.get(from)!, toLane: laneOf.get(to)! };
    });
    const durationNs = k.endNs - k.startNs;
    const sketch = {
      side,
      index: k.index,
      startNs: k.startNs,
      durationNs,
      lanes,
      exits,
      arrows,
      breakdown: [] as BreakdownPart[],
    };
    sketch.breakdown = breakdownOf(sketch, laneOf.get(this.anchor ?? units[0]) ?? 0);
    return sketch;
  }
}

/** An exit as drawn, its keys in the sketch's order: a verdict the model gave at once comes before the lane. */
function drawnExit(e: ExitRow, lane: number, critical: boolean | null): SketchExit {
  const { atNs, durationNs, reason, category, line } = e;
  return e.hasVerdict
    ? { atNs, durationNs, reason, category, line, critical, lane }
    : { atNs, durationNs, reason, category, line, lane, critical };
}

/**
 * Follows the critical path: the anchor lane holds it from 0, each arrow from the holder moves it (its flight is a
 * wake-up from halt or a signal delivery), and the holder's time splits into exits (host spans) and running.
 */
export function breakdownOf(
  s: Pick<TransactionSketch, 'durationNs' | 'lanes' | 'arrows'>,
  anchorLane: number,
): BreakdownPart[] {
  const parts: Record<BreakdownPart['label'], number> = {
    running: 0,
    'in exits': 0,
    'wake-up from halt': 0,
    'signal delivery': 0,
  };
  let holder = anchorLane;
  let since = 0;
  const hold = (lane: number, from: number, to: number) => {
    const inExit = overlap(s.lanes[lane]?.spans ?? [], 'in-exit', from, to);
    parts['in exits'] += inExit;
    parts.running += to - from - inExit;
  };
  for (const a of [...s.arrows].sort((x, y) => x.fromNs - y.fromNs)) {
    if (a.fromLane !== holder || a.fromNs < since) continue;
    hold(holder, since, a.fromNs);
    parts[a.toHalted ? 'wake-up from halt' : 'signal delivery'] += a.toNs - a.fromNs;
    holder = a.toLane;
    since = a.toNs;
  }
  if (s.durationNs > since) hold(holder, since, s.durationNs);
  return (Object.keys(parts) as BreakdownPart['label'][]).map((label) => ({ label, ns: parts[label] }));
}

function overlap(spans: readonly SketchSpan[], kind: SpanKind, from: number, to: number): number {
  let total = 0;
  for (const sp of spans)
    if (sp.kind === kind) total += Math.max(0, Math.min(sp.endNs, to) - Math.max(sp.startNs, from));
  return total;
}
