// Several traces at once: decide whether the inputs are one run or several. The same recording given twice (the
// text and its trace.dat, or one file twice) is analysed once; traces of the same side (host or guest) whose time
// ranges do not meet are different runs, analysed separately (Analysis.runs), never summed into one. Host and guest
// traces, benchmark output and count tables of one run stay together, as before.
import type { Analysis, AnalysisRun } from './analysisTypes';
import { sourceName, type InputSource } from './byteSource';
import type { InputRecord } from './records';

/** Events whose keys are sampled per input: enough to tell the same recording from another one. */
const SAMPLED_EVENTS = 4096;
/** Share of sampled events two inputs must have in common (same µs, CPU and name) to be the same recording. */
const SAME_RECORDING_SHARE = 0.5;

interface Fingerprint {
  events: number;
  kvmEvents: number;
  firstNs: number | null;
  lastNs: number | null;
  keys: Set<string>;
}

/** Collects per input what grouping needs, cheaply, while the inputs are read once. */
export class RunFingerprints {
  private readonly prints: Fingerprint[] = [];

  add(input: number, r: InputRecord): void {
    if (r.type !== 'event') return;
    let f = this.prints[input];
    if (!f) this.prints[input] = f = { events: 0, kvmEvents: 0, firstNs: null, lastNs: null, keys: new Set() };
    f.events++;
    if (r.name.startsWith('kvm_')) f.kvmEvents++;
    const t = r.timeNs;
    if (Number.isFinite(t)) {
      if (f.firstNs === null || t < f.firstNs) f.firstNs = t;
      if (f.lastNs === null || t > f.lastNs) f.lastNs = t;
    }
    // Text prints µs (or ns), trace.dat has ns: the key is at µs, truncated as trace-cmd report prints it.
    if (f.keys.size < SAMPLED_EVENTS) f.keys.add(`${Math.floor(t / 1000)}:${r.cpu}:${r.name}`);
  }

  plan(inputs: number): RunPlan {
    return planRuns(Array.from({ length: inputs }, (_, i) => this.prints[i] ?? null));
  }
}

export type RunPlan =
  | { kind: 'one-run' }
  /** `groups`: inputs analysed together, one group per run; `dropped`: inputs that repeat another one. */
  | { kind: 'regrouped'; groups: number[][]; dropped: Duplicate[]; reason: string };

/** An input that repeats input `sameAs` (`shared`: share of its sampled events found there). */
interface Duplicate {
  input: number;
  sameAs: number;
  shared: number;
}

function side(f: Fingerprint): 'host' | 'guest' {
  return f.kvmEvents * 2 >= f.events ? 'host' : 'guest';
}

function shared(a: Fingerprint, b: Fingerprint): number {
  const [small, large] = a.keys.size <= b.keys.size ? [a.keys, b.keys] : [b.keys, a.keys];
  if (small.size === 0) return 0;
  let n = 0;
  for (const k of small) if (large.has(k)) n++;
  return n / small.size;
}

/** Whether two time ranges meet; ranges without timestamps never do (nothing shows they belong together). */
function overlap(a: Fingerprint, b: Fingerprint): boolean {
  if (a.firstNs === null || a.lastNs === null || b.firstNs === null || b.lastNs === null) return false;
  return a.firstNs <= b.lastNs && b.firstNs <= a.lastNs;
}

/** Could be the same recording: time ranges meet, or neither input has timestamps (then the events decide). */
function sameTime(a: Fingerprint, b: Fingerprint): boolean {
  return overlap(a, b) || (a.firstNs === null && b.firstNs === null);
}

