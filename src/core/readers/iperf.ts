// iperf output: iperf3 --json documents (one or several concatenated, tab- or space-indented), iperf3 text (intervals,
// "(omitted)" warm-up intervals, sender/receiver summaries, [SUM] lines with -P, -R, --bidir, UDP jitter/loss, errors)
// and iperf2 text (dashed banner, -P [SUM] lines, -e enhanced columns, -u server report).
//
// Results: iperf3 gives a 'sender' and a 'receiver' result per run (with -P the [SUM] / sum_sent / sum_received ones;
// --bidir adds 'sender-reverse' / 'receiver-reverse'). iperf2 gives the line that covers the whole run (with -P the
// [SUM] line, role 'sum'); with -u the client line is the 'sender' and the server report the 'receiver'.
import { RunMarks } from './runMarks';
import { Warnings } from './warnings';
import type {
  BenchmarkInterval,
  BenchmarkResult,
  BenchmarkTool,
  InputFormat,
  LineReader,
  RecordSink,
  TextFormatReader,
} from '../records';

/** A single iperf3 JSON document larger than this is skipped (iperf3 writes a few hundred KB even for long runs). */
export const MAX_JSON_DOCUMENT_CHARS = 64 * 1024 * 1024;
const MAX_SUMMARIES = 1024;

type Extra = Record<string, number | string>;

const PREFIX = { K: 1, M: 2, G: 3, T: 4 } as Record<string, number>;

/** bits/s for a rate such as 757 "Mbits" or 3.2 "MBytes" (bits are decimal, bytes binary, as iperf prints them). */
export function iperfRateToBitsPerSec(value: number, unit: string): number | null {
  const m = /^([KMGT]?)(bits|Bytes)$/.exec(unit);
  if (!m) return null;
  const power = PREFIX[m[1]] ?? 0;
  return m[2] === 'bits' ? value * 1000 ** power : value * 8 * 1024 ** power;
}

function transferToBytes(value: number, unit: string): number | null {
  const m = /^([KMGT]?)(bits|Bytes)$/.exec(unit);
  if (!m) return null;
  const power = PREFIX[m[1]] ?? 0;
  return m[2] === 'bits' ? (value * 1000 ** power) / 8 : value * 1024 ** power;
}

/** "[  5]   0.00-1.00   sec  2.56 GBytes  22.0 Gbits/sec ..." (iperf3 and iperf2; bidir tags like [TX-C]). */
const DATA_LINE =
  /\[\s*(\d+|SUM(?:-\d+)?)\](?:\[([TR]X-[CS])\])?\s+(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s+sec\s+([\d.]+)\s+([KMGT]?(?:bits|Bytes))\s+([\d.]+)\s+([KMGT]?(?:bits|Bytes))\/sec(.*)$/;
const UDP_LOSS = /([\d.]+)\s*ms\s+(\d+)\/\s*(\d+)\s+\(([^)%]*)%\)/;

interface DataLine {
  line: number;
  stream: string;
  tag: string | null;
  start: number;
  end: number;
  bytes: number | null;
  bitsPerSec: number | null;
  rest: string;
}

/** Printed figures have 3-4 significant digits: whole bits and bytes hide float noise such as 8529999999.999999. */
function roundOrNull(v: number | null): number | null {
  return v === null ? null : Math.round(v);
}

function parseDataLine(text: string, lineNo: number): DataLine | null {
  const m = DATA_LINE.exec(text);
  if (!m) return null;
  return {
    line: lineNo,
    stream: m[1],
    tag: m[2] ?? null,
    start: Number(m[3]),
    end: Number(m[4]),
    bytes: roundOrNull(transferToBytes(Number(m[5]), m[6])),
    bitsPerSec: roundOrNull(iperfRateToBitsPerSec(Number(m[7]), m[8])),
    rest: m[9],
  };
}

