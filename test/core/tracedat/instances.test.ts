// Buffer instances (trace-cmd record -B) and host/guest TIME_SHIFT correction, checked against `trace-cmd report`
// of real recordings (see test/fixtures/tracedat/PROVENANCE.md) and against trace-cmd's own arithmetic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parseTimeShift, type TimeShift, type TimeShiftSample } from '../../../src/core/tracedat/header';
import {
  makeTimestampConverter,
  mulU64U32Shr,
  timestampCorrectionCalc,
  timestampHostSync,
} from '../../../src/core/tracedat/timeshift';
import { FIXTURES } from '../../helpers/paths';
import { assertMatchesReport, collect } from '../../helpers/reportLines';
import { TIE_CPUS, TIE_FLAGS } from '../../helpers/timeShiftCases';
import { withTimeShift } from '../../helpers/timeShiftFile';

const fixture = (name: string) => join(FIXTURES, 'tracedat', name);

test('v7 zstd file with instance "second": every buffer, merged, matches trace-cmd report -t', async () => {
  const got = await collect(fixture('multi-v7.dat'));
  assert.deepEqual(got.failures, []);
  assert.deepEqual(got.warnings, []);
  // 155 event lines in the report, 93 of them labelled "second:" (grep -c '^second: ')
  assert.equal(await assertMatchesReport(got, fixture('multi-v7.report-t.txt'), 9, ['second']), 155);
  assert.equal(got.events.filter((e) => e.instance === 'second').length, 93);
  assert.equal(got.events.filter((e) => e.instance === undefined).length, 62);
  assert.ok(
    got.events.every((e) => !('instance' in e) || e.instance === 'second'),
    'top events carry no instance key',
  );
  // grep -c write_msr gives 54; all in the instance
  const msr = got.events.filter((e) => e.name === 'write_msr');
  assert.equal(msr.length, 54);
  assert.ok(msr.every((e) => e.instance === 'second'));
  // one stream in timestamp order across both buffers
  for (let i = 1; i < got.events.length; i++)
    assert.ok(got.events[i].timeNs >= got.events[i - 1].timeNs, `order at #${i}`);
});

