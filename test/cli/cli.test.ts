// The CLI as scripts use it (the outside contract): stdout carries only the result, exit codes 0/1/2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, sample } from '../helpers/paths';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(REPO, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });

test('analyze --json: one JSON object with the contract fields', () => {
  const r = cli(
    'analyze',
    sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'),
    sample('guest-trace', 'tcprr-cross-poll0.netperf.txt'),
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.equal(a.schema, 'kvm-trace-lens/analysis@1');
  assert.deepEqual(
    a.inputs.map((i: { format: string }) => i.format),
    ['trace-cmd-report', 'netperf'],
  );
  // zcat | grep -cE '^ *.+-[0-9]+ +\[[0-9]{3}\] [0-9]+\.[0-9]+: ' → 256254 event lines; netperf: one result.
  assert.equal(a.inputs[0].records, 256254);
  assert.equal(a.inputs[1].records, 1);
  assert.deepEqual(Object.keys(a.benchmark).slice(0, 5), [
    'tool',
    'test',
    'transactionsPerSec',
    'bitsPerSec',
    'durationSec',
  ]);
  assert.equal(a.benchmark.test, 'TCP_RR');
  for (const key of ['source', 'total', 'perSecond', 'durationNs', 'byReason']) assert.ok(key in a.exits, key);
  for (const key of [
    'reason',
    'category',
    'count',
    'share',
    'critical',
    'offCritical',
    'meanNs',
    'p50Ns',
    'p99Ns',
    'maxNs',
  ])
    assert.ok(key in a.exits.byReason[0], key);
  for (const key of [
    'count',
    'perSecond',
    'exitsPerTransaction',
    'criticalExitsPerTransaction',
    'offCriticalExitsPerTransaction',
    'wakeupLatencyNs',
  ])
    assert.ok(key in a.transactions, key);
  for (const key of ['id', 'title', 'setting', 'evidence', 'prediction']) assert.ok(key in a.recommendations[0], key);
});

test('analyze without --json prints a readable report', () => {
  const r = cli('analyze', sample('public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt'));
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /VM exits \(counts\): 79,744/);
  assert.match(r.stdout, /HLT\s+halt\s+15,885/);
});

test('compare --runs --json: side by side with the prediction checked', () => {
  const g = (n: string) =>
    `${sample('guest-trace', `${n}.report.txt.gz`)} ${sample('guest-trace', `${n}.netperf.txt`)}`;
  const r = cli('compare', '--runs', g('tcprr-cross-poll0'), g('tcprr-cross-poll200000'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  assert.equal(c.schema, 'kvm-trace-lens/compare@1');
  assert.deepEqual(
    c.runs.map((x: { transactionsPerSec: number }) => x.transactionsPerSec),
    [16745.77, 82742.26],
  );
  assert.equal(c.predictions[0].measured, 82742.26);
  // 5.28 → 0.01 exits per transaction over thousands of transactions: far outside the Poisson noise
  const perTx = c.rows.find((x: { id: string }) => x.id === 'transactions.exits');
  assert.equal(perTx.changes[1].verdict, 'significant');
  assert.ok(!c.rows.some((x: { id: string }) => x.id === 'benchmark.bitsPerSec'), 'TCP_RR: no throughput row');
  assert.deepEqual(
    c.runs.map((x: { label: string }) => x.label),
    ['tcprr-cross-poll0', 'tcprr-cross-poll200000'],
  );
});

test('usage errors exit 2 with the usage text on stderr and nothing on stdout', () => {
  for (const args of [[], ['analyze'], ['frobnicate', 'x'], ['analyze', 'x', '--bogus'], ['compare']]) {
    const r = cli(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /usage:/);
  }
});

test('compare A.json B.json: saved analyses side by side; anything else is refused with a reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-cli-'));
  const save = (name: string, ...files: string[]) => {
    const r = cli('analyze', ...files, '--json');
    assert.equal(r.status, 0, r.stderr);
    writeFileSync(join(dir, name), r.stdout);
    return join(dir, name);
  };
  const off = save(
    'off.json',
    sample('guest-trace', 'tcprr-same-poll0.report.txt.gz'),
    sample('guest-trace', 'tcprr-same-poll0.netperf.txt'),
  );
  const on = save(
    'on.json',
    sample('guest-trace', 'tcprr-cross-poll200000.report.txt.gz'),
    sample('guest-trace', 'tcprr-cross-poll200000.netperf.txt'),
  );
  const r = cli('compare', off, on);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /benchmark transactions\/s\s+71,601\s+82,742/);
  // labels come from each run's inputs, whole names, not cut at a dot
  assert.match(r.stdout, /Runs \(the first is the baseline\): tcprr-same-poll0, tcprr-cross-poll200000\n/);
  assert.doesNotMatch(r.stdout, /Mbit\/s|throughput/, 'no throughput row for request/response runs');
  assert.match(r.stdout, /Method: Changes against the first run with 95 % intervals/);
  const page = join(dir, 'compare.html');
  const h = cli('compare', off, on, '--html', page);
  assert.equal(h.status, 0, h.stderr);
  assert.equal(h.stdout, r.stdout, 'the text report still goes to stdout');
  const html = readFileSync(page, 'utf8');
  assert.ok(html.includes('82,742') && !/<script/i.test(html));
  const bad = cli('compare', off, sample('iperf', 'iperf3-tcp.json'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /iperf3-tcp\.json: not a saved analysis/);
  assert.equal(bad.stdout, '');
});