/** Jitter and loss columns of UDP lines, into `extra`. */
function udpExtra(rest: string, extra: Extra): boolean {
  const m = UDP_LOSS.exec(rest);
  if (!m) return false;
  extra.jitterMs = Number(m[1]);
  extra.lostDatagrams = Number(m[2]);
  extra.totalDatagrams = Number(m[3]);
  const pct = Number(m[4]);
  if (Number.isFinite(pct)) extra.lossPercent = pct;
  return true;
}

function interval(tool: BenchmarkTool, d: DataLine, omitted: boolean): BenchmarkInterval {
  const stream = d.tag ? `${d.stream}[${d.tag}]` : d.stream;
  return {
    type: 'benchmark-interval',
    line: d.line,
    tool,
    startSec: d.start,
    endSec: d.end,
    bitsPerSec: d.bitsPerSec,
    transactionsPerSec: null,
    stream,
    omitted,
  };
}

function result(tool: BenchmarkTool, test: string, d: DataLine, role: string | null, extra: Extra): BenchmarkResult {
  if (d.bytes !== null) extra.bytes = d.bytes;
  return {
    type: 'benchmark',
    line: d.line,
    tool,
    test,
    transactionsPerSec: null,
    bitsPerSec: d.bitsPerSec,
    durationSec: Math.round((d.end - d.start) * 1e6) / 1e6,
    role,
    extra,
  };
}

// ---------------------------------------------------------------- iperf3 JSON

class Iperf3JsonReader implements LineReader {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private chars = 0;
  private startLine = 0;
  private tooLarge = false;
  /** Line of each top-level key of the current document ("end", "error"). */
  private keyLines: Record<string, number> = {};
  private readonly bad: Warnings;
  /** iperf3 --json-stream: the events of the run being read (start, intervals), until its end event. */
  private stream: { start?: unknown; intervals: unknown[]; line: number } | null = null;
  private documents = 0;

  private readonly runMarks: RunMarks;

  constructor(private readonly sink: RecordSink) {
    this.bad = new Warnings(sink);
    this.runMarks = new RunMarks(sink);
  }

