// Several runs in the inputs (several perf kvm stat tables, repeated benchmark runs): one result per run, never a sum.
// Readers mark where a run starts (RunStart); this routes each run's records to an Analyzer of its own and lists the
// runs side by side as `Analysis.runs` (docs/analysis.schema.json), the first run being the top-level analysis.
import type { Analysis, AnalysisRun } from '../analysisTypes';
import type { InputRecord } from '../records';
import { Analyzer } from './analyzer';

/** Runs listed one by one; each costs a model of its own (about a millisecond to set up, plus its records). */
export const MAX_LISTED_RUNS = 500;

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

  constructor(private readonly main: Analyzer) {}

  add(r: InputRecord): void {
    if (r.type === 'run-start') return this.startRun(r.label);
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

  private startRun(label: string): void {
    if (this.firstLabel === null) {
      this.firstLabel = label;
      return;
    }
    if (this.extra.length + 1 >= MAX_LISTED_RUNS) {
      this.current = 'unlisted';
      this.unlistedRuns++;
      return;
    }
    this.current = { label, analyzer: new Analyzer(false) };
    this.extra.push(this.current);
  }

  /** A new input starts: it belongs to the main run until it marks runs of its own. */
  endInput(): void {
    this.current = null;
  }

  /** Lists every run, the first included, on the analysis of the first; nothing when the inputs hold one run. */
  attach(first: Analysis): void {
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
    first.runs = [asRun(this.firstLabel ?? 'run 1', first), ...others];
    if (this.unlistedRuns > 0) {
      const note =
        `${MAX_LISTED_RUNS + this.unlistedRuns} runs in the inputs: the first ${MAX_LISTED_RUNS} are listed; ` +
        'the benchmark figures of all count in the series statistics, the other tables are not read';
      first.modelNotes = [...(first.modelNotes ?? []), note];
    }
  }
}
