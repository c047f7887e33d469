// netperf output: classic banner tables (STREAM / MAERTS / RR / CRR / UDP_STREAM, with or without -c -C CPU columns),
// `-P 0` result lines without banner, omni `-O` (human columns), `-o` (CSV) and `-k` (KEY=VALUE), demo
// "Interim result" lines, confidence banners and "!!! WARNING" blocks, several runs with shell prompts in between,
// and netperf's own error messages. Print formats follow netperf's src/nettest_bsd.c, src/nettest_omni.c, src/netlib.c.
//
// Which test a table belongs to: the banner ("MIGRATED TCP REQUEST/RESPONSE TEST from ..."), else the `-t` option of
// the last `netperf` command line seen (netperf's default is TCP_STREAM), else — for bare `-P 0` lines — the shape of
// the numbers: 5 or 9 numbers with the first decimal (elapsed time) at column 4 → TCP_STREAM; 6 or 10 numbers with the
// elapsed time at column 5 → TCP_RR; 6 or 8 numbers with the elapsed time at column 3 → UDP_STREAM. A test guessed
// from the shape is marked with extra.testFrom = "column shape".
import Papa from 'papaparse';
import { looksLikeTraceEvent } from './traceText';
import type { BenchmarkResult, InputFormat, LineReader, RecordSink, TextFormatReader } from '../records';
import { RunMarks } from './runMarks';
import { Warnings } from './warnings';

