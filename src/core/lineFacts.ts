// Per-line facts the model found (critical path, duration, transaction), for hovers and "reveal in editor".

export interface LineFact {
  /** On the critical path of a request/response transaction (true), off it (false), or not attributed (null). */
  critical: boolean | null;
  /** Duration of the exit/idle where known (exit→entry on host traces, halt→wake on guest traces). */
  durationNs: number | null;
  /** Index of the transaction the line belongs to, if any. */
  transaction: number | null;
}

export interface LineFacts {
  get(line: number): LineFact | null;
}

export const NO_LINE_FACTS: LineFacts = { get: () => null };