  line(text: string, lineNo: number): void {
    if (this.depth === 0 && text.trim() === '') return;
    if (this.depth === 1) {
      const key = /^\s*"(\w+)"\s*:/.exec(text);
      if (key) this.keyLines[key[1]] = lineNo;
    }
    // Scan for the document's end (strings may hold braces); a line can end one document and start the next.
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (this.depth === 0) {
        if (c === '{') {
          this.depth = 1;
          this.startLine = lineNo;
          this.parts = [];
          this.chars = 0;
          this.tooLarge = false;
          this.keyLines = {};
          from = i;
          if (/^\s*\{\s*"error"\s*:/.test(text.slice(i))) this.keyLines.error = lineNo;
        } else if (!/\s/.test(c)) {
          // Text between --json-stream events (a label, a Markdown fence): the excerpt of one run ends there.
          if (this.stream) this.closeStream(lineNo - 1);
          const shown = JSON.stringify(text.slice(0, 60));
          this.bad.note('outside-json', lineNo, `text outside an iperf3 JSON document: expected "{" (${shown})`);
          return;
        }
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          this.append(text.slice(from, i + 1));
          this.finishDocument(lineNo);
          from = i + 1;
        }
      }
    }
    if (this.depth > 0) this.append(text.slice(from) + '\n');
  }

  private append(piece: string): void {
    if (this.tooLarge) return;
    this.chars += piece.length;
    if (this.chars > MAX_JSON_DOCUMENT_CHARS) {
      this.tooLarge = true;
      this.parts = [];
      return;
    }
    this.parts.push(piece);
  }

  end(lastLineNo: number): void {
    if (this.depth > 0) {
      this.sink.warn(
        this.startLine,
        `iperf3 JSON document starting at line ${this.startLine} is cut off at line ${lastLineNo} ` +
          '(missing closing "}"); its results are lost',
      );
    }
    this.parts = [];
    if (this.stream) this.closeStream(lastLineNo);
    this.bad.flush();
  }

  /** An --json-stream run without its "end" event (cut short, or an excerpt): its intervals are still read. */
  private closeStream(lastLineNo: number): void {
    const run = this.stream!;
    this.stream = null;
    const message =
      `iperf3 --json-stream run from line ${run.line} has no "end" event (cut short?); only its ` +
      `intervals are read`;
    this.bad.note('stream-without-end', run.line, message);
    this.startLine = run.line;
    this.keyLines = {};
    this.document({ start: run.start, intervals: run.intervals } as Iperf3Doc, lastLineNo, true);
  }

  private finishDocument(lastLine: number): void {
    const text = this.parts.join('');
    this.parts = [];
    if (this.tooLarge) {
      const where = `iperf3 JSON document at lines ${this.startLine}-${lastLine}`;
      this.sink.warn(this.startLine, `${where} is larger than 64 MB; skipped`);
      return;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const where = `iperf3 JSON document at lines ${this.startLine}-${lastLine}`;
      this.sink.warn(this.startLine, `${where} is not valid JSON: ${(e as Error).message}`);
      return;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
      this.sink.warn(this.startLine, 'expected an iperf3 JSON object');
      return;
    }
    if (typeof (doc as { event?: unknown }).event === 'string') return this.streamEvent(doc as StreamEvent, lastLine);
    this.document(doc as Iperf3Doc, lastLine);
  }

  /** iperf3 --json-stream: one {"event": …, "data": …} per line; a run is start, intervals, end. */
  private streamEvent(e: StreamEvent, lineNo: number): void {
    if (e.event === 'start') this.stream = { start: e.data, intervals: [], line: lineNo };
    else if (e.event === 'interval') {
      this.stream ??= { intervals: [], line: lineNo };
      if (this.stream.intervals.length < MAX_STREAM_INTERVALS) this.stream.intervals.push(e.data);
    } else if (e.event === 'end') {
      const run = this.stream ?? { intervals: [], line: lineNo };
      this.stream = null;
      this.startLine = run.line;
      this.keyLines = { end: lineNo };
      this.document({ start: run.start, intervals: run.intervals, end: e.data } as Iperf3Doc, lineNo);
    } else if (e.event === 'error') {
      this.sink.fail(lineNo, `iperf3: error - ${typeof e.data === 'string' ? e.data : JSON.stringify(e.data)}`);
    }
    // server_output_json / server_output_text and newer events are not needed for the summary
  }

  /** One run's results; `cutShort` when a --json-stream run lacked its "end" event (already warned about). */
  private document(doc: Iperf3Doc, lastLine: number, cutShort = false): void {
    this.documents++;
    const label = `iperf3 run ${this.documents} (line ${this.startLine})`;
    this.runMarks.start(this.startLine, label);
    const start = doc.start ?? {};
    const testStart = start.test_start ?? {};
    const test = typeof testStart.protocol === 'string' ? testStart.protocol : 'TCP';
    const intervals = Array.isArray(doc.intervals) ? doc.intervals : [];
    const intervalLine = this.keyLines.intervals ?? this.startLine;
    for (const iv of intervals) {
      const streams = Array.isArray(iv?.streams) ? iv.streams : [];
      const sums: [string, Iperf3Sum | undefined][] = [
        [streams.length === 1 && streams[0]?.socket !== undefined ? String(streams[0].socket) : 'SUM', iv?.sum],
        ['SUM-reverse', iv?.sum_bidir_reverse],
      ];
      for (const [stream, sum] of sums) {
        if (!sum || typeof sum.bits_per_second !== 'number') continue;
        this.sink.record({
          type: 'benchmark-interval',
          line: intervalLine,
          tool: 'iperf3',
          startSec: num(sum.start) ?? 0,
          endSec: num(sum.end) ?? 0,
          bitsPerSec: sum.bits_per_second,
          transactionsPerSec: null,
          stream,
          omitted: sum.omitted === true,
        });
      }
    }

    const end = doc.end ?? {};
    const common: Extra = {};
    if (typeof start.version === 'string') common.version = start.version;
    for (const k of ['num_streams', 'blksize', 'omit', 'duration', 'bytes', 'reverse', 'bidir'] as const) {
      const v = testStart[k];
      if (typeof v === 'number' && (v !== 0 || k === 'num_streams')) common[k === 'bytes' ? 'bytesTarget' : k] = v;
    }
    const target = start.target_bitrate;
    if (typeof target === 'number' && target > 0) common.targetBitrate = target;
    const cpu = end.cpu_utilization_percent;
    if (cpu) {
      if (typeof cpu.host_total === 'number') common.localCpuUtilPct = cpu.host_total;
      if (typeof cpu.remote_total === 'number') common.remoteCpuUtilPct = cpu.remote_total;
    }
    if (typeof end.sender_tcp_congestion === 'string') common.senderCongestion = end.sender_tcp_congestion;
    if (typeof end.receiver_tcp_congestion === 'string') common.receiverCongestion = end.receiver_tcp_congestion;
    const endStreams = Array.isArray(end.streams) ? end.streams : [];
    const sender = endStreams.length === 1 ? endStreams[0]?.sender : undefined;
    if (sender) {
      const names = [
        ['max_snd_cwnd', 'maxCwndBytes'],
        ['min_rtt', 'minRttUs'],
        ['mean_rtt', 'meanRttUs'],
        ['max_rtt', 'maxRttUs'],
      ];
      for (const [k, name] of names) {
        const v = (sender as Record<string, unknown>)[k];
        if (typeof v === 'number') common[name] = v;
      }
    }

    const resultLine = this.keyLines.end ?? lastLine;
    const roles: [string | null, Iperf3Sum | undefined][] =
      end.sum_sent || end.sum_received
        ? [
            ['sender', end.sum_sent],
            ['receiver', end.sum_received],
            ['sender-reverse', end.sum_sent_bidir_reverse],
            ['receiver-reverse', end.sum_received_bidir_reverse],
          ]
        : [[null, end.sum]];
    let emitted = 0;
    for (const [role, sum] of roles) {
      if (!sum || typeof sum.bits_per_second !== 'number') continue;
      const extra: Extra = { ...common };
      // UDP: the receiver's jitter/loss live in end.sum on older iperf3 versions
      const udpSource = role === 'receiver' && typeof sum.jitter_ms !== 'number' ? end.sum : sum;
      copyNumbers(sum, extra, { bytes: 'bytes', retransmits: 'retransmits', packets: 'packets' });
      if (udpSource) {
        copyNumbers(udpSource, extra, {
          jitter_ms: 'jitterMs',
          lost_packets: 'lostDatagrams',
          lost_percent: 'lossPercent',
          out_of_order: 'outOfOrder',
        });
      }
      if (role === 'receiver' || role === 'receiver-reverse') delete extra.retransmits;
      this.sink.record({
        type: 'benchmark',
        line: resultLine,
        tool: 'iperf3',
        test,
        transactionsPerSec: null,
        bitsPerSec: sum.bits_per_second,
        durationSec: num(sum.seconds) ?? (num(sum.end) ?? 0) - (num(sum.start) ?? 0),
        role,
        extra,
      });
      emitted++;
    }
    if (typeof doc.error === 'string') {
      this.sink.fail(this.keyLines.error ?? this.startLine, `iperf3: error - ${doc.error}`);
    } else if (emitted === 0 && doc.end !== undefined) {
      const message =
        `iperf3 JSON document at line ${this.startLine} has no end summary (sum_sent / ` + `sum_received / sum)`;
      this.sink.warn(this.startLine, message);
    } else if (emitted === 0 && !cutShort) {
      this.sink.warn(this.startLine, `iperf3 JSON document at line ${this.startLine} has no "end" section: no summary`);
    }
  }
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function copyNumbers(from: object, to: Extra, names: Record<string, string>): void {
  for (const [k, name] of Object.entries(names)) {
    const v = (from as Record<string, unknown>)[k];
    if (typeof v === 'number') to[name] = v;
  }
}

