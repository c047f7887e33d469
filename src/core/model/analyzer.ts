// The Analyzer takes every record of every input of one run and produces the Analysis (CONTRACT.md).
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
import type { LogHistogram } from '../stats/logHistogram';
import { ExitLedger, round } from './exitLedger';
import { HostEventCollector } from './hostEvents';
import { recommend, type ModelFacts } from './recommend';
import { benchmarkSeries } from './series';
import { TraceModel } from './traceModel';

/** Tables that count VM exits by reason (the others count accesses: mmio, ioport, msr). */
const EXIT_TABLES = new Set(['vmexit', 'kvm_stat', 'perf-stat']);

export class Analyzer {
  private readonly inputs: AnalysisInput[] = [];
  private readonly trace = new TraceModel();
  private readonly hostEvents = new HostEventCollector();
  private readonly countLedger = new ExitLedger();
  private readonly perVcpuLedger = new ExitLedger();
  private readonly accessLedgers = new Map<string, ExitLedger>();
  private countDurationSec: number | null = null;
  private countPerSecond = 0;
  private readonly benchmarks: BenchmarkResult[] = [];
  private inputIndex = 0;

  /** `keepLineFacts`: remember per-line facts (critical, duration) for hovers; the CLI does not need them. */
  constructor(private readonly keepLineFacts = true) {}

  beginInput(index: number): void {
    this.inputIndex = index;
    // Line facts are kept for the first input only: that is the document a hover asks about.
    this.trace.setRecordFacts(this.keepLineFacts && index === 0);
  }