test('v6 file with instance "second" matches trace-cmd report -t and the µs report', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-'));
  try {
    const path = join(dir, 'multi-v6.dat');
    await pipeline(createReadStream(fixture('multi-v6.dat.gz')), createGunzip(), createWriteStream(path));
    const got = await collect(path);
    assert.deepEqual(got.failures, []);
    // 239 event lines, 143 labelled "second:" (grep -c)
    assert.equal(await assertMatchesReport(got, fixture('multi-v6.report-t.txt'), 9, ['second']), 239);
    assert.equal(await assertMatchesReport(got, fixture('multi-v6.report.txt'), 6, ['second']), 239);
    assert.equal(got.events.filter((e) => e.instance === 'second').length, 143);
    // grep -c sched_switch gives 57, all in the top instance
    const sw = got.events.filter((e) => e.name === 'sched_switch');
    assert.equal(sw.length, 57);
    assert.ok(sw.every((e) => e.instance === undefined));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('options.instance still filters: one instance, the top one, or a clear failure', async () => {
  const second = await collect(fixture('multi-v7.dat'), { instance: 'second' });
  assert.equal(second.events.length, 93);
  assert.ok(second.events.every((e) => e.instance === 'second'));
  const top = await collect(fixture('multi-v7.dat'), { instance: '' });
  assert.equal(top.events.length, 62);
  assert.ok(top.events.every((e) => e.instance === undefined));
  const none = await collect(fixture('multi-v7.dat'), { instance: 'third' });
  assert.equal(none.events.length, 0);
  assert.equal(none.failures.length, 1);
  assert.match(none.failures[0], /instance "third" has no event data; instances present: \(top\), second/);
});

test('TIME_SHIFT (host/guest) correction matches trace-cmd report -t of the same file', async () => {
  const got = await collect(fixture('multi-v7-timeshift.dat'));
  assert.deepEqual(got.failures, []);
  assert.deepEqual(got.warnings, []);
  assert.equal(await assertMatchesReport(got, fixture('multi-v7-timeshift.report-t.txt'), 9, ['second']), 155);
  // Hand computation with trace-input.c timestamp_correction_calc (interpolating), T0 = 3449259000000:
  // first top event, CPU 0, raw 3449259533982 (multi-v7.report-t.txt), between the samples (T0, -2 ms) and
  // (T0 + 200 ms, -1.5 ms): tscor = -2000000 + trunc((533982 * 500000 + 100000000) / 200000000) = -1998665
  const first = got.events[0];
  assert.equal(first.name, 'sched_wakeup');
  assert.equal(first.timeNs, 3449259533982 - 1998665);
  // top CPU 1 sched_switch, raw 3449260381410: samples (T0, -3 ms) and (T0 + 500 ms, -2.9 ms), scaling 2^20 + 1,
  // fraction 20: tscor = -3000000 + trunc((1381410 * 100000 + 250000000) / 500000000) = -2999724;
  // floor(3449260381410 * 1048577 / 1048576) = 3449263670881; sum 3449260671157
  const sw = got.events.find((e) => e.cpu === 1 && e.name === 'sched_switch' && e.instance === undefined);
  assert.equal(sw?.timeNs, 3449260671157);
  // the instance is not shifted (tracecmd_buffer_instance_handle clears the host sync data): raw 3449259555424
  const msr = got.events.find((e) => e.instance === 'second');
  assert.equal(msr?.timeNs, 3449259555424);
});

test('equal timestamps across buffers: top instance first, whatever the CPU (as trace-cmd report)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-'));
  try {
    const path = join(dir, 'multi-v7-tie.dat');
    writeFileSync(path, withTimeShift(readFileSync(fixture('multi-v7.dat')), TIE_FLAGS, TIE_CPUS));
    const got = await collect(path);
    assert.deepEqual(got.failures, []);
    assert.equal(await assertMatchesReport(got, fixture('multi-v7-tie.report-t.txt'), 9, ['second']), 155);
    // report lines 2-3 and 7-8: top CPU 0 then second CPU 0 at 3449.259555424; top CPU 1 then second CPU 0 at
    // 3449.261024041
    const at = (ns: number) => got.events.filter((e) => e.timeNs === ns).map((e) => `${e.instance ?? 'top'}/${e.cpu}`);
    assert.deepEqual(at(3449259555424), ['top/0', 'second/0']);
    assert.deepEqual(at(3449261024041), ['top/1', 'second/0']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged TIME_SHIFT option: one warning, raw timestamps kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-'));
  try {
    const src = readFileSync(fixture('multi-v7.dat'));
    const bad = withTimeShift(src, TIE_FLAGS, TIE_CPUS);
    // the CPU count sits after the section header (16), the option header (6), the peer id (8) and the flags (4)
    bad.writeUInt32LE(100, src.length + 16 + 6 + 12);
    const path = join(dir, 'bad-shift.dat');
    writeFileSync(path, bad);
    const got = await collect(path);
    assert.deepEqual(got.failures, []);
    assert.equal(got.warnings.length, 1);
    // CPUs 0-1 read as written, the 16 bytes of fractions read as four empty CPUs (counts 0), CPU 6 finds no bytes
    assert.match(
      got.warnings[0],
      /^TIME_SHIFT option at byte offset \d+: truncated in the sample count of CPU 6; guest timestamps are not synchronised/,
    );
    assert.equal(await assertMatchesReport(got, fixture('multi-v7.report-t.txt'), 9, ['second']), 155);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the arithmetic alone, values worked out by hand from trace-input.c (trace-cmd 3.1.6, commit 0a68daed)

const sample = (time: bigint, offset: bigint, scaling = 1n, fraction = 0n): TimeShiftSample => ({
  time,
  offset,
  scaling,
  fraction,
});

test('timestamp_correction_calc: interpolation, truncation toward zero, scaling, no-interpolate flag', () => {
  const a = sample(1000n, -500n);
  const b = sample(2000n, -300n);
  // delta 1000, (1500-1000)*(200) = 100000, (100000 + 500) / 1000 = 100 → tscor -400
  assert.equal(timestampCorrectionCalc(1500n, 1, a, b), 1100n);
  // offsets falling: (500 * -200 + 500) / 1000 = -99500 / 1000 = -99 in C (floor would give -100) → -399
  assert.equal(timestampCorrectionCalc(1500n, 1, sample(1000n, -300n), sample(2000n, -500n)), 1101n);
  // flag clear: the first sample's offset as is
  assert.equal(timestampCorrectionCalc(1500n, 0, a, b), 1000n);
  // scaling 3, fraction 1: (1500 * 3) >> 1 = 2250, then + tscor (no interpolation) -500
  assert.equal(timestampCorrectionCalc(1500n, 0, sample(1000n, -500n, 3n, 1n), b), 1750n);
  // positive offset extrapolated before the first sample:
  // ts 0 → (0 - 1000) * 200 = -200000, (-200000 + 500) / 1000 = -199
  assert.equal(timestampCorrectionCalc(0n, 1, sample(1000n, 500n), sample(2000n, 700n)), 301n);
});

test('timestamp_host_sync: one sample, two samples, binary search, out-of-range CPU', () => {
  const shift: TimeShift = {
    peerTraceId: 0n,
    flags: 0,
    cpus: [
      [sample(100n, 7n, 5n, 0n)], // one sample: ts + offset, scaling ignored
      [sample(1000n, 10n), sample(2000n, 20n), sample(3000n, 30n), sample(4000n, 40n)],
    ],
  };
  assert.equal(timestampHostSync(50n, 0, shift), 57n);
  // without interpolation the lower sample of the pair around ts wins
  assert.equal(timestampHostSync(500n, 1, shift), 510n); // before the first: first pair
  assert.equal(timestampHostSync(2500n, 1, shift), 2520n);
  assert.equal(timestampHostSync(3000n, 1, shift), 3030n); // exact hit on a sample time
  assert.equal(timestampHostSync(9000n, 1, shift), 9030n); // after the last: last pair, its lower sample
  assert.equal(timestampHostSync(9000n, 2, shift), 9000n); // CPU without samples
});

test('mul_u64_u32_shr and the whole conversion: TIME_SHIFT, then TSC → ns, then the offset', () => {
  // below 2^32: plain (a * mul) >> shift
  assert.equal(mulU64U32Shr(1000n, 3n, 1n), 1500n);
  // above 2^32: equals the exact product shifted (no 64-bit overflow at these sizes)
  const a = 0x1_2345_6789n;
  assert.equal(mulU64U32Shr(a, 0x9876n, 10n), (a * 0x9876n) >> 10n);
  const conv = makeTimestampConverter({
    timeShift: { peerTraceId: 0n, flags: 0, cpus: [[sample(0n, 100n)]] },
    tsc2nsec: { mult: 3, shift: 1 },
    tsOffset: 7n,
  });
  // (1000 + 100) * 3 >> 1 = 1650, + 7
  assert.equal(conv(1000, 0), 1657);
  assert.equal(makeTimestampConverter({ timeShift: null, tsc2nsec: null, tsOffset: -5n })(1000, 3), 995);
});

test('TIME_SHIFT option parsing: layout, sorting, duplicate times, optional fractions, damage', () => {
  const le = (...parts: (number | bigint)[][]): Buffer =>
    Buffer.concat(
      parts.map(([v, w]) => {
        const b = Buffer.alloc(Number(w));
        if (w === 4) b.writeUInt32LE(Number(v));
        else b.writeBigInt64LE(BigInt(v));
        return b;
      }),
    );
  // peer id, flags 1, 1 CPU with 3 samples (times 30, 10, 10), offsets, scalings, then fractions
  const data = le(
    [9n, 8],
    [1, 4],
    [1, 4],
    [3, 4],
    [30n, 8],
    [10n, 8],
    [10n, 8],
    [-1n, 8],
    [-2n, 8],
    [-3n, 8],
    [1n, 8],
    [1n, 8],
    [1n, 8],
    [0n, 8],
    [4n, 8],
    [5n, 8],
  );
  const parsed = parseTimeShift(data, true);
  assert.ok(typeof parsed !== 'string', String(parsed));
  assert.equal(parsed.peerTraceId, 9n);
  assert.equal(parsed.flags, 1);
  // sorted by time, the second sample with time 10 dropped (stable order keeps the first one met)
  assert.deepEqual(parsed.cpus[0], [sample(10n, -2n, 1n, 4n), sample(30n, -1n, 1n, 0n)]);
  // without the fraction block: fractions 0
  const noFrac = parseTimeShift(data.subarray(0, data.length - 24), true);
  assert.ok(typeof noFrac !== 'string');
  assert.equal(noFrac.cpus[0][0].fraction, 0n);
  // cut inside the samples
  assert.match(String(parseTimeShift(data.subarray(0, 30), true)), /truncated in the samples of CPU 0/);
});
