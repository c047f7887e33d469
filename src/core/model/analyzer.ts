// The Analyzer takes every record of every input of one run and produces the Analysis (docs/analysis.schema.json).
import {
  ANALYSIS_SCHEMA,
  type Analysis,
  type AnalysisInput,
  type BenchmarkSummary,
  type ExitsSummary,
  type HaltPollingSummary,
  type TransactionsSummary,
} from '../analysisTypes';
import type { InputSummary } from '../input';
import { categoriseAccessRow, describeExit } from '../knowledge/exitTable';
import type { LineFacts } from '../lineFacts';
import type { BenchmarkResult, ExitCountRow, ExitCountTotals, InputRecord } from '../records';
import { advise } from '../rules';
import type { LogHistogram } from '../stats/logHistogram';
import { CountTableFigures, exitOfCountRow } from './countRows';
import { ExitLedger, round } from './exitLedger';
import type { ModelFacts } from './facts';
import { eventKind } from './eventKinds';
import { BREAKDOWN_COMPONENTS, type BreakdownComponent } from './guestModel';
import { HostEventCollector } from './hostEvents';
import { benchmarkSeries } from './series';
import { TraceModel, type CompetingWorkHandover } from './traceModel';
import { TransactionSketchCollector } from './transactionSketch';

/** A rate needs at least this much traced time and this many events; below, perSecond is null. */
export const MIN_RATE_WINDOW_NS = 100_000_000;
export const MIN_RATE_EVENTS = 20;

function rateOf(count: number, durationNs: number | null): number | null {
  if (!durationNs || durationNs < MIN_RATE_WINDOW_NS || count < MIN_RATE_EVENTS) return null;
  return round((count / durationNs) * 1e9);
}

/** Tables that count VM exits by reason (the others count accesses: mmio, ioport, msr). */
const EXIT_TABLES = new Set(['vmexit', 'kvm_stat', 'perf-stat']);

export class Analyzer {
  private readonly inputs: AnalysisInput[] = [];
  private readonly trace = new TraceModel();
  private readonly hostEvents = new HostEventCollector();
  private readonly sketches = new TransactionSketchCollector();
  private readonly countLedger = new ExitLedger();
  private readonly perVcpuLedger = new ExitLedger();
  private readonly accessLedgers = new Map<string, ExitLedger>();
  private readonly tableFigures = new CountTableFigures();
  private countDurationSec: number | null = null;
  private countPerSecond = 0;
  private readonly benchmarks: BenchmarkResult[] = [];
  private inputIndex = 0;

  /** `keepLineFacts`: remember per-line facts (critical, duration) for hovers; the CLI does not need them. */
  constructor(private readonly keepLineFacts = true) {
    this.trace.onVerdict = (handle, critical) => this.sketches.verdict(handle, critical);
  }

  /** See TraceModel.competingWorkHandover. */
  competingWorkHandover(): CompetingWorkHandover {
    return this.trace.competingWorkHandover();
  }

  /** The names of the events added (the capture recipe says which the trace lacks). */
  eventNames(): IterableIterator<string> {
    return this.hostEvents.eventNames();
  }

  beginInput(index: number): void {
    this.inputIndex = index;
    // Line facts are kept for the first input only: that is the document a hover asks about.
    this.trace.setRecordFacts(this.keepLineFacts && index === 0);
  }

  add(r: InputRecord): void {
    switch (r.type) {
      case 'event': {
        const kind = r.kind ?? eventKind(r.name);
        this.hostEvents.add(r, kind);
        this.trace.add(r, kind);
        // The drawn exits name lines of the first input only: that is the document a click reveals.
        return this.sketches.add(r, this.trace.lastVerdict, kind, this.inputIndex === 0);
      }
      case 'exit-count':
        return this.addCountRow(r);
      case 'exit-count-totals':
        return this.addTotals(r);
      case 'benchmark':
        if (this.benchmarks.length < 10_000) this.benchmarks.push(r);
        return;
      default:
    }
  }

  endInput(s: InputSummary): void {
    this.inputs.push({ path: s.path, format: s.format, records: s.records, warnings: s.warnings, error: s.error });
  }

  lineFacts(): LineFacts {
    return this.trace.facts;
  }

