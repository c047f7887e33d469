// Halt polling (Matlack, KVM Forum 2015): a wake-up from halt is on the critical path of message passing; a vCPU
// that polls briefly before halting catches the wake-up without an IPI exit, a halt or a wake-up through the host.
import type { Prediction } from '../analysisTypes';
import { category, type CompetingWorkFacts, type ModelFacts } from '../model/facts';
import {
  competingWaitNs,
  coveredAt,
  HALTPOLL_GROW_START_NS,
  polledDirections,
  polledHandoffNs,
} from '../model/pollPrediction';
import { mean, quantile, sumCappedAt } from '../stats/distribution';
import { formatCount, formatDuration, formatEstimate, formatNumber, formatPercent } from '../../presentation/format';
import {
  baselineInconsistent,
  lackOfEvidence,
  notRecommended,
  rateBefore,
  recommend,
  workloadOf,
  type EvidenceMinimum,
  type RuleOutcome,
} from './rule';
import { MATLACK_2015 } from './sources';

export const ID = 'halt-polling';

export {
  coveredAt,
  GUEST_POLL_WAKE_NS,
  HALTPOLL_GROW_START_NS,
  polledHandoffNs,
  WARM_RUN_FACTOR,
} from '../model/pollPrediction';
/** Host polling still exits but skips the host schedule-out/in: Matlack measured ~1.7 µs (5.5 µs without). */
export const HOST_POLL_WAKE_NS = { low: 1200, point: 1700, high: 2500 };
/** Polling counts as already on when at least this share of idle periods ended while polling. */
export const POLLING_ON_SHARE = 0.5;
/** Polling helps when at least this many wake-ups of an idle vCPU per transaction are on the critical path. */
export const MIN_IDLE_WAKES_PER_TRANSACTION = 0.5;
export const MIN_EVIDENCE: EvidenceMinimum = {
  events: 100,
  eventsName: 'wake-ups of an idle vCPU on the critical path',
  tracedNs: 100_000_000,
  roundTrips: 200,
};
/**
 * Other tasks' share of the vCPUs' time while the benchmark ran (its pairs' tasks, idle and kernel threads aside):
 * from this share the evidence states the assumption that work goes away or moves, with its numbers.
 */
export const COMPETING_WORK_NOTE_SHARE = 0.01;
/**
 * From this share polling is not advised: the hand-offs keep waiting behind that work whether the vCPU polls or not,
 * and a polling vCPU spins on host CPU the work may need, so the gain depends on the work more than on the hand-off
 * (docs/model.md, "Competing work").
 */
export const COMPETING_WORK_MAX_SHARE = 0.25;
/** From count tables: halts as a share of exits, and how many. */
export const COUNTS_MIN_HALT_SHARE = 0.15;
export const COUNTS_MIN_EVIDENCE: EvidenceMinimum = { events: 100, eventsName: 'halt exits', tracedNs: 100_000_000 };
const MIN_POLL_WINDOW_NS = 50_000;
/**
 * A guest window under twice grow_start is reset to 0 by an idle period that outlasts it and halts until it grows
 * again: on a quiet machine it stays open (TCP_RR measured the same at 50 and 200 µs), under load it kept collapsing
 * (a third of the 200 µs rate; docs/model.md). Advise at least 100 µs, which halves instead of collapsing.
 */
const MIN_GUEST_POLL_WINDOW_NS = 2 * HALTPOLL_GROW_START_NS;
const MAX_POLL_WINDOW_NS = 500_000;

/** A poll window a user would type: 50 µs steps up to 200 µs, then 100 µs steps. */
export function niceWindow(ns: number, minimum = MIN_POLL_WINDOW_NS): number {
  const clamped = Math.min(MAX_POLL_WINDOW_NS, Math.max(minimum, ns));
  const step = clamped <= 200_000 ? 50_000 : 100_000;
  return Math.ceil(clamped / step) * step;
}