test('compare of one file that holds several runs puts its runs side by side', () => {
  const threeTables = sample('public', 'found', 'perf-kvm-stat-3.7-mmio-ioport-vcpu0-three-tables.txt');
  const r = cli('compare', '--runs', threeTables, '--json');
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  // the file's three tables (mmio at line 8, ioport at line 25, vmexit for vCPU 0 at line 39), summed by hand
  assert.deepEqual(
    c.runs.map((x: { label: string; exitsTotal: number }) => [x.label, x.exitsTotal]),
    [
      ['mmio table, all vCPUs (line 8)', 65057],
      ['ioport table, all vCPUs (line 25)', 383],
      ['vmexit table, vCPU 0 (line 39)', 10914],
    ],
  );
  const hlt = c.rows.find((x: { id: string }) => x.id === 'reason:HLT');
  assert.deepEqual(hlt.values, [0, 0, 551]);
  // as text, three long labels become lettered columns with a legend
  const text = cli('compare', '--runs', threeTables).stdout;
  assert.match(text, /^Runs \(the first is the baseline\):\n {2}A {2}mmio table, all vCPUs \(line 8\)\n/);
  assert.match(text, /\nHLT\s+0\s+0\s+551\s+–\s+–\n/);
  assert.match(text, /\nNote: a total of runs of different length: no interval\.\n/);
  const ten = cli('compare', '--runs', sample('public', 'found', 'netperf-csv-P0-ten-iterations-2011.txt'), '--json');
  assert.equal(ten.status, 0, ten.stderr);
  const iterations = JSON.parse(ten.stdout);
  assert.equal(iterations.runs.length, 10);
  // first and last CSV rows of the file
  const firstAndLast = iterations.rows[0].values.filter((_: number, i: number) => i === 0 || i === 9);
  assert.deepEqual(firstAndLast, [55768.37, 55607.66]);
  assert.ok(iterations.runs.every((x: { benchmarkRuns: number }) => x.benchmarkRuns === 1));
  const one = cli('compare', '--runs', sample('netperf', 'netperf-tcp-rr-demo.txt'));
  assert.equal(one.status, 2);
  assert.match(one.stderr, /compare needs two or more runs; netperf-tcp-rr-demo\.txt holds one run/);
});
