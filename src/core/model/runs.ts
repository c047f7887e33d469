// Several runs in the inputs (several perf kvm stat tables, repeated benchmark runs): one result per run, never a sum.
// Readers mark where a run starts (RunStart); this routes each run's records to an Analyzer of its own and lists the
// runs side by side as `Analysis.runs` (CONTRACT.md), the first run being the top-level analysis.
import type { Analysis, AnalysisRun } from '../analysisTypes';
import type { InputRecord } from '../records';
import { Analyzer } from './analyzer';

interface ExtraRun {
  label: string;
  analyzer: Analyzer;
}

export class RunSplitter {
  private firstLabel: string | null = null;
  private readonly extra: ExtraRun[] = [];
  /** The run records go to now; null: the main (first) run. */
  private current: ExtraRun | null = null;
  /** Where the first benchmark ran to (netperf "to HOST"): results for other destinations are no repeats of it. */
  private firstDestination: unknown = undefined;
  private seenBenchmark = false;

  constructor(private readonly main: Analyzer) {}

  add(r: InputRecord): void {
    if (r.type === 'run-start') {
      if (this.firstLabel === null) this.firstLabel = r.label;
      else {
        this.current = { label: r.label, analyzer: new Analyzer(false) };
        this.extra.push(this.current);
      }
      return;
    }
    if (r.type === 'benchmark' && !this.seenBenchmark) {
      this.seenBenchmark = true;
      this.firstDestination = r.extra.destination;
    }
    if (this.current === null) return this.main.add(r);
    this.current.analyzer.add(r);
    // A repeated benchmark run also reaches the main analysis, for the statistics over repeated runs (Cully 2007);
    // a run to another destination is a result of its own, not one more sample of the first.
    if (r.type === 'benchmark' && r.extra.destination === this.firstDestination) this.main.add(r);
  }

  /** A new input starts: it belongs to the main run until it marks runs of its own. */
  endInput(): void {
    this.current = null;
  }

  /** Every run, the first included, or undefined when the inputs hold one run only. */
  runs(first: Analysis): AnalysisRun[] | undefined {
    if (this.extra.length === 0) return undefined;
    const asRun = (label: string, a: Analysis): AnalysisRun => ({
      label,
      exits: a.exits,
      transactions: a.transactions,
      benchmark: a.benchmark,
      recommendations: a.recommendations,
      notRecommended: a.notRecommended,
    });
    return [asRun(this.firstLabel ?? 'run 1', first), ...this.extra.map((e) => asRun(e.label, e.analyzer.finish()))];
  }
}