  private addCountRow(r: ExitCountRow): void {
    const exitTable = EXIT_TABLES.has(r.table);
    const counted = exitOfCountRow(r);
    if (!counted) return;
    const reason = counted.reason;
    this.tableFigures.note(reason, r);
    const info = describeExit(reason);
    const category = counted.category ?? (exitTable ? info.category : categoriseAccessRow(r.table, reason));
    const exampleLine = this.inputIndex === 0 ? r.line : null;
    const { description } = info;
    const sample = {
      ...{ reason, category, description, vcpu: r.vcpu, exampleLine },
      ...{ timeNs: null, durationNs: null, critical: null },
    };
    let ledger: ExitLedger;
    if (!exitTable) {
      ledger = this.accessLedgers.get(r.table) ?? new ExitLedger();
      this.accessLedgers.set(r.table, ledger);
    } else ledger = r.vcpu === null ? this.countLedger : this.perVcpuLedger;
    ledger.addTableRow(sample, r.count, r.meanNs, r.maxNs);
    if (exitTable && r.perSecond !== null) this.countPerSecond += r.perSecond;
  }

  private addTotals(r: ExitCountTotals): void {
    if (r.durationSec !== null) this.countDurationSec = (this.countDurationSec ?? 0) + r.durationSec;
  }

  private exitsSummary(): { exits: ExitsSummary | null; ledger: ExitLedger | null } {
    const t = this.trace;
    const durationNs = t.durationNs;
    const fromLedger = (
      ledger: ExitLedger,
      source: ExitsSummary['source'],
      dNs: number | null,
      perSecond: number | null,
    ): ExitsSummary => ({
      source,
      total: ledger.total,
      perSecond: perSecond ?? rateOf(ledger.total, dNs),
      durationNs: dNs,
      byReason: ledger.reasonStats(),
      byVcpu: ledger.byVcpu(),
      timeline: ledger.timelineSummary(),
      ...ledgerPictures(ledger),
    });
    const { host, guest } = t;
    if (host.ledger.total > 0) {
      const exits = fromLedger(host.ledger, 'host', durationNs, null);
      const times = host.times.summary();
      exits.byVcpu = exits.byVcpu?.map((v) => ({ ...v, ...times.get(v.vcpu) }));
      return { exits, ledger: host.ledger };
    }
    // kvm_msr without kvm_exit: each kvm_msr is an MSR exit, the only exits this host trace shows.
    if (host.msrLedger.total > 0 && guest.ledger.total === 0) {
      return { exits: fromLedger(host.msrLedger, 'host', durationNs, null), ledger: host.msrLedger };
    }
    if (guest.ledger.total > 0) {
      return { exits: fromLedger(guest.ledger, 'guest-inferred', durationNs, null), ledger: guest.ledger };
    }
    // Count tables: the all-vCPU table when there is one, else the per-vCPU tables summed.
    // With only an access table (perf kvm stat --event=mmio/ioport/msr), its rows are the exits we know of.
    const access = [...this.accessLedgers.values()].find((l) => l.total > 0) ?? null;
    const perVcpu = this.perVcpuLedger.total > 0 ? this.perVcpuLedger : access;
    const counts = this.countLedger.total > 0 ? this.countLedger : perVcpu;
    if (counts) {
      const dNs = this.countDurationSec !== null ? Math.round(this.countDurationSec * 1e9) : null;
      // The table's own rate, unless its window is known to be too short for one.
      const tooShort = dNs !== null && dNs < MIN_RATE_WINDOW_NS;
      const perSecond = this.countPerSecond > 0 && !tooShort ? this.countPerSecond : null;
      return { exits: fromLedger(counts, 'counts', dNs, perSecond), ledger: counts };
    }
    return { exits: null, ledger: null };
  }

  private primaryBenchmark(): { summary: BenchmarkSummary | null; series: ReturnType<typeof benchmarkSeries> } {
    // One result per run: a -P sum over its streams, else iperf's receiver side (what arrived), else the single result.
    const byRole = (role: string | null) => this.benchmarks.filter((b) => b.role === role);
    const chosen = [byRole('sum'), byRole('receiver'), byRole(null)].find((list) => list.length > 0) ?? this.benchmarks;
    const first = chosen[0] ?? this.benchmarks[0];
    if (!first) return { summary: null, series: null };
    return {
      summary: {
        tool: first.tool,
        test: first.test,
        transactionsPerSec: first.transactionsPerSec,
        bitsPerSec: first.bitsPerSec,
        durationSec: first.durationSec,
        runs: chosen.length,
      },
      series: chosen.length >= 2 ? benchmarkSeries(chosen) : null,
    };
  }

  private haltPollingSummary(): HaltPollingSummary | null {
    const t = this.trace;
    const hostPolling = t.host.polling;
    const host = hostPolling.polledIdles + hostPolling.haltedIdles > 0 || hostPolling.windowEvents > 0;
    const obs = host ? hostPolling : t.guest.polling;
    if (obs.polledIdles + obs.haltedIdles === 0 && obs.windowEvents === 0) return null;
    const q = (h: LogHistogram) =>
      h.count > 0 ? { p50: round(h.quantile(0.5))!, p99: round(h.quantile(0.99))!, n: h.count } : null;
    const idles = obs.polledIdles + obs.haltedIdles;
    return {
      side: host ? 'host' : 'guest',
      polled: obs.polledIdles,
      waited: obs.haltedIdles,
      pollSuccessRate: idles > 0 ? round2(obs.polledIdles / idles) : null,
      pollNs: host ? q(t.host.wakeupPolled) : null,
      waitNs: host ? q(t.host.wakeupWaited) : null,
      maxWindowNs: obs.windowEvents > 0 ? obs.maxWindowNs : null,
    };
  }