/** The decision, from what each input holds (null: no trace events, e.g. benchmark output or a count table). */
export function planRuns(prints: readonly (Fingerprint | null)[]): RunPlan {
  const traces = prints.flatMap((f, i) => (f && f.events > 0 ? [i] : []));
  const dropped: Duplicate[] = [];
  const kept: number[] = [];
  for (const i of traces) {
    const f = prints[i]!;
    const twin = kept.find((k) => sameTime(prints[k]!, f) && shared(prints[k]!, f) >= SAME_RECORDING_SHARE);
    if (twin === undefined) kept.push(i);
    else dropped.push({ input: i, sameAs: twin, shared: Math.round(shared(prints[twin]!, f) * 100) / 100 });
  }
  // Kept traces of one side form runs of traces whose time ranges meet; host and guest traces join the first run.
  const runs: number[][] = [];
  for (const i of kept) {
    const f = prints[i]!;
    const run = runs.find((r) => r.some((k) => side(prints[k]!) === side(f) && overlap(prints[k]!, f)));
    const sameSideElsewhere = runs.some((r) => r.some((k) => side(prints[k]!) === side(f)));
    if (run) run.push(i);
    else if (runs.length > 0 && !sameSideElsewhere) runs[0].push(i);
    else runs.push([i]);
  }
  if (dropped.length === 0 && runs.length <= 1) return { kind: 'one-run' };
  // Inputs without trace events (benchmark output, count tables) stay with the first run.
  const others = prints.flatMap((f, i) => (f && f.events > 0 ? [] : [i]));
  const groups = runs.length > 0 ? runs.map((r, n) => (n === 0 ? [...r, ...others] : r)) : [others];
  for (const g of groups) g.sort((a, b) => a - b);
  const reasons: string[] = [];
  if (dropped.length > 0) reasons.push('the same recording was given more than once');
  if (runs.length > 1) reasons.push('traces of the same side whose time ranges do not meet are different runs');
  return { kind: 'regrouped', groups, dropped, reason: reasons.join('; ') };
}

/**
 * Builds the analysis of a regrouped input set: `analyzeGroup` analyses the inputs of one run (read again; this only
 * happens when inputs had to be split or de-duplicated). The first run's analysis is the result; every run is in
 * `runs`; every input keeps its entry in `inputs`, with a warning saying what was done with it.
 */
export async function regroup<T extends { analysis: Analysis }>(
  sources: readonly InputSource[],
  plan: Extract<RunPlan, { kind: 'regrouped' }>,
  combined: Analysis,
  analyzeGroup: (group: InputSource[]) => Promise<T>,
): Promise<T> {
  const paths = sources.map((input) => (typeof input === 'string' ? input : sourceName(input)));
  const results: T[] = [];
  for (const g of plan.groups) results.push(await analyzeGroup(g.map((i) => sources[i])));
  const first = results[0];
  const inputs = combined.inputs.map((input) => ({ ...input, warnings: [...input.warnings] }));
  for (const d of plan.dropped) {
    inputs[d.input]?.warnings.push({
      line: null,
      message:
        `not analysed: the same recording as ${label([paths[d.sameAs]])} (${Math.round(d.shared * 100)} % of its ` +
        'sampled events identical in time, CPU and name); counting it again would double every count',
    });
  }
  if (plan.groups.length > 1) {
    plan.groups.forEach((g, n) => {
      const run = `run ${n + 1} of ${plan.groups.length} (${label(g.map((k) => paths[k]))})`;
      for (const i of g) inputs[i]?.warnings.push({ line: null, message: `analysed as ${run}: ${plan.reason}` });
    });
  }
  const analysis: Analysis = { ...first.analysis, inputs };
  analysis.modelNotes = [...(first.analysis.modelNotes ?? []), `Inputs regrouped: ${plan.reason}.`];
  if (plan.groups.length > 1) {
    // a group whose input holds several runs (tables, benchmark runs) lists each of them, never only its first
    analysis.runs = results.flatMap((r, n) => {
      const groupLabel = label(plan.groups[n].map((i) => paths[i]));
      const inner = r.analysis.runs;
      if (!inner || inner.length === 0) return [toRun(r.analysis, groupLabel)];
      return inner.map((run) => ({ ...run, label: `${groupLabel}: ${run.label}` }));
    });
  }
  return { ...first, analysis };
}

function toRun(a: Analysis, runLabel: string): AnalysisRun {
  return {
    label: runLabel,
    exits: a.exits,
    transactions: a.transactions,
    benchmark: a.benchmark,
    recommendations: a.recommendations,
    notRecommended: a.notRecommended,
  };
}

function label(paths: readonly string[]): string {
  return paths.map((p) => p.split(/[\\/]/).pop() ?? p).join(' + ');
}
