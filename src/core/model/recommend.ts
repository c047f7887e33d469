// Recommendations with evidence and predictions. Each rule names the seed it comes from (docs/model.md).
import type { BenchmarkSummary, ExitsSummary, Recommendation, TransactionsSummary } from '../analysisTypes';
import type { ExitLedger } from './exitLedger';
import type { TraceModel } from './traceModel';

export interface ModelFacts {
  exits: ExitsSummary | null;
  ledger: ExitLedger | null;
  transactions: TransactionsSummary | null;
  benchmark: BenchmarkSummary | null;
  trace: TraceModel;
  accessLedgers: Map<string, ExitLedger>;
}

/** Guest-side polling wakes a vCPU that never left the guest: the cost is seeing a cache line change. */
export const GUEST_POLL_WAKE_NS = 500;
/** Host halt polling still exits, but skips the host schedule-out/in: seed 003 measured 1.7 µs. */
export const HOST_POLL_WAKE_NS = 1700;
const MIN_POLL_WINDOW_NS = 50_000;
const MAX_POLL_WINDOW_NS = 500_000;

type Workload = 'request-response' | 'throughput' | 'unknown';

export function workloadOf(f: ModelFacts): Workload {
  const test = f.benchmark?.test.toUpperCase() ?? '';
  if (/RR$/.test(test)) return 'request-response';
  if (f.benchmark && f.benchmark.bitsPerSec !== null) return 'throughput';
  if (f.transactions && f.transactions.count > 0) return 'request-response';
  return 'unknown';
}

const us = (ns: number) => `${(ns / 1000).toFixed(1)} µs`;
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const num = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** A poll window a user would type: 50 µs steps up to 200 µs, then 100 µs steps. */
function niceWindow(ns: number): number {
  const clamped = Math.min(MAX_POLL_WINDOW_NS, Math.max(MIN_POLL_WINDOW_NS, ns));
  const step = clamped <= 200_000 ? 50_000 : 100_000;
  return Math.ceil(clamped / step) * step;
}

function rateBefore(f: ModelFacts): number | null {
  return f.benchmark?.transactionsPerSec ?? f.transactions?.perSecond ?? null;
}

interface Outcome {
  recommendations: Recommendation[];
  notRecommended: { id: string; reason: string }[];
  warnings: string[];
}

export function recommend(f: ModelFacts): Outcome {
  const out: Outcome = { recommendations: [], notRecommended: [], warnings: [] };
  const workload = workloadOf(f);
  notes(f, out);
  haltPolling(f, workload, out);
  timerWrites(f, workload, out);
  throughputRules(f, workload, out);
  return out;
}

function notes(f: ModelFacts, out: Outcome): void {
  const t = f.trace;
  if (t.unreadable.count > 0) {
    out.warnings.push(
      `${num(t.unreadable.count)} kvm_exit events had no reason this tool could read${t.unreadable.firstLine !== null ? ` (first at line ${t.unreadable.firstLine})` : ''}; they are counted as "(unreadable kvm_exit)".`,
    );
  }
  if (f.exits?.source === 'guest-inferred') {
    const silent = [...t.cpusSeen].filter((c) => !t.cpusWithIdleEvents.has(c)).sort((a, b) => a - b);
    if (t.cpusWithIdleEvents.size > 0 && silent.length > 0) {
      out.warnings.push(
        `CPU ${silent.join(', ')} recorded no cpu_idle events: ${silent.length > 1 ? 'their' : 'its'} halts are inferred from the IPIs that woke ` +
          `${silent.length > 1 ? 'them' : 'it'} in the idle task ("hlt (inferred)", without durations), and idle-entry timer writes there are not seen.`,
      );
    }
  }
  const b = f.benchmark;
  const tx = f.transactions;
  if (b?.transactionsPerSec && tx && tx.perSecond > 0) {
    const ratio = tx.perSecond / b.transactionsPerSec;
    if (ratio < 0.8 || ratio > 1.25) {
      out.warnings.push(
        `The trace shows ${num(tx.perSecond)} round trips/s but ${b.tool} measured ${num(b.transactionsPerSec, 2)} transactions/s: ` +
          'the trace may cover another part of the run, have lost events, or the round trips were not all recognised.',
      );
    }
  }
}

