// The one place the export (and the transaction sketch) reach into the model: events go in, and the model's per-line
// facts (critical or not, duration) come back for the line of an exit once the model has decided it.
import type { LineFacts } from '../lineFacts';
import { TraceModel } from '../model/traceModel';
import type { TraceEvent } from '../records';

export interface ModelFeed {
  add(ev: TraceEvent): void;
  finish(): void;
  /** Facts keyed by the `line` of the events fed in (the export numbers binary events by their index). */
  readonly facts: LineFacts;
}

export function modelFeed(): ModelFeed {
  const model = new TraceModel();
  return { add: (ev) => model.add(ev), finish: () => model.finish(), facts: model.facts };
}
