// What a guest hand-off costs once the target polls, and how often the guest governor's window is open: the two
// halves of the halt-polling prediction (rules/haltPolling.ts), each a pure function of the model's facts.
// docs/model.md ("halt-polling", "Against measurement") says which trace shows each term.
import { bootstrapQuantileInterval, sampleQuantile } from '../stats/bootstrap';
import { fractionAtOrBelow, type Distribution } from '../stats/distribution';
import type { ModelFacts } from './facts';

export interface Estimate {
  point: number;
  low: number;
  high: number;
}

/** Guest polling notices a wake-up by seeing a cache line change: 0–1 µs (our term; the middle as the estimate). */
export const GUEST_POLL_WAKE_NS: Estimate = { point: 500, low: 0, high: 1000 };
/**
 * Right after a halt the woken task runs cold; behind a polling vCPU it runs warm. Six TCP_RR/UDP_RR off/on pairs put
 * the polled run (the measured poll-on hand-off less the other terms' points) at 0.76–1.03 × the fastest decile of
 * the runs after a halt in the poll-off trace (docs/model.md): point 0.9, range 0.75–1.05.
 */
export const WARM_RUN_FACTOR: Estimate = { point: 0.9, low: 0.75, high: 1.05 };
/**
 * cpuidle-haltpoll grows a window to at least guest_halt_poll_grow_start (50 µs by default) and, when an idle period
 * outlasts guest_halt_poll_ns, halves it — to 0 when that falls below grow_start (Linux cpuidle haltpoll governor).
 */
export const HALTPOLL_GROW_START_NS = 50_000;
/** Fewer samples than this of a piece and the prediction does without it (the range says so). */
const MIN_PIECE_SAMPLES = 100;

/** A nearest-rank percentile's bootstrap interval, widened by the timestamp resolution. */
function segmentEstimate(values: readonly number[], q: number, resolutionNs: number): Estimate {
  const point = sampleQuantile(values, q) ?? 0;
  const boot = bootstrapQuantileInterval(values, q) ?? { low: point, high: point };
  return { point, low: Math.max(0, boot.low - resolutionNs), high: boot.high + resolutionNs };
}

const ZERO: Estimate = { point: 0, low: 0, high: 0 };
const plus = (...xs: Estimate[]): Estimate => ({
  point: xs.reduce((s, x) => s + x.point, 0),
  low: xs.reduce((s, x) => s + x.low, 0),
  high: xs.reduce((s, x) => s + x.high, 0),
});

/**
 * One polled hand-off (guest), averaged over the directions of the round trip: no IPI, no halt, no idle-exit timer
 * write. What remains, each the fastest decile in this trace:
 * - noticing the wake-up (0–1 µs);
 * - the queued wake-up (ttwu_queue_wakelist) the IPI handler ran — a polling CPU runs it after leaving the loop
 *   (IPI handler → sched_wakeup in the poll-off trace), then switches to the task (poll-on: ~0.3 µs, in the notice);
 * - the woken task's run until it hands back, warmer than after a halt (× 0.75–1.05).
 * Where a task's switch-in is never traced (a CPU without idle events), its run is bounded by its wake-up → hand-off;
 * its direction costs no more than that (TCP_CRR: the server's accept, recv and send, against the client's longer
 * connect and send).
 */
export function polledHandoffNs(f: ModelFacts): Estimate {
  return { ...polledDirections(f).mean };
}

/** The polled hand-off per direction: the traced one, and the bounded one where it applies (null otherwise). */
export interface PolledDirections {
  mean: Estimate;
  traced: Estimate;
  bounded: { share: number; boundNs: number; polledNs: number } | null;
}

export function polledDirections(f: ModelFacts): PolledDirections {
  // Three bootstraps of up to 4096 values each: computed once per facts object, however many rules ask.
  let estimate = polledCache.get(f);
  if (!estimate) polledCache.set(f, (estimate = estimatePolledDirections(f)));
  return estimate;
}

const polledCache = new WeakMap<ModelFacts, PolledDirections>();

function estimatePolledDirections(f: ModelFacts): PolledDirections {
  const res = f.trace.timestampResolutionNs;
  const s = f.handoff.samples;
  const piece = (values: readonly number[]) =>
    values.length >= MIN_PIECE_SAMPLES ? segmentEstimate(values, 0.1, res) : null;
  const flushed = piece(s.wakeFlush);
  // Without IPI handler samples (no IPIs traced), idle exit → run stands for the whole wake-up.
  const wake = flushed ?? segmentEstimate(s.idleExitToRunNoTimer, 0.1, res);
  const run = segmentEstimate(s.runToHandoff, 0.1, res);
  const w = WARM_RUN_FACTOR;
  const warmRun = { point: run.point * w.point, low: run.low * w.low, high: run.high * w.high };
  const traced = plus(GUEST_POLL_WAKE_NS, wake, warmRun);
  const bound = piece(s.handoffAfterIdleWake);
  const share = untracedRunShare(f);
  if (!bound || share === 0) return { mean: traced, traced, bounded: null };
  const capped = plus(GUEST_POLL_WAKE_NS, flushed ?? ZERO, bound);
  // Each end: the traced direction, and the other no slower than its bound.
  const mix = (a: number, b: number) => a * (1 - share) + Math.min(a, b) * share;
  const mean = {
    point: mix(traced.point, capped.point),
    low: mix(traced.low, capped.low),
    high: mix(traced.high, capped.high),
  };
  const bounded = capped.point < traced.point ? { share, boundNs: bound.point, polledNs: capped.point } : null;
  return { mean, traced, bounded };
}