/** Seed 003: wake-up from halt is on the critical path of message passing; polling removes it. */
function haltPolling(f: ModelFacts, workload: Workload, out: Outcome): void {
  const t = f.trace;
  const tx = f.transactions;
  const host = f.exits?.source === 'host';
  const guest = f.exits?.source === 'guest-inferred';
  const polling = host ? t.hostPolling : t.guestPolling;
  const idles = polling.polledIdles + polling.haltedIdles;
  if (idles > 0 && polling.polledIdles / idles >= 0.5) {
    out.notRecommended.push({
      id: 'halt-polling',
      reason: `${host ? 'Host' : 'Guest'} halt polling is already on: ${pct(polling.polledIdles / idles)} of ${num(idles)} idle periods ended while polling.`,
    });
    return;
  }
  if (f.exits?.source === 'counts') return haltPollingFromCounts(f, workload, out);
  if (!tx || (!host && !guest)) return;
  const s = t.segments;
  // Wake-ups of idle vCPUs on the critical path: halts the token arrived in, or IPIs sent to idle CPUs.
  const idleWakes = host ? (f.ledger?.criticalIn('halt') ?? 0) : Math.max(f.ledger?.criticalIn('halt') ?? 0, s.deliveryToIdle.count);
  const idleWakesPerTx = idleWakes / tx.count;
  const halted = t.wakeLatencyFromHalt;
  if (idleWakesPerTx < 0.5 || halted.count === 0) {
    if (workload === 'request-response') {
      out.notRecommended.push({
        id: 'halt-polling',
        reason: `Only ${num(idleWakesPerTx, 2)} wake-ups of an idle vCPU per transaction are on the critical path: the peers rarely halt while waiting (e.g. both on one vCPU), so polling has little to save.`,
      });
    }
    return;
  }
  const gaps = t.criticalIdleGaps;
  const window = niceWindow(2 * (gaps.quantile(0.9) ?? MIN_POLL_WINDOW_NS));
  const covered = gaps.count > 0 ? gaps.fractionAtOrBelow(window) : 1;
  const before = rateBefore(f);
  const evidence: string[] = [
    `${num(idleWakesPerTx, 2)} wake-ups of an idle vCPU per transaction are on the critical path (${num(idleWakes)} in ${num(tx.count)} round trips).`,
    `Wake-up latency from halt: p50 ${us(halted.quantile(0.5)!)}, mean ${us(halted.mean!)} (signal → the woken ${host ? 'vCPU runs' : 'task runs'}).`,
  ];
  if (gaps.count > 0) evidence.push(`The critical idle periods last p50 ${us(gaps.quantile(0.5)!)}, p90 ${us(gaps.quantile(0.9)!)}: a ${us(window)} window covers ${pct(covered)} of them.`);
  let prediction: Recommendation['prediction'] = null;
  const handoffsPerTx = Math.max(1, f.transactions?.handoffsPerTransaction ?? 2);
  /** What one hand-off to an idle vCPU would cost with polling; null when it cannot be estimated. */
  let polledHandoff: number | null = null;
  if (guest) {
    // With the target polling, no IPI is needed, there is no halt and no idle-exit timer write, and the vCPU stays
    // warm. What remains is the wake → run path and the run until the reply, estimated by the fastest decile of the
    // same segments in this trace (right after a halt the vCPU runs cold), plus noticing the wake-up.
    const warmWake = s.idleExitToRun.count > 0 ? s.idleExitToRun.quantile(0.1)! : (s.wakeToRunNoExit.quantile(0.1) ?? 0);
    polledHandoff = warmWake + (s.runToHandoff.quantile(0.1) ?? 0) + GUEST_POLL_WAKE_NS;
    evidence.push(
      `A hand-off to a halted vCPU: IPI-send exit ${us(s.ipiSend.mean ?? 0)}, delivery ${us(s.deliveryToIdle.mean ?? 0)}, ` +
        `wake → run ${us(s.wakeToRun.mean ?? s.idleExitToRun.mean ?? 0)}, run until the reply ${us(s.runToHandoff.mean ?? 0)} (means); ` +
        `with polling about ${us(polledHandoff)} (fastest decile of idle exit → run and of run → reply, plus ${us(GUEST_POLL_WAKE_NS)} to notice the wake-up).`,
    );
  } else {
    evidence.push(`Polling in the host cuts a wake-up to about ${us(HOST_POLL_WAKE_NS)} (seed 003: 5.5 → 1.7 µs).`);
  }
  if (before !== null) {
    const periodBefore = 1e9 / before;
    // Guest polling replaces a whole hand-off; host polling replaces only the wake-up from halt.
    const saving = polledHandoff !== null ? periodBefore / handoffsPerTx - polledHandoff : (halted.mean ?? 0) - HOST_POLL_WAKE_NS;
    if (saving > 0) {
      const periodAfter = Math.max(periodBefore * 0.05, periodBefore - idleWakesPerTx * covered * saving);
      // Placeholder range until the model derives one (issue 14): the point estimate only.
      const after = round1(1e9 / periodAfter);
      prediction = { metric: 'transactionsPerSec', before: round1(before), after, low: after, high: after };
    }
  }
  const duration = t.durationNs;
  const vcpus = Math.max(1, t.cpusSeen.size);
  if (duration && t.idlePeriods.count > 0) {
    const burn = t.idlePeriods.sumCappedAt(window) / (duration * vcpus);
    evidence.push(`Cost: polling would spend up to ${pct(burn)} of the ${vcpus} vCPUs' time spinning (${num(t.idlePeriods.count)} idle periods, each polled up to ${us(window)}).`);
  }
  const setting = host ? `halt_poll_ns=${window}` : `guest_halt_poll_ns=${window}`;
  out.recommendations.push({
    id: 'halt-polling',
    title: host ? 'Turn on halt polling in the host (kvm.halt_poll_ns)' : 'Turn on guest halt polling (cpuidle-haltpoll)',
    setting,
    evidence,
    prediction,
    rationale: host
      ? 'A halted vCPU is woken through the host scheduler; polling for a short while before scheduling out catches the wake-up cheaply (seed 003).'
      : 'The guest polls briefly before executing HLT, so a wake-up arrives while the vCPU still runs: no IPI exit, no halt, no wake-up through the host (seed 003). Load the cpuidle-haltpoll driver (CONFIG_HALTPOLL_CPUIDLE) and set /sys/module/haltpoll/parameters/guest_halt_poll_ns.',
  });
}