interface Iperf3Sum {
  start?: number;
  end?: number;
  seconds?: number;
  bytes?: number;
  bits_per_second?: number;
  retransmits?: number;
  jitter_ms?: number;
  lost_packets?: number;
  packets?: number;
  lost_percent?: number;
  omitted?: boolean;
}
interface StreamEvent {
  event: string;
  data?: unknown;
}
/** A --json-stream run keeps at most this many interval events (a day at 1 s intervals). */
const MAX_STREAM_INTERVALS = 100_000;

interface Iperf3Doc {
  start?: {
    version?: string;
    target_bitrate?: number;
    test_start?: { protocol?: string } & Record<string, unknown>;
  };
  intervals?: { streams?: { socket?: number }[]; sum?: Iperf3Sum; sum_bidir_reverse?: Iperf3Sum }[];
  end?: {
    streams?: { sender?: object }[];
    sum?: Iperf3Sum;
    sum_sent?: Iperf3Sum;
    sum_received?: Iperf3Sum;
    sum_sent_bidir_reverse?: Iperf3Sum;
    sum_received_bidir_reverse?: Iperf3Sum;
    cpu_utilization_percent?: { host_total?: number; remote_total?: number };
    sender_tcp_congestion?: string;
    receiver_tcp_congestion?: string;
  };
  error?: unknown;
}

