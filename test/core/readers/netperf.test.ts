// netperf reader: every recorded netperf sample plus hand-made fixtures. Figures were read off the files themselves
// (and public/expected.json for the public samples), not taken from the reader's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, sample } from '../../helpers/paths';
import { fileLines, readBenchmark, type Outcome } from '../../helpers/benchRead';
import { netperfReader } from '../../../src/core/readers/netperf';
import { iperfReader } from '../../../src/core/readers/iperf';
const sharedSet = (name: string): string => join(FIXTURES, 'public', 'shared-set', name);

const read = (path: string, force = false): Outcome =>
  readBenchmark(netperfReader, path, force ? 'netperf' : undefined);

const fixture = (name: string) => join(FIXTURES, 'bench', name);
const near = (actual: number | null, expected: number) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= Math.abs(expected) * 1e-9, `${actual} != ${expected}`);

test('TCP_CRR classic table: Trans. Rate, elapsed, sizes and the remote socket line', () => {
  const o = read(sample('netperf', 'netperf-tcp-crr.txt'));
  assert.equal(o.format, 'netperf');
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.test, 'TCP_CRR');
  assert.equal(r.transactionsPerSec, 16447.36);
  assert.equal(r.bitsPerSec, null);
  assert.equal(r.durationSec, 2);
  assert.equal(r.line, 7);
  assert.equal(r.extra.requestBytes, 1);
  assert.equal(r.extra.remoteRecvSocketBytes, 131072);
  assert.deepEqual(o.warnings, []);
});

test('UDP_RR classic table', () => {
  const o = read(sample('netperf', 'netperf-udp-rr.txt'));
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].test, 'UDP_RR');
  assert.equal(o.results[0].transactionsPerSec, 87910.71);
  assert.equal(o.results[0].extra.localSendSocketBytes, 212992);
});

test('TCP_STREAM with -c -C: 10^6bits/s throughput, CPU utilisation and service demand', () => {
  const o = read(sample('netperf', 'netperf-tcp-stream-cpu.txt'));
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.test, 'TCP_STREAM');
  near(r.bitsPerSec, 23383.41e6);
  assert.equal(r.transactionsPerSec, null);
  assert.equal(r.durationSec, 2);
  assert.equal(r.extra.localCpuUtilPct, 99.5);
  assert.equal(r.extra.remoteCpuUtilPct, 99.5);
  assert.equal(r.extra.localServiceDemand, 0.697);
  assert.equal(r.extra.serviceDemandUnits, 'us/KB');
  assert.equal(r.extra.messageBytes, 16384);
});

test('demo mode: three Interim result lines become intervals, then the final result', () => {
  const o = read(sample('netperf', 'netperf-tcp-rr-demo.txt'));
  // grep -c 'Interim result' = 3
  assert.deepEqual(
    o.intervals.map((i) => i.transactionsPerSec),
    [74334.07, 76334.65, 71374.71],
  );
  assert.deepEqual(
    o.intervals.map((i) => [i.startSec, i.endSec].map((x) => Math.round(x * 1000) / 1000)),
    [
      [0, 1],
      [1, 2],
      [2, 3],
    ],
  );
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].transactionsPerSec, 74009.88);
  assert.equal(o.results[0].durationSec, 3);
});

test('omni -k key=value output', () => {
  const o = read(sample('netperf', 'netperf-tcp-rr-keyval.txt'));
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.test, 'TCP_RR');
  assert.equal(r.transactionsPerSec, 76546.494);
  assert.equal(r.extra.P99_LATENCY, 22);
  assert.equal(r.extra.MAX_LATENCY, 4075);
  assert.equal(r.extra.MEAN_LATENCY, 13);
});

test('omni -o CSV output (papaparse)', () => {
  const o = read(sample('netperf', 'netperf-tcp-rr-csv.txt'));
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].transactionsPerSec, 72623.199);
  assert.equal(o.results[0].extra.MEAN_LATENCY, 13.7);
  assert.equal(o.results[0].extra.P99_LATENCY, 17);
  assert.equal(o.results[0].extra.MIN_LATENCY, 11);
});

test('omni -O human columns: wrapped header names are matched by column offset', () => {
  const o = read(sample('netperf', 'netperf-tcp-rr-omni-O.txt'));
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.transactionsPerSec, 70842.626);
  assert.equal(r.extra.MIN_LATENCY, 11);
  assert.equal(r.extra.MEAN_LATENCY, 14.05);
  assert.equal(r.extra.P99_LATENCY, 24); // "99th / Percentile / Latency / Microseconds" over four lines
  assert.equal(r.extra.MAX_LATENCY, 15127);
  assert.equal(r.extra.STDDEV_LATENCY, 62.72);
});