export function haltPolling(f: ModelFacts): RuleOutcome {
  const host = f.exits?.source === 'host';
  const { polled, halted } = f.polling;
  const idles = polled + halted;
  if (idles > 0 && polled / idles >= POLLING_ON_SHARE) {
    const who = f.polling.side === 'host' ? 'Host' : 'Guest';
    return notRecommended(
      ID,
      `${who} halt polling is already on: ${formatPercent(polled / idles)} of ${formatCount(idles)} idle periods ` +
        'ended while polling.',
    );
  }
  if (f.exits?.source === 'counts') return haltPollingFromCounts(f);
  const tx = f.transactions;
  if (!tx || (!host && f.exits?.source !== 'guest-inferred')) return null;
  const wakes = f.wake.idleWakesOnPath;
  const wakesPerTx = wakes / tx.count;
  if (wakesPerTx < MIN_IDLE_WAKES_PER_TRANSACTION || f.wake.latencyFromHalt.n === 0) {
    if (workloadOf(f) !== 'request-response') return null;
    return notRecommended(
      ID,
      `Only ${formatNumber(wakesPerTx, 2)} wake-ups of an idle vCPU per transaction are on the critical path: the ` +
        'peers rarely halt while waiting (both on one vCPU, or the vCPUs busy with other work), so polling has ' +
        'little to save.',
    );
  }
  const lacking = lackOfEvidence(ID, MIN_EVIDENCE, wakes, f);
  if (lacking) return lacking;
  if (host) return hostAdvice(f, wakesPerTx);
  const competing = f.competingWork;
  if (competing && competing.share >= COMPETING_WORK_MAX_SHARE) {
    return notRecommended(
      ID,
      `Other tasks took ${formatPercent(competing.share)} of the ${f.trace.cpus} vCPUs' time while the benchmark ` +
        `ran (${competingTasks(competing)}): its hand-offs wait behind that work whether the vCPU polls or not, and ` +
        'a polling vCPU spins on host CPU that work may need, so the gain depends on that work more than on the ' +
        "hand-off. Move the work off the benchmark's vCPUs, or measure with guest_halt_poll_ns set and at 0.",
    );
  }
  return guestAdvice(f, wakesPerTx);
}

/** The largest other tasks by run time: "node 258 ms (2,465 switches), bash 55 ms (102 switches)". */
function competingTasks(c: CompetingWorkFacts): string {
  return c.tasks
    .slice(0, 3)
    .map((t) => `${t.comm} ${formatDuration(t.runNs)} (${formatCount(t.switches)} switches)`)
    .join(', ');
}

/** The assumption that other tasks' work goes away or moves, stated with its numbers when there is such work. */
function competingEvidence(f: ModelFacts): string[] {
  const c = f.competingWork;
  if (!c || c.share < COMPETING_WORK_NOTE_SHARE || !f.transactions) return [];
  const meanWait = formatDuration(c.waitedNs / Math.max(1, c.waitedHandoffs));
  const waited =
    c.waitedHandoffs > 0
      ? `${formatCount(c.waitedHandoffs)} of the benchmark tasks' ${formatCount(c.benchmarkRuns)} runs began ` +
        `after a wake-up that found their vCPU running one, and waited ${meanWait} on average ` +
        `(${formatDuration(competingWaitNs(f))} per transaction). `
      : '';
  return [
    `Other tasks ran on the vCPUs while the benchmark did: ${competingTasks(c)}; ${formatPercent(c.share)} of the ` +
      `${f.trace.cpus} vCPUs' time, ${formatCount(c.switches)} switches to them. ${waited}The prediction assumes ` +
      'that work goes away or moves to other CPUs; its low end keeps the wait (a polled hand-off waits behind it ' +
      'as a halted one did). A polling vCPU yields to a runnable guest task at once, but spins on host CPU the ' +
      'other work may need, which a guest trace does not show.',
  ];
}

