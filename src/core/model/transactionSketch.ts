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
  schedSwitchOf,
  schedWakeupOf,
} from '../eventFields';
import { CPU_IDLE_EXIT, hex, msrInfo } from '../knowledge/exitTable';
import type { LineFacts } from '../lineFacts';
import type { TraceEvent } from '../records';
import { LogHistogram } from '../stats/logHistogram';
import { CpuTable } from './cpuTable';
import { EventKind, eventKind, isHostKind } from './eventKinds';
import { guestMsrExit } from './guestModel';
import { VcpuThreads } from './vcpuThreads';

export type SketchSide = 'guest' | 'host';
export type SpanKind = 'running' | 'halted' | 'in-exit' | 'polling';

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
  kind: SpanKind;
  since: number;
}

/** The model's verdict on the event just added: a handle for later updates and the critical flag so far. */
export interface ExitVerdict {
  handle: number;
  critical: boolean | null;
}

type BuildingExit = Omit<SketchExit, 'lane' | 'critical'> & {
  unit: number;
  critical?: boolean | null;
  handle?: number;
};

interface Building {
  index: number;
  startNs: number;
  spans: Map<number, SketchSpan[]>;
  exits: BuildingExit[];
  arrows: (Omit<SketchArrow, 'fromLane' | 'toLane'> & { from: number; to: number })[];
  returned: boolean;
  items: number;
  /** Handles of this transaction's exits registered in `byHandle` (a verdict may still change), to forget. */
  openHandles: number[];
}

type Kept = Building & { endNs: number };

const LOG_CLASS_RATIO = Math.log(CLASS_RATIO);
const classOf = (ns: number) => Math.floor(Math.log(Math.max(ns, 1)) / LOG_CLASS_RATIO);

export class TransactionSketchCollector {
  private side: SketchSide | null = null;
  private readonly lanes = new Map<number, LaneState>();
  private anchor: number | null = null;
  private current: Building | null = null;
  private count = 0;
  private readonly durations = new LogHistogram();
  private readonly kept = new Map<number, Kept>();
  private external = false;
  private readonly buffers: Record<SketchSide, string | null> = { guest: null, host: null };
  // pending signals by target lane: sender and send time
  private readonly incoming = new CpuTable<{ from: number; atNs: number; kind: 'ipi' | 'handoff'; pid?: number }>();
  private readonly sendStart = new CpuTable<{ atNs: number; target: number | null }>();
  private readonly openExits = new CpuTable<{
    atNs: number;
    reason: string;
    category: ExitCategory;
    exit: Omit<SketchExit, 'lane' | 'critical'> | null;
  }>();
  private readonly threads = new VcpuThreads();
  /** Exits of the current and the kept transactions by verdict handle: the model may decide (halts) later. */
  private readonly byHandle = new Map<number, BuildingExit>();
  private verdictNow: ExitVerdict | null = null;

  /** The model calls `transactionBoundary` itself: the collector stops detecting boundaries. */
  setExternalBoundaries(on: boolean): void {
    this.external = on;
  }

  /** A transaction starts at `atNs` (the previous one, if any, ends there). */
  transactionBoundary(atNs: number): void {
    const previous = this.current;
    // An exit recorded just before the boundary was named (the host sees the IPI inside the exit that sends it)
    // belongs to the new transaction.
    const moved =
      previous && this.exitsFrom(previous, atNs) ? previous.exits.filter((e) => previous.startNs + e.atNs >= atNs) : [];
    const movedOpen = moved.filter((e) => e.handle !== undefined && previous!.openHandles.includes(e.handle));
    if (previous && moved.length) {
      previous.exits = previous.exits.filter((e) => !moved.includes(e));
      previous.openHandles = previous.openHandles.filter((h) => !movedOpen.some((e) => e.handle === h));
    }
    if (previous && (previous.returned || this.external)) this.close(atNs);
    for (const e of moved) e.atNs += (previous?.startNs ?? atNs) - atNs;
    this.current = {
      index: this.count,
      startNs: atNs,
      spans: new Map(),
      exits: moved,
      arrows: [],
      returned: false,
      items: moved.length,
      openHandles: movedOpen.map((e) => e.handle!),
    };
  }

  /** Whether `b` holds an exit at or after `atNs` (most boundaries move none: no arrays are made for them). */
  private exitsFrom(b: Building, atNs: number): boolean {
    for (const e of b.exits) if (b.startNs + e.atNs >= atNs) return true;
    return false;
  }

