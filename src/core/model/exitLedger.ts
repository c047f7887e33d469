// Every VM exit the model counts (host kvm_exit, inferred from guest events, or count-table rows) goes through here:
// per reason counts, critical/off-critical, durations, examples, per vCPU, and a decimated timeline.
import type { ExitCategory, ReasonPart, ReasonStats } from '../analysisTypes';
import { minSamplesFor } from '../stats/distribution';
import { LogHistogram } from '../stats/logHistogram';
import { CpuTable } from './cpuTable';

const MAX_EXAMPLES = 5;
const DENSE_VCPUS = 1024;
const RECENT_REASONS = 4;
/** The timeline keeps at most this many buckets; when it grows past, buckets are merged pairwise. */
const MAX_TIMELINE_BUCKETS = 240;

/**
 * A reason's row or one of its parts. Both have every field (those of rows only are null in parts), so that the
 * tallies counted twice per exit, row and part, are objects of one shape.
 */
interface Tally {
  category: ExitCategory;
  description: string;
  count: number;
  critical: number;
  offCritical: number;
  attributed: boolean;
  durations: LogHistogram;
  examples: number[];
  /** Count tables carry their own mean/max (perf kvm stat Avg/Max time). */
  tableMeanNs: number | null;
  tableMaxNs: number | null;
  /** What other events said the exits did (keyed by detail; null: exits nothing refined), categories from these. */
  parts: Map<string | null, Tally> | null;
  /** parts.get(null), kept at hand. */
  plain: Tally | undefined;
  /** The timeline row of this tally's category, once it has one (rows are halved in place, never replaced). */
  timelineRow: number[] | null;
}

interface ReasonEntry extends Tally {
  parts: Map<string | null, Tally>;
}

/** What an exit did, as an event after it says (kvm_msr, kvm_apic, kvm_mmio): a part of the exit's row. */
export interface ExitPart {
  detail: string;
  category: ExitCategory;
  description: string;
}

export interface ExitSample {
  /** As the source names it (the reason kvm_exit printed). */
  reason: string;
  /** The exit's own category and description, for exits no part refines. */
  category: ExitCategory;
  description: string;
  /** What the exit did, when another event says: counted as a part of the row, with its own category. */
  part?: ExitPart | null;
  vcpu: number | null;
  timeNs: number | null;
  durationNs: number | null;
  /** true/false when the model attributed it to a transaction's critical path or off it; null when not attributed. */
  critical: boolean | null;
  /** Source line in the first input, for examples. */
  exampleLine: number | null;
}

export class ExitLedger {
  private readonly reasons = new Map<string, ReasonEntry>();
  /** Exits per vCPU: vCPUs below DENSE_VCPUS in an array (counted per exit), any other number in the map. */
  private readonly denseVcpus: (number | undefined)[] = [];
  private readonly vcpus = new Map<number, number>();
  total = 0;
  private timelineStart: number | null = null;
  private bucketNs = 1_000_000;
  private readonly timeline = new Map<ExitCategory, number[]>();
  /** The first RECENT_REASONS reasons and their rows, compared before the map is asked. */
  private readonly recentReasons: string[] = [];
  private readonly recentEntries: ReasonEntry[] = [];
  /** The same buckets per vCPU (exits per second per vCPU over time), and every halt's duration. */
  private readonly vcpuTimeline = new CpuTable<number[]>();
  /** The same rows in the order their vCPUs first appeared. */
  private readonly vcpuTimelineRows: [number, number[]][] = [];
  readonly haltDurations = new LogHistogram();

  add(s: ExitSample, count = 1): void {
    const e = this.entry(s);
    const key = s.part?.detail ?? null;
    let part = key === null ? e.plain : e.parts.get(key);
    if (!part) {
      part = newTally(s.part?.category ?? s.category, s.part?.description ?? s.description);
      e.parts.set(key, part);
      if (key === null) e.plain = part;
    }
    tally(e, s, count);
    tally(part, s, count);
    this.total += count;
    if (s.vcpu !== null) this.countVcpu(s.vcpu, count);
    if (s.durationNs !== null && part.category === 'halt') this.haltDurations.add(s.durationNs);
    if (s.timeNs !== null) this.addToTimeline(part, s.vcpu, s.timeNs, count);
  }

  /** The row of the sample's reason (made when new); the few reasons a trace repeats are found without hashing. */
  private entry(s: ExitSample): ReasonEntry {
    const recent = this.recentReasons;
    for (let i = 0; i < recent.length; i++) if (recent[i] === s.reason) return this.recentEntries[i];
    let e = this.reasons.get(s.reason);
    if (!e) {
      const row = newTally(s.category, s.description);
      row.parts = new Map();
      e = row as ReasonEntry;
      this.reasons.set(s.reason, e);
      if (recent.length < RECENT_REASONS) {
        recent.push(s.reason);
        this.recentEntries.push(e);
      }
    }
    return e;
  }