// ---------------------------------------------------------------- iperf3 text

interface Summary {
  d: DataLine;
  role: string;
  extra: Extra;
}

/** The iperf2 and iperf3 text readers: blank lines skipped, bad lines counted, the line where a run began. */
abstract class IperfTextReader implements LineReader {
  protected runLine = 0;
  protected readonly bad: Warnings;
  private runs = 0;
  /** Whether the run being read has been announced with a RunStart (before its first record). */
  private runAnnounced = false;

  private readonly runMarks: RunMarks;

  constructor(protected readonly sink: RecordSink) {
    this.bad = new Warnings(sink);
    this.runMarks = new RunMarks(sink);
  }

  line(raw: string, lineNo: number): void {
    const text = raw.replace(/\r$/, '');
    const t = text.trim();
    if (t !== '') this.textLine(text, t, lineNo);
  }

  /** Hands a record on, announcing its run first: every run of a file is a run of its own, never summed. */
  protected out(r: BenchmarkResult | BenchmarkInterval, tool: string): void {
    if (!this.runAnnounced) {
      this.runAnnounced = true;
      this.runs++;
      const line = this.runLine || r.line;
      this.runMarks.start(line, `${tool} run ${this.runs} (line ${line})`);
    }
    this.sink.record(r);
  }

  /** The run's results are out: the next record starts the next run. */
  protected endRun(): void {
    this.runAnnounced = false;
  }

  /** A non-blank line: `text` without its CR, `t` trimmed. */
  protected abstract textLine(text: string, t: string, lineNo: number): void;
  abstract end(lastLineNo: number): void;
}

class Iperf3TextReader extends IperfTextReader {
  private summaries: Summary[] = [];
  private streams = new Set<string>();
  private udp = false;
  private reverse = false;
  private started = false;
  private intervals = 0;

