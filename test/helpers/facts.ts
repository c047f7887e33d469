// Hand-made ModelFacts for rule tests: a plain, well-evidenced run, changed per test with `withFacts`.
import type { ExitCategory } from '../../src/core/analysisTypes';
import type { CategoryFacts, ModelFacts } from '../../src/core/model/facts';
import { EMPTY_DISTRIBUTION, type Distribution } from '../../src/core/stats/distribution';

/** n values all equal to `value`. */
export function constant(value: number, n: number): Distribution {
  return n === 0 ? EMPTY_DISTRIBUTION : { n, sum: value * n, min: value, max: value, buckets: [[value, n]] };
}

export function cat(count: number, critical = 0, meanDurationNs: number | null = null): CategoryFacts {
  return { count, critical, meanDurationNs };
}

/**
 * A guest trace of a request/response run: 10,000 round trips in 1 s (10,000/s, netperf agreeing), 2 hand-offs
 * each, 2 critical wake-ups of an idle vCPU per transaction, 8 timer writes per transaction.
 */
export function guestRun(): ModelFacts {
  const byCategory: Partial<Record<ExitCategory, CategoryFacts>> = {
    ipi: cat(20_000, 20_000),
    timer: cat(80_000, 40_000),
    halt: cat(20_000, 20_000),
  };
  return {
    exits: {
      source: 'guest-inferred',
      total: 120_000,
      perSecond: 120_000,
      durationNs: 1e9,
      byCategory,
      mmioEoiAccesses: 0,
      unreadable: { count: 0, firstLine: null },
    },
    transactions: { count: 10_000, perSecond: 10_000, activeNs: 1e9, handoffsPerTransaction: 2 },
    benchmark: { tool: 'netperf', test: 'TCP_RR', transactionsPerSec: 10_000, bitsPerSec: null },
    trace: { durationNs: 1e9, cpus: 2, cpusWithoutIdleEvents: [], cpusWithIdleEvents: 2, timestampResolutionNs: 1 },
    polling: { side: 'guest', polled: 0, halted: 20_000, maxWindowNs: null },
    wake: {
      latency: constant(20_000, 20_000),
      latencyFromHalt: constant(20_000, 20_000),
      criticalIdleGaps: constant(30_000, 20_000),
      idlePeriods: constant(30_000, 20_000),
      idleWakesOnPath: 20_000,
    },
    handoff: {
      ipiSend: constant(2_000, 20_000),
      deliveryToIdle: constant(8_000, 20_000),
      deliveryToRunning: EMPTY_DISTRIBUTION,
      wakeToRun: constant(12_000, 20_000),
      wakeToRunNoExit: constant(6_000, 200),
      idleExitToRun: constant(8_000, 20_000),
      idleExitToRunNoTimer: constant(4_000, 200),
      runToHandoff: constant(10_000, 20_000),
      timerWritesInWake: 40_000,
      untracedRuns: 0,
      samples: {
        idleExitToRunNoTimer: Array(200).fill(4_000),
        runToHandoff: Array(2000).fill(10_000),
        wakeFlush: [],
        handoffAfterIdleWake: [],
      },
    },
  };
}

/** A count table (perf kvm stat) of a throughput run. */
export function countsRun(byCategory: Partial<Record<ExitCategory, CategoryFacts>>, total: number): ModelFacts {
  const f = guestRun();
  return {
    ...f,
    exits: { ...f.exits!, source: 'counts', total, perSecond: total / 10, durationNs: 10e9, byCategory },
    transactions: null,
    benchmark: { tool: 'netperf', test: 'TCP_STREAM', transactionsPerSec: null, bitsPerSec: 9e9 },
    polling: { side: 'guest', polled: 0, halted: 0, maxWindowNs: null },
  };
}

/** The model's facts for a set of input files (one run), as the rules see them. */
export async function factsOf(paths: readonly string[]): Promise<ModelFacts> {
  const { Analyzer } = await import('../../src/core/model/analyzer');
  const { readInputFile } = await import('../../src/core/input');
  const analyzer = new Analyzer(false);
  for (const [index, path] of paths.entries()) {
    analyzer.beginInput(index);
    analyzer.endInput(await readInputFile(path, (r) => analyzer.add(r), {}));
  }
  analyzer.finish();
  return analyzer.facts();
}