/** The poll window that covers the critical idle periods: twice their p90, in steps a user would type. */
function pollWindow(f: ModelFacts): { window: number; covered: number; evidence: string[] } {
  const gaps = f.wake.criticalIdleGaps;
  const p90 = quantile(gaps, 0.9);
  const minimum = f.exits?.source === 'host' ? MIN_POLL_WINDOW_NS : MIN_GUEST_POLL_WINDOW_NS;
  const window = niceWindow(2 * (p90 ?? minimum), minimum);
  const covered = coveredAt(f, window, savingPerHandoff(f)).point;
  const evidence =
    gaps.n > 0
      ? [
          `The critical idle periods last p50 ${formatDuration(quantile(gaps, 0.5))}, p90 ${formatDuration(p90)} ` +
            `(n = ${formatCount(gaps.n)}): a ${formatDuration(window)} window catches ${formatPercent(covered)} ` +
            'of those wake-ups.',
        ]
      : [];
  return { window, covered, evidence };
}

/** What polling saves on one guest hand-off, at its ends (0 for the host, or without a rate to divide). */
function savingPerHandoff(f: ModelFacts): { point: number; low: number; high: number } {
  const before = rateBefore(f);
  if (f.exits?.source === 'host' || !f.transactions || !before) return { point: 0, low: 0, high: 0 };
  const perHandoff = 1e9 / before / Math.max(1, f.transactions.handoffsPerTransaction);
  const polled = polledHandoffNs(f);
  const saved = (ns: number) => Math.max(0, perHandoff - ns);
  return { point: saved(polled.point), low: saved(polled.high), high: saved(polled.low) };
}

/** The predicted rate with a poll window of `windowNs`; null without a consistent baseline or round trips. */
export function predictHaltPolling(f: ModelFacts, windowNs: number): Prediction | null {
  const tx = f.transactions;
  const before = rateBefore(f);
  if (!tx || before === null || baselineInconsistent(f)) return null;
  const wakesPerTx = f.wake.idleWakesOnPath / tx.count;
  if (f.exits?.source === 'host') {
    const covered = coveredAt(f, windowNs);
    const halted = mean(f.wake.latencyFromHalt) ?? 0;
    if (halted <= HOST_POLL_WAKE_NS.point) return null;
    const res = f.trace.timestampResolutionNs;
    const at = (saving: number) => rateAfter(before, wakesPerTx, covered.point, Math.max(0, saving));
    const p = HOST_POLL_WAKE_NS;
    return prediction(before, at(halted - p.point), at(halted - res - p.high), at(halted + res - p.low));
  }
  const polled = polledHandoffNs(f);
  const handoffs = Math.max(1, tx.handoffsPerTransaction);
  const perHandoff = 1e9 / before / handoffs;
  if (perHandoff <= polled.point) return null;
  const covered = coveredAt(f, windowNs, savingPerHandoff(f));
  // Hand-offs to a target that was not idle speed up with the rest (the poll-on trace of tcprr-cross has no slow
  // hand-off left), in the share the critical idle wake-ups have of all hand-offs; the low end leaves them as is.
  const at = (polledNs: number, share: number, perTx: number) =>
    rateAfter(before, perTx, share, Math.max(0, perHandoff - polledNs));
  const idleOnly = Math.min(wakesPerTx, handoffs);
  const withBusyTargets = idleOnly + ((handoffs - idleOnly) * idleOnly) / handoffs;
  // The low end keeps what other tasks' runs cost the hand-offs in this trace: polling does not remove that work.
  const wait = Math.min(competingWaitNs(f), 1e9 / before / 2);
  const clean = 1e9 / (1e9 / before - wait);
  const cleanPerHandoff = (1e9 / before - wait) / handoffs;
  const low = rateAfter(clean, idleOnly, covered.low, Math.max(0, cleanPerHandoff - polled.high));
  return prediction(
    before,
    at(polled.point, covered.point, withBusyTargets),
    1e9 / (1e9 / low + wait),
    at(polled.low, covered.high, withBusyTargets),
  );
}

