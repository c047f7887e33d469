// The transaction the sketch is building, in reused rows (RowPool): its spans, exits and arrows are written into rows
// that the next transaction overwrites, and only a transaction the sample keeps is copied out into objects of its own.
// An exit may still change after it was written (a halt's duration when it ends, a host exit's reason refined by
// kvm_msr, the model's verdict): it is named by a sequence number, never by its row, so a change reaches the exit
// wherever it is then — its row, or its copy in a kept transaction — and does nothing once it was dropped.
import type { ExitCategory } from '../analysisTypes';
import { IntKeyTable } from './intKeyTable';
import { RowPool } from './rowPool';

export type SpanKind = 'running' | 'halted' | 'in-exit' | 'polling';

/** Times are ns relative to the transaction's start. */
export interface SpanRow {
  unit: number;
  kind: SpanKind;
  startNs: number;
  endNs: number;
}

export interface ArrowRow {
  from: number;
  to: number;
  fromNs: number;
  toNs: number;
  kind: 'ipi' | 'handoff';
  toHalted: boolean;
}

export interface ExitRow {
  /** Unique over the whole trace: how later changes find the exit. */
  seq: number;
  unit: number;
  atNs: number;
  durationNs: number | null;
  reason: string;
  category: ExitCategory;
  line: number | null;
  /** Whether the model gave a verdict when the exit was written (then `critical` and `handle` hold it). */
  hasVerdict: boolean;
  critical: boolean | null;
  handle: number;
  /** The verdict was open (null) when written: a later one may change it, found by handle. */
  verdictOpen: boolean;
}

/** A transaction the sample keeps: plain objects of its own; its exits still change through `exitBySeq`. */
export interface KeptTransaction {
  index: number;
  startNs: number;
  endNs: number;
  spans: Map<number, { kind: SpanKind; startNs: number; endNs: number }[]>;
  exits: ExitRow[];
  arrows: ArrowRow[];
}

export class TransactionRows {
  readonly spans = new RowPool<SpanRow>(() => ({ unit: 0, kind: 'running', startNs: 0, endNs: 0 }));
  readonly arrows = new RowPool<ArrowRow>(() => ({ from: 0, to: 0, fromNs: 0, toNs: 0, kind: 'ipi', toHalted: false }));
  readonly exits = new RowPool<ExitRow>(newExitRow);
  /** Exits at the front of `exits` that came from the transaction before (their seqs are not consecutive). */
  private carried = 0;
  private nextSeq = 0;
  /** Exits of kept transactions by seq. */
  private readonly keptBySeq = new IntKeyTable<ExitRow>();
  /** Exits written with an open verdict, by the model's handle: their seq. */
  private readonly openVerdicts = new IntKeyTable<number>();
  // startAt's cut, read by a predicate made once (not a closure per transaction): the previous start and the new one.
  private cutFromNs = 0;
  private cutAtNs = 0;
  private readonly atOrAfterCut = (e: ExitRow) => this.cutFromNs + e.atNs >= this.cutAtNs;

  /** A new exit row (every field to be written by the caller except seq, verdictOpen). */
  addExit(verdict: { handle: number; critical: boolean | null } | null): ExitRow {
    const e = this.exits.push();
    e.seq = this.nextSeq++;
    e.hasVerdict = verdict !== null;
    e.critical = verdict ? verdict.critical : null;
    e.handle = verdict ? verdict.handle : 0;
    // Only an open verdict (null) can change later: a decided one is never updated to another value.
    e.verdictOpen = verdict !== null && verdict.critical === null;
    if (e.verdictOpen) this.openVerdicts.set(e.handle, e.seq);
    return e;
  }

  /** The exit numbered `seq`: in the transaction being built or in a kept one; undefined once dropped (or -1). */
  exitBySeq(seq: number): ExitRow | undefined {
    if (seq < 0) return undefined;
    const exits = this.exits;
    const carried = this.carried;
    if (carried < exits.count) {
      // exits written in this transaction have consecutive seqs
      const i = carried + (seq - exits.at(carried).seq);
      if (i >= carried && i < exits.count) return exits.at(i);
    }
    for (let i = 0; i < carried; i++) if (exits.at(i).seq === seq) return exits.at(i);
    return this.keptBySeq.get(seq);
  }

  /** The model's later verdict on an exit written with an open one. */
  verdict(handle: number, critical: boolean | null): void {
    const seq = this.openVerdicts.get(handle);
    const e = seq === undefined ? undefined : this.exitBySeq(seq);
    if (e) e.critical = critical;
  }

  /**
   * A new transaction starts at `atNs` (relative times of carried exits move to it): exits of the one before at or
   * after `atNs` are carried into it. `close` sees the one before without them, with `stay` exits, and keeps it
   * (`keep` returns a copy) or not.
   */
  startAt(atNs: number, previousStartNs: number | null, close: (stay: number) => void): void {
    if (previousStartNs !== null) {
      this.cutFromNs = previousStartNs;
      this.cutAtNs = atNs;
      const stay = this.exits.partition(this.atOrAfterCut);
      close(stay);
      this.dropExits(stay);
      for (let i = 0; i < this.exits.count; i++) this.exits.at(i).atNs += previousStartNs - atNs;
    } else this.dropExits(this.exits.count);
    this.carried = this.exits.count;
    this.spans.clear();
    this.arrows.clear();
  }

  /** Copies the transaction (its first `exitCount` exits) out of the rows, for the sample. */
  keep(index: number, startNs: number, endNs: number, exitCount: number): KeptTransaction {
    const spans = new Map<number, { kind: SpanKind; startNs: number; endNs: number }[]>();
    for (let i = 0; i < this.spans.count; i++) {
      const { unit, kind, startNs: s, endNs: e } = this.spans.at(i);
      let list = spans.get(unit);
      if (!list) spans.set(unit, (list = []));
      list.push({ kind, startNs: s, endNs: e });
    }
    const exits: ExitRow[] = [];
    for (let i = 0; i < exitCount; i++) {
      const copy = { ...this.exits.at(i) };
      exits.push(copy);
      this.keptBySeq.set(copy.seq, copy);
    }
    const arrows: ArrowRow[] = [];
    for (let i = 0; i < this.arrows.count; i++) arrows.push({ ...this.arrows.at(i) });
    return { index, startNs, endNs, spans, exits, arrows };
  }

  /** A kept transaction leaves the sample: its exits are no longer found. */
  forget(k: KeptTransaction): void {
    for (const e of k.exits) {
      this.keptBySeq.delete(e.seq);
      if (e.verdictOpen) this.openVerdicts.delete(e.handle);
    }
  }

  /** Drops the first `n` exit rows (not kept): their open verdicts are forgotten. */
  private dropExits(n: number): void {
    for (let i = 0; i < n; i++) {
      const e = this.exits.at(i);
      // a kept copy answers for its handle from now on
      if (e.verdictOpen && !this.keptBySeq.has(e.seq)) this.openVerdicts.delete(e.handle);
    }
    this.exits.dropFront(n);
  }
}

function newExitRow(): ExitRow {
  return {
    seq: 0,
    unit: 0,
    atNs: 0,
    durationNs: null,
    reason: '',
    category: 'other',
    line: null,
    hasVerdict: false,
    critical: null,
    handle: 0,
    verdictOpen: false,
  };
}
