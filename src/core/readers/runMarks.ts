// Where runs start inside one input (RunStart records), for every reader that can see several runs in one file.
// An input with one run gets no mark at all, so its records stay exactly what was read; at the second run the first
// run's mark follows its records, then the second run's mark comes before its own (the model reads both that way).
import type { RecordSink } from '../records';

export class RunMarks {
  private runs = 0;
  private first: { line: number; label: string } | null = null;

  constructor(private readonly sink: RecordSink) {}

  /** A run starts at `line`; `label` names it for a reader of the report. */
  start(line: number, label: string): void {
    this.runs++;
    if (this.runs === 1) {
      this.first = { line, label };
      return;
    }
    if (this.runs === 2 && this.first) this.sink.record({ type: 'run-start', ...this.first });
    this.sink.record({ type: 'run-start', line, label });
  }
}
