// Several runs in the inputs (several perf kvm stat tables, repeated benchmark runs): one result per run, never a sum.
// Readers mark where a run starts (RunStart); this routes each run's records to an Analyzer of its own and lists the
// runs side by side as `Analysis.runs` (docs/analysis.schema.json), the first run being the top-level analysis.
import type { Analysis, AnalysisRun } from '../analysisTypes';
import type { InputRecord } from '../records';
import { Analyzer } from './analyzer';

/** Runs listed one by one; each costs a model of its own (about a millisecond to set up, plus its records). */
export const MAX_LISTED_RUNS = 500;

/**
 * Records of an input after the first held back until it shows whether it holds several runs (a reader marks the
 * first run only once the second starts). A longer first run joins the run before it, and that is said.
 */
export const MAX_HELD_RECORDS = 100_000;

interface ExtraRun {
  label: string;
  analyzer: Analyzer;
}

export class RunSplitter {
  private firstLabel: string | null = null;
  private readonly extra: ExtraRun[] = [];
  /** The run records go to now; null: the main (first) run; 'unlisted': a run past MAX_LISTED_RUNS. */
  private current: ExtraRun | null | 'unlisted' = null;
  private unlistedRuns = 0;
  /** Where the first benchmark ran to (netperf "to HOST"): results for other destinations are no repeats of it. */
  private firstDestination: unknown = undefined;
  private seenBenchmark = false;
  // The input being read: its index, its name (labels the runs of inputs after the first), the run marks it made.
  private inputIndex = 0;
  private inputName = '';
  private firstInputName: string | null = null;
  private marksInInput = 0;
  /** This input's records so far, while it is not known whether its first run is a run of its own; else null. */
  private held: InputRecord[] | null = null;
  private heldOverflowLine: number | null = null;
  private readonly notes: string[] = [];

  constructor(private readonly main: Analyzer) {}

  /** A new input starts; `name` labels its runs. Until it marks runs of its own, it belongs to the main run. */
  beginInput(index: number, name: string): void {
    this.endInput();
    this.inputIndex = index;
    this.inputName = name.split(/[\\/]/).pop() ?? name;
    this.firstInputName ??= this.inputName;
    this.marksInInput = 0;
    this.held = index > 0 ? [] : null;
    this.heldOverflowLine = null;
  }

  add(r: InputRecord): void {
    if (r.type === 'run-start') return this.startRun(r.label, r.line);
    if (this.held === null) return this.route(r);
    if (this.held.length < MAX_HELD_RECORDS) {
      this.held.push(r);
      return;
    }
    this.heldOverflowLine = r.line;
    this.release();
    this.route(r);
  }

  private route(r: InputRecord): void {
    if (r.type === 'benchmark' && !this.seenBenchmark) {
      this.seenBenchmark = true;
      this.firstDestination = r.extra.destination;
    }
    if (this.current === null) return this.main.add(r);
    if (this.current !== 'unlisted') this.current.analyzer.add(r);
    // A repeated benchmark run also reaches the main analysis, for the statistics over repeated runs (Cully 2007);
    // a run to another destination is a result of its own, not one more sample of the first.
    if (r.type === 'benchmark' && r.extra.destination === this.firstDestination) this.main.add(r);
  }

  /** Held records go where the input's first run belongs now (the main run, or a run of its own). */
  private release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const r of held) this.route(r);
  }

  private startRun(label: string, line: number): void {
    this.marksInInput++;
    if (this.inputIndex === 0) {
      if (this.firstLabel === null) {
        this.firstLabel = label;
        return;
      }
      return this.newRun(label);
    }
    // An input after the first: each of its runs is a run of its own, never joined to an earlier input's run.
    const named = `${this.inputName}: ${label}`;
    if (this.marksInInput > 1) return this.newRun(named);
    if (this.held !== null) {
      this.newRun(named);
      return this.release();
    }
    this.notes.push(
      `${named}: more than ${MAX_HELD_RECORDS.toLocaleString('en-US')} records before its second run began ` +
        `(line ${line}), too many to hold apart while reading; that first run is analysed with the run before it` +
        (this.heldOverflowLine === null ? '' : ` (from about line ${this.heldOverflowLine} on)`),
    );
  }

  private newRun(label: string): void {
    if (this.extra.length + 1 >= MAX_LISTED_RUNS) {
      this.current = 'unlisted';
      this.unlistedRuns++;
      return;
    }
    const analyzer = new Analyzer(false);
    analyzer.beginInput(this.inputIndex);
    this.current = { label, analyzer };
    this.extra.push(this.current);
  }

  /** The input has ended: records still held had one run only, which belongs to the main run. */
  endInput(): void {
    this.current = null;
    this.release();
  }

  /** The names of the events of the main run and every listed run (a run past MAX_LISTED_RUNS is not read). */
  eventNames(): Set<string> {
    const names = new Set(this.main.eventNames());
    for (const run of this.extra) for (const name of run.analyzer.eventNames()) names.add(name);
    return names;
  }

  /** Lists every run, the first included, on the analysis of the first; nothing when the inputs hold one run. */
  attach(first: Analysis): void {
    this.endInput();
    if (this.notes.length > 0) first.modelNotes = [...(first.modelNotes ?? []), ...this.notes];
    if (this.extra.length === 0 && this.unlistedRuns === 0) return;
    const asRun = (label: string, a: Analysis): AnalysisRun => ({
      label,
      exits: a.exits,
      transactions: a.transactions,
      benchmark: a.benchmark,
      recommendations: a.recommendations,
      notRecommended: a.notRecommended,
      ...(a.hostEvents ? { hostEvents: a.hostEvents } : {}),
    });
    const others = this.extra.map((e) => asRun(e.label, e.analyzer.finish()));
    first.runs = [asRun(this.firstLabel ?? this.firstInputName ?? 'run 1', first), ...others];
    if (this.unlistedRuns > 0) {
      const note =
        `${MAX_LISTED_RUNS + this.unlistedRuns} runs in the inputs: the first ${MAX_LISTED_RUNS} are listed; ` +
        'the benchmark figures of all count in the series statistics, the other tables are not read';
      first.modelNotes = [...(first.modelNotes ?? []), note];
    }
  }
}