  add(r: InputRecord): void {
    switch (r.type) {
      case 'event':
        this.hostEvents.add(r);
        return this.trace.add(r);
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
    let reason = r.reason.trim();
    if (r.table === 'kvm_stat' || r.table === 'perf-stat') {
      // kvm_stat rows "kvm_exit(HLT)" break exits down by reason; "kvm_exit" alone (or kvm:kvm_exit) is the total.
      const child = /^kvm_exit\((.+)\)$/.exec(reason);
      if (child) reason = child[1];
      else if (reason === 'kvm_exit' || reason === 'kvm:kvm_exit') reason = '(all exits)';
      else return; // other tracepoint counts are not exits
    }
    const info = describeExit(reason);
    const category = exitTable ? info.category : categoriseAccessRow(r.table, reason);
    const sample = { reason, category, description: info.description, vcpu: r.vcpu, timeNs: null, durationNs: null, critical: null, exampleLine: this.inputIndex === 0 ? r.line : null };
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
    const fromLedger = (ledger: ExitLedger, source: ExitsSummary['source'], dNs: number | null, perSecond: number | null): ExitsSummary => ({
      source,
      total: ledger.total,
      perSecond: perSecond ?? (dNs ? round((ledger.total / dNs) * 1e9) : null),
      durationNs: dNs,
      byReason: ledger.reasonStats(),
      byVcpu: ledger.byVcpu(),
      timeline: ledger.timelineSummary(),
    });
    if (t.hostLedger.total > 0) return { exits: fromLedger(t.hostLedger, 'host', durationNs, null), ledger: t.hostLedger };
    // kvm_msr without kvm_exit: each kvm_msr is an MSR exit, the only exits this host trace shows.
    if (t.hostMsrLedger.total > 0 && t.guestLedger.total === 0) return { exits: fromLedger(t.hostMsrLedger, 'host', durationNs, null), ledger: t.hostMsrLedger };
    if (t.guestLedger.total > 0) return { exits: fromLedger(t.guestLedger, 'guest-inferred', durationNs, null), ledger: t.guestLedger };
    // Count tables: the all-vCPU table when there is one, else the per-vCPU tables summed.
    // With only an access table (perf kvm stat --event=mmio/ioport/msr), its rows are the exits we know of.
    const access = [...this.accessLedgers.values()].find((l) => l.total > 0) ?? null;
    const counts = this.countLedger.total > 0 ? this.countLedger : this.perVcpuLedger.total > 0 ? this.perVcpuLedger : access;
    if (counts) {
      const dNs = this.countDurationSec !== null ? Math.round(this.countDurationSec * 1e9) : null;
      const perSecond = this.countPerSecond > 0 ? this.countPerSecond : null;
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
    const host = t.hostPolling.polledIdles + t.hostPolling.haltedIdles > 0 || t.hostPolling.windowEvents > 0;
    const obs = host ? t.hostPolling : t.guestPolling;
    if (obs.polledIdles + obs.haltedIdles === 0 && obs.windowEvents === 0) return null;
    const q = (h: LogHistogram) => (h.count > 0 ? { p50: round(h.quantile(0.5))!, p99: round(h.quantile(0.99))! } : null);
    const idles = obs.polledIdles + obs.haltedIdles;
    return {
      side: host ? 'host' : 'guest',
      polled: obs.polledIdles,
      waited: obs.haltedIdles,
      pollSuccessRate: idles > 0 ? round2(obs.polledIdles / idles) : null,
      pollNs: host ? q(t.hostWakeupPolled) : null,
      waitNs: host ? q(t.hostWakeupWaited) : null,
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
    const wake = t.wakeLatency;
    const s = t.segments;
    const handoffsPerTx = rt.handoffs / count;
    const breakdown: { component: string; meanNs: number }[] = [];
    const part = (component: string, h: { mean: number | null; count: number }, perTx: number) => {
      if (h.mean !== null && h.count > 0) breakdown.push({ component, meanNs: Math.round(h.mean * perTx) });
    };
    // Each hand-off's segments, scaled to one transaction by how often each happens per transaction.
    part('IPI send (ICR write exit)', s.ipiSend, s.ipiSend.count / count);
    part('IPI delivery to an idle (halted) vCPU', s.deliveryToIdle, s.deliveryToIdle.count / count);
    part('IPI delivery to a running vCPU', s.deliveryToRunning, s.deliveryToRunning.count / count);
    if (s.wakeToRun.count > 0) part('wake → run (IPI handler, idle exit, timer writes, schedule)', s.wakeToRun, s.wakeToRun.count / count);
    else part('idle exit → run (schedule)', s.idleExitToRun, s.idleExitToRun.count / count);
    part('run until the reply is sent', s.runToHandoff, Math.min(handoffsPerTx, s.runToHandoff.count / count));
    const periodNs = spanNs / count;
    const explained = breakdown.reduce((a, b) => a + b.meanNs, 0);
    if (breakdown.length > 0 && periodNs > explained) breakdown.push({ component: 'other (not attributed)', meanNs: Math.round(periodNs - explained) });
    return {
      count,
      perSecond: Math.round((count / spanNs) * 1e9 * 10) / 10,
      exitsPerTransaction: round2(exits / count),
      criticalExitsPerTransaction: round2(critical / count),
      offCriticalExitsPerTransaction: round2((exits - critical) / count),
      handoffsPerTransaction: round2(handoffsPerTx),
      wakeupLatencyNs: wake.count > 0 ? { p50: round(wake.quantile(0.5))!, p99: round(wake.quantile(0.99))! } : null,
      breakdownNs: breakdown,
      wakeupHistogram: wake.bins(40),
    };
  }

  /** The analysis of what was read so far, for partial results while reading; reading may go on afterwards. */
  snapshot(): Analysis {
    return this.summarise();
  }

  finish(): Analysis {
    this.trace.finish();
    return this.summarise();
  }

  private summarise(): Analysis {
    const { exits, ledger } = this.exitsSummary();
    const { summary: benchmark, series } = this.primaryBenchmark();
    const transactions = this.transactionsSummary(ledger, exits?.source ?? null, benchmark);
    const facts: ModelFacts = {
      exits,
      ledger,
      transactions,
      benchmark,
      trace: this.trace,
      accessLedgers: this.accessLedgers,
    };
    const { recommendations, notRecommended, warnings } = recommend(facts);
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
    analysis.notRecommended = notRecommended;
    analysis.modelNotes = warnings;
    this.hostEvents.attach(analysis);
    return analysis;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
