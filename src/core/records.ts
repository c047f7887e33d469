// The typed records every reader produces. Readers stream: they hand records to a sink one by one
// and never keep a whole file. All numbers are plain numbers (ns for time, bits/s for rates).
import type { DecodedFields } from './eventFields';
import type { EventKind } from './model/eventKinds';

export const INPUT_FORMATS = [
  'trace-dat',
  'trace-cmd-report',
  'ftrace',
  'perf-script',
  'perf-kvm-stat',
  'kvm-stat',
  'netperf',
  'iperf3-json',
  'iperf3-text',
  'iperf2-text',
  // KVM halt-poll statistics (QMP query-stats, debugfs dump, kvm_stat), read by capture/runFolder.ts
  'kvm-halt-stats',
] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** The text formats that hold one trace event per line (the ones hovers, line facts and line counts apply to). */
export const TRACE_TEXT_FORMATS: readonly InputFormat[] = ['trace-cmd-report', 'ftrace', 'perf-script'];

export function isTraceTextFormat(format: InputFormat | null | undefined): boolean {
  return format !== null && format !== undefined && TRACE_TEXT_FORMATS.includes(format);
}

/** A warning about one input; `line` is 1-based, null when the problem has no line (binary offsets go in the text). */
export interface InputWarning {
  line: number | null;
  message: string;
}

/**
 * One trace event, host (kvm_*) or guest side (msr, power, ipi, sched ...), from text or trace.dat.
 * `payload` is the event's printed text exactly as `trace-cmd report` prints it after "name:", so that one payload
 * parser (eventFields.ts) serves text and binary inputs alike.
 */
export interface TraceEvent {
  type: 'event';
  /** 1-based line in the source text; null for binary inputs. */
  line: number | null;
  /** Absolute trace timestamp in nanoseconds (µs resolution when the source printed µs). */
  timeNs: number;
  /** CPU that recorded the event: a host pCPU for host traces, a vCPU for guest traces. -1 when unknown. */
  cpu: number;
  pid: number;
  comm: string;
  /** Event name without its system, e.g. "kvm_exit", "write_msr", "cpu_idle". */
  name: string;
  /** Trace system when the source names it ("kvm", "msr", "power"), else null. */
  system: string | null;
  /** Reading it throws when a reader thread kept only the event's `fields` (see there). */
  payload: string;
  /** trace-cmd buffer instance the event was recorded in (`trace-cmd record -B name`); absent for the top instance. */
  instance?: string;
  /** Set when the timestamp had no fraction (a counter trace_clock or integer ns): timeNs is in an unknown unit. */
  clockUnknown?: true;
  /** The model's kind of this event, when the reader has looked it up by name already (a reader thread's events). */
  kind?: EventKind;
  /** A reader thread fed this event to its own competing-work collector already (TraceModel.competingWorkHandover). */
  competingWorkDone?: boolean;
  /**
   * The fields the model reads, when a reader thread decoded them (trace.dat: from the event's binary layout; text:
   * from its payload, by a worker). Read them through the eventFields.ts accessors, which fall back to parsing
   * `payload`: an event with fields may carry no payload (eventColumns.ts, traceTextChunks.ts say when).
   */
  fields?: DecodedFields;
}

/**
 * A trace event object refilled for each event a reader hands on (no allocation per event): its parts are set one by
 * one. Its payload is there when it was printed; reading one that was not throws, in words the subclass gives.
 */
export abstract class RefilledEvent implements TraceEvent {
  readonly type = 'event' as const;
  readonly line = null;
  timeNs = 0;
  cpu = 0;
  pid = 0;
  comm = '';
  name = '';
  system: string | null = null;
  fields: DecodedFields | undefined = undefined;
  printed: string | null = null;

  get payload(): string {
    if (this.printed !== null) return this.printed;
    throw new Error(this.payloadMissing());
  }

  protected abstract payloadMissing(): string;
}

