// The critical path of request/response transactions, followed as tokens (Matlack, KVM Forum 2015): the CPU (guest)
// or vCPU (host) whose next action a transaction waits for holds one. An IPI or a cross-CPU wake-up hands the sender's
// token to its target; a CPU that goes idle drops it. Several transactions in flight are several tokens. Also counts
// the hand-offs between tasks (guest) or vCPUs (host) that make round trips.

import { CpuTable } from './cpuTable';

export type Side = 'guest' | 'host';

const MAX_TRACKED = 100_000;
/** A pause between two hand-offs of a pair longer than this is not part of its active time. */
const IDLE_GAP_NS = 500_000_000;

export interface RoundTrips {
  count: number;
  pairs: number;
  handoffs: number;
  activeNs: number;
}

interface Handoff {
  from: number;
  to: number;
  count: number;
  lastNs: number;
  activeNs: number;
}

/** Hand-offs by sender, then target (numbers as keys: no key built per hand-off), and in the order first seen. */
class HandoffTable {
  private readonly byFrom = new Map<number, Map<number, Handoff>>();
  readonly inOrder: Handoff[] = [];
  /** The last two pairs asked for (a round trip alternates between two): found without the maps. */
  private recent: Handoff | undefined;
  private before: Handoff | undefined;

  get(from: number, to: number): Handoff | undefined {
    const r = this.recent;
    if (r !== undefined && r.from === from && r.to === to) return r;
    const b = this.before;
    if (b !== undefined && b.from === from && b.to === to) {
      this.before = r;
      this.recent = b;
      return b;
    }
    const h = this.byFrom.get(from)?.get(to);
    if (h !== undefined) {
      this.before = r;
      this.recent = h;
    }
    return h;
  }

  add(h: Handoff): void {
    let byTo = this.byFrom.get(h.from);
    if (!byTo) this.byFrom.set(h.from, (byTo = new Map()));
    byTo.set(h.to, h);
    this.inOrder.push(h);
  }

  get size(): number {
    return this.inOrder.length;
  }
}

export class CriticalPathTracker {
  /** Tokens per side, null until the first hand-off: host scheduler events never move a vCPU's token. */
  private readonly tokens: Record<Side, CpuTable<true> | null> = { guest: null, host: null };
  /** Hand-offs between tasks (guest) or vCPUs (host): count and active time per ordered pair. */
  private readonly handoffs: Record<Side, HandoffTable> = { guest: new HandoffTable(), host: new HandoffTable() };

  /** Whether any hand-off was seen on this side (before it, exits are not attributed). */
  started(side: Side): boolean {
    return this.tokens[side] !== null;
  }

  /** true/false: `unit` holds a token or not; null before the first hand-off. */
  holds(side: Side, unit: number): boolean | null {
    const set = this.tokens[side];
    return set === null ? null : set.has(unit);
  }

  /** A token moves from `from` (the sender, null when unknown) to `target`. */
  handTo(side: Side, target: number, from: number | null): void {
    const set = (this.tokens[side] ??= new CpuTable());
    if (from !== null) set.delete(from);
    set.set(target, true);
  }

  drop(side: Side, unit: number): void {
    this.tokens[side]?.delete(unit);
  }

  countHandoff(side: Side, from: number, to: number, t: number): void {
    const handoffs = this.handoffs[side];
    const h = handoffs.get(from, to);
    if (h) {
      h.count++;
      // Active time: pauses longer than IDLE_GAP_NS (set-up, tear-down, a stalled peer) do not count.
      if (t - h.lastNs <= IDLE_GAP_NS) h.activeNs += t - h.lastNs;
      h.lastNs = t;
    } else if (handoffs.size < MAX_TRACKED) handoffs.add({ from, to, count: 1, lastNs: t, activeNs: 0 });
  }

  /**
   * Request/response round trips: for each pair of tasks (vCPUs) that hand off to each other, the smaller of the
   * hand-offs each way, summed over the pairs that carry at least 10 % of the busiest pair's round trips (several
   * clients, connections or worker threads each make a pair; stray pairs do not count). The time is the busiest
   * pair's active time, without pauses (a trace usually starts before and ends after the benchmark).
   */
  roundTrips(): RoundTrips {
    return this.countedPairs().totals;
  }

  /** The tasks (vCPUs) of the pairs `roundTrips` counts: the benchmark's own. */
  pairMembers(): Set<number> {
    return this.countedPairs().members;
  }

  private countedPairs(): { totals: RoundTrips; members: Set<number> } {
    // IPIs between vCPUs when the host shows them; else tasks waking each other (a guest trace, or host threads).
    const handoffs = this.handoffs.host.size > 0 ? this.handoffs.host : this.handoffs.guest;
    const pairs: { count: number; handoffs: number; activeNs: number; a: number; b: number }[] = [];
    for (const ab of handoffs.inOrder) {
      const { from: a, to: b } = ab;
      const ba = handoffs.get(b, a);
      if (a > b || !ba) continue;
      pairs.push({
        count: Math.min(ab.count, ba.count),
        handoffs: ab.count + ba.count,
        activeNs: Math.max(ab.activeNs, ba.activeNs),
        ...{ a, b },
      });
    }
    pairs.sort((x, y) => y.count - x.count);
    const busiest = pairs[0];
    if (!busiest) return { totals: { count: 0, pairs: 0, handoffs: 0, activeNs: 0 }, members: new Set() };
    const counted = pairs.filter((p) => p.count >= busiest.count * 0.1);
    const totals = {
      count: counted.reduce((n, p) => n + p.count, 0),
      pairs: counted.length,
      handoffs: counted.reduce((n, p) => n + p.handoffs, 0),
      activeNs: busiest.activeNs,
    };
    return { totals, members: new Set(counted.flatMap((p) => [p.a, p.b])) };
  }
}