function commonEvidence(f: ModelFacts, wakesPerTx: number, runs: string): string[] {
  const h = f.wake.latencyFromHalt;
  return [
    `${formatNumber(wakesPerTx, 2)} wake-ups of an idle vCPU per transaction are on the critical path ` +
      `(${formatCount(f.wake.idleWakesOnPath)} in ${formatCount(f.transactions!.count)} round trips).`,
    `Wake-up latency from halt: p50 ${formatDuration(quantile(h, 0.5))}, mean ${formatDuration(mean(h))} ` +
      `(n = ${formatCount(h.n)}; signal → the woken ${runs} runs).`,
  ];
}

/** Time a poll window would spin, as a share of all CPUs' traced time (idle periods of every CPU included). */
function costEvidence(f: ModelFacts, window: number): string[] {
  const duration = f.trace.durationNs;
  const idle = f.wake.idlePeriods;
  if (!duration || idle.n === 0) return [];
  const cpus = Math.max(1, f.trace.cpus);
  const burn = sumCappedAt(idle, window) / (duration * cpus);
  return [
    `Cost: polling would spend up to ${formatPercent(burn)} of the ${cpus} vCPUs' time spinning ` +
      `(${formatCount(idle.n)} idle periods, each polled up to ${formatDuration(window)}).`,
  ];
}

/**
 * The rate after replacing each critical wake-up of an idle vCPU by `polledNs` (guest: a whole hand-off; host: only
 * the wake-up). `savingOf(polledNs)` is what one such wake-up saves.
 */
function rateAfter(before: number, wakesPerTx: number, covered: number, saving: number): number {
  const periodBefore = 1e9 / before;
  return 1e9 / Math.max(periodBefore * 0.05, periodBefore - wakesPerTx * covered * saving);
}

function prediction(before: number, point: number, low: number, high: number): Prediction {
  const r = (n: number) => Math.round(n * 10) / 10;
  return { metric: 'transactionsPerSec', before: r(before), after: r(point), low: r(low), high: r(high) };
}

function guestAdvice(f: ModelFacts, wakesPerTx: number): RuleOutcome {
  const { window, evidence: windowEvidence } = pollWindow(f);
  const h = f.handoff;
  const polled = polledHandoffNs(f);
  const evidence = [
    ...commonEvidence(f, wakesPerTx, 'task'),
    ...windowEvidence,
    `A hand-off to a halted vCPU: IPI-send exit ${formatDuration(mean(h.ipiSend))}, delivery ` +
      `${formatDuration(mean(h.deliveryToIdle))}, ` +
      `wake → run ${formatDuration(mean(h.wakeToRun) ?? mean(h.idleExitToRun))}, ` +
      `run until the reply ${formatDuration(mean(h.runToHandoff))} (means); with polling about ` +
      `${formatEstimate(polled.point, polled.low, polled.high, formatDuration)} (fastest decile of the queued ` +
      'wake-up a polling vCPU still runs and of run → reply, the run warmer than after a halt (× 0.75–1.05), a ' +
      'task whose switch-in is not traced no longer than its wake-up → hand-off, plus up to 1 µs to notice the ' +
      'wake-up).',
    ...directionEvidence(f),
    ...competingEvidence(f),
  ];
  const predicted = predictHaltPolling(f, window);
  if (predicted) {
    evidence.push(
      `Predicted ${formatEstimate(predicted.after, predicted.low, predicted.high)} transactions/s ` +
        `(from ${formatNumber(predicted.before)}).`,
    );
  }
  return recommend({
    id: ID,
    title: 'Turn on guest halt polling (cpuidle-haltpoll)',
    setting: `guest_halt_poll_ns=${window}`,
    evidence: [...evidence, ...costEvidence(f, window)],
    prediction: predicted,
    rationale:
      'The guest polls briefly before executing HLT, so a wake-up arrives while the vCPU still runs: no IPI exit, ' +
      `no halt, no wake-up through the host (${MATLACK_2015}). Load the cpuidle-haltpoll driver ` +
      '(CONFIG_HALTPOLL_CPUIDLE) and set /sys/module/haltpoll/parameters/guest_halt_poll_ns.',
  });
}

