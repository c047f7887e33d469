// Every VM exit the model counts (host kvm_exit, inferred from guest events, or count-table rows) goes through here:
// per reason counts, critical/off-critical, durations, examples, per vCPU, and a decimated timeline.
import type { ExitCategory, ReasonStats } from '../analysisTypes';
import { minSamplesFor } from '../stats/distribution';
import { LogHistogram } from '../stats/logHistogram';

const MAX_EXAMPLES = 5;
/** The timeline keeps at most this many buckets; when it grows past, buckets are merged pairwise. */
const MAX_TIMELINE_BUCKETS = 240;

interface ReasonEntry {
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
}

export interface ExitSample {
  reason: string;
  category: ExitCategory;
  description: string;
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
  private readonly vcpus = new Map<number, number>();
  total = 0;
  private timelineStart: number | null = null;
  private bucketNs = 1_000_000;
  private readonly timeline = new Map<ExitCategory, number[]>();
  /** The same buckets per vCPU (exits per second per vCPU over time), and every halt's duration. */
  private readonly vcpuTimeline = new Map<number, number[]>();
  readonly haltDurations = new LogHistogram();

  add(s: ExitSample, count = 1): void {
    let e = this.reasons.get(s.reason);
    if (!e) {
      e = {
        category: s.category,
        description: s.description,
        count: 0,
        critical: 0,
        offCritical: 0,
        attributed: false,
        durations: new LogHistogram(),
        examples: [],
        tableMeanNs: null,
        tableMaxNs: null,
      };
      this.reasons.set(s.reason, e);
    }
    e.count += count;
    this.total += count;
    if (s.critical !== null) {
      e.attributed = true;
      if (s.critical) e.critical += count;
      else e.offCritical += count;
    }
    if (s.durationNs !== null) e.durations.add(s.durationNs);
    if (s.durationNs !== null && s.category === 'halt') this.haltDurations.add(s.durationNs);
    if (s.exampleLine !== null && e.examples.length < MAX_EXAMPLES) e.examples.push(s.exampleLine);
    if (s.vcpu !== null) this.vcpus.set(s.vcpu, (this.vcpus.get(s.vcpu) ?? 0) + count);
    if (s.timeNs !== null) this.addToTimeline(s.category, s.vcpu, s.timeNs, count);
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
    for (const e of this.reasons.values()) if (e.category === category) n += e.count;
    return n;
  }

  criticalIn(category: ExitCategory): number {
    let n = 0;
    for (const e of this.reasons.values()) if (e.category === category) n += e.critical;
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
    for (const e of this.reasons.values()) {
      const c = e.category;
      out[c] ??= { count: this.countIn(c), critical: this.criticalIn(c), meanDurationNs: this.meanDurationIn(c) };
    }
    return out;
  }

  /** Mean duration of one category's exits (ns), weighted by count. */
  meanDurationIn(category: ExitCategory): number | null {
    let sum = 0;
    let n = 0;
    for (const e of this.reasons.values()) {
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
      const h = e.durations;
      out.push({
        reason,
        category: e.category,
        count: e.count,
        share: this.total > 0 ? e.count / this.total : 0,
        critical: e.attributed ? e.critical : null,
        offCritical: e.attributed ? e.offCritical : null,
        meanNs: round(h.mean ?? e.tableMeanNs),
        p50Ns: round(h.quantile(0.5)),
        // A p99 needs 100 durations to say more than the maximum: hidden below that.
        p99Ns: h.count >= minSamplesFor(0.99) ? round(h.quantile(0.99)) : null,
        maxNs: round(h.count > 0 ? h.max : e.tableMaxNs),
        exampleLines: e.examples,
        description: e.description,
        durationCount: h.count,
      });
    }
    // Most frequent first; ties by name so that output is deterministic.
    return out.sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0));
  }

  byVcpu(): { vcpu: number; count: number }[] {
    return [...this.vcpus].sort((a, b) => a[0] - b[0]).map(([vcpu, count]) => ({ vcpu, count }));
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
    if (!all || this.vcpuTimeline.size === 0) return null;
    const len = Math.max(...Object.values(all.counts).map((a) => a.length));
    const counts: Record<string, number[]> = {};
    for (const [vcpu, arr] of [...this.vcpuTimeline].sort((a, b) => a[0] - b[0])) {
      counts[String(vcpu)] = Array.from({ length: len }, (_, i) => arr[i] ?? 0);
    }
    return { bucketNs: all.bucketNs, startNs: all.startNs, counts };
  }

  private addToTimeline(category: ExitCategory, vcpu: number | null, timeNs: number, count: number): void {
    if (this.timelineStart === null) this.timelineStart = timeNs;
    if (timeNs < this.timelineStart) return; // out-of-order input: counted, not charted
    let idx = Math.floor((timeNs - this.timelineStart) / this.bucketNs);
    while (idx >= MAX_TIMELINE_BUCKETS) {
      this.bucketNs *= 2;
      for (const arr of [...this.timeline.values(), ...this.vcpuTimeline.values()]) {
        for (let i = 0; i < arr.length; i += 2) arr[i / 2] = (arr[i] ?? 0) + (arr[i + 1] ?? 0);
        arr.length = Math.ceil(arr.length / 2);
      }
      idx = Math.floor((timeNs - this.timelineStart) / this.bucketNs);
    }
    let arr = this.timeline.get(category);
    if (!arr) this.timeline.set(category, (arr = []));
    while (arr.length <= idx) arr.push(0);
    arr[idx] += count;
    if (vcpu === null) return;
    let perVcpu = this.vcpuTimeline.get(vcpu);
    if (!perVcpu) this.vcpuTimeline.set(vcpu, (perVcpu = []));
    while (perVcpu.length <= idx) perVcpu.push(0);
    perVcpu[idx] += count;
  }
}

export function round(n: number | null | undefined): number | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : Math.round(n);
}