test("no netserver: fail() with netperf's own message, no result", () => {
  const o = read(sample('netperf', 'netperf-error-noserver.txt'));
  assert.equal(o.format, 'netperf');
  assert.equal(o.results.length, 0);
  assert.equal(o.fails.length, 1);
  assert.equal(o.fails[0].line, 1);
  assert.match(
    o.fails[0].message,
    /^establish control: are you sure there is a netserver listening on 127\.0\.0\.1 at port 12999\?/,
  );
});

test('public: two TCP_RR runs with confidence banner and shell prompts (expected.json)', () => {
  const expected = JSON.parse(readFileSync(sharedSet('expected.json'), 'utf8'))[
    'netperf-tcprr-demo-conf-symbiosis-poll-two-runs.txt'
  ];
  const o = read(sharedSet('netperf-tcprr-demo-conf-symbiosis-poll-two-runs.txt'));
  assert.equal(o.results.length, expected.results.length);
  o.results.forEach((r, i) => {
    const e = expected.results[i];
    assert.equal(r.test, e.test);
    assert.equal(r.transactionsPerSec, e.transactions_per_sec);
    assert.equal(r.durationSec, e.elapsed_s);
    assert.equal(r.extra.requestBytes, e.request_size);
    assert.equal(r.extra.responseBytes, e.response_size);
    assert.equal(r.extra.confidenceTargetPct, 49.5);
    assert.equal(r.extra.confidenceLevelPct, 99);
  });
});

test('public: two TCP_STREAM runs, the second without confidence banner (expected.json)', () => {
  const expected = JSON.parse(readFileSync(sharedSet('expected.json'), 'utf8'))[
    'netperf-tcpstream-demo-conf-two-runs.txt'
  ];
  const o = read(sharedSet('netperf-tcpstream-demo-conf-two-runs.txt'));
  assert.equal(o.results.length, 2);
  o.results.forEach((r, i) => {
    const e = expected.results[i];
    assert.equal(e.units, '10^6bits/sec');
    assert.equal(r.test, e.test);
    near(r.bitsPerSec, e.throughput * 1e6);
    assert.equal(r.durationSec, e.elapsed_s);
    assert.equal(r.extra.messageBytes, e.message_size);
  });
  assert.equal(o.results[0].extra.confidenceTargetPct, 49.5);
  assert.equal(o.results[1].extra.confidenceTargetPct, undefined);
});

test('-P 0 loop: the test comes from the command line, two results with their second lines', () => {
  const o = read(fixture('netperf-P0-rr-loop.txt'));
  assert.equal(o.format, 'netperf');
  assert.deepEqual(
    o.results.map((r) => [r.test, r.transactionsPerSec, r.line]),
    [
      ['TCP_RR', 31234.56, 2],
      ['TCP_RR', 30987.12, 4],
    ],
  );
  assert.equal(o.results[1].extra.remoteRecvSocketBytes, 131072);
  assert.deepEqual(o.warnings, []);
});

test('-P 0 line without any context: test from the column shape (5 numbers, elapsed in column 4 → TCP_STREAM)', () => {
  const o = read(fixture('netperf-P0-bare-stream.txt'), true);
  assert.equal(o.format, null); // bare numbers are not claimed by detection
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].test, 'TCP_STREAM');
  assert.equal(o.results[0].extra.testFrom, 'column shape');
  near(o.results[0].bitsPerSec, 9412.12e6);
  assert.equal(o.results[0].durationSec, 10);
});

test('UDP_STREAM: the receive line gives the rate, the send line goes to extra', () => {
  const o = read(fixture('netperf-udp-stream.txt'));
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.test, 'UDP_STREAM');
  near(r.bitsPerSec, 9923.71e6);
  near(r.extra.sendBitsPerSec as number, 9924.34e6);
  assert.equal(r.extra.sentMessagesOk, 189373);
  assert.equal(r.extra.receivedMessagesOk, 189361);
});

test('-k with THROUGHPUT_UNITS=MBytes/s: binary megabytes to bits/s', () => {
  const o = read(fixture('netperf-keyval-stream.txt'));
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].test, 'TCP_STREAM');
  near(o.results[0].bitsPerSec, Math.round(1176.52 * 1024 * 1024 * 8));
  assert.equal(o.results[0].durationSec, 10);
  assert.equal(o.results[0].extra.LOCAL_CPU_UTIL, 12.34);
});