  private countVcpu(vcpu: number, count: number): void {
    if (!(Number.isInteger(vcpu) && vcpu >= 0 && vcpu < DENSE_VCPUS)) {
      this.vcpus.set(vcpu, (this.vcpus.get(vcpu) ?? 0) + count);
      return;
    }
    const dense = this.denseVcpus;
    while (dense.length <= vcpu) dense.push(undefined); // packed, no holes
    dense[vcpu] = (dense[vcpu] ?? 0) + count;
  }

  /** The tallies categories are judged on: each row's parts (its exits as refined by later events). */
  private *leaves(): Iterable<Tally & { tableMeanNs: number | null }> {
    for (const e of this.reasons.values()) {
      for (const p of e.parts.values()) yield { ...p, tableMeanNs: e.parts.size === 1 ? e.tableMeanNs : null };
    }
  }

  /** A count-table row: count with the table's own mean/max time. */
  addTableRow(s: ExitSample, count: number, meanNs: number | null, maxNs: number | null): void {
    this.add({ ...s, durationNs: null }, count);
    const e = this.reasons.get(s.reason)!;
    if (meanNs !== null) {
      const prev = e.tableMeanNs === null ? 0 : e.tableMeanNs * (e.count - count);
      e.tableMeanNs = (prev + meanNs * count) / e.count;
    }
    if (maxNs !== null) e.tableMaxNs = Math.max(e.tableMaxNs ?? 0, maxNs);
  }

  countIn(category: ExitCategory): number {
    let n = 0;
    for (const e of this.leaves()) if (e.category === category) n += e.count;
    return n;
  }

  criticalIn(category: ExitCategory): number {
    let n = 0;
    for (const e of this.leaves()) if (e.category === category) n += e.critical;
    return n;
  }

  get criticalTotal(): number {
    let n = 0;
    for (const e of this.reasons.values()) n += e.critical;
    return n;
  }

  get attributedAny(): boolean {
    for (const e of this.reasons.values()) if (e.attributed) return true;
    return false;
  }

  /** Count, critical count and mean duration per category, as plain data for the rules. */
  byCategory(): Partial<Record<ExitCategory, { count: number; critical: number; meanDurationNs: number | null }>> {
    const out: Partial<Record<ExitCategory, { count: number; critical: number; meanDurationNs: number | null }>> = {};
    for (const e of this.leaves()) {
      const c = e.category;
      out[c] ??= { count: this.countIn(c), critical: this.criticalIn(c), meanDurationNs: this.meanDurationIn(c) };
    }
    return out;
  }

  /** Mean duration of one category's exits (ns), weighted by count. */
  meanDurationIn(category: ExitCategory): number | null {
    let sum = 0;
    let n = 0;
    for (const e of this.leaves()) {
      if (e.category !== category) continue;
      const m = e.durations.mean ?? e.tableMeanNs;
      if (m === null) continue;
      const w = e.durations.count || e.count;
      sum += m * w;
      n += w;
    }
    return n > 0 ? sum / n : null;
  }

  reasonStats(): ReasonStats[] {
    const out: ReasonStats[] = [];
    for (const [reason, e] of this.reasons) {
      const parts = [...e.parts].filter((p): p is [string, Tally] => p[0] !== null);
      // The row takes the category most of its exits have (a msr row of EOI writes is an eoi row).
      const main = [...e.parts.values()].reduce((a, b) => (b.count > a.count ? b : a));
      out.push({
        reason,
        ...this.stats(e, e.tableMeanNs, e.tableMaxNs),
        category: main.category,
        description: e.description,
        ...(parts.length > 0 ? { parts: parts.map(([detail, p]) => ({ detail, ...this.stats(p, null, null) })) } : {}),
      });
      out[out.length - 1].parts?.sort((a, b) => b.count - a.count || (a.detail < b.detail ? -1 : 1));
    }
    // Most frequent first; ties by name so that output is deterministic.
    return out.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }

  private stats(t: Tally, tableMeanNs: number | null, tableMaxNs: number | null): Omit<ReasonPart, 'detail'> {
    const h = t.durations;
    return {
      category: t.category,
      count: t.count,
      share: this.total > 0 ? t.count / this.total : 0,
      critical: t.attributed ? t.critical : null,
      offCritical: t.attributed ? t.offCritical : null,
      meanNs: round(h.mean ?? tableMeanNs),
      p50Ns: round(h.quantile(0.5)),
      // A p99 needs 100 durations to say more than the maximum: hidden below that.
      p99Ns: h.count >= minSamplesFor(0.99) ? round(h.quantile(0.99)) : null,
      maxNs: round(h.count > 0 ? h.max : tableMaxNs),
      exampleLines: t.examples,
      description: t.description,
      durationCount: h.count,
    };
  }

  byVcpu(): { vcpu: number; count: number }[] {
    const dense = this.denseVcpus.flatMap((count, vcpu): [number, number][] =>
      count === undefined ? [] : [[vcpu, count]],
    );
    return [...dense, ...this.vcpus].sort((a, b) => a[0] - b[0]).map(([vcpu, count]) => ({ vcpu, count }));
  }

  timelineSummary(): { bucketNs: number; startNs: number; counts: Record<string, number[]> } | null {
    if (this.timelineStart === null) return null;
    const counts: Record<string, number[]> = {};
    const len = Math.max(...[...this.timeline.values()].map((a) => a.length));
    for (const [cat, arr] of [...this.timeline].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      counts[cat] = Array.from({ length: len }, (_, i) => arr[i] ?? 0);
    }
    return { bucketNs: this.bucketNs, startNs: this.timelineStart, counts };
  }

  /** Exits per time bucket per vCPU (keys are vCPU numbers), on the category timeline's buckets. */
  vcpuTimelineSummary(): { bucketNs: number; startNs: number; counts: Record<string, number[]> } | null {
    const all = this.timelineSummary();
    if (!all || this.vcpuTimelineRows.length === 0) return null;
    const len = Math.max(...Object.values(all.counts).map((a) => a.length));
    const counts: Record<string, number[]> = {};
    for (const [vcpu, arr] of [...this.vcpuTimelineRows].sort((a, b) => a[0] - b[0])) {
      counts[String(vcpu)] = Array.from({ length: len }, (_, i) => arr[i] ?? 0);
    }
    return { bucketNs: all.bucketNs, startNs: all.startNs, counts };
  }

  /** Counts an exit of `part` (its category's row) in the time bucket of `timeNs`. */
  private addToTimeline(part: Tally, vcpu: number | null, timeNs: number, count: number): void {
    if (this.timelineStart === null) this.timelineStart = timeNs;
    if (timeNs < this.timelineStart) return; // out-of-order input: counted, not charted
    let idx = Math.floor((timeNs - this.timelineStart) / this.bucketNs);
    while (idx >= MAX_TIMELINE_BUCKETS) {
      this.bucketNs *= 2;
      for (const arr of [...this.timeline.values(), ...this.vcpuTimelineRows.map((row) => row[1])]) {
        for (let i = 0; i < arr.length; i += 2) arr[i / 2] = (arr[i] ?? 0) + (arr[i + 1] ?? 0);
        arr.length = Math.ceil(arr.length / 2);
      }
      idx = Math.floor((timeNs - this.timelineStart) / this.bucketNs);
    }
    const arr = (part.timelineRow ??= this.timelineRow(part.category));
    while (arr.length <= idx) arr.push(0);
    arr[idx] += count;
    if (vcpu === null) return;
    let perVcpu = this.vcpuTimeline.get(vcpu);
    if (!perVcpu) {
      this.vcpuTimeline.set(vcpu, (perVcpu = []));
      this.vcpuTimelineRows.push([vcpu, perVcpu]);
    }
    while (perVcpu.length <= idx) perVcpu.push(0);
    perVcpu[idx] += count;
  }

  /** The timeline row of `category`, made when new. */
  private timelineRow(category: ExitCategory): number[] {
    let row = this.timeline.get(category);
    if (!row) this.timeline.set(category, (row = []));
    return row;
  }
}

function newTally(category: ExitCategory, description: string): Tally {
  const durations = new LogHistogram();
  return {
    category,
    description,
    count: 0,
    critical: 0,
    offCritical: 0,
    attributed: false,
    durations,
    examples: [],
    tableMeanNs: null,
    tableMaxNs: null,
    parts: null,
    plain: undefined,
    timelineRow: null,
  };
}

function tally(t: Tally, s: ExitSample, count: number): void {
  t.count += count;
  if (s.critical !== null) {
    t.attributed = true;
    if (s.critical) t.critical += count;
    else t.offCritical += count;
  }
  if (s.durationNs !== null) t.durations.add(s.durationNs);
  if (s.exampleLine !== null && t.examples.length < MAX_EXAMPLES) t.examples.push(s.exampleLine);
}

export function round(n: number | null | undefined): number | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n);
}
