// iperf reader: every recorded iperf sample plus hand-made fixtures. Figures were read off the files (python json for
// end.sum_sent / end.sum_received, the printed summary lines, public/expected.json), not from the reader's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, sample } from '../../helpers/paths';
import { fileLines, readBenchmark, type Outcome } from '../../helpers/benchRead';
import { iperfReader, iperfRateToBitsPerSec } from '../../../src/core/readers/iperf';
import { netperfReader } from '../../../src/core/readers/netperf';
import type { InputFormat, InputWarning } from '../../../src/core/records';
const sharedSet = (name: string): string => join(FIXTURES, 'public', 'shared-set', name);

const read = (path: string): Outcome => readBenchmark(iperfReader, path);

const fixture = (name: string) => join(FIXTURES, 'bench', name);
const expected = () => JSON.parse(readFileSync(sharedSet('expected.json'), 'utf8'));
const byRole = (o: Outcome, role: string | null) => o.results.find((r) => r.role === role);

test('iperf3 JSON TCP: sender and receiver from end.sum_sent / sum_received, intervals from interval sums', () => {
  const o = read(sample('iperf', 'iperf3-tcp.json'));
  assert.equal(o.format, 'iperf3-json');
  assert.deepEqual(
    o.results.map((r) => r.role),
    ['sender', 'receiver'],
  );
  assert.equal(byRole(o, 'sender')?.bitsPerSec, 23089600422.207474);
  assert.equal(byRole(o, 'receiver')?.bitsPerSec, 23039028275.94497);
  assert.equal(byRole(o, 'sender')?.extra.retransmits, 2);
  assert.equal(byRole(o, 'sender')?.durationSec, 2.000912);
  assert.equal(o.results[0].test, 'TCP');
  assert.deepEqual(
    o.intervals.map((i) => i.bitsPerSec),
    [24100085494.741455, 22079475237.528355],
  );
  assert.deepEqual(o.warnings, []);
});

test('iperf3 JSON UDP: jitter and loss on the receiver', () => {
  const o = read(sample('iperf', 'iperf3-udp.json'));
  const rx = byRole(o, 'receiver');
  assert.equal(rx?.test, 'UDP');
  assert.equal(rx?.bitsPerSec, 99991237.4633436);
  assert.equal(rx?.extra.jitterMs, 0.006148955190204776);
  assert.equal(rx?.extra.lostDatagrams, 0);
  assert.equal(rx?.extra.packets, 763);
  assert.equal(byRole(o, 'sender')?.bitsPerSec, 100002885.85426436);
});

test("iperf3 JSON error document: fail() with iperf's message", () => {
  const o = read(sample('iperf', 'iperf3-error-refused.json'));
  assert.equal(o.format, 'iperf3-json');
  assert.equal(o.results.length, 0);
  assert.equal(o.fails.length, 1);
  assert.equal(o.fails[0].line, 10); // the "error" key's line
  assert.match(o.fails[0].message, /unable to connect to server: Connection refused/);
});

for (const name of [
  'iperf3-json-3.6-bytes-mode-200MB.txt',
  'iperf3-json-3.9-gke-pod-omit3.txt',
  'iperf3-json-two-concatenated-docs.txt',
]) {
  test(`public ${name}: one sender/receiver pair per document (expected.json)`, () => {
    const e = expected()[name];
    const o = read(sharedSet(name));
    assert.equal(o.format, 'iperf3-json');
    assert.equal(o.results.length, 2 * e.documents);
    e.runs.forEach((run: Record<string, number | string>, i: number) => {
      assert.equal(o.results[2 * i].role, 'sender');
      assert.equal(o.results[2 * i].bitsPerSec, run.sum_sent_bits_per_second);
      assert.equal(o.results[2 * i + 1].role, 'receiver');
      assert.equal(o.results[2 * i + 1].bitsPerSec, run.sum_received_bits_per_second);
      assert.equal(o.results[2 * i].test, run.protocol);
      assert.equal(o.results[2 * i].extra.version, run.version);
    });
    assert.equal(
      o.intervals.length,
      e.runs.reduce((n: number, r: { intervals: number }) => n + r.intervals, 0),
    );
    assert.deepEqual(o.warnings, []);
  });
}