  protected textLine(text: string, t: string, lineNo: number): void {
    if (/^iperf3: error - /.test(t)) {
      this.flush(lineNo);
      this.sink.fail(lineNo, t);
      return;
    }
    if (/^iperf3: /.test(t)) {
      this.sink.warn(lineNo, t); // e.g. "iperf3: interrupt - the client has terminated"
      return;
    }
    if (/^(Connecting to host|Accepted connection from|Server listening on)/.test(t)) {
      if (this.started && (this.summaries.length > 0 || this.intervals > 0)) this.flush(lineNo);
      this.started = true;
      this.runLine = lineNo;
      return;
    }
    if (/^Reverse mode, remote host .* is sending/.test(t)) {
      this.reverse = true;
      return;
    }
    if (t === 'iperf Done.') {
      this.flush(lineNo);
      return;
    }
    if (/^\[ ID\]/.test(t)) {
      if (/Jitter|Datagrams/.test(t)) this.udp = true;
      return;
    }
    const local = /^\[\s*(\d+)\](?:\[[TR]X-[CS]\])?\s+local .* connected to /.exec(t);
    if (local) {
      this.streams.add(local[1]);
      return;
    }
    const d = parseDataLine(t, lineNo);
    if (d) return this.data(d);
    if (/^\[\s*(\d+|SUM)\]/.test(t) && /\bsec\b/.test(t)) {
      const expected = '"[ID] start-end sec transfer unit rate unit/sec ..."';
      this.bad.note('bad-line', lineNo, `iperf3 line not understood: expected ${expected}`);
    }
    // banners, separators ("- - -", "-----"), cookie and version lines carry nothing we keep
  }

  private data(d: DataLine): void {
    this.started = true;
    if (d.stream !== 'SUM' && !d.stream.startsWith('SUM')) this.streams.add(d.stream);
    const role = /\b(sender|receiver)\s*$/.exec(d.rest);
    if (!role) {
      this.intervals++;
      this.out(interval('iperf3', d, /\(omitted\)/.test(d.rest)), 'iperf3');
      return;
    }
    const extra: Extra = {};
    if (udpExtra(d.rest, extra)) this.udp = true;
    else {
      const retr = /^\s*(\d+)\s+/.exec(d.rest);
      if (retr && role[1] === 'sender') extra.retransmits = Number(retr[1]);
    }
    // --bidir: [RX-C] on the client is the reverse direction
    const reversed = d.tag === 'RX-C' || d.tag === 'TX-S';
    if (this.summaries.length < MAX_SUMMARIES) {
      this.summaries.push({ d, role: reversed ? `${role[1]}-reverse` : role[1], extra });
    }
  }

  private flush(lineNo: number): void {
    const sums = this.summaries.filter((s) => s.d.stream.startsWith('SUM'));
    const chosen = sums.length > 0 ? sums : this.summaries;
    const test = this.udp ? 'UDP' : 'TCP';
    const perStream: Extra = {};
    if (sums.length > 0) {
      for (const s of this.summaries) {
        if (!s.d.stream.startsWith('SUM') && s.d.bitsPerSec !== null) {
          perStream[`stream ${s.d.stream} ${s.role} bitsPerSec`] = s.d.bitsPerSec;
        }
      }
    }
    for (const s of chosen) {
      const extra: Extra = { ...s.extra, ...perStream };
      if (this.streams.size > 0) extra.streams = this.streams.size;
      if (this.reverse) extra.reverse = 1;
      if (chosen.length > 2 && sums.length === 0) extra.stream = s.d.stream;
      this.out(result('iperf3', test, s.d, s.role, extra), 'iperf3');
    }
    if (chosen.length === 0 && this.intervals > 0) {
      const run = `iperf3 run from line ${this.runLine || 1}`;
      this.sink.warn(this.runLine || lineNo, `${run} has intervals but no sender/receiver summary (cut short?)`);
    }
    this.summaries = [];
    this.streams = new Set();
    this.udp = false;
    this.reverse = false;
    this.started = false;
    this.intervals = 0;
    this.endRun();
  }

  end(lastLineNo: number): void {
    this.flush(lastLineNo);
    this.bad.flush();
  }
}

// ---------------------------------------------------------------- iperf2 text

class Iperf2TextReader extends IperfTextReader {
  private test = 'TCP';
  /** Per stream: the furthest interval end seen, a 0-start line that may be the first interval or the whole run. */
  private lastEnd = new Map<string, number>();
  private pending = new Map<string, DataLine>();
  private finals = new Map<string, DataLine>();
  private serverReports: DataLine[] = [];
  private expectServerReport = new Set<string>();