test('a banner with no result line warns; a "!!! WARNING" confidence block warns, its figures reach the result', () => {
  const o = read(fixture('netperf-banner-no-result-then-warning.txt'));
  assert.equal(o.results.length, 1);
  const noResult = o.warnings.find((w) => w.line === 2);
  assert.ok(noResult && /no result line/.test(noResult.message), JSON.stringify(o.warnings));
  const conf = o.warnings.find((w) => w.line === 11);
  assert.ok(conf && /Desired confidence was not achieved/.test(conf.message));
  const r = o.results[0];
  assert.equal(r.transactionsPerSec, 28561.23);
  assert.equal(r.extra.localCpuUtilPct, 25.31);
  assert.equal(r.extra.remoteServiceDemand, 37.841);
  assert.equal(r.extra.serviceDemandUnits, 'us/Tr');
  assert.equal(r.extra.confidenceThroughputPct, 6.652);
  assert.equal(r.extra.confidenceTargetPct, 2.5);
  assert.equal(o.fails.length, 0);
});

test('detection: every netperf sample is netperf, none is claimed by the iperf reader', () => {
  const files = [
    ...[
      'netperf-error-noserver.txt',
      'netperf-tcp-crr.txt',
      'netperf-tcp-rr-csv.txt',
      'netperf-tcp-rr-demo.txt',
      'netperf-tcp-rr-keyval.txt',
      'netperf-tcp-rr-omni-O.txt',
      'netperf-tcp-stream-cpu.txt',
      'netperf-udp-rr.txt',
    ].map((f) => sample('netperf', f)),
    sharedSet('netperf-tcprr-demo-conf-symbiosis-poll-two-runs.txt'),
    sharedSet('netperf-tcpstream-demo-conf-two-runs.txt'),
  ];
  for (const f of files) {
    const head = fileLines(f).filter((l) => l.trim() !== '');
    assert.equal(netperfReader.detect(head), 'netperf', f);
    assert.equal(iperfReader.detect(head), null, f);
  }
  assert.equal(netperfReader.detect(fileLines(sample('iperf', 'iperf3-tcp.txt'))), null);
  assert.equal(netperfReader.detect(['[  3]  0.0-10.0 sec   904 MBytes   757 Mbits/sec']), null);
});

test('garbage never throws and numeric junk is reported', () => {
  const o: Outcome = { format: 'netperf', results: [], intervals: [], warnings: [], fails: [] };
  const reader = netperfReader.create('netperf', {
    record: (r) => (r.type === 'benchmark' ? o.results.push(r) : undefined),
    warn: (line, message) => o.warnings.push({ line, message }),
    fail: (line, message) => o.fails.push({ line, message }),
  });
  const junk = [
    'MIGRATED TCP STREAM TEST from a (b) port 0 AF_INET to c () port 0 AF_INET',
    '1 2 3',
    '',
    '\u0000\u0001',
    'x,y',
    '1,2',
    'Interim result: 5 Foo/s over 1.000 seconds ending at 10.000',
  ];
  assert.doesNotThrow(() => {
    junk.forEach((l, i) => reader.line(l, i + 1));
    reader.end(junk.length);
  });
  assert.equal(o.results.length, 1); // the CSV pair "x,y" / "1,2" is an omni -o result without a rate
  assert.ok(
    o.warnings.some((w) => w.line === 2 && /3 numbers/.test(w.message)),
    JSON.stringify(o.warnings),
  );
  assert.ok(o.warnings.some((w) => w.line === 7 && /unknown unit/.test(w.message)));
});

test('-P 0 -o CSV iterations without a banner: each values line is a run (header line, else the -o selectors)', () => {
  const tagged = read(fixture('netperf-csv-P0-header-no-banner-constructed.txt'));
  assert.deepEqual(tagged.warnings, []);
  assert.deepEqual(
    tagged.results.map((r) => [r.test, r.transactionsPerSec, r.extra.RESULT_BRAND]),
    [
      ['TCP_RR', 55768.37, 'iteration 1'],
      ['TCP_RR', 55949.97, 'iteration 2'],
    ],
  );
  const bare = read(fixture('netperf-csv-P0-no-header-constructed.txt'));
  assert.deepEqual(bare.warnings, []);
  assert.deepEqual(
    bare.results.map((r) => r.transactionsPerSec),
    [55768.37, 55949.97, 55653.36],
  );
  assert.deepEqual(
    bare.results.map((r) => r.extra.THROUGHPUT_UNITS),
    ['Trans/s', 'Trans/s', 'Trans/s'],
  );
});