  private transactionsSummary(
    ledger: ExitLedger | null,
    source: ExitsSummary['source'] | null,
    benchmark: BenchmarkSummary | null,
  ): TransactionsSummary | null {
    const t = this.trace;
    // A streaming benchmark has no request/response round trips, whatever wake-ups go back and forth.
    if (benchmark && benchmark.bitsPerSec !== null && !/RR$/i.test(benchmark.test)) return null;
    const rt = t.roundTrips();
    // The round trips' own active time: a trace usually starts before the benchmark and ends after it.
    const spanNs = rt.activeNs;
    // Fewer than 10 round trips is not a request/response pattern worth reporting.
    if (rt.count < 10 || spanNs <= 0) return null;
    const count = rt.count;
    const exits = ledger && source !== 'counts' ? ledger.total : 0;
    const critical = ledger && source !== 'counts' ? ledger.criticalTotal : 0;
    const wake = t.wake.latency;
    const handoffsPerTx = rt.handoffs / count;
    const breakdown = this.breakdown(spanNs / count, handoffsPerTx);
    return {
      count,
      perSecond: Math.round((count / spanNs) * 1e9 * 10) / 10,
      exitsPerTransaction: round2(exits / count),
      criticalExitsPerTransaction: round2(critical / count),
      offCriticalExitsPerTransaction: round2((exits - critical) / count),
      handoffsPerTransaction: round2(handoffsPerTx),
      wakeupLatencyNs: wake.count > 0 ? { p50: round(wake.quantile(0.5))!, p99: round(wake.quantile(0.99))! } : null,
      wakeupCount: wake.count,
      breakdownNs: breakdown,
      wakeupHistogram: wake.bins(40),
    };
  }

  /**
   * Where one transaction's time goes: each piece's mean over complete hand-offs (waker runs → woken task runs) times
   * how often it happens per transaction, so the pieces add up; what no hand-off covers (pauses, steps the trace
   * did not match) is the last component.
   */
  private breakdown(periodNs: number, handoffsPerTx: number): NonNullable<TransactionsSummary['breakdownNs']> {
    const b = this.trace.guest.breakdown;
    if (b.handoffs === 0) return [];
    const out: NonNullable<TransactionsSummary['breakdownNs']> = [];
    for (const [key, label] of Object.entries(BREAKDOWN_COMPONENTS) as [BreakdownComponent, string][]) {
      const { ns, n } = b.sums[key];
      if (n === 0) continue;
      const perTransaction = (n / b.handoffs) * handoffsPerTx;
      const eachNs = ns / n;
      out.push({
        component: label,
        meanNs: Math.round(eachNs * perTransaction),
        eachNs: Math.round(eachNs),
        perTransaction: round2(perTransaction),
      });
    }
    const rest = Math.round(periodNs - out.reduce((a, c) => a + c.meanNs, 0));
    // Negative when the measured chains add up to more than the mean period: round trips overlapped in time.
    const restLabel =
      rest > 0
        ? 'between hand-offs (pauses, steps the trace did not match)'
        : 'overlap (hand-off chains measured longer than the mean transaction: round trips in flight at once)';
    if (rest !== 0) out.push({ component: restLabel, meanNs: rest });
    return out;
  }

  /** The analysis of what was read so far, for partial results while reading; reading may go on afterwards. */
  snapshot(): Analysis {
    return this.summarise();
  }

  finish(): Analysis {
    this.trace.finish();
    return this.summarise();
  }

  /** The facts the rules judged, for checking a rule against measurement (call after finish()). */
  facts(): ModelFacts {
    const { exits, ledger } = this.exitsSummary();
    const { summary: benchmark } = this.primaryBenchmark();
    const transactions = this.transactionsSummary(ledger, exits?.source ?? null, benchmark);
    return this.modelFacts(exits, ledger, transactions, benchmark);
  }

