// The bad-input corpus (test/fixtures/bad, made by scripts/make-bad-corpus.mjs) through readInputFile: each case
// either gives what is still good in it or one clear reason naming the file. Expected figures were counted
// independently (python zlib/re over the fixtures; see the comments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputFile, type InputSummary } from '../../src/core/input';
import { MAX_LINE_CHARS } from '../../src/core/lineSplitter';
import type { InputRecord } from '../../src/core/records';
import { sample } from '../helpers/paths';
import { BAD, readText, runReader, textLines } from './harness';

async function read(path: string): Promise<{ summary: InputSummary; records: InputRecord[] }> {
  const records: InputRecord[] = [];
  const summary = await readInputFile(path, (r) => records.push(r));
  assert.equal(summary.records, records.length);
  return { summary, records };
}

const bad = (name: string) => join(BAD, name);

test('nothing usable: each case fails with one reason that names the file', async () => {
  const cases: [string, RegExp][] = [
    ['empty.txt', /empty\.txt is empty/],
    ['blank-lines.txt', /blank-lines\.txt: not a recognised input \(it holds only blank lines\)/],
    ['random.bin', /random\.bin is a binary file but not a trace\.dat/],
    ['elf-header.bin', /elf-header\.bin is an ELF executable/],
    ['is-a-directory.txt', /cannot read .*is-a-directory\.txt: it is a directory/],
    ['does-not-exist.txt', /cannot read .*does-not-exist\.txt: no such file/],
    ['gzip-header-only.gz', /gzip-header-only\.gz is gzip-compressed but holds no text/],
  ];
  for (const [name, reason] of cases) {
    const { summary } = await read(bad(name));
    assert.equal(summary.records, 0, name);
    assert.match(summary.error ?? '', reason, name);
  }
});

test('a trace-cmd report cut mid-line keeps its 199 whole events and names line 201', async () => {
  // Lines 2..200 are events (line 1 is "cpus=2"); line 201 is cut after 40 characters.
  const { summary } = await read(bad('report-cut-mid-line.txt'));
  assert.equal(summary.format, 'trace-cmd-report');
  assert.equal(summary.records, 199);
  assert.deepEqual(
    summary.warnings.map((w) => w.line),
    [201],
  );
});

test('a report cut in its first event fails, naming the format it expected', async () => {
  const { summary } = await read(bad('report-cut-first-event.txt'));
  assert.equal(summary.records, 0);
  assert.match(summary.error ?? '', /no trace-cmd-report event lines found in 2 lines/);
});

test('netperf banner without a result, and iperf3 JSON cut mid-document: no records, a warning saying so', async () => {
  for (const name of ['netperf-banner-no-result.txt', 'netperf-banner-only.txt']) {
    const { summary } = await read(bad(name));
    assert.equal(summary.format, 'netperf');
    assert.equal(summary.records, 0);
    assert.match(summary.warnings[0].message, /TCP_CRR banner at line 1 has no result line/);
  }
  for (const name of ['iperf3-json-cut.json', 'iperf3-json-cut-early.json']) {
    const { summary } = await read(bad(name));
    assert.equal(summary.format, 'iperf3-json');
    assert.equal(summary.records, 0);
    assert.match(summary.warnings[0].message, /iperf3 JSON document starting at line 1 is cut off/);
  }
});

test('a truncated gzip keeps every whole line before the cut', async () => {
  // python zlib.decompressobj over the fixture: 158 whole lines come out (157 events after "cpus=2"), then EOF.
  const { summary } = await read(bad('report-truncated.txt.gz'));
  assert.equal(summary.format, 'trace-cmd-report');
  assert.equal(summary.records, 157);
  assert.ok(
    summary.warnings.some((w) => w.line === 158 && /gzip data is damaged or truncated after line 158/.test(w.message)),
  );
});