  /**
   * `verdict`: the model's verdict on this event's exit (it saw the event first), when it gave one; `kind`: the
   * event's kind when the caller has looked it up already.
   */
  add(ev: TraceEvent, verdict: ExitVerdict | null = null, kind: EventKind = eventKind(ev.name)): void {
    this.verdictNow = verdict;
    // One trace-cmd buffer per side (as the model follows one): other buffers number their CPUs differently.
    const host = isHostKind(kind);
    const buffer = ev.instance ?? '';
    const side = host ? 'host' : 'guest';
    if (
      this.buffers[side] === null &&
      (host ? kind === EventKind.kvmExit : kind === EventKind.writeMsr || kind === EventKind.cpuIdle)
    )
      this.buffers[side] = buffer;
    if (this.buffers[side] !== null && this.buffers[side] !== buffer) return;
    if (host) this.hostEvent(ev, kind);
    else this.guestEvent(ev, kind);
  }

  /** The model changed its verdict on an exit (a halt's, when it ends). */
  verdict(handle: number, critical: boolean | null): void {
    const e = this.byHandle.get(handle);
    if (e) e.critical = critical;
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
    const sketch = (k: Kept | null) => (k ? this.toSketch(k, facts) : null);
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
    if (!s) this.lanes.set(unit, (s = { kind: 'running', since: t }));
    return s;
  }

  private setKind(unit: number, kind: SpanKind, t: number): void {
    const s = this.lane(unit, t);
    if (s.kind === kind) return;
    this.pushSpan(unit, s, t);
    s.kind = kind;
    s.since = t;
  }

  private pushSpan(unit: number, s: LaneState, t: number): void {
    const b = this.current;
    if (!b) return;
    const start = Math.max(s.since, b.startNs);
    if (t <= start) return;
    let spans = b.spans.get(unit);
    if (!spans) b.spans.set(unit, (spans = []));
    spans.push({ kind: s.kind, startNs: start - b.startNs, endNs: t - b.startNs });
    b.items++;
  }

  /** A hand-off leaves `from`: the initiating lane's sends delimit transactions (unless the model does). */
  private sent(from: number, atNs: number): void {
    this.anchor ??= from;
    if (!this.external && from === this.anchor) this.transactionBoundary(atNs);
  }

  private arrived(to: number, atNs: number): void {
    const pending = this.incoming.get(to);
    this.incoming.delete(to);
    const b = this.current;
    if (!pending || !b || atNs - pending.atNs > ARRIVAL_WINDOW_NS || pending.atNs < b.startNs) return;
    const toHalted = this.lane(to, atNs).kind === 'halted';
    b.arrows.push({
      from: pending.from,
      to,
      fromNs: pending.atNs - b.startNs,
      toNs: atNs - b.startNs,
      kind: pending.kind,
      toHalted,
    });
    b.items++;
    if (to === this.anchor) b.returned = true;
  }

  private exit(
    unit: number,
    atNs: number,
    durationNs: number | null,
    reason: string,
    category: ExitCategory,
    line: number | null,
  ) {
    const b = this.current;
    if (!b || atNs < b.startNs) return null;
    const e: BuildingExit = { unit, atNs: atNs - b.startNs, durationNs, reason, category, line };
    if (this.verdictNow) {
      e.critical = this.verdictNow.critical;
      e.handle = this.verdictNow.handle;
      // Only an open verdict (null) can change later: a decided one is never updated to another value.
      if (e.critical === null) {
        this.byHandle.set(e.handle, e);
        b.openHandles.push(e.handle);
      }
    }
    b.exits.push(e);
    b.items++;
    return e;
  }

  private close(endNs: number): void {
    const b = this.current!;
    // forEach: no [unit, state] pair made per lane, as for...of makes
    this.lanes.forEach((s, unit) => {
      this.pushSpan(unit, s, endNs);
      s.since = Math.max(s.since, endNs);
    });
    this.count++;
    const duration = endNs - b.startNs;
    this.durations.add(duration);
    if (b.items <= MAX_ITEMS) {
      const cls = classOf(duration);
      // The first transaction starts before the model knows the critical path: kept only until another replaces it.
      const kept = this.kept.get(cls);
      if (!kept || kept.index === 0) {
        if (kept) this.forget(kept);
        this.kept.set(cls, { ...b, endNs });
      } else this.forget(b);
    } else this.forget(b);
    this.current = null;
  }

  private forget(b: Building): void {
    for (const h of b.openHandles) this.byHandle.delete(h);
  }

  // ---- guest events ------------------------------------------------------------------------------------------

