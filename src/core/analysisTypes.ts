// The analysis as docs/analysis.schema.json publishes it (`analyze --json`). Fields may be added; these names and
// meanings stay.
import type { InputFormat, InputWarning } from './records';
import type { SketchSample } from './model/transactionSketch';

export const ANALYSIS_SCHEMA = 'kvm-trace-lens/analysis@1';

export type ExitCategory =
  'halt' | 'timer' | 'ipi' | 'eoi' | 'io' | 'mmio' | 'external-interrupt' | 'page-fault' | 'preemption' | 'other';

export interface AnalysisInput {
  path: string;
  format: InputFormat | null;
  records: number;
  warnings: InputWarning[];
  /** Not in the contract's minimum: why the input was unusable, if it was. */
  error?: string | null;
}

export interface ReasonStats {
  reason: string;
  category: ExitCategory;
  count: number;
  share: number;
  critical: number | null;
  offCritical: number | null;
  meanNs: number | null;
  p50Ns: number | null;
  p99Ns: number | null;
  maxNs: number | null;
  /** Where to see examples: up to a few source lines of the first input that has this reason. */
  exampleLines?: number[];
  /** Human description from the exit table, e.g. "x2APIC ICR write: IPI send". */
  description?: string;
  /** Count tables only: the table's own figures as printed (Samples%, Time%, Min Time, total time in ns). */
  samplePct?: number | null;
  timePct?: number | null;
  minNs?: number | null;
  totalNs?: number | null;
  /** Extra: how many durations the percentiles rest on; p99Ns is null below 100 (nearest rank would be the max). */
  durationCount?: number;
  /**
   * Extra (host traces): what the row's exits did, where a later event says (kvm_msr, kvm_apic, kvm_mmio) — e.g. an
   * SVM `msr` row with the part APIC_EOI. Exits no event refined are the rest of the row (count − the parts' sum).
   * Categories (and the rules) follow the parts; the row's category is that of most of its exits.
   */
  parts?: ReasonPart[];
}

/**
 * Host traces: one vCPU's time from its kvm_entry/kvm_exit pairs. entry → next exit ran the guest; exit → entry was in
 * the exit (halts apart: haltedNs, polling included). spanNs = first to last event of the vCPU; untracedNs the part of
 * it no pair covers (before the first entry, lost events, exits without an entry or across a gap in the trace).
 */
export interface VcpuTime {
  spanNs: number;
  guestNs: number;
  inExitsNs: number;
  haltedNs: number;
  untracedNs: number;
  /** Exit → entry pairs measured; the rest of `count` has no duration. */
  timedExits: number;
  /** Time in exits by the reason kvm_exit printed (halts included), most time first. */
  inExitsByReason: { reason: string; count: number; ns: number }[];
  /** Time in exits (halts apart) by category, from what the exits did (their parts). */
  inExitsByCategoryNs: Partial<Record<ExitCategory, number>>;
}

/** One part of an exit row: its detail ("APIC_EOI", "0x830", "MMIO"), share of all exits, as a row's figures. */
export interface ReasonPart extends Omit<ReasonStats, 'reason' | 'parts'> {
  detail: string;
}

export interface ExitsSummary {
  source: 'host' | 'guest-inferred' | 'counts';
  total: number;
  perSecond: number | null;
  durationNs: number | null;
  byReason: ReasonStats[];
  /** Extra: per vCPU counts (host traces: and where the vCPU's time went), exits over time. */
  byVcpu?: ({ vcpu: number; count: number } & Partial<VcpuTime>)[];
  timeline?: { bucketNs: number; startNs: number; counts: Record<string, number[]> } | null;
  /** Count tables of one vCPU only (perf kvm stat --vcpu=N): that vCPU; absent when the table covers all vCPUs. */
  vcpuOnly?: number;
  /** Extra: MSRs accessed by kvm_msr (every MSR by number, known or not) and ports by kvm_pio, busiest first. */
  msrs?: AccessCount[];
  ioPorts?: AccessCount[];
  /** Extra: halt durations (halt exit → the vCPU runs again), log bins as wakeupHistogram. */
  haltHistogram?: { upperNs: number; count: number }[];
  /** Extra: exits per time bucket per vCPU (keys: vCPU / CPU numbers), on the same buckets as timeline. */
  timelineByVcpu?: { bucketNs: number; startNs: number; counts: Record<string, number[]> } | null;
}

export interface TransactionsSummary {
  count: number;
  perSecond: number;
  exitsPerTransaction: number;
  criticalExitsPerTransaction: number;
  offCriticalExitsPerTransaction: number;
  wakeupLatencyNs: { p50: number; p99: number } | null;
  /** Extra: hand-offs (one direction of a round trip) per transaction, 2 for a simple ping-pong. */
  handoffsPerTransaction?: number;
  /**
   * Extra: where the time of one transaction goes. meanNs = ns per transaction (eachNs × perTransaction); the
   * components sum to the transaction's time (1e9 / perSecond) up to rounding.
   */
  breakdownNs?: { component: string; meanNs: number; eachNs?: number; perTransaction?: number }[];
  /** Extra: how many wake-ups wakeupLatencyNs rests on (nearest-rank percentiles: p99 is the max below 100). */
  wakeupCount?: number;
  wakeupHistogram?: { upperNs: number; count: number }[];
}

export interface BenchmarkSummary {
  tool: 'netperf' | 'iperf3' | 'iperf2';
  test: string;
  transactionsPerSec: number | null;
  bitsPerSec: number | null;
  durationSec: number | null;
  /** Extra: several runs in the inputs (series statistics as in Cully, xen-devel, 2007). */
  runs?: number;
}