/** Where one direction of the round trip is priced by its bound, say so with the numbers. */
function directionEvidence(f: ModelFacts): string[] {
  const { traced, bounded } = polledDirections(f);
  if (!bounded) return [];
  return [
    `${formatPercent(bounded.share)} of the hand-offs go to a task whose switch-in is not traced (a CPU without idle ` +
      `events); it hands back within ${formatDuration(bounded.boundNs)} of its wake-up (fastest decile), so that ` +
      `direction is priced at most ${formatDuration(bounded.polledNs)} polled, against ` +
      `${formatDuration(traced.point)} for the other.`,
  ];
}

/** Host polling: each critical halt's wake-up latency is replaced by a polled wake-up. */
function hostAdvice(f: ModelFacts, wakesPerTx: number): RuleOutcome {
  const { window, evidence: windowEvidence } = pollWindow(f);
  const evidence = [
    ...commonEvidence(f, wakesPerTx, 'vCPU'),
    ...windowEvidence,
    `Polling in the host cuts a wake-up to about ${formatDuration(HOST_POLL_WAKE_NS.point)} ` +
      `(${MATLACK_2015}: 5.5 → 1.7 µs).`,
  ];
  const predicted = predictHaltPolling(f, window);
  return recommend({
    id: ID,
    title: 'Turn on halt polling in the host (kvm.halt_poll_ns)',
    setting: `halt_poll_ns=${window}`,
    evidence: [...evidence, ...costEvidence(f, window)],
    prediction: predicted,
    rationale:
      'A halted vCPU is woken through the host scheduler; polling for a short while before scheduling out catches ' +
      `the wake-up cheaply (${MATLACK_2015}).`,
  });
}

/**
 * A count table shows how many halts, not which are on the critical path nor how long they lasted: no setting is
 * advised (KVM already polls by default: halt_poll_ns is 200000 on x86, 500000 on arm64), only how to check.
 */
function haltPollingFromCounts(f: ModelFacts): RuleOutcome {
  const exits = f.exits!;
  if (exits.total === 0 || workloadOf(f) === 'throughput') return null;
  const halt = category(f, 'halt');
  const share = halt.count / exits.total;
  if (share < COUNTS_MIN_HALT_SHARE) return null;
  const lacking = lackOfEvidence(ID, COUNTS_MIN_EVIDENCE, halt.count, f);
  if (lacking) return lacking;
  const evidence = [
    `${formatCount(halt.count)} halt exits, ${formatPercent(share)} of all ${formatCount(exits.total)} exits.`,
  ];
  if (exits.perSecond !== null) {
    const perSecond = formatNumber(exits.perSecond * share);
    evidence.push(`${perSecond} halts/s: each wake-up from halt goes through the host scheduler.`);
  }
  if (halt.meanDurationNs !== null) {
    evidence.push(
      `A halt lasts ${formatDuration(halt.meanDurationNs)} on average: if that is well under the current ` +
        'halt_poll_ns, polling already catches most wake-ups; if far over it, the vCPU idles long and polling only ' +
        'burns CPU.',
    );
  }
  evidence.push(
    'Read the current window with `cat /sys/module/kvm/parameters/halt_poll_ns` (default 200000 on x86, 500000 on ' +
      'arm64; 0 = off). A count table cannot show which halts are on the critical path; a trace ' +
      '(kvm_exit/kvm_entry, kvm_vcpu_wakeup) would, and gives a prediction.',
  );
  return recommend({
    id: ID,
    title: 'Check halt polling (kvm.halt_poll_ns) for this halt-heavy guest',
    setting: null,
    evidence,
    prediction: null,
    rationale: `Frequent short halts in a latency-sensitive guest are what halt polling is for (${MATLACK_2015}).`,
  });
}
