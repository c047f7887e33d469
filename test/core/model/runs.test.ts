// Several runs in one input: one result per table or benchmark run, side by side in `runs`, never summed.
// Counts below were read off the fixture files by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { Analyzer } from '../../../src/core/model/analyzer';
import { MAX_HELD_RECORDS, MAX_LISTED_RUNS, RunSplitter } from '../../../src/core/model/runs';
import { emptyRow } from '../../../src/core/readers/countTableLines';
import { FIXTURES } from '../../helpers/paths';

const countTables = (name: string) => join(FIXTURES, 'count-tables', name);
const found = (name: string) => join(FIXTURES, 'public', 'found', name);
const traces = (name: string) => join(FIXTURES, 'public', 'traces', name);
const totalsOf = (runs: { exits: { total: number } | null }[] | undefined) => runs?.map((r) => r.exits?.total ?? null);

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

// Several inputs, the second holding several runs: its first run used to be added to the first input's run.

test('a second input with two perf kvm stat tables: each its own run, none added to the first input', async () => {
  const second = 'perf-kvm-stat-wrapped-quoted-hyperv-two-tables-2021.txt';
  const a = await analyzeFiles([found('perf-kvm-stat-arm64-irq-trap-2020.txt'), found(second)]);
  // Total Samples of the arm64 table, then of the two hyper-v tables
  assert.deepEqual(totalsOf(a.runs), [55447, 787803, 342788]);
  assert.equal(a.exits?.total, 55447, 'the top level is the first input alone');
  assert.deepEqual(
    a.exits?.byReason.map((r) => [r.reason, r.count]),
    [
      ['IRQ', 44110],
      ['TRAP', 11337],
    ],
  );
  assert.equal(a.runs![0].label, 'perf-kvm-stat-arm64-irq-trap-2020.txt');
  assert.equal(a.runs![1].label, `${second}: vmexit table, all vCPUs (line 23)`);
  assert.equal(a.runs![2].label, `${second}: vmexit table, all vCPUs (line 39)`);
});

test('two inputs with two tables each: four runs, in order, never summed', async () => {
  const a = await analyzeFiles([
    found('perf-kvm-stat-wrapped-quoted-hyperv-two-tables-2021.txt'),
    found('perf-kvm-stat-arm64-vcpu27-empty-then-rows-2022.txt'),
  ]);
  // the vCPU 27 table before the fix is empty ("Total Samples:0"); after it, SYS64 808 + WFx 10 + IRQ 2
  assert.deepEqual(totalsOf(a.runs), [787803, 342788, null, 820]);
  assert.match(a.runs![2].label, /^perf-kvm-stat-arm64-vcpu27-empty-then-rows-2022\.txt: vmexit table, vCPU 27/);
});

test('a second trace with two pasted runs: each run its own, not joined to the first trace', async () => {
  const a = await analyzeFiles([
    traces('host-trace-arm64-ftrace-label-wrapped-sys64-nv-2023.txt'),
    traces('host-trace-arm64-quoted-wrapped-two-runs-irq-iabt-2023.txt'),
  ]);
  // grep -c "kvm_exit: TRAP:" = 11 (SYS64); the second text: 3 IRQ exits at 410 s, 3 IABT_LOW at 1401295 s
  assert.deepEqual(
    a.runs?.map((r) => [r.exits?.total, r.exits?.byReason.map((x) => [x.reason, x.count])]),
    [
      [11, [['SYS64', 11]]],
      [3, [['IRQ', 3]]],
      [3, [['IABT_LOW', 3]]],
    ],
  );
  assert.equal(a.exits?.total, 11);
});

test('traces regrouped as different runs keep the runs inside each input', async () => {
  const a = await analyzeFiles([
    traces('host-trace-svm-old-names-gp-loop-two-runs-comm-unknown-2019.txt'),
    traces('host-trace-svm-rsm-internal-error-then-shutdown-two-runs-2021.txt'),
  ]);
  // two platform_info runs (EXIT_MSR 1 + EXIT_EXCP_GP 2 each), then two smm_test runs (one EXIT_RSM each)
  assert.deepEqual(totalsOf(a.runs), [3, 3, 1, 1]);
  assert.match(
    a.runs![3].label,
    /^host-trace-svm-rsm-internal-error-then-shutdown-two-runs-2021\.txt: run 2 \(line 14\)$/,
  );
});

test('a first run longer than can be held apart joins the run before it, and that is said', () => {
  const main = new Analyzer(false);
  const runs = new RunSplitter(main);
  runs.beginInput(0, 'a.txt');
  runs.add(emptyRow(3, 'vmexit', null, 'HLT', 7));
  runs.beginInput(1, 'dir/b.txt');
  for (let i = 0; i <= MAX_HELD_RECORDS; i++) runs.add(emptyRow(10 + i, 'vmexit', null, 'MSR_WRITE', 1));
  runs.add({ type: 'run-start', line: 5, label: 'table (line 5)' });
  runs.add({ type: 'run-start', line: 200_000, label: 'table (line 200000)' });
  runs.add(emptyRow(200_001, 'vmexit', null, 'IO_INSTRUCTION', 4));
  const a = main.finish();
  runs.attach(a);
  assert.deepEqual(totalsOf(a.runs), [7 + MAX_HELD_RECORDS + 1, 4]);
  assert.equal(a.runs![1].label, 'b.txt: table (line 200000)');
  const said = a.modelNotes?.some((n) =>
    /^b\.txt: table \(line 5\): more than 100,000 records before its second/.test(n),
  );
  assert.ok(said, String(a.modelNotes));
});

test('the event names of every run reach the capture recipe, those of later runs too', () => {
  const main = new Analyzer(false);
  const runs = new RunSplitter(main);
  const event = (line: number, name: string) =>
    ({ type: 'event', line, timeNs: line * 1000, cpu: 0, pid: 1, comm: 'x', name, system: null, payload: '' }) as const;
  runs.beginInput(0, 'a.txt');
  runs.add({ type: 'run-start', line: 1, label: 'run 1' });
  runs.add(event(2, 'write_msr'));
  runs.add({ type: 'run-start', line: 3, label: 'run 2' });
  runs.add(event(4, 'cpu_idle'));
  runs.add(event(5, 'sched_switch'));
  runs.endInput();
  assert.deepEqual([...main.eventNames()], ['write_msr']);
  assert.deepEqual([...runs.eventNames()].sort(), ['cpu_idle', 'sched_switch', 'write_msr']);
});
