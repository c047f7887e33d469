// What a rule returns, and what every rule shares: the workload kind, the rate before, and "not enough evidence".
import type { Recommendation } from '../analysisTypes';
import type { ModelFacts } from '../model/facts';
import { formatCount, formatDuration } from '../../presentation/format';

export type RuleOutcome =
  | { kind: 'recommend'; recommendation: Recommendation }
  | { kind: 'notRecommended'; id: string; reason: string }
  /** The symptom the rule looks for is absent: nothing to say. */
  | null;

export type Rule = (f: ModelFacts) => RuleOutcome;

/** The least evidence a rule needs before it advises anything. */
export interface EvidenceMinimum {
  /** Events the rule counts (halts, timer writes, EOI exits …). */
  events: number;
  /** What those events are, for the message: "EOI exits". */
  eventsName: string;
  /** Traced time (ns); checked when the input knows its duration. */
  tracedNs: number;
  /** Round trips, for rules that predict a request/response rate. */
  roundTrips?: number;
}

export type Workload = 'request-response' | 'throughput' | 'unknown';

export function workloadOf(f: ModelFacts): Workload {
  const test = f.benchmark?.test.toUpperCase() ?? '';
  if (/RR$/.test(test)) return 'request-response';
  if (f.benchmark && f.benchmark.bitsPerSec !== null) return 'throughput';
  if (f.transactions && f.transactions.count > 0) return 'request-response';
  return 'unknown';
}

export function recommend(recommendation: Recommendation): RuleOutcome {
  return { kind: 'recommend', recommendation };
}

export function notRecommended(id: string, reason: string): RuleOutcome {
  return { kind: 'notRecommended', id, reason };
}

/**
 * "not enough evidence: record at least …" when the run falls short of the rule's minimum, else null.
 * `events` is what the run has of the minimum's events; round trips and traced time come from the facts.
 */
export function lackOfEvidence(id: string, min: EvidenceMinimum, events: number, f: ModelFacts): RuleOutcome {
  const tracedNs = f.transactions?.activeNs ?? f.exits?.durationNs ?? f.trace.durationNs;
  const roundTrips = f.transactions?.count ?? 0;
  const short: string[] = [];
  if (events < min.events) {
    short.push(`${formatCount(min.events)} ${min.eventsName} (this run: ${formatCount(events)})`);
  }
  if (min.roundTrips !== undefined && roundTrips < min.roundTrips) {
    short.push(`${formatCount(min.roundTrips)} round trips (this run: ${formatCount(roundTrips)})`);
  }
  if (tracedNs !== null && tracedNs < min.tracedNs) {
    short.push(`${formatDuration(min.tracedNs)} of traced activity (this run: ${formatDuration(tracedNs)})`);
  }
  if (short.length === 0) return null;
  return notRecommended(id, `not enough evidence: record at least ${short.join(' and ')}.`);
}

/** The rate the prediction starts from: the benchmark's, else the trace's. */
export function rateBefore(f: ModelFacts): number | null {
  return f.benchmark?.transactionsPerSec ?? f.transactions?.perSecond ?? null;
}

/**
 * The benchmark and the trace disagree on the rate by more than this factor: the trace may cover another part of
 * the run, so no prediction is made from it.
 */
export const INCONSISTENT_RATE_RATIO = 1.25;

/** trace rate / benchmark rate when both are known, else null. */
export function traceToBenchmarkRatio(f: ModelFacts): number | null {
  const b = f.benchmark?.transactionsPerSec;
  const t = f.transactions?.perSecond;
  return b && t && t > 0 ? t / b : null;
}

export function baselineInconsistent(f: ModelFacts): boolean {
  const r = traceToBenchmarkRatio(f);
  return r !== null && (r < 1 / INCONSISTENT_RATE_RATIO || r > INCONSISTENT_RATE_RATIO);
}