test('iperf3 JSON -O 3: the three warm-up intervals are omitted', () => {
  const o = read(sharedSet('iperf3-json-3.9-gke-pod-omit3.txt'));
  assert.deepEqual(
    o.intervals.map((i) => i.omitted),
    [true, true, true, ...Array(10).fill(false)],
  );
});

test('truncated second JSON document: warning with its line, the first document kept', () => {
  const o = read(fixture('iperf3-truncated-second-doc.json'));
  assert.equal(o.format, 'iperf3-json');
  assert.deepEqual(
    o.results.map((r) => [r.role, r.bitsPerSec]),
    [
      ['sender', 1e9],
      ['receiver', 992e6],
    ],
  );
  assert.equal(o.results[0].extra.retransmits, 3);
  assert.equal(o.warnings.length, 1);
  assert.equal(o.warnings[0].line, 9);
  assert.match(o.warnings[0].message, /cut off/);
});

test('--bidir document then a lone {"error": ...} object', () => {
  const o = read(fixture('iperf3-bidir-then-error.json'));
  assert.deepEqual(
    o.results.map((r) => [r.role, r.bitsPerSec]),
    [
      ['sender', 5e9],
      ['receiver', 4.9e9],
      ['sender-reverse', 3e9],
      ['receiver-reverse', 2.9e9],
    ],
  );
  assert.equal(o.fails.length, 1);
  assert.equal(o.fails[0].line, 2);
  assert.match(o.fails[0].message, /the server is busy running a test/);
});

test('iperf3 text TCP: intervals and the sender/receiver summaries', () => {
  const o = read(sample('iperf', 'iperf3-tcp.txt'));
  assert.equal(o.format, 'iperf3-text');
  assert.deepEqual(
    o.intervals.map((i) => i.bitsPerSec),
    [22.0e9, 23.3e9],
  );
  assert.deepEqual(
    o.results.map((r) => [r.role, r.bitsPerSec, r.durationSec, r.line]),
    [
      ['sender', 22.6e9, 2, 8],
      ['receiver', 22.6e9, 2, 9],
    ],
  );
  assert.equal(byRole(o, 'sender')?.extra.retransmits, 4);
});

test('iperf3 text UDP: jitter and Lost/Total columns', () => {
  const o = read(sample('iperf', 'iperf3-udp.txt'));
  const rx = byRole(o, 'receiver');
  assert.equal(rx?.test, 'UDP');
  assert.equal(rx?.bitsPerSec, 100e6);
  assert.equal(rx?.extra.jitterMs, 0.009);
  assert.equal(rx?.extra.lostDatagrams, 0);
  assert.equal(rx?.extra.totalDatagrams, 763);
  assert.equal(rx?.extra.lossPercent, 0);
  assert.deepEqual(
    o.intervals.map((i) => i.bitsPerSec),
    [100e6, 99.9e6],
  );
});

test('iperf3 text -P 2 -R: the [SUM] summaries are the results, reverse mode noted', () => {
  const o = read(sample('iperf', 'iperf3-tcp-P2-R.txt'));
  assert.deepEqual(
    o.results.map((r) => [r.role, r.bitsPerSec, r.line]),
    [
      ['sender', 16.7e9, 19],
      ['receiver', 16.6e9, 20],
    ],
  );
  assert.equal(o.results[0].extra.reverse, 1);
  assert.equal(o.results[0].extra.streams, 2);
  // 2 interval blocks × (2 streams + SUM)
  assert.equal(o.intervals.length, 6);
  assert.deepEqual(
    o.intervals.filter((i) => i.stream === 'SUM').map((i) => i.bitsPerSec),
    [16.2e9, 17.1e9],
  );
});