  private guestEvent(ev: TraceEvent, kind: EventKind): void {
    if (ev.cpu < 0 || !this.setSide('guest')) return;
    const t = ev.timeNs;
    switch (kind) {
      case EventKind.cpuIdle: {
        const idle = cpuIdleOf(ev);
        if (!idle) return;
        if (idle.state === CPU_IDLE_EXIT) {
          this.endHalt(ev.cpu, t);
          this.setKind(ev.cpu, 'running', t);
        } else if (idle.state === 0) this.setKind(ev.cpu, 'polling', t);
        else {
          this.setKind(ev.cpu, 'halted', t);
          this.openHalts.set(ev.cpu, { atNs: t, exit: this.exit(ev.cpu, t, null, 'hlt', 'halt', ev.line) });
        }
        return;
      }
      case EventKind.writeMsr: {
        const access = msrAccessOf('write_msr', ev);
        // the exits the guest model counts: MSRs with a category, reason "msr_write 0x830"
        const msrExit = access ? guestMsrExit(access.msr) : null;
        if (!access || !msrExit) return;
        if (access.msr === 0x830) {
          const send = this.sendStart.get(ev.cpu);
          this.sendStart.delete(ev.cpu);
          const dest = send?.target ?? (access.valueHex !== null ? icrFields(access.valueHex).dest : -1);
          if (dest >= 0 && dest !== ev.cpu) {
            const at = send?.atNs ?? t;
            if ((send?.target ?? null) === null) this.sent(ev.cpu, at); // else counted at ipi_send_cpu
            this.incoming.set(dest, { from: ev.cpu, atNs: at, kind: 'ipi' });
          }
        }
        this.exit(ev.cpu, t, null, msrExit.reason, msrExit.category, ev.line);
        return;
      }
      case EventKind.ipiSendCpu:
      case EventKind.ipiSendCpumask: {
        const targets = ipiTargetsOf(ev);
        const target = targets?.length === 1 && targets[0] !== ev.cpu ? targets[0] : null;
        this.sendStart.set(ev.cpu, { atNs: t, target });
        if (target !== null) this.sent(ev.cpu, t);
        return;
      }
      case EventKind.schedWakeup: {
        const w = schedWakeupOf(ev);
        if (ev.pid <= 0 || !w || w.targetCpu === ev.cpu || this.incoming.has(w.targetCpu)) return;
        this.sent(ev.cpu, t);
        this.incoming.set(w.targetCpu, { from: ev.cpu, atNs: t, kind: 'handoff', pid: w.pid });
        return;
      }
      case EventKind.schedSwitch: {
        const sw = schedSwitchOf(ev);
        const pending = this.incoming.get(ev.cpu);
        if (sw && pending?.kind === 'handoff' && pending.pid === sw.nextPid) this.arrived(ev.cpu, t);
        return;
      }
      case EventKind.ipiHandler:
        if (this.incoming.get(ev.cpu)?.kind === 'ipi') this.arrived(ev.cpu, t);
        return;
      default:
    }
  }

  /** Halts in progress: the exit is recorded where the halt starts and gets its duration when it ends. */
  private readonly openHalts = new CpuTable<{ atNs: number; exit: { durationNs: number | null } | null }>();

  private endHalt(cpu: number, t: number): void {
    const h = this.openHalts.get(cpu);
    this.openHalts.delete(cpu);
    if (h?.exit) h.exit.durationNs = t - h.atNs;
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
      this.openExits.set(v, { atNs: t, reason, category, exit: this.exit(v, t, null, reason, category, ev.line) });
    } else if (kind === EventKind.kvmEntry) {
      const v = this.vcpuOf(ev, kvmEntryVcpuOf(ev));
      if (this.lane(v, t).kind === 'halted') this.arrived(v, t);
      this.closeHostExit(v, t);
      this.setKind(v, 'running', t);
    } else if (kind === EventKind.kvmMsr) {
      const access = msrAccessOf('kvm_msr', ev);
      const open = this.openExits.get(this.vcpuOf(ev, null));
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
      this.sent(from, this.openExits.get(from)?.atNs ?? t);
      this.incoming.set(ipi.dest, { from, atNs: t, kind: 'ipi' });
      if (this.lane(ipi.dest, t).kind !== 'halted') this.arrived(ipi.dest, t);
    }
  }

  private closeHostExit(v: number, entryNs: number | null): void {
    const open = this.openExits.get(v);
    if (!open) return;
    this.openExits.delete(v);
    const e = open.exit;
    if (e) {
      e.durationNs = entryNs === null ? null : entryNs - open.atNs;
      e.reason = open.reason;
      e.category = open.category;
    }
  }

  // ---- the sketch --------------------------------------------------------------------------------------------

  private toSketch(k: Kept, facts: LineFacts): TransactionSketch {
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
    const verdictOf = (e: Pick<BuildingExit, 'critical' | 'line'>) =>
      e.critical ?? (e.line === null ? null : (facts.get(e.line)?.critical ?? null));
    const exits = k.exits.map(({ unit, handle: _handle, ...e }) => ({
      ...e,
      lane: laneOf.get(unit)!,
      critical: verdictOf(e),
    }));
    const arrows = k.arrows.map(({ from, to, ...a }) => ({
      ...a,
      fromLane: laneOf.get(from)!,
      toLane: laneOf.get(to)!,
    }));
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
