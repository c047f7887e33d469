// Several runs in one input: one result per table or benchmark run, side by side in `runs`, never summed.
// Counts below were read off the fixture files by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { MAX_LISTED_RUNS } from '../../../src/core/model/runs';
import { FIXTURES } from '../../helpers/paths';

const countTables = (name: string) => join(FIXTURES, 'count-tables', name);
const found = (name: string) => join(FIXTURES, 'public', 'found', name);

test('per-vCPU perf kvm stat tables are runs of their own, each one vCPU only, never added together', async () => {
  const a = await analyzeFiles([countTables('perf-kvm-stat-vcpu-ioport-msr.txt')]);
  assert.equal(a.runs?.length, 2);
  const [ioport, msr] = a.runs!;
  assert.match(ioport.label, /^ioport table, vCPU 0 \(line 6\)$/);
  assert.match(msr.label, /^msr table, vCPU 1 \(line 19\)$/);
  assert.equal(ioport.exits?.total, 1525); // 1200 + 300 + 25
  assert.equal(msr.exits?.total, 7010); // 5000 + 2000 + 10
  assert.deepEqual(ioport.exits?.byVcpu, [{ vcpu: 0, count: 1525 }]);
  assert.deepEqual(msr.exits?.byVcpu, [{ vcpu: 1, count: 7010 }]);
  assert.equal(a.exits?.total, 1525, 'the top level is the first run');
  assert.equal(ioport.exits?.vcpuOnly, 0);
  assert.equal(msr.exits?.vcpuOnly, 1);
  // "0x3f8:POUT  1200  78.69%  61.94%  2.10us  15.25us  4.00us": the table's own figures are kept
  const pout = ioport.exits?.byReason.find((r) => r.reason === '0x3f8:POUT');
  const figures = [pout?.samplePct, pout?.timePct, pout?.minNs, pout?.maxNs, pout?.meanNs];
  assert.deepEqual(figures, [78.69, 61.94, 2100, 15250, 4000]);
});

test('the screens of one perf kvm stat live session are one run (live resets its counters per screen)', async () => {
  const a = await analyzeFiles([countTables('perf-kvm-stat-live-two-screens.txt')]);
  assert.equal(a.runs, undefined);
  assert.equal(a.exits?.total, 857); // Total Samples 500 + 357
  const msrWrite = a.exits?.byReason.find((r) => r.reason === 'MSR_WRITE');
  assert.equal(msrWrite?.count, 700); // 400 + 300
  assert.equal(msrWrite?.samplePct, null, "one screen's percentage is not the session's");
  assert.equal(msrWrite?.minNs, 900);
  assert.equal(a.exits?.vcpuOnly, undefined, 'all vCPUs');
});

test('a report table and a live session in one text are two runs; the live run is labelled by its time', async () => {
  const a = await analyzeFiles([found('perf-kvm-stat-report-and-live-histograms-cover-2023.txt')]);
  assert.deepEqual(
    a.runs?.map((r) => r.exits?.total),
    [866, 181],
  );
  assert.match(a.runs![1].label, /^live from 12:10:10\.786799, vmexit table, all vCPUs/);
});

test('netperf -P 0 iterations: ten runs side by side, and the series statistics over the repeats', async () => {
  const a = await analyzeFiles([found('netperf-csv-P0-ten-iterations-2011.txt')]);
  assert.equal(a.runs?.length, 10);
  assert.deepEqual(
    a.runs?.map((r) => r.label),
    Array.from({ length: 10 }, (_, i) => `iteration ${i + 1}`),
  );
  assert.equal(a.benchmark?.transactionsPerSec, 55768.37, 'the top level is the first run');
  assert.equal(a.series?.values.length, 10);
  assert.equal(a.series?.min, 54712.42);
  assert.equal(a.series?.max, 56275.87);
});

test('netperf omni runs to two destinations: each its own result, not a series of one', async () => {
  const a = await analyzeFiles([countTables('netperf-omni-two-destinations.txt')]);
  assert.deepEqual(
    a.runs?.map((r) => r.benchmark?.transactionsPerSec),
    [21034.55, 9876.12],
  );
  assert.equal(a.series ?? null, null);
  assert.equal(a.benchmark?.runs, 1);
});

test('one table, one run: no runs list', async () => {
  const a = await analyzeFiles([found('perf-kvm-stat-arm64-irq-trap-2020.txt')]);
  assert.equal(a.runs, undefined);
  assert.equal(a.exits?.total, 55447);
});

test('past 500 runs: the first 500 are listed, all count in the series, and the cut is said', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-runs-'));
  try {
    // 600 netperf -P 0 CSV iterations under one header: 1000.5 + i transactions/s
    const lines = ['netperf -H h -t TCP_RR -P 0 -- -o THROUGHPUT,THROUGHPUT_UNITS'];
    for (let i = 0; i < 600; i++) lines.push(`${1000.5 + i},Trans/s`);
    const path = join(dir, 'netperf-600.txt');
    writeFileSync(path, lines.join('\n') + '\n');
    const a = await analyzeFiles([path]);
    assert.equal(a.runs?.length, MAX_LISTED_RUNS);
    assert.equal(a.runs?.[499].benchmark?.transactionsPerSec, 1499.5);
    assert.equal(a.series?.values.length, 600);
    assert.equal(a.series?.max, 1599.5);
    const said = a.modelNotes?.some((n) => n.startsWith('600 runs in the inputs: the first 500 are listed'));
    assert.ok(said, String(a.modelNotes));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