export interface Prediction {
  metric: 'transactionsPerSec' | 'bitsPerSec' | 'latencyNs';
  before: number;
  /** The point estimate. */
  after: number;
  /** The range the evidence supports (timestamp resolution, sample, the model's own terms). */
  low: number;
  high: number;
}

export interface Recommendation {
  id: string;
  title: string;
  setting: string | null;
  evidence: string[];
  prediction: Prediction | null;
  /** Extra: why it helps, in one or two sentences, and which published measurement the rule comes from. */
  rationale?: string;
}

export interface Analysis {
  schema: typeof ANALYSIS_SCHEMA;
  inputs: AnalysisInput[];
  exits: ExitsSummary | null;
  transactions: TransactionsSummary | null;
  benchmark: BenchmarkSummary | null;
  recommendations: Recommendation[];
  /** Extra: series statistics over repeated benchmark runs (Cully, xen-devel, 2007); null below two runs. */
  series?: SeriesStats | null;
  /** Extra: how idle vCPUs were woken (host kvm_vcpu_wakeup / kvm_halt_poll_ns, guest cpu_idle poll state). */
  haltPolling?: HaltPollingSummary | null;
  /** Extra: knobs deliberately not recommended for this run, and why (e.g. batching for request/response). */
  notRecommended?: { id: string; reason: string }[];
  /** Extra: caveats of the model for this run (e.g. halts invisible on some CPUs). */
  modelNotes?: string[];
  /**
   * Only when the inputs hold several runs (several perf kvm stat tables, repeated benchmark runs, traces that do not
   * belong together): every run, the first included; the top-level fields then describe the first run.
   */
  runs?: AnalysisRun[];
  /** Extra: host events beside exits — nested exits, exits to user space, halt-poll window changes, event counts. */
  hostEvents?: HostEventsSummary | null;
  /**
   * Extra: transactions drawn (guest CPUs or host vCPUs): the one nearest the median duration, the p99 and a few
   * others, each with its lanes, exits (critical or not), IPIs / hand-offs and the critical path's time breakdown.
   */
  transactionSketches?: SketchSample | null;
}

/** One MSR or I/O port behind exits: "0x830" / "0x3f8", its name when known, how often read and written. */
export interface AccessCount {
  id: string;
  name: string | null;
  category: ExitCategory | null;
  count: number;
  reads: number;
  writes: number;
  firstLine: number | null;
}

/** What a host trace holds beyond kvm_exit / kvm_entry, so that a trace of only these still says something. */
export interface HostEventsSummary {
  /** Every event name with its count, most frequent first (at most 30). */
  events: { name: string; count: number }[];
  /** kvm_nested_vmexit: exits of an L2 guest, by reason; injectedToL1: kvm_nested_vmexit_inject (reflected to L1). */
  nestedExits: { count: number; injectedToL1: number; byReason: { reason: string; count: number }[] } | null;
  /** kvm_userspace_exit: exits KVM handed to the VMM (QEMU), by reason; shutdowns are triple faults. */
  userspaceExits: {
    count: number;
    byReason: { reason: string; count: number }[];
    internalErrors: number;
    shutdowns: number;
    failedEntries: number;
    notes: string[];
  } | null;
  /** kvm_halt_poll_ns: how the host's per-vCPU poll window grew and shrank (first changes kept as history). */
  haltPollWindow: {
    changes: number;
    grows: number;
    shrinks: number;
    maxNs: number;
    lastNs: number;
    history: { timeNs: number; line: number | null; vcpu: number | null; fromNs: number; toNs: number }[];
  } | null;
  /** Only when the analysis has no exit summary to carry them. */
  msrs?: AccessCount[];
  ioPorts?: AccessCount[];
}

/** One run of several in the inputs, side by side for `compare`. */
export interface AnalysisRun {
  label: string;
  exits: ExitsSummary | null;
  transactions: TransactionsSummary | null;
  benchmark: BenchmarkSummary | null;
  recommendations: Recommendation[];
  notRecommended?: { id: string; reason: string }[];
  /** Host traces: this run's nested exits, exits to user space and halt-poll changes (as Analysis.hostEvents). */
  hostEvents?: HostEventsSummary | null;
}

export interface HaltPollingSummary {
  side: 'host' | 'guest';
  /** Idle periods ended while polling (host: kvm_vcpu_wakeup "poll"; guest: cpu_idle state=0). */
  polled: number;
  /** Idle periods that halted and had to be woken (host: "wait"; guest: HLT). */
  waited: number;
  /** polled / (polled + waited). */
  pollSuccessRate: number | null;
  /** Host: time spent polling / waiting before the wake-up (kvm_vcpu_wakeup ns). */
  pollNs: { p50: number; p99: number; n?: number } | null;
  waitNs: { p50: number; p99: number; n?: number } | null;
  /** Largest poll window seen in kvm_halt_poll_ns / guest_halt_poll_ns events (0: polling off), null when none. */
  maxWindowNs: number | null;
}

export interface SeriesStats {
  metric: 'transactionsPerSec' | 'bitsPerSec';
  values: number[];
  labels: string[];
  avg: number;
  min: number;
  max: number;
  median: number;
  stddev: number;
  /** Mean absolute difference between consecutive runs. */
  jitter: number;
  /** Each run relative to the first (the baseline), e.g. 0.93 = 7% below. */
  relativeToFirst: number[];
  histogram: { upper: number; count: number }[];
}