test('public iperf3 text with (omitted) intervals (expected.json)', () => {
  const e = expected()['iperf3-text-omitted-intervals-cloud.txt'];
  const o = read(sharedSet('iperf3-text-omitted-intervals-cloud.txt'));
  assert.equal(o.format, 'iperf3-text');
  assert.equal(o.intervals.length, e.interval_lines);
  assert.equal(o.intervals.filter((i) => i.omitted).length, e.omitted_interval_lines);
  assert.equal(o.results.length, 2);
  e.summary.forEach((s: { role: string; bitrate: number; units: string; interval: string }, i: number) => {
    assert.equal(s.units, 'Mbits/sec');
    assert.equal(o.results[i].role, s.role);
    assert.equal(o.results[i].bitsPerSec, s.bitrate * 1e6);
    const [a, b] = s.interval.split('-').map(Number);
    assert.equal(o.results[i].durationSec, Math.round((b - a) * 100) / 100);
  });
  assert.equal(o.results[0].extra.retransmits, 7);
});

test('iperf3 text error line → fail with the message', () => {
  const o = read(fixture('iperf3-text-error.txt'));
  assert.equal(o.format, 'iperf3-text');
  assert.equal(o.fails.length, 1);
  assert.match(o.fails[0].message, /^iperf3: error - unable to connect to server/);
});

test('iperf2 TCP: the whole-run line is the result, per-second lines are intervals', () => {
  const o = read(sample('iperf', 'iperf2-tcp.txt'));
  assert.equal(o.format, 'iperf2-text');
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].bitsPerSec, 27.6e9);
  assert.equal(o.results[0].durationSec, 2.0125);
  assert.equal(o.results[0].role, null);
  assert.deepEqual(
    o.intervals.map((i) => i.bitsPerSec),
    [25.9e9, 29.7e9],
  );
});

test('iperf2 -P 2: the [SUM] whole-run line, intervals in file order', () => {
  const o = read(sample('iperf', 'iperf2-tcp-P2.txt'));
  assert.equal(o.results.length, 1);
  assert.equal(o.results[0].role, 'sum');
  assert.equal(o.results[0].bitsPerSec, 34.7e9);
  assert.equal(o.results[0].line, 16);
  assert.equal(o.results[0].extra.streams, 2);
  assert.deepEqual(
    o.intervals.map((i) => i.line),
    [8, 9, 10, 11, 12, 13],
  );
});

test('iperf2 -e enhanced columns: writes, retries, cwnd/RTT, NetPwr', () => {
  const o = read(sample('iperf', 'iperf2-tcp-enhanced.txt'));
  assert.equal(o.results.length, 1);
  const r = o.results[0];
  assert.equal(r.bitsPerSec, 27.6e9);
  assert.equal(r.extra.writes, 53134);
  assert.equal(r.extra.writeErrors, 0);
  assert.equal(r.extra.retransmits, 1);
  assert.equal(r.extra.cwndKBytes, 895);
  assert.equal(r.extra.rttUs, 1910);
  assert.equal(r.extra.netPower, 1809247);
});

test('public iperf2 firecracker: a single whole-run line (expected.json)', () => {
  const e = expected()['iperf2-tcp-firecracker-host-to-guest.txt'];
  const o = read(sharedSet('iperf2-tcp-firecracker-host-to-guest.txt'));
  assert.equal(o.format, 'iperf2-text');
  assert.equal(o.results.length, 1);
  assert.equal(e.single.units, 'Mbits/sec');
  assert.equal(o.results[0].bitsPerSec, e.single.bandwidth * 1e6);
  assert.equal(o.results[0].test, e.protocol);
  assert.equal(o.results[0].extra.bytes, 904 * 1024 * 1024);
  assert.equal(o.intervals.length, 0);
});

test('iperf2 -u: client line is the sender, the server report the receiver with jitter and loss', () => {
  const o = read(fixture('iperf2-udp-server-report.txt'));
  assert.deepEqual(
    o.results.map((r) => [r.role, r.test, r.line]),
    [
      ['sender', 'UDP', 8],
      ['receiver', 'UDP', 11],
    ],
  );
  const rx = o.results[1].extra;
  assert.deepEqual([rx.jitterMs, rx.lostDatagrams, rx.totalDatagrams, rx.lossPercent], [0.011, 2, 893, 0.22]);
});