  protected textLine(text: string, t: string, lineNo: number): void {
    const banner = /^(Client connecting to|Server listening on)\b.*?\b(TCP|UDP)\b/.exec(t);
    if (banner) {
      this.flush(lineNo);
      this.test = banner[2];
      this.runLine = lineNo;
      return;
    }
    if (/^(UDP buffer size|Sending \d+ byte datagrams)/.test(t)) {
      this.test = 'UDP';
      return;
    }
    if (
      /^(connect failed|write failed|read failed|tcp connect to .* failed|udp connect to .* failed)|^ERROR: /i.test(t)
    ) {
      this.flush(lineNo);
      this.sink.fail(lineNo, t);
      return;
    }
    if (/^WARNING: /.test(t)) {
      this.sink.warn(lineNo, t);
      return;
    }
    const report = /^\[\s*(\d+|SUM(?:-\d+)?)\]\s+Server Report:/.exec(t);
    if (report) {
      this.settle();
      this.expectServerReport.add(report[1]);
      return;
    }
    const d = parseDataLine(t, lineNo);
    if (d) return this.data(d);
    if (/^\[\s*(\d+|SUM)/.test(t) && /\bsec\b/.test(t) && !/\bconnected with\b/.test(t)) {
      const expected = '"[ID] start-end sec transfer unit bandwidth unit/sec"';
      this.bad.note('bad-line', lineNo, `iperf2 line not understood: expected ${expected}`);
    }
  }

  private data(d: DataLine): void {
    if (this.expectServerReport.delete(d.stream)) {
      this.serverReports.push(d);
      return;
    }
    // A later line (streams report in lockstep) shows that the 0-start lines before it were first intervals.
    const own = this.pending.get(d.stream);
    if (d.start > 0 || own) {
      const earlier = d.start > 0 ? [...this.pending.values()] : [own as DataLine];
      for (const p of earlier.sort((a, b) => a.line - b.line)) {
        this.pending.delete(p.stream);
        this.out(interval('iperf2', p, false), 'iperf2');
        this.lastEnd.set(p.stream, p.end);
      }
    }
    const last = this.lastEnd.get(d.stream);
    if (d.start === 0 && last !== undefined && d.end >= last - 0.05) {
      this.finals.set(d.stream, d); // covers the whole run
    } else if (d.start === 0 && last === undefined) {
      this.pending.set(d.stream, d);
    } else {
      this.out(interval('iperf2', d, false), 'iperf2');
      this.lastEnd.set(d.stream, Math.max(last ?? 0, d.end));
    }
  }

  /** The 0-start lines nobody continued are whole-run lines. */
  private settle(): void {
    for (const [stream, d] of this.pending) this.finals.set(stream, d);
    this.pending.clear();
  }

  private flush(lineNo: number): void {
    this.settle();
    const sum = [...this.finals.entries()].find(([k]) => k.startsWith('SUM'));
    const streams = [...this.finals.entries()].filter(([k]) => !k.startsWith('SUM'));
    const common: Extra = {};
    if (sum) {
      common.streams = streams.length;
      for (const [k, d] of streams) if (d.bitsPerSec !== null) common[`stream ${k} bitsPerSec`] = d.bitsPerSec;
    }
    const chosen: [DataLine, string | null][] = sum
      ? [[sum[1], 'sum']]
      : streams.map(([k, d]) => [d, streams.length > 1 ? k : null]);
    const hasReport = this.serverReports.length > 0;
    for (const [d, role] of chosen) {
      const asRole = hasReport && role === null ? 'sender' : role;
      this.out(result('iperf2', this.test, d, asRole, { ...common, ...enhancedExtra(d.rest) }), 'iperf2');
    }
    for (const d of this.serverReports) {
      const extra: Extra = {};
      udpExtra(d.rest, extra);
      this.out(result('iperf2', this.test, d, 'receiver', extra), 'iperf2');
    }
    if (chosen.length === 0 && this.serverReports.length === 0 && this.lastEnd.size > 0) {
      const run = `iperf2 run from line ${this.runLine || 1}`;
      this.sink.warn(this.runLine || lineNo, `${run} has intervals but no line covering the whole run (cut short?)`);
    }
    this.lastEnd.clear();
    this.finals.clear();
    this.serverReports = [];
    this.expectServerReport.clear();
    this.endRun();
  }

  end(lastLineNo: number): void {
    this.flush(lastLineNo);
    this.bad.flush();
  }
}

/** iperf2 -e columns after the bandwidth: "Write/Err Rtry Cwnd/RTT(var) NetPwr", "Reads=Dist", UDP jitter/loss. */
function enhancedExtra(rest: string): Extra {
  const extra: Extra = {};
  const client = /^\s*(\d+)\/(\d+)\s+(\d+)\s+(-?\d+)K\/(\d+)(?:\((\d+)\))?\s*us(?:\s+(\d+))?/.exec(rest);
  if (client) {
    extra.writes = Number(client[1]);
    extra.writeErrors = Number(client[2]);
    extra.retransmits = Number(client[3]);
    extra.cwndKBytes = Number(client[4]);
    extra.rttUs = Number(client[5]);
    if (client[6] !== undefined) extra.rttVarUs = Number(client[6]);
    if (client[7] !== undefined) extra.netPower = Number(client[7]);
    return extra;
  }
  const reads = /^\s*(\d+)=([\d:]+)/.exec(rest);
  if (reads) {
    extra.reads = Number(reads[1]);
    extra.readDistribution = reads[2];
    return extra;
  }
  udpExtra(rest, extra);
  return extra;
}

// ---------------------------------------------------------------- detection

const JSON_STREAM_EVENT_LINE = /^\s*\{\s*"event"\s*:\s*"(?:start|interval|end|error)"\s*,\s*"data"\s*:/;

function detect(head: readonly string[]): InputFormat | null {
  const first = head[0]?.trim() ?? '';
  if (first.startsWith('{')) {
    // iperf3 always writes "start" first (or only "error"): look at the document's first key
    const opening = first === '{' ? (head[1]?.trim() ?? '') : first.slice(1).trim();
    if (/^"(start|error)"\s*:/.test(opening)) return 'iperf3-json';
    if (/^"event"\s*:\s*"(start|interval|end|error)"/.test(opening)) return 'iperf3-json'; // --json-stream
  }
  // --json-stream events are one self-contained line each: recognisable after a label or a Markdown fence too
  if (head.some((l) => JSON_STREAM_EVENT_LINE.test(l))) return 'iperf3-json';
  let iperf2 = false;
  for (const raw of head) {
    const l = raw.trim();
    if (
      /^Connecting to host \S+, port \d+/.test(l) ||
      /^\[ ID\]\s+Interval\s+Transfer\s+Bitrate/.test(l) ||
      /^Server listening on \d+/.test(l) ||
      /^iperf3: error - /.test(l) ||
      /^Reverse mode, remote host .* is sending/.test(l) ||
      (/^\[\s*(\d+|SUM)\]/.test(l) && /\s(sender|receiver)\s*$/.test(l))
    ) {
      return 'iperf3-text';
    }
    if (
      /^Client connecting to \S+, (TCP|UDP) port \d+/.test(l) ||
      /^Server listening on (TCP|UDP) port \d+/.test(l) ||
      /^\[ ID\]\s+Interval\s+Transfer\s+Bandwidth/.test(l)
    ) {
      iperf2 = true; // iperf 3.0/3.1 also said "Bandwidth": keep looking for an iperf3 marker
    }
  }
  return iperf2 ? 'iperf2-text' : null;
}

export const iperfReader: TextFormatReader = {
  formats: ['iperf3-json', 'iperf3-text', 'iperf2-text'],
  detect,
  create: (format, sink) => {
    if (format === 'iperf3-json') return new Iperf3JsonReader(sink);
    if (format === 'iperf3-text') return new Iperf3TextReader(sink);
    return new Iperf2TextReader(sink);
  },
};