/** One row of a count table (perf kvm stat report/live, kvm_stat, perf stat -e 'kvm:*'). */
export interface ExitCountRow {
  type: 'exit-count';
  line: number;
  /** Which table: perf kvm stat --event (vmexit, ioport, mmio, msr), or "kvm_stat", or "perf-stat". */
  table: string;
  /** vCPU of a per-vCPU section, null for the whole VM. */
  vcpu: number | null;
  /** The row name as printed, e.g. "HLT", "MSR_WRITE", "0xfee00380:W", "kvm_exit(HLT)". */
  reason: string;
  count: number;
  /** Sample share and time share in percent as printed, null where the layout has none. */
  samplePct: number | null;
  timePct: number | null;
  minNs: number | null;
  maxNs: number | null;
  meanNs: number | null;
  /** Total time in ns where printed (new layout "Time (ns)"), else null. */
  totalNs: number | null;
  /** kvm_stat / live: events per second where printed. */
  perSecond: number | null;
  /** kvm_stat drill-down: the row this one is a part of ("kvm_exit" for "kvm_exit(HLT)"); absent for top rows. */
  parent?: string;
  /** kvm_stat drill-down: this row's count is split into the rows naming it as parent; never add it to them. */
  brokenDown?: boolean;
}

/** Totals printed under a count table ("Total Samples:…, Total events handled time:…"). */
export interface ExitCountTotals {
  type: 'exit-count-totals';
  line: number;
  table: string;
  vcpu: number | null;
  samples: number | null;
  timeNs: number | null;
  /** Measurement duration when the tool prints it (kvm_stat -l intervals, perf stat elapsed). */
  durationSec: number | null;
}

export type BenchmarkTool = 'netperf' | 'iperf3' | 'iperf2';

/** The result of one benchmark run (one per run; a file with two runs gives two). */
export interface BenchmarkResult {
  type: 'benchmark';
  line: number;
  tool: BenchmarkTool;
  /** e.g. "TCP_RR", "TCP_CRR", "UDP_RR", "TCP_STREAM", "TCP_MAERTS", "TCP", "UDP". */
  test: string;
  transactionsPerSec: number | null;
  bitsPerSec: number | null;
  durationSec: number | null;
  /** Sender/receiver for iperf summaries, "sum" for a -P sum, stream id otherwise; null for a single result. */
  role: string | null;
  /** Everything else the tool printed that a user may want: CPU %, jitter, loss, retransmits, latency ... */
  extra: Record<string, number | string>;
}

/** One interim/interval figure (iperf intervals, netperf demo "Interim result"). */
export interface BenchmarkInterval {
  type: 'benchmark-interval';
  line: number;
  tool: BenchmarkTool;
  startSec: number;
  endSec: number;
  bitsPerSec: number | null;
  transactionsPerSec: number | null;
  stream: string | null;
  omitted: boolean;
}

export type InputRecord = TraceEvent | ExitCountRow | ExitCountTotals | BenchmarkResult | BenchmarkInterval | RunStart;

/**
 * A run starts here inside one input: each perf kvm stat table (before/after, boots, per vCPU) and each benchmark run.
 * What follows, up to the next RunStart, is that run's alone: consumers never add runs together. An input with one run
 * has none; at its second run a reader marks the first (after that run's records), then the second (readers/runMarks).
 */
export interface RunStart {
  type: 'run-start';
  line: number;
  /** Names the run for a reader of the report, e.g. "vmexit table, all vCPUs (line 12)" or "iteration 3". */
  label: string;
}

/** Where readers put what they find. */
export interface RecordSink {
  record(r: InputRecord): void;
  warn(line: number | null, message: string): void;
  /** The input is unusable from here on (e.g. netperf "establish control: are you sure there is a netserver"). */
  fail(line: number | null, message: string): void;
}

/** A text reader: lines in (without newline), records out through its sink. */
export interface LineReader {
  line(text: string, lineNo: number): void;
  /** Called once after the last line; `lastLineNo` is the number of lines seen. */
  end(lastLineNo: number): void;
}

/** A family of text formats: how to recognise them from the first lines, and how to read them. */
export interface TextFormatReader {
  formats: readonly InputFormat[];
  /** Recognise from the head of the file (first ~200 non-empty lines, no line breaks); null when not ours. */
  detect(head: readonly string[]): InputFormat | null;
  create(format: InputFormat, sink: RecordSink): LineReader;
}
