// NOHZ idle (Matlack, KVM Forum 2015): a tickless guest cancels and re-arms its timer at every idle entry and exit,
// each an MSR-write exit; those at idle exit delay the wake-up.
import type { Prediction } from '../analysisTypes';
import { category, type ModelFacts } from '../model/facts';
import { mean } from '../stats/distribution';
import { formatDuration, formatNumber, formatPercent, formatCount } from '../../presentation/format';
import {
  baselineInconsistent,
  lackOfEvidence,
  rateBefore,
  recommend,
  workloadOf,
  type EvidenceMinimum,
  type RuleOutcome,
} from './rule';
import { MATLACK_2015 } from './sources';

export const ID = 'nohz';
/** Timer writes per transaction at which the re-arming is worth removing. */
export const MIN_TIMER_WRITES_PER_TRANSACTION = 1;
/** Without transactions: timer writes as a share of all exits. */
export const MIN_TIMER_SHARE = 0.25;
export const MIN_EVIDENCE: EvidenceMinimum = { events: 100, eventsName: 'timer-MSR writes', tracedNs: 100_000_000 };
/** Pricing one timer write from wake → run windows with and without needs this many of each. */
export const MIN_WINDOWS_FOR_COST = 100;
/** How far one timer write's cost may differ from the mean we price it at (where it lands on the path). */
export const TIMER_COST_SPREAD = 0.5;

/** What one critical timer write costs on the path (ns), or null when the trace cannot tell. */
export function timerWriteCostNs(f: ModelFacts): number | null {
  if (f.exits?.source === 'host') return category(f, 'timer').meanDurationNs;
  const h = f.handoff;
  if (f.exits?.source !== 'guest-inferred') return null;
  if (h.wakeToRunNoExit.n < MIN_WINDOWS_FOR_COST || h.timerWritesInWake < MIN_WINDOWS_FOR_COST) return null;
  // wake → run with timer writes against without: the extra time per timer write inside.
  return Math.max(0, (h.wakeToRun.sum - mean(h.wakeToRunNoExit)! * h.wakeToRun.n) / h.timerWritesInWake);
}

export function nohz(f: ModelFacts): RuleOutcome {
  const exits = f.exits;
  const tx = f.transactions;
  if (!exits || exits.total === 0 || workloadOf(f) !== 'request-response') return null;
  const timer = category(f, 'timer');
  if (timer.count === 0) return null;
  const share = timer.count / exits.total;
  const perTx = tx ? timer.count / tx.count : null;
  // With transactions known, judge per transaction; a count table or a trace without round trips, by share.
  if (perTx !== null ? perTx < MIN_TIMER_WRITES_PER_TRANSACTION : share < MIN_TIMER_SHARE) return null;
  const lacking = lackOfEvidence(ID, MIN_EVIDENCE, timer.count, f);
  if (lacking) return lacking;
  const evidence =
    perTx !== null && tx
      ? [
          `${formatNumber(perTx, 2)} timer-MSR writes per transaction ` +
            `(${formatNumber(timer.critical / tx.count, 2)} on the critical path), ` +
            `${formatPercent(share)} of all exits.`,
        ]
      : [`${formatCount(timer.count)} timer-MSR writes, ${formatPercent(share)} of all exits.`];
  const cost = timerWriteCostNs(f);
  const before = rateBefore(f);
  let predicted: Prediction | null = null;
  if (cost !== null && cost > 0 && tx && before && !baselineInconsistent(f)) {
    evidence.push(`Each critical timer write costs about ${formatDuration(cost)} on the path.`);
    const periodBefore = 1e9 / before;
    const perTxCritical = timer.critical / tx.count;
    const res = f.trace.timestampResolutionNs;
    const at = (c: number) => 1e9 / Math.max(periodBefore * 0.05, periodBefore - perTxCritical * Math.max(0, c));
    const r = (n: number) => Math.round(n * 10) / 10;
    predicted = {
      metric: 'transactionsPerSec',
      before: r(before),
      after: r(at(cost)),
      low: r(at(cost * (1 - TIMER_COST_SPREAD) - res)),
      high: r(at(cost * (1 + TIMER_COST_SPREAD) + res)),
    };
  }
  return recommend({
    id: ID,
    title: 'Stop the guest reprogramming its timer at every idle entry and exit',
    setting: 'nohz=off',
    evidence,
    prediction: predicted,
    rationale:
      'A tickless (NOHZ) guest cancels and re-arms its tick on every switch to and from idle: each is an MSR-write ' +
      `exit, and those at idle exit delay the wake-up (${MATLACK_2015}). Guest kernel command line nohz=off keeps a ` +
      'periodic tick; nohz_full=<cpus> does the same for CPUs that run one task. Guest halt polling also avoids most ' +
      'of them.',
  });
}