  private summarise(): Analysis {
    const { exits, ledger } = this.exitsSummary();
    this.tableFigures.attach(exits);
    const { summary: benchmark, series } = this.primaryBenchmark();
    const transactions = this.transactionsSummary(ledger, exits?.source ?? null, benchmark);
    const facts = this.modelFacts(exits, ledger, transactions, benchmark);
    const { recommendations, notRecommended, modelNotes } = advise(facts);
    const analysis: Analysis = {
      schema: ANALYSIS_SCHEMA,
      inputs: [...this.inputs],
      exits,
      transactions,
      benchmark,
      recommendations,
      series,
      haltPolling: this.haltPollingSummary(),
    };
    analysis.transactionSketches = transactions ? this.sketches.sample(this.trace.facts) : null;
    analysis.notRecommended = notRecommended;
    analysis.modelNotes = modelNotes;
    this.hostEvents.attach(analysis);
    return analysis;
  }

  /** The plain facts the rules judge: no references into the model's mutable state. */
  private modelFacts(
    exits: ExitsSummary | null,
    ledger: ExitLedger | null,
    transactions: TransactionsSummary | null,
    benchmark: BenchmarkSummary | null,
  ): ModelFacts {
    const t = this.trace;
    const host = exits?.source === 'host';
    const polling = host ? t.host.polling : t.guest.polling;
    const seg = t.guest.segments;
    const criticalHalts = ledger?.criticalIn('halt') ?? 0;
    const d = (h: LogHistogram) => h.toDistribution();
    const rt = transactions ? t.roundTrips() : null;
    return {
      exits: exits && {
        source: exits.source,
        total: exits.total,
        perSecond: exits.perSecond,
        durationNs: exits.durationNs,
        byCategory: ledger?.byCategory() ?? {},
        mmioEoiAccesses: this.accessLedgers.get('mmio')?.countIn('eoi') ?? 0,
        unreadable: { ...t.host.unreadable },
      },
      transactions: transactions && {
        count: transactions.count,
        perSecond: transactions.perSecond,
        activeNs: rt!.activeNs,
        handoffsPerTransaction: transactions.handoffsPerTransaction ?? 2,
      },
      benchmark: benchmark && {
        tool: benchmark.tool,
        test: benchmark.test,
        transactionsPerSec: benchmark.transactionsPerSec,
        bitsPerSec: benchmark.bitsPerSec,
      },
      trace: t.traceFacts(),
      polling: {
        side: host ? 'host' : 'guest',
        polled: polling.polledIdles,
        halted: polling.haltedIdles,
        maxWindowNs: polling.windowEvents > 0 ? polling.maxWindowNs : null,
      },
      wake: {
        latency: d(t.wake.latency),
        latencyFromHalt: d(t.wake.latencyFromHalt),
        criticalIdleGaps: d(t.wake.criticalIdleGaps),
        idlePeriods: d(t.wake.idlePeriods),
        // Guest: halts the token arrived in, or IPIs sent to idle CPUs (halts of CPUs without cpu_idle events).
        idleWakesOnPath: host ? criticalHalts : Math.max(criticalHalts, seg.deliveryToIdle.count),
        ...(host ? {} : { byCpu: t.guest.idleByCpu.facts() }),
      },
      handoff: {
        ipiSend: d(seg.ipiSend),
        deliveryToIdle: d(seg.deliveryToIdle),
        deliveryToRunning: d(seg.deliveryToRunning),
        wakeToRun: d(seg.wakeToRun),
        wakeToRunNoExit: d(seg.wakeToRunNoExit),
        idleExitToRun: d(seg.idleExitToRun),
        idleExitToRunNoTimer: d(seg.idleExitToRunNoTimer),
        runToHandoff: d(seg.runToHandoff),
        timerWritesInWake: seg.timerWritesInWake,
        untracedRuns: seg.handoffAfterIdleWakeSample.seen,
        samples: {
          idleExitToRunNoTimer: [...seg.idleExitToRunNoTimerSample.values],
          runToHandoff: [...seg.runToHandoffSample.values],
          wakeFlush: [...seg.wakeFlushSample.values],
          handoffAfterIdleWake: [...seg.handoffAfterIdleWakeSample.values],
        },
      },
      competingWork:
        rt && !host && exits?.source === 'guest-inferred'
          ? t.competing.facts(t.path.pairMembers(), rt.activeNs, t.cpusSeen.size)
          : null,
    };
  }
}

/** What the pictures draw beside the counts: halt durations and exits over time per vCPU (when traced). */
function ledgerPictures(ledger: ExitLedger): Pick<ExitsSummary, 'haltHistogram' | 'timelineByVcpu'> {
  const halts = ledger.haltDurations;
  const byVcpu = ledger.vcpuTimelineSummary();
  const out: Pick<ExitsSummary, 'haltHistogram' | 'timelineByVcpu'> = {};
  if (halts.count > 0) out.haltHistogram = halts.bins(40);
  if (byVcpu) out.timelineByVcpu = byVcpu;
  return out;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