test('a corrupted gzip keeps the intact lines before the damage and reports the failed check', async () => {
  // Decompressing in 16-byte steps: lines 1..101 equal the original (100 events), line 102 is garbled,
  // and zlib reports "incorrect data check" at the end.
  const { summary, records } = await read(bad('report-corrupt.txt.gz'));
  const original = runReader(
    'trace-cmd-report',
    textLines(readText(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'))).slice(0, 101),
  );
  assert.deepEqual(records.slice(0, 100), original.records);
  assert.ok(summary.warnings.some((w) => /gzip data is damaged or truncated.*incorrect data check/.test(w.message)));
  assert.ok(summary.warnings.some((w) => w.line === 102));
});

test('events with missing fields are still read as events', async () => {
  // 29 lines, all events (5 kvm_exit); 120 lines with 119 events (20 write_msr).
  const noReason = await read(bad('kvm-exit-no-reason.txt'));
  assert.equal(noReason.summary.records, 29);
  assert.equal(noReason.records.filter((r) => r.type === 'event' && r.name === 'kvm_exit').length, 5);
  const noValue = await read(bad('write-msr-no-value.txt'));
  assert.equal(noValue.summary.records, 119);
  assert.equal(noValue.records.filter((r) => r.type === 'event' && r.name === 'write_msr').length, 20);
});

test('perf kvm stat with an unknown time unit is rejected row by row, with the row quoted', async () => {
  const { summary } = await read(bad('perf-kvm-stat-unknown-unit.txt'));
  assert.equal(summary.records, 0);
  assert.equal(summary.warnings[0].line, 8);
  assert.match(summary.warnings[0].message, /0\.50qs/);
});

test('UTF-16 LE/BE and UTF-8 with a BOM read exactly like the plain UTF-8 text', async () => {
  const plain = await read(sample('public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt'));
  // 9 exit rows and the totals line ("Total Samples:79744").
  assert.equal(plain.records.length, 10);
  for (const name of ['perf-kvm-stat-utf16le-bom.txt', 'perf-kvm-stat-utf16be-bom.txt', 'perf-kvm-stat-utf8-bom.txt']) {
    const { summary, records } = await read(bad(name));
    assert.equal(summary.format, 'perf-kvm-stat', name);
    assert.deepEqual(records, plain.records, name);
    assert.deepEqual(summary.warnings, plain.summary.warnings, name);
  }
  const reportLines = textLines(readText(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'))).slice(0, 120);
  const utf16Report = await read(bad('report-utf16le-bom.txt'));
  assert.deepEqual(utf16Report.records, runReader('trace-cmd-report', reportLines).records);
});

test('CRLF line endings read like LF', async () => {
  const reportLines = textLines(readText(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'))).slice(0, 120);
  const { summary, records } = await read(bad('report-crlf.txt'));
  assert.equal(summary.records, 119);
  assert.deepEqual(records, runReader('trace-cmd-report', reportLines).records);
});

test('netperf output followed by trace lines: the netperf result is kept', async () => {
  // netperf-tcp-crr.txt prints 16447.36 Trans/s over 2.00 s.
  const { summary, records } = await read(bad('mixed-netperf-then-trace.txt'));
  assert.equal(summary.format, 'netperf');
  const result = records.find((r) => r.type === 'benchmark');
  assert.ok(result && result.type === 'benchmark');
  assert.equal(result.transactionsPerSec, 16447.36);
  assert.equal(result.durationSec, 2);
  // grep -cE '^ *.+-[0-9]+ +\[[0-9]{3}\] ' → 29 trace lines, the first at line 9: not lost silently.
  assert.ok(
    summary.warnings.some(
      (w) => w.line === 9 && /^29 trace event lines in this netperf output were not read/.test(w.message),
    ),
    JSON.stringify(summary.warnings),
  );
});

test('UTF-16 without a byte-order mark is rejected with what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-bad-'));
  try {
    const path = join(dir, 'stat-utf16-nobom.txt');
    writeFileSync(
      path,
      Buffer.from(
        readText(sample('public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt')),
        'utf16le',
      ),
    );
    const { summary } = await read(path);
    assert.match(
      summary.error ?? '',
      /stat-utf16-nobom\.txt looks like UTF-16 text without a byte-order mark; convert it to UTF-8/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('5 MB lines: cut with a warning at their line number, the lines around them read, in bounded time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-bad-'));
  try {
    const report = textLines(readText(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt')));
    // Line 1 "cpus=2" and 10 events, a 5 MB line of junk (line 12), 10 events, a 5 MB event line whose payload
    // is huge (line 23), 10 events, and a final 5 MB line without a newline (line 34).
    const path = join(dir, 'long-lines.txt');
    const out = createWriteStream(path);
    const big = 'A'.repeat(5 << 20);
    out.write(`${report.slice(0, 11).join('\n')}\n`);
    out.write(`${big}\n`);
    out.write(`${report.slice(11, 21).join('\n')}\n`);
    out.write(`${report[21]} ${big}\n`);
    out.write(`${report.slice(22, 32).join('\n')}\n`);
    out.write(big);
    out.end();
    await once(out, 'finish');
    const started = performance.now();
    const { summary, records } = await read(path);
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
    assert.equal(summary.format, 'trace-cmd-report');
    // 30 ordinary events and the long event line, cut but still an event.
    assert.equal(records.length, 31);
    const cut = summary.warnings.filter((w) => w.message.includes(`longer than ${MAX_LINE_CHARS} characters was cut`));
    assert.deepEqual(
      cut.map((w) => w.line),
      [12, 23, 34],
    );
    const longEvent = records.find((r) => r.type === 'event' && r.line === 23);
    assert.ok(longEvent && longEvent.type === 'event' && longEvent.payload.length < MAX_LINE_CHARS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a 5 MB single-line iperf3 JSON document is still read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-bad-'));
  try {
    // The real document on one line, padded with 5 MB of whitespace inside it: the cap is on characters, not lines.
    const doc = readText(sample('iperf', 'iperf3-tcp.json'));
    const oneLine = doc.replace(/\s*\n\s*/g, ' ').replace(/^\{/, `{${' '.repeat(5 << 20)}`);
    const path = join(dir, 'iperf3-one-line.json');
    writeFileSync(path, oneLine);
    const plain = await read(sample('iperf', 'iperf3-tcp.json'));
    const { summary, records } = await read(path);
    const results = (rs: InputRecord[]) =>
      rs.filter((r) => r.type === 'benchmark').map((r) => (r.type === 'benchmark' ? [r.role, r.bitsPerSec] : null));
    assert.ok(results(plain.records).length > 0);
    // One line of 5 MB is longer than the line cap: the document is cut, which must be said, not silently lost.
    if (results(records).length === 0) assert.ok(summary.warnings.length > 0);
    else assert.deepEqual(results(records), results(plain.records));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