const BANNER = /^(?:MIGRATED |EXS )?(.+?) TEST from \S.* to \S/;
const INTERIM = /^Interim result:\s+([\d.]+)\s+(\S+)\/s over ([\d.]+) seconds ending at ([\d.]+)/;
const KEYVAL = /^([A-Z][A-Z0-9_]*)=(.*)$/;
const COMMAND = /(?:^|[\s$#>%;])(?:\S*\/)?netperf(?:\s|$)/;
/** netperf's fatal messages (netlib.c establish_control, recv_response, send_* "failed" paths). */
const NETPERF_ERROR =
  /^(establish control: |establish_control could not|netperf: (?:.*\b(?:failed|error|errno|unable|cannot|could not)\b)|recv_response: |send_\w+: .*\b(?:failed|error|errno)\b|netperf: remote error|remote error|Packet rejected|netserver: )/i;

/** Classic banner names (print_top_test_header / send_omni_inner) → netperf's -t names. */
const BANNER_TESTS: Record<string, string> = {
  'TCP STREAM': 'TCP_STREAM',
  'TCP MAERTS': 'TCP_MAERTS',
  'TCP MSS': 'TCP_MSS',
  'TCP SENDFILE': 'TCP_SENDFILE',
  'TCP REQUEST/RESPONSE': 'TCP_RR',
  'TCP Connect/Request/Response': 'TCP_CRR',
  'TCP Transactional/Request/Response': 'TCP_TRR',
  'TCP Non-Blocking REQUEST/RESPONSE': 'TCP_NBRR',
  'TCP Connect/Close': 'TCP_CC',
  'UDP UNIDIRECTIONAL SEND': 'UDP_STREAM',
  'UDP STREAM': 'UDP_STREAM',
  'UDP REQUEST/RESPONSE': 'UDP_RR',
};

/**
 * Omni output names as printed by -O/-o (the header lines joined) → the -k key names (nettest_omni.c set_output_elt).
 */
const OMNI_HEADERS: Record<string, string> = {
  'Result Tag': 'RESULT_BRAND',
  'Socket Type': 'SOCKET_TYPE',
  Direction: 'DIRECTION',
  Protocol: 'PROTOCOL',
  'Elapsed Time (sec)': 'ELAPSED_TIME',
  Throughput: 'THROUGHPUT',
  'Local Send Throughput': 'LOCAL_SEND_THROUGHPUT',
  'Local Recv Throughput': 'LOCAL_RECV_THROUGHPUT',
  'Remote Send Throughput': 'REMOTE_SEND_THROUGHPUT',
  'Remote Recv Throughput': 'REMOTE_RECV_THROUGHPUT',
  'Throughput Units': 'THROUGHPUT_UNITS',
  'Confidence Level Percent': 'CONFIDENCE_LEVEL',
  'Confidence Width Target': 'CONFIDENCE_INTERVAL',
  'Confidence Iterations Run': 'CONFIDENCE_ITERATION',
  'Throughput Confidence Width (%)': 'THROUGHPUT_CONFID',
  'Local CPU Confidence Width (%)': 'LOCAL_CPU_CONFID',
  'Remote CPU Confidence Width (%)': 'REMOTE_CPU_CONFID',
  'Round Trip Latency usec/tran': 'RT_LATENCY',
  'Transaction Rate Tran/s': 'TRANSACTION_RATE',
  'Transport MSS bytes': 'TRANSPORT_MSS',
  'Local Transport Retransmissions': 'LOCAL_TRANSPORT_RETRANS',
  'Remote Transport Retransmissions': 'REMOTE_TRANSPORT_RETRANS',
  'Request Size Bytes': 'REQUEST_SIZE',
  'Response Size Bytes': 'RESPONSE_SIZE',
  'Initial Burst Requests': 'BURST_SIZE',
  'Local Send Socket Size Requested': 'LSS_SIZE_REQ',
  'Local Send Socket Size Initial': 'LSS_SIZE',
  'Local Send Socket Size Final': 'LSS_SIZE_END',
  'Local Recv Socket Size Requested': 'LSR_SIZE_REQ',
  'Local Recv Socket Size Initial': 'LSR_SIZE',
  'Local Recv Socket Size Final': 'LSR_SIZE_END',
  'Remote Send Socket Size Requested': 'RSS_SIZE_REQ',
  'Remote Send Socket Size Initial': 'RSS_SIZE',
  'Remote Send Socket Size Final': 'RSS_SIZE_END',
  'Remote Recv Socket Size Requested': 'RSR_SIZE_REQ',
  'Remote Recv Socket Size Initial': 'RSR_SIZE',
  'Remote Recv Socket Size Final': 'RSR_SIZE_END',
  'Local Send Size': 'LOCAL_SEND_SIZE',
  'Local Recv Size': 'LOCAL_RECV_SIZE',
  'Remote Send Size': 'REMOTE_SEND_SIZE',
  'Remote Recv Size': 'REMOTE_RECV_SIZE',
  'Local Send Calls': 'LOCAL_SEND_CALLS',
  'Local Recv Calls': 'LOCAL_RECV_CALLS',
  'Remote Send Calls': 'REMOTE_SEND_CALLS',
  'Remote Recv Calls': 'REMOTE_RECV_CALLS',
  'Local Bytes Sent': 'LOCAL_BYTES_SENT',
  'Local Bytes Received': 'LOCAL_BYTES_RECVD',
  'Remote Bytes Sent': 'REMOTE_BYTES_SENT',
  'Remote Bytes Received': 'REMOTE_BYTES_RECVD',
  'Local CPU Util %': 'LOCAL_CPU_UTIL',
  'Remote CPU Util %': 'REMOTE_CPU_UTIL',
  'Local CPU User %': 'LOCAL_CPU_PERCENT_USER',
  'Local CPU System %': 'LOCAL_CPU_PERCENT_SYSTEM',
  'Remote CPU User %': 'REMOTE_CPU_PERCENT_USER',
  'Remote CPU System %': 'REMOTE_CPU_PERCENT_SYSTEM',
  'Local Peak Per CPU Util %': 'LOCAL_CPU_PEAK_UTIL',
  'Remote Peak Per CPU Util %': 'REMOTE_CPU_PEAK_UTIL',
  'Local Service Demand': 'LOCAL_SD',
  'Remote Service Demand': 'REMOTE_SD',
  'Service Demand Units': 'SD_UNITS',
  'Local CPU Count': 'LOCAL_CPU_COUNT',
  'Remote CPU Count': 'REMOTE_CPU_COUNT',
  'Minimum Latency Microseconds': 'MIN_LATENCY',
  'Maximum Latency Microseconds': 'MAX_LATENCY',
  '50th Percentile Latency Microseconds': 'P50_LATENCY',
  '90th Percentile Latency Microseconds': 'P90_LATENCY',
  '99th Percentile Latency Microseconds': 'P99_LATENCY',
  'Mean Latency Microseconds': 'MEAN_LATENCY',
  'Stddev Latency Microseconds': 'STDDEV_LATENCY',
  'Local Congestion Control Algorithm': 'LOCAL_CONG_CONTROL',
  'Remote Congestion Control Algorithm': 'REMOTE_CONG_CONTROL',
};

const MAX_HEADER_LINES = 8;
const MAX_KEYS = 256;
/** Mail quoting ("> ", "> > ") in front of pasted output. */
const MAIL_QUOTE = /^(?:\s*>)+ ?/;
/** A banner a mail client wrapped before its " to HOST" part. */
const BANNER_START = /^(?:MIGRATED |EXS )(.+?) TEST from \S/;

type Family = 'stream' | 'rr' | 'udp-stream';

function familyOf(test: string): Family {
  if (test === 'UDP_STREAM') return 'udp-stream';
  if (/_(RR|CRR|TRR|NBRR|CC)$/.test(test)) return 'rr';
  return 'stream';
}

/** bits/s per unit of netperf's `%s/s` throughput units (netlib.c format_units / calc_thruput_interval). */
export function netperfUnitToBitsPerSec(unit: string): number | null {
  const u = unit.replace(/\/s(ec)?$/, '');
  const decimal = /^10\^(\d+)bits$/.exec(u);
  if (decimal) return 10 ** Number(decimal[1]);
  const bytes: Record<string, number> = { Bytes: 8, KBytes: 8 * 1024, MBytes: 8 * 1024 ** 2, GBytes: 8 * 1024 ** 3 };
  return bytes[u] ?? null;
}

const isTransUnit = (unit: string) => /^Trans?(\/s(ec)?)?$/.test(unit);

/** -f letter → the unit netperf prints. */
const FORMAT_LETTERS: Record<string, string> = {
  B: 'Bytes',
  K: 'KBytes',
  M: 'MBytes',
  G: 'GBytes',
  b: '10^0bits',
  k: '10^3bits',
  m: '10^6bits',
  g: '10^9bits',
  x: 'Trans',
};

function isNumber(token: string): boolean {
  return token !== '' && Number.isFinite(Number(token));
}

function numOrString(v: string): number | string {
  const t = v.trim().replace(/^"(.*)"$/, '$1');
  return isNumber(t) ? Number(t) : t;
}

interface Run {
  test: string | null;
  testFrom: string | null;
  bannerLine: number | null;
  headers: string[];
  unit: string | null;
  extra: Record<string, number | string>;
  result: BenchmarkResult | null;
  /** The second line a classic table prints (RR remote socket sizes, UDP_STREAM receive side). */
  expectSecond: Family | null;
  keyval: Record<string, string> | null;
  keyvalLine: number;
  csvHeader: string[] | null;
  interimOrigin: number | null;
  failed: boolean;
  warningBlock: string[];
  warningLine: number;
}

class NetperfLineReader implements LineReader {
  private run: Run = this.newRun();
  /** Test and -f unit of the last `netperf` command line, for banner-less output. */
  private commandTest: string | null = null;
  private commandUnit: string | null = null;
  /** Output selectors of the last command's `-o` (CSV), for -P 0 values printed without a header line. */
  private commandCsvKeys: string[] | null = null;
  private skippedTraceLines = 0;
  private firstSkippedTraceLine: number | null = null;
  private readonly warnings: Warnings;
  /** A banner line cut by a mail client, held for the next line. */
  private pendingBanner: { text: string; line: number } | null = null;
  private results = 0;

  private readonly runMarks: RunMarks;

  constructor(private readonly sink: RecordSink) {
    this.warnings = new Warnings(sink);
    this.runMarks = new RunMarks(sink);
  }

  private newRun(): Run {
    return {
      test: null,
      testFrom: null,
      bannerLine: null,
      headers: [],
      unit: null,
      extra: {},
      result: null,
      expectSecond: null,
      keyval: null,
      keyvalLine: 0,
      csvHeader: null,
      interimOrigin: null,
      failed: false,
      warningBlock: [],
      warningLine: 0,
    };
  }

  line(raw: string, lineNo: number): void {
    let text = raw.replace(/\r$/, '').replace(/\s+$/, '');
    if (MAIL_QUOTE.test(text)) {
      text = text.replace(MAIL_QUOTE, '');
      this.warnings.note('quoted', lineNo, 'mail quoting ("> ") in front of netperf output was removed');
    }
    if (this.pendingBanner) {
      const held = this.pendingBanner;
      this.pendingBanner = null;
      const joined = `${held.text} ${text.trim()}`;
      if (BANNER.test(joined)) {
        const message = 'a netperf banner wrapped by a mail client was joined with the next line';
        this.warnings.note('wrapped', held.line, message);
        return this.line(joined, held.line);
      }
      this.line(held.text, held.line);
    }
    if (BANNER_START.test(text.trim()) && !BANNER.test(text.trim())) {
      this.pendingBanner = { text: text.trim(), line: lineNo };
      return;
    }
    const trimmed = text.trim();
    if (this.run.warningBlock.length > 0 && !trimmed.startsWith('!!!')) this.endWarningBlock();
    if (trimmed === '') return;

    if (NETPERF_ERROR.test(trimmed)) return this.error(trimmed, lineNo);
    const banner = BANNER.exec(trimmed);
    if (banner) return this.banner(trimmed, banner[1], lineNo);
    if ((COMMAND.test(trimmed) && /\s-/.test(trimmed)) || /(?:^|[$#>%]\s*)(?:\S*\/)?netperf$/.test(trimmed)) {
      return this.command(trimmed);
    }
    const interim = INTERIM.exec(trimmed);
    if (interim) return this.interim(interim, lineNo);
    if (trimmed.startsWith('!!!')) {
      if (this.run.warningBlock.length === 0) this.run.warningLine = lineNo;
      if (this.run.warningBlock.length < 12) this.run.warningBlock.push(trimmed.replace(/^!!!\s?/, ''));
      return;
    }
    const kv = KEYVAL.exec(trimmed);
    if (kv) return this.keyValue(kv[1], kv[2], lineNo);
    if (trimmed.includes(',') && (this.run.bannerLine !== null || this.run.csvHeader !== null || this.commandCsvKeys)) {
      return this.csv(trimmed, lineNo);
    }

    const tokens = trimmed.split(/\s+/);
    const numeric = tokens.filter(isNumber).length;
    if (this.run.expectSecond && numeric === tokens.length && this.second(tokens, lineNo)) return;
    if (numeric === tokens.length || (numeric >= 2 && numeric === tokens.length - 1 && isNumber(tokens[0]))) {
      // all numbers, or all numbers and a trailing -B result brand
      if (this.isOmniHuman()) return this.omniHuman(text, lineNo);
      return this.classic(tokens.filter(isNumber).map(Number), tokens, lineNo);
    }
    if (this.run.headers.length > 0 && this.isOmniHuman() && numeric * 2 >= tokens.length) {
      return this.omniHuman(text, lineNo); // omni values may hold strings such as "10^6bits/s"
    }
    if (this.run.bannerLine !== null && this.run.result === null && this.run.keyval === null) {
      if (this.run.headers.length >= MAX_HEADER_LINES) this.run.headers.shift();
      this.run.headers.push(text);
      const unit = /(10\^\d+bits|[KMG]?Bytes)\/s(?:ec)?\b/.exec(text);
      if (unit) this.run.unit = unit[1];
      const sdUnit = /\b(us\/KB|us\/Tr)\b/.exec(text);
      if (sdUnit) this.run.extra.serviceDemandUnits = sdUnit[1];
    }
    // anything else (prose, prompts of other commands) is not netperf's and is skipped; trace events are counted
    // so that a file holding netperf output and a trace says that its trace part was not read
    if (looksLikeTraceEvent(text)) {
      this.skippedTraceLines++;
      this.firstSkippedTraceLine ??= lineNo;
    }
  }

  end(lastLineNo: number): void {
    if (this.pendingBanner) this.line(this.pendingBanner.text, this.pendingBanner.line);
    this.pendingBanner = null;
    if (this.run.warningBlock.length > 0) this.endWarningBlock();
    this.flush(lastLineNo);
    if (this.skippedTraceLines > 0) {
      this.sink.warn(
        this.firstSkippedTraceLine,
        `${this.skippedTraceLines} trace event lines in this netperf output were not read (from line ` +
          `${this.firstSkippedTraceLine}); put the trace in a file of its own and analyse both files together`,
      );
    }
    this.warnings.flush();
  }

  /** A line that looks like netperf's but cannot be read: warned once per kind, with the count and first lines. */
  private bad(kind: string, lineNo: number, message: string): void {
    this.warnings.note(kind, lineNo, message);
  }

  private error(message: string, lineNo: number): void {
    if (this.run.failed) {
      this.sink.warn(lineNo, message); // the rest of netperf's error message
      return;
    }
    this.flush(lineNo);
    this.run.failed = true;
    this.sink.fail(lineNo, message);
  }

  private command(text: string): void {
    this.flush(null);
    const global = text.split(/\s--(?:\s|$)/)[0];
    const t = /(?:^|\s)-t\s*(\S+)/.exec(global);
    this.commandTest = t ? t[1].toUpperCase() : 'TCP_STREAM';
    const f = /(?:^|\s)-f\s*([BKMGbkmgx])\b/.exec(global);
    this.commandUnit = f ? FORMAT_LETTERS[f[1]] : null;
    const local = text.split(/\s--(?:\s|$)/)[1] ?? '';
    const o = /(?:^|\s)-o\s*([A-Za-z_][\w,]*)/.exec(local);
    this.commandCsvKeys = o ? o[1].split(',').map((k) => k.toUpperCase()) : null;
  }

  private banner(text: string, name: string, lineNo: number): void {
    this.flush(lineNo);
    const run = this.run;
    run.bannerLine = lineNo;
    const omni = /^OMNI (.+)$/.exec(name);
    if (omni) {
      run.test = 'omni';
      run.extra.direction = omni[1];
    } else {
      run.test = BANNER_TESTS[name] ?? name.replace(/[\s/]+/g, '_').toUpperCase();
    }
    run.testFrom = 'banner';
    const conf = /: \+\/-([\d.]+)% @\s*(\d+)% conf\./.exec(text);
    if (conf) {
      run.extra.confidenceTargetPct = Number(conf[1]);
      run.extra.confidenceLevelPct = Number(conf[2]);
    }
    const destination = / to (\S+)/.exec(text);
    if (destination) run.extra.destination = destination[1];
    const burst = /: first burst (\d+)/.exec(text);
    if (burst) run.extra.firstBurst = Number(burst[1]);
  }

  private interim(m: RegExpExecArray, lineNo: number): void {
    const value = Number(m[1]);
    const seconds = Number(m[3]);
    const endingAt = Number(m[4]);
    if (this.run.interimOrigin === null) this.run.interimOrigin = endingAt - seconds;
    const endSec = endingAt - this.run.interimOrigin;
    const perBit = netperfUnitToBitsPerSec(m[2]);
    const trans = isTransUnit(m[2]);
    if (!trans && perBit === null) {
      this.bad(
        'interim-unit',
        lineNo,
        `netperf interim result with unknown unit "${m[2]}/s" (expected Trans/s or 10^6bits/s style)`,
      );
      return;
    }
    this.sink.record({
      type: 'benchmark-interval',
      line: lineNo,
      tool: 'netperf',
      startSec: Math.max(0, endSec - seconds),
      endSec,
      bitsPerSec: trans ? null : Math.round(value * (perBit as number)),
      transactionsPerSec: trans ? value : null,
      stream: null,
      omitted: false,
    });
  }

  private endWarningBlock(): void {
    const run = this.run;
    const block = run.warningBlock.join(' ').replace(/\s+/g, ' ').trim();
    const figure = (label: RegExp) => {
      const m = label.exec(block);
      return m ? Number(m[1]) : null;
    };
    const tput = figure(/Throughput\s*:\s*([\d.]+)%/);
    const local = figure(/Local CPU util\s*:\s*([\d.]+)%/);
    const remote = figure(/Remote CPU util\s*:\s*([\d.]+)%/);
    if (tput !== null) run.extra.confidenceThroughputPct = tput;
    if (local !== null) run.extra.confidenceLocalCpuPct = local;
    if (remote !== null) run.extra.confidenceRemoteCpuPct = remote;
    this.sink.warn(run.warningLine, `netperf: ${block}`);
    run.warningBlock = [];
  }

  private keyValue(key: string, value: string, lineNo: number): void {
    const run = this.run;
    if (run.result !== null) this.flush(lineNo); // a new -k block after a finished result: the next run
    if (run.keyval === null) {
      run.keyval = {};
      run.keyvalLine = lineNo;
    }
    if (Object.keys(run.keyval).length < MAX_KEYS) run.keyval[key] = value;
    run.keyvalLine = lineNo;
  }

  private csv(text: string, lineNo: number): void {
    const parsed = Papa.parse<string[]>(text, { delimiter: ',' });
    const cells = (parsed.data[0] ?? []).map((c) => c.trim());
    const numeric = cells.filter(isNumber).length;
    if (numeric * 2 < cells.length) {
      this.run.csvHeader = cells;
      return;
    }
    // -P 0 prints the values without a header: the command's -o selectors name them
    this.run.csvHeader ??= this.commandCsvKeys;
    if (this.run.csvHeader === null) {
      this.bad(
        'csv-no-header',
        lineNo,
        'netperf CSV (-o) values without a header line; expected the column names first',
      );
      return;
    }
    if (this.run.result !== null) {
      // `-P 0` iterations: one values line per run, under the header (and banner) of the first
      const { csvHeader, test, testFrom, extra } = this.run;
      this.flush(lineNo);
      Object.assign(this.run, { csvHeader, test, testFrom, extra: { ...extra } });
    }
    const map: Record<string, string> = {};
    this.run.csvHeader!.forEach((name, i) => {
      if (i < cells.length) map[OMNI_HEADERS[name] ?? name] = cells[i];
    });
    this.run.result = this.fromKeys(map, lineNo);
  }

  private isOmniHuman(): boolean {
    const first = this.run.headers[0];
    if (first === undefined) return false;
    // classic tables start with one of these title lines
    return !/^(Local \/Remote|Recv\s+Send|Send\s+Recv|Socket\s+Message|Socket\s+Socket|Maximum|Alignment)/.test(
      first.trim(),
    );
  }

  /** omni -O: each value starts at its column; the header lines above are sliced at the same offsets. */
  private omniHuman(text: string, lineNo: number): void {
    const starts: number[] = [];
    const values: string[] = [];
    for (const m of text.matchAll(/\S+/g)) {
      starts.push(m.index ?? 0);
      values.push(m[0]);
    }
    const map: Record<string, string> = {};
    values.forEach((value, i) => {
      const from = starts[i];
      const to = i + 1 < starts.length ? starts[i + 1] : undefined;
      const name = this.run.headers
        .map((h) => h.slice(from, to).trim())
        .filter((s) => s !== '')
        .join(' ');
      map[OMNI_HEADERS[name] ?? (name || `column ${i + 1}`)] = value;
    });
    if (this.run.result !== null) this.flush(lineNo);
    this.run.result = this.fromKeys(map, lineNo);
  }

  /** A result from omni named values (-k keys, or -O/-o headers mapped to them). */
  private fromKeys(map: Record<string, string>, lineNo: number): BenchmarkResult {
    const run = this.run;
    const test = run.test ?? this.commandTest ?? 'omni';
    const extra: Record<string, number | string> = {};
    let tps: number | null = null;
    let bps: number | null = null;
    let duration: number | null = null;
    const units = map.THROUGHPUT_UNITS?.trim() ?? null;
    for (const [key, value] of Object.entries(map)) {
      const v = numOrString(value);
      if (key === 'TRANSACTION_RATE' && typeof v === 'number') tps = v;
      else if (key === 'ELAPSED_TIME' && typeof v === 'number') duration = v;
      else if (key === 'THROUGHPUT' && typeof v === 'number') {
        extra.THROUGHPUT = v;
        if (units !== null && isTransUnit(units)) tps ??= v;
        else if (units !== null) {
          const per = netperfUnitToBitsPerSec(units);
          if (per !== null) bps = Math.round(v * per);
        } else if (familyOf(test) === 'rr') tps ??= v;
        else bps = Math.round(v * 1e6); // netperf's default -f m
      } else extra[key] = v;
    }
    if (tps === null && bps === null) {
      this.sink.warn(lineNo, 'netperf omni output without THROUGHPUT or TRANSACTION_RATE; the result has no rate');
    }
    return this.result(test, lineNo, tps, bps, duration, extra);
  }

  private result(
    test: string,
    lineNo: number,
    tps: number | null,
    bps: number | null,
    duration: number | null,
    extra: Record<string, number | string>,
  ): BenchmarkResult {
    return {
      type: 'benchmark',
      line: lineNo,
      tool: 'netperf',
      test,
      transactionsPerSec: tps,
      bitsPerSec: bps,
      durationSec: duration,
      role: null,
      extra,
    };
  }

  private shapeFamily(nums: number[], tokens: string[]): Family | null {
    const firstDecimal = tokens.findIndex((t) => t.includes('.'));
    const n = nums.length;
    if (firstDecimal === 3 && (n === 5 || n === 9)) return 'stream';
    if (firstDecimal === 4 && (n === 6 || n === 10)) return 'rr';
    if (firstDecimal === 2 && (n === 6 || n === 8)) return 'udp-stream';
    return null;
  }

  /** A classic table's result line (with banner and title, or bare with -P 0). */
  private classic(nums: number[], tokens: string[], lineNo: number): void {
    if (this.run.result !== null) this.flush(lineNo); // -P 0 loops: one line per run
    const run = this.run;
    let test = run.test ?? this.commandTest;
    const shape = this.shapeFamily(nums, tokens);
    if (test === null && shape !== null) {
      test = { stream: 'TCP_STREAM', rr: 'TCP_RR', 'udp-stream': 'UDP_STREAM' }[shape];
      run.extra.testFrom = 'column shape';
    }
    if (test === null) {
      this.bad(
        'no-banner',
        lineNo,
        `netperf result line with ${nums.length} numbers but no test banner or command line before it`,
      );
      return;
    }
    if (nums.length === 1) {
      // -v 0: the bare rate
      const fam = familyOf(test);
      const unit = run.unit ?? this.commandUnit ?? (fam === 'rr' ? 'Trans' : '10^6bits');
      const per = netperfUnitToBitsPerSec(unit);
      run.test = test;
      run.result = this.result(
        test,
        lineNo,
        per === null ? nums[0] : null,
        per === null ? null : nums[0] * per,
        null,
        {},
      );
      return;
    }
    let family = familyOf(test);
    if (shape !== null && shape !== family) {
      this.bad(
        'shape',
        lineNo,
        `netperf ${test} result line has the column shape of a ${shape} test; read as ${shape}`,
      );
      family = shape;
    } else if (shape === null) {
      this.bad(
        'layout',
        lineNo,
        `netperf ${test} result line with ${nums.length} numbers does not match the ${family} table layout`,
      );
      return;
    }
    const defaultUnit = family === 'rr' ? 'Trans' : '10^6bits';
    const unit = run.unit ?? this.commandUnit ?? defaultUnit;
    const per = isTransUnit(unit) ? null : netperfUnitToBitsPerSec(unit);
    const rate = (v: number) => (per === null ? { tps: v, bps: null } : { tps: null, bps: Math.round(v * per) });
    const extra: Record<string, number | string> = {};
    const cpu = (at: number, names: string[]) => names.forEach((name, i) => (extra[name] = nums[at + i]));
    let r: { tps: number | null; bps: number | null };
    let elapsed: number;
    if (family === 'stream') {
      [extra.recvSocketBytes, extra.sendSocketBytes, extra.messageBytes] = nums;
      elapsed = nums[3];
      r = rate(nums[4]);
      if (nums.length === 9)
        cpu(5, ['localCpuUtilPct', 'remoteCpuUtilPct', 'localServiceDemand', 'remoteServiceDemand']);
    } else if (family === 'rr') {
      [extra.localSendSocketBytes, extra.localRecvSocketBytes, extra.requestBytes, extra.responseBytes] = nums;
      elapsed = nums[4];
      r = rate(nums[5]);
      if (nums.length === 10)
        cpu(6, ['localCpuUtilPct', 'remoteCpuUtilPct', 'localServiceDemand', 'remoteServiceDemand']);
    } else {
      [extra.sendSocketBytes, extra.messageBytes] = nums;
      elapsed = nums[2];
      extra.sentMessagesOk = nums[3];
      extra.sendErrors = nums[4];
      extra.sendBitsPerSec = Math.round(nums[5] * (per ?? 1e6));
      r = { tps: null, bps: extra.sendBitsPerSec }; // until the receive line replaces it
      if (nums.length === 8) cpu(6, ['localCpuUtilPct', 'localServiceDemand']);
    }
    if (per !== null) extra.units = `${unit}/s`;
    if (tokens.length > nums.length) extra.resultBrand = tokens[tokens.length - 1];
    run.test = test;
    run.result = this.result(test, lineNo, r.tps, r.bps, elapsed, extra);
    run.expectSecond = family === 'stream' ? null : family;
  }

  /** The second table line: RR remote socket sizes, or UDP_STREAM's receive side. */
  private second(tokens: string[], _lineNo: number): boolean {
    const run = this.run;
    const result = run.result;
    const nums = tokens.map(Number);
    if (result === null) return false;
    if (run.expectSecond === 'rr' && nums.length === 2) {
      [result.extra.remoteSendSocketBytes, result.extra.remoteRecvSocketBytes] = nums;
    } else if (run.expectSecond === 'udp-stream' && (nums.length === 4 || nums.length === 6)) {
      const per = typeof result.extra.units === 'string' ? (netperfUnitToBitsPerSec(result.extra.units) ?? 1e6) : 1e6;
      result.extra.recvSocketBytes = nums[0];
      result.extra.receivedMessagesOk = nums[2];
      result.bitsPerSec = Math.round(nums[3] * per);
      if (nums.length === 6) {
        result.extra.remoteCpuUtilPct = nums[4];
        result.extra.remoteServiceDemand = nums[5];
      }
    } else {
      return false;
    }
    run.expectSecond = null;
    return true;
  }

  /** The end of a run: emit its result (with what the run learned around it), or say that it had none. */
  private flush(lineNo: number | null): void {
    const run = this.run;
    if (run.keyval !== null && run.result === null) run.result = this.fromKeys(run.keyval, run.keyvalLine);
    if (run.result !== null) {
      run.result.extra = { ...run.extra, ...run.result.extra };
      this.results++;
      // every result is a run of its own: repeated runs and other destinations are put side by side, never summed
      const brand = run.result.extra.RESULT_BRAND ?? run.result.extra.resultBrand;
      const numbered = `${run.result.test} run ${this.results} (line ${run.result.line})`;
      const label = typeof brand === 'string' && brand !== '' ? brand : numbered;
      this.runMarks.start(run.result.line, label);
      this.sink.record(run.result);
    } else if (run.bannerLine !== null && !run.failed) {
      this.sink.warn(
        run.bannerLine,
        `netperf ${run.test} banner at line ${run.bannerLine} has no result line` +
          (lineNo !== null ? ` before line ${lineNo}` : ' (output cut short?)'),
      );
    }
    this.run = this.newRun();
  }
}

function detect(head: readonly string[]): InputFormat | null {
  let command = false;
  const unquoted = head.map((l) => l.replace(MAIL_QUOTE, '').trim());
  for (const [i, line] of unquoted.entries()) {
    const wrapped = BANNER_START.test(line) && !BANNER.test(line);
    const banner = BANNER.exec(wrapped ? `${line} ${unquoted[i + 1] ?? ''}` : line);
    if (banner && (/^(MIGRATED |EXS )/.test(line) || banner[1].startsWith('OMNI ') || banner[1] in BANNER_TESTS)) {
      return 'netperf';
    }
    if (INTERIM.test(line)) return 'netperf';
    if (/^establish control: are you sure there is a netserver/.test(line)) return 'netperf';
    if (/^establish_control could not establish the control connection/.test(line)) return 'netperf';
    if (/^(THROUGHPUT|TRANSACTION_RATE|MEAN_LATENCY|P99_LATENCY)=/.test(line)) return 'netperf';
    if (/^Socket Size\s+Request\s+Resp\./.test(line) || /^Socket\s+Socket\s+Message\s+Elapsed/.test(line))
      return 'netperf';
    if (/(?:^|[\s$#>%;])(?:\S*\/)?netperf\s+-[a-zA-Z]/.test(line)) command = true;
  }
  return command ? 'netperf' : null;
}

export const netperfReader: TextFormatReader = {
  formats: ['netperf'],
  detect,
  create: (_format, sink) => new NetperfLineReader(sink),
};