function haltPollingFromCounts(f: ModelFacts, workload: Workload, out: Outcome): void {
  const ledger = f.ledger;
  if (!ledger || ledger.total === 0) return;
  const halts = ledger.countIn('halt');
  const share = halts / ledger.total;
  if (share < 0.15 || workload === 'throughput') return;
  const evidence = [`${num(halts)} halt exits, ${pct(share)} of all ${num(ledger.total)} exits.`];
  const perSecond = f.exits?.perSecond;
  if (perSecond) evidence.push(`${num(perSecond * share)} halts/s: each wake-up from halt goes through the host scheduler.`);
  evidence.push('A count table cannot show which halts are on the critical path; a trace (kvm_exit/kvm_entry, kvm_vcpu_wakeup) would, and gives a prediction.');
  out.recommendations.push({
    id: 'halt-polling',
    title: 'Consider halt polling (kvm.halt_poll_ns) for this halt-heavy guest',
    setting: 'halt_poll_ns=200000',
    evidence,
    prediction: null,
    rationale: 'Frequent short halts in a latency-sensitive guest are what halt polling is for (seed 003).',
  });
}

/** Seed 003: NOHZ idle entry/exit reprograms the timer (TSC deadline / TMICT) — MSR-write exits per transaction. */
function timerWrites(f: ModelFacts, workload: Workload, out: Outcome): void {
  const ledger = f.ledger;
  const tx = f.transactions;
  if (!ledger || workload !== 'request-response') return;
  const timers = ledger.countIn('timer');
  if (timers === 0) return;
  const criticalTimers = ledger.criticalIn('timer');
  const share = timers / ledger.total;
  const perTx = tx ? timers / tx.count : null;
  // With transactions known, judge per transaction; a count table or a trace without round trips, by share.
  if (perTx !== null ? perTx < 1 : share < 0.25) return;
  const s = f.trace.segments;
  const evidence: string[] = [];
  if (perTx !== null && tx) evidence.push(`${num(perTx, 2)} timer-MSR writes per transaction (${num(criticalTimers / tx.count, 2)} on the critical path), ${pct(share)} of all exits.`);
  else evidence.push(`${num(timers)} timer-MSR writes, ${pct(share)} of all exits.`);
  // Cost of one timer write as seen on the critical path: wake → run with timer writes against without.
  let cost = f.exits?.source === 'host' ? ledger.meanDurationIn('timer') : null;
  // Only with enough windows on both sides for the difference of means to be meaningful.
  if (f.exits?.source === 'guest-inferred' && s.wakeToRunNoExit.count >= 100 && s.timerWritesInWake >= 100) {
    cost = Math.max(0, (s.wakeToRun.sum - s.wakeToRunNoExit.mean! * s.wakeToRun.count) / s.timerWritesInWake);
  }
  let prediction: Recommendation['prediction'] = null;
  const before = rateBefore(f);
  if (cost !== null && cost > 0 && tx && before) {
    evidence.push(`Each critical timer write costs about ${us(cost)} on the path.`);
    const periodBefore = 1e9 / before;
    const periodAfter = Math.max(periodBefore * 0.05, periodBefore - (criticalTimers / tx.count) * cost);
    // Placeholder range until the model derives one (issue 14): the point estimate only.
      const after = round1(1e9 / periodAfter);
      prediction = { metric: 'transactionsPerSec', before: round1(before), after, low: after, high: after };
  }
  out.recommendations.push({
    id: 'nohz-full',
    title: 'Stop the guest reprogramming its timer at every idle entry and exit',
    setting: 'nohz=off',
    evidence,
    prediction,
    rationale:
      'A tickless (NOHZ) guest cancels and re-arms its tick on every switch to and from idle: each is an MSR-write exit, and those at idle exit delay the wake-up (seed 003). Guest kernel command line nohz=off keeps a periodic tick; nohz_full=<cpus> does the same for CPUs that run one task. Guest halt polling also avoids most of them.',
  });
  if (out.recommendations.some((r) => r.id === 'halt-polling')) {
    out.recommendations.push({
      id: 'idle-poll',
      title: 'Never halt: idle=poll in the guest (dedicated CPUs only)',
      setting: 'idle=poll',
      evidence: [
        'Removes the halts, the IPIs to halted vCPUs and the idle timer writes together (seed 003: "idle=poll and nohz off" reaches the bare-metal line).',
        'Cost: every vCPU spins at 100% even when idle; only for pinned, dedicated host CPUs.',
      ],
      prediction: null,
      rationale: 'The extreme form of halt polling; prefer guest_halt_poll_ns unless the CPUs are dedicated anyway.',
    });
  }
}