/** The share of hand-offs whose woken task's run has no traced start (bounded by its wake-up → hand-off instead). */
function untracedRunShare(f: ModelFacts): number {
  const untraced = f.handoff.untracedRuns;
  const traced = f.handoff.runToHandoff.n;
  return untraced + traced === 0 ? 0 : untraced / (untraced + traced);
}

/**
 * What other tasks' runs cost the benchmark per transaction in this trace: its wake-ups that found their CPU running
 * such a task waited for it (the sum of those waits over the round trips). A polled hand-off waits for them as a
 * halted one did — polling removes the halt, not the other work — unless that work goes away or moves.
 */
export function competingWaitNs(f: ModelFacts): number {
  const c = f.competingWork;
  const tx = f.transactions;
  return c && tx && tx.count > 0 ? c.waitedNs / tx.count : 0;
}

/**
 * The share of critical wake-ups a poll window of `windowNs` catches. The host's window and a guest window of at
 * least twice grow_start catch those whose idle period it covers. Under twice grow_start the guest governor
 * (cpuidle-haltpoll) has two windows only, 0 and W, kept per CPU, and switches between them after a halt:
 * - open → shut: a halt that lasts longer than W after a poll of W timed out, i.e. an idle period over 2 W even
 *   when polled. Polling shortens each critical idle period by what the peer's hand-off saves (`savingNs`), so those
 *   are the idle periods of this (poll-off) trace longer than 2 W plus that saving;
 * - shut → open: the next halt ≤ W (the share of critical idle periods ≤ W in this trace).
 * Open for a share reopen / (reopen + reset) of each CPU's hand-offs; while open, the critical idle periods that
 * polling shortens to W or less are caught. On a quiet machine resets are rare and the
 * window stays open (TCP_RR at 50 µs measured as at 200 µs). The range takes the saving at its ends. It cannot
 * foresee load that arrives after this trace: under load the window kept collapsing (docs/model.md, the misses).
 */
export function coveredAt(f: ModelFacts, windowNs: number, savingNs: Estimate = ZERO): Estimate {
  const twoStates = f.exits?.source !== 'host' && windowNs / 2 < HALTPOLL_GROW_START_NS;
  const cpus = (f.wake.byCpu ?? []).filter((c) => c.criticalIdleGaps.n > 0);
  if (!twoStates || cpus.length === 0) return coveredOn(f.wake, windowNs, savingNs, twoStates);
  // Each CPU's governor keeps its own window: weigh each by the critical wake-ups it receives.
  const total = cpus.reduce((n, c) => n + c.criticalIdleGaps.n, 0);
  const each = cpus.map((c) => ({ w: c.criticalIdleGaps.n / total, e: coveredOn(c, windowNs, savingNs, true) }));
  const sum = (end: keyof Estimate) => each.reduce((s, { w, e }) => s + w * e[end], 0);
  return { point: sum('point'), low: sum('low'), high: sum('high') };
}

/** `coveredAt` on one set of idle periods: all CPUs pooled, or one CPU's. */
function coveredOn(
  idle: { criticalIdleGaps: Distribution; idlePeriods: Distribution },
  windowNs: number,
  savingNs: Estimate,
  twoStates: boolean,
): Estimate {
  const gaps = idle.criticalIdleGaps;
  const within = gaps.n === 0 ? 1 : fractionAtOrBelow(gaps, windowNs);
  if (!twoStates) return { point: within, low: within, high: within };
  if (idle.idlePeriods.n === 0 || gaps.n === 0) return { point: within, low: 0, high: within };
  const reopen = within;
  const caught = (saving: number) => {
    const s = Math.max(0, saving);
    const reset = 1 - fractionAtOrBelow(idle.idlePeriods, 2 * windowNs + s);
    const open = reopen + reset === 0 ? 1 : reopen / (reopen + reset);
    // While open, a wake-up is caught when it comes within W of polling (a longer one halts, without a reset).
    return open * fractionAtOrBelow(gaps, windowNs + s);
  };
  return { point: caught(savingNs.point), low: caught(savingNs.low), high: caught(savingNs.high) };
}