test('detection tells iperf2 text, iperf3 text and JSON apart, and leaves netperf alone', () => {
  const cases: [string, InputFormat][] = [
    [sample('iperf', 'iperf2-tcp.txt'), 'iperf2-text'],
    [sample('iperf', 'iperf2-tcp-P2.txt'), 'iperf2-text'],
    [sample('iperf', 'iperf2-tcp-enhanced.txt'), 'iperf2-text'],
    [sample('iperf', 'iperf3-tcp.txt'), 'iperf3-text'],
    [sample('iperf', 'iperf3-udp.txt'), 'iperf3-text'],
    [sample('iperf', 'iperf3-tcp-P2-R.txt'), 'iperf3-text'],
    [sample('iperf', 'iperf3-tcp.json'), 'iperf3-json'],
    [sample('iperf', 'iperf3-error-refused.json'), 'iperf3-json'],
  ];
  for (const [path, format] of cases) {
    const head = fileLines(path)
      .filter((l) => l.trim() !== '')
      .slice(0, 200);
    assert.equal(iperfReader.detect(head), format, path);
    assert.equal(netperfReader.detect(head), null, path);
  }
  assert.equal(iperfReader.detect(['{"error": "unable to connect to server: Connection refused"}']), 'iperf3-json');
  assert.equal(iperfReader.detect(['{"other": 1}']), null);
  // a JSON file that merely has an "end" key somewhere is not iperf3's
  assert.equal(iperfReader.detect(fileLines(sharedSet('expected.json')).slice(0, 200)), null);
});

test('units: bits are decimal, bytes binary', () => {
  assert.equal(iperfRateToBitsPerSec(757, 'Mbits'), 757e6);
  assert.equal(iperfRateToBitsPerSec(1, 'KBytes'), 8192);
  assert.equal(iperfRateToBitsPerSec(1, 'furlongs'), null);
});

test('garbage lines never throw', () => {
  for (const format of ['iperf3-json', 'iperf3-text', 'iperf2-text'] as const) {
    const warnings: InputWarning[] = [];
    const reader = iperfReader.create(format, {
      record: () => {},
      warn: (line, message) => warnings.push({ line, message }),
      fail: () => {},
    });
    const junk = ['{"a": [1, {"b": "}"}]}', '}}}', '[  5] 0.00-x sec', 'x'.repeat(1000), '{', '"\\"', '\u0000'];
    assert.doesNotThrow(() => {
      junk.forEach((l, i) => reader.line(l, i + 1));
      reader.end(junk.length);
    });
    if (format === 'iperf3-json') assert.ok(warnings.length > 0);
  }
});

test('iperf3 --json-stream (one event per line): a run of start, intervals and end gives sender and receiver', () => {
  // Constructed after the event layout of esnet/iperf PR #1098 (start / interval / end, each {"event","data"} on one
  // line); figures are the file's own: sum_sent 9399830802.2, sum_received 9393064828.6 bits/s, 2 intervals.
  const o = read(fixture('iperf3-json-stream-constructed.txt'));
  assert.equal(o.format, 'iperf3-json');
  assert.deepEqual(o.warnings, []);
  assert.equal(byRole(o, 'sender')?.bitsPerSec, 9399830802.2);
  assert.equal(byRole(o, 'receiver')?.bitsPerSec, 9393064828.6);
  assert.equal(byRole(o, 'receiver')?.durationSec, 2.000412);
  assert.equal(o.intervals.length, 2);
  assert.equal(o.intervals[1].bitsPerSec, 9360046800.2);
});

test('iperf3 --json-stream cut before its end event: the intervals are kept and the cut is named', () => {
  const o = read(fixture('iperf3-json-stream-cut-constructed.txt')); // the first 3 lines of the file above
  assert.equal(o.results.length, 0);
  assert.equal(o.intervals.length, 2);
  assert.match(o.warnings.map((w) => w.message).join('\n'), /no "end" event/);
});