/** Seeds 000 and 002: throughput workloads amortise exits by batching; request/response must not. */
function throughputRules(f: ModelFacts, workload: Workload, out: Outcome): void {
  const ledger = f.ledger;
  if (workload === 'request-response') {
    out.notRecommended.push({
      id: 'batching',
      reason: 'Request/response workload: batching trades latency for throughput and hurts ping-pong (seed 000: async batched calls helped udpblast but hurt the ping-pong benchmark).',
    });
  }
  if (!ledger || ledger.total === 0) return;
  const total = ledger.total;
  const perSecond = f.exits?.perSecond ?? null;
  const bits = f.benchmark?.bitsPerSec ?? null;
  // Packets per second at a 1500-byte MTU: the denominator of "exits per packet".
  const pps = bits ? bits / 12_000 : null;
  const perPacket = (n: number) => (perSecond && pps ? ` — ${num((perSecond * (n / total)) / pps, 2)} per packet at 1500-byte MTU` : '');
  const eoi = ledger.countIn('eoi') + (f.accessLedgers.get('mmio')?.countIn('eoi') ?? 0);
  if (eoi / total >= 0.1) {
    out.recommendations.push({
      id: 'eoi-mitigation',
      title: 'Stop EOI exits: APIC virtualization or paravirtual EOI',
      setting: 'kvm_intel.enable_apicv=1',
      evidence: [`${num(eoi)} EOI exits, ${pct(eoi / total)} of all exits${perPacket(eoi)}.`, 'Seed 002: EOI mitigation removed 55–60% of the exits of a network workload.'],
      prediction: null,
      rationale: 'With APICv (Intel) / AVIC (AMD: kvm_amd.avic=1) the guest writes EOI without an exit; without it, Linux guests use PV EOI (kvm-pv-eoi) for edge-triggered interrupts.',
    });
  }
  if (workload === 'request-response') return;
  const kicks = ledger.countIn('io') + ledger.countIn('mmio');
  if (kicks / total >= 0.2) {
    out.recommendations.push({
      id: 'batching',
      title: 'Batch device notifications (fewer kicks per packet)',
      setting: 'vhost=on, event_idx=on',
      evidence: [
        `${num(kicks)} I/O and MMIO exits (device kicks), ${pct(kicks / total)} of all exits${perPacket(kicks)}.`,
        workload === 'throughput'
          ? 'Throughput workload: batching amortises one exit over many packets (seeds 000 and 002).'
          : 'No benchmark output was given: batching helps a throughput workload, but hurts request/response latency (seed 000) — add the netperf/iperf output to decide.',
      ],
      prediction: null,
      rationale:
        'Use vhost-net (-netdev tap,vhost=on) with virtio event_idx and multiqueue so the guest kicks once per batch; inside the guest, interrupt coalescing (ethtool -C) where the device supports it. Batching adds latency: do not do this for request/response.',
    });
  }
  // Posted interrupts reach a running vCPU without an exit; a halted one still needs waking. In a guest trace, count
  // only the IPIs that found their target running.
  const interrupts =
    f.exits?.source === 'guest-inferred' ? f.trace.segments.deliveryToRunning.count : ledger.countIn('external-interrupt') + ledger.countIn('ipi');
  if (workload === 'throughput' && interrupts / total >= 0.3) {
    out.recommendations.push({
      id: 'posted-interrupts',
      title: 'Deliver interrupts without exits: posted interrupts',
      setting: 'kvm_intel.enable_apicv=1',
      evidence: [
        f.exits?.source === 'guest-inferred'
          ? `${num(interrupts)} IPIs reached a running vCPU (${pct(interrupts / total)} of all exits${perPacket(interrupts)}): each is an exit on the target without posted interrupts.`
          : `${num(interrupts)} interrupt and IPI exits, ${pct(interrupts / total)} of all exits${perPacket(interrupts)}.`,
      ],
      prediction: null,
      rationale:
        'With APICv posted interrupts (AMD: AVIC) interrupts and IPIs reach a running vCPU without an exit; they do not help a halted vCPU (seed 003), where halt polling does.',
    });
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
