// Every real public output under test/fixtures/public, read through the real input path (input.ts) and analysis
// (analyze.ts), checked value by value against expected.json: shared-set/ holds independently computed values,
// found/ values counted by hand from the text. Trace-text files belong to the trace-text reader (issue 13): where
// they do not pass yet they are marked todo, visible but not failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis, AnalysisRun, ExitsSummary } from '../../../src/core/analysisTypes';
import { analyzeFiles } from '../../../src/core/analyze';
import { readInputFile } from '../../../src/core/input';
import type { BenchmarkResult, InputFormat, InputRecord, TraceEvent } from '../../../src/core/records';
import { FIXTURES } from '../../helpers/paths';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- expected.json is free-form per class
type Json = Record<string, any>; // expected.json is free-form per class

const SHARED = join(FIXTURES, 'public', 'shared-set');
const FOUND = join(FIXTURES, 'public', 'found');
const TRACE_TEXT_TODO = { todo: 'trace-text reader, issue 13' };
/** Trace-text files that the trace-text reader does not read as expected yet (owned by another part of issue 13). */
const TRACE_TEXT_FAILING = new Set<string>();

interface Loaded {
  format: InputFormat | null;
  records: InputRecord[];
  analysis: Analysis;
}

async function load(path: string): Promise<Loaded> {
  const records: InputRecord[] = [];
  const summary = await readInputFile(path, (r) => records.push(r));
  return { format: summary.format, records, analysis: await analyzeFiles([path]) };
}

/** The analysis's runs, or the top level as the one run when the file holds a single run. */
function runsOf(a: Analysis): AnalysisRun[] {
  const { exits, transactions, benchmark, recommendations } = a;
  return a.runs ?? [{ label: '', exits, transactions, benchmark, recommendations }];
}

/** The records of each run, split where the reader marked a run start. */
function recordsByRun(records: InputRecord[]): InputRecord[][] {
  const runs: InputRecord[][] = [[]];
  for (const r of records) {
    if (r.type === 'run-start') {
      if (runs[runs.length - 1].length > 0) runs.push([]);
    } else runs[runs.length - 1].push(r);
  }
  return runs;
}

const byReason = (exits: ExitsSummary | null) =>
  Object.fromEntries((exits?.byReason ?? []).map((r) => [r.reason, r.count]));
const results = (records: InputRecord[]) => records.filter((r): r is BenchmarkResult => r.type === 'benchmark');
const intervals = (records: InputRecord[]) => records.filter((r) => r.type === 'benchmark-interval');
const withRole = (records: InputRecord[], role: string) => results(records).find((r) => r.role === role);
const MBIT = 1e6;

// ---------------------------------------------------------------------------------------------------------------
// The shared set (PROVENANCE.md there), values as computed independently

const shared = JSON.parse(readFileSync(join(SHARED, 'expected.json'), 'utf8')) as Record<string, Json>;

function checkTraceText(file: string, exp: Json, got: Loaded): void {
  const want = exp.format === 'perf-script' ? ['perf-script'] : ['ftrace', 'trace-cmd-report'];
  assert.ok(want.includes(got.format ?? ''), `format ${got.format}`);
  const names: Record<string, number> = {};
  for (const r of got.records) {
    if (r.type === 'event') names[(r as TraceEvent).name] = (names[(r as TraceEvent).name] ?? 0) + 1;
  }
  assert.deepEqual(names, exp.events_by_name, `${file}: events by name`);
  if (exp.kvm_exit_events > 0) assert.deepEqual(byReason(got.analysis.exits), exp.exits_by_reason, `${file}: exits`);
}

function checkPerfKvmStat(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'perf-kvm-stat');
  const rows = got.records.filter((r) => r.type === 'exit-count');
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.reason, r.count])), exp.rows);
  if (exp.format === 'perf-stat-kvm-counts') return;
  for (const r of rows) assert.equal(r.table, exp.event_kind);
  const totals = got.records.filter((r) => r.type === 'exit-count-totals');
  if (exp.total_samples !== undefined)
    assert.deepEqual(
      totals.map((t) => t.samples),
      [exp.total_samples],
    );
  assert.deepEqual(byReason(got.analysis.exits), exp.rows, 'the analysis counts every row once');
  assert.equal(got.analysis.exits?.total, exp.sum_of_row_samples);
  assert.equal(got.analysis.runs, undefined, 'one table: one run');
}

function checkKvmStat(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'kvm-stat');
  const rows = new Map(got.records.flatMap((r) => (r.type === 'exit-count' ? [[r.reason, r] as const] : [])));
  assert.deepEqual([...rows.keys()].sort(), Object.keys(exp.rows).sort());
  for (const [name, want] of Object.entries(exp.rows as Record<string, Json>)) {
    const row = rows.get(name)!;
    assert.deepEqual([row.count, row.perSecond, row.samplePct], [want.total, want.cur_avg_per_s, want.pct_total], name);
  }
  assert.deepEqual(
    got.records.filter((r) => r.type === 'exit-count-totals').map((t) => t.samples),
    [exp.total],
  );
  assert.equal(got.analysis.exits?.total, exp.rows.kvm_exit.total, 'exits = the kvm_exit row');
}

function checkNetperf(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'netperf');
  const runs = runsOf(got.analysis);
  assert.equal(runs.length, exp.banners, 'one run per banner');
  const res = results(got.records);
  assert.equal(res.length, exp.results.length);
  exp.results.forEach((want: Json, i: number) => {
    const r = res[i];
    assert.equal(r.test, want.test);
    assert.equal(r.durationSec, want.elapsed_s);
    if (want.transactions_per_sec !== undefined) {
      assert.equal(r.transactionsPerSec, want.transactions_per_sec);
      assert.equal(runs[i].benchmark?.transactionsPerSec, want.transactions_per_sec);
      assert.deepEqual([r.extra.requestBytes, r.extra.responseBytes], [want.request_size, want.response_size]);
    } else {
      assert.equal(want.units, '10^6bits/sec');
      assert.equal(r.bitsPerSec, Math.round(want.throughput * MBIT));
      assert.equal(runs[i].benchmark?.bitsPerSec, Math.round(want.throughput * MBIT));
      assert.equal(r.extra.messageBytes, want.message_size);
    }
  });
}

function checkIperf3Json(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'iperf3-json');
  assert.equal(runsOf(got.analysis).length, exp.documents, 'one run per JSON document');
  const byRun = recordsByRun(got.records);
  assert.equal(byRun.length, exp.runs.length);
  exp.runs.forEach((want: Json, i: number) => {
    const sender = withRole(byRun[i], 'sender')!;
    const receiver = withRole(byRun[i], 'receiver')!;
    assert.equal(sender.bitsPerSec, want.sum_sent_bits_per_second);
    assert.equal(receiver.bitsPerSec, want.sum_received_bits_per_second);
    assert.equal(runsOf(got.analysis)[i].benchmark?.bitsPerSec, want.sum_received_bits_per_second, 'receiver figure');
    assert.equal(sender.test, want.protocol);
    assert.equal(sender.extra.version, want.version);
    assert.equal(sender.extra.num_streams, want.num_streams);
    assert.equal(intervals(byRun[i]).length, want.intervals);
  });
}

function checkIperf3Text(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'iperf3-text');
  for (const want of exp.summary as Json[]) {
    const r = withRole(got.records, want.role)!;
    assert.equal(r.bitsPerSec, want.bitrate * MBIT, want.role);
    assert.equal(r.test, exp.protocol);
  }
  const ivs = intervals(got.records) as { omitted: boolean }[];
  assert.equal(ivs.length, exp.interval_lines);
  assert.equal(ivs.filter((i) => i.omitted).length, exp.omitted_interval_lines);
  assert.equal(got.analysis.benchmark?.bitsPerSec, 107 * MBIT, 'the receiver figure');
}

function checkIperf2Text(exp: Json, got: Loaded): void {
  assert.equal(got.format, 'iperf2-text');
  const res = results(got.records);
  assert.equal(res.length, exp.per_stream_client_lines);
  assert.equal(exp.single.units, 'Mbits/sec');
  assert.equal(res[0].bitsPerSec, exp.single.bandwidth * MBIT);
  assert.equal(res[0].test, exp.protocol);
}

const SHARED_CHECKS: Record<string, (exp: Json, got: Loaded) => void> = {
  'perf-kvm-stat': checkPerfKvmStat,
  'perf-stat-kvm-counts': checkPerfKvmStat,
  'kvm-stat': checkKvmStat,
  netperf: checkNetperf,
  'iperf3-json': checkIperf3Json,
  'iperf3-text': checkIperf3Text,
  'iperf2-text': checkIperf2Text,
};

for (const [file, exp] of Object.entries(shared)) {
  const traceText = exp.format === 'host-trace' || exp.format === 'perf-script';
  const options = traceText && TRACE_TEXT_FAILING.has(file) ? TRACE_TEXT_TODO : {};
  test(`shared set ${file} (${exp.format})`, options, async () => {
    const got = await load(join(SHARED, file));
    if (traceText) return checkTraceText(file, exp, got);
    const check = SHARED_CHECKS[exp.format];
    assert.ok(check, `no check for format ${exp.format}`);
    check(exp, got);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs found for this set (found/PROVENANCE.md), values counted by hand

const found = JSON.parse(readFileSync(join(FOUND, 'expected.json'), 'utf8')) as Record<string, Json>;

function checkFoundRun(file: string, i: number, want: Json, run: AnalysisRun, records: InputRecord[]): void {
  const where = `${file} run ${i + 1}`;
  if (want.label !== undefined) assert.equal(run.label, want.label, where);
  if (want.label_contains !== undefined) assert.ok(run.label.includes(want.label_contains), `${where}: ${run.label}`);
  if (want.exits === null) assert.equal(run.exits, null, `${where}: an empty table has no exits`);
  if (want.vcpu_only !== undefined) assert.equal(run.exits?.vcpuOnly, want.vcpu_only, `${where}: one vCPU only`);
  if (want.exits_by_reason !== undefined) {
    assert.deepEqual(byReason(run.exits), want.exits_by_reason, where);
    assert.equal(run.exits?.total, want.total, where);
    assert.equal(run.exits?.source, 'counts');
  }
  for (const [reason, stats] of Object.entries((want.reason_stats ?? {}) as Record<string, Json>)) {
    const got = run.exits?.byReason.find((r) => r.reason === reason);
    for (const [k, v] of Object.entries(stats)) {
      assert.equal((got as Json | undefined)?.[k], v, `${where}: ${reason} ${k}`);
    }
  }
  for (const [reason, category] of Object.entries((want.categories ?? {}) as Record<string, string>)) {
    assert.equal(run.exits?.byReason.find((r) => r.reason === reason)?.category, category, `${where}: ${reason}`);
  }
  if (want.benchmark) {
    for (const [k, v] of Object.entries(want.benchmark as Json)) {
      assert.equal((run.benchmark as Json)[k], v, `${where}: ${k}`);
    }
  }
  const result = results(records);
  for (const [k, v] of Object.entries((want.extra ?? {}) as Json)) {
    assert.equal(result[0]?.extra[k], v, `${where}: ${k}`);
  }
  for (const [k, v] of Object.entries((want.receiver_extra ?? {}) as Json)) {
    assert.equal(withRole(records, 'receiver')?.extra[k], v, `${where}: receiver ${k}`);
  }
  if (want.interval_bits_per_sec !== undefined) {
    const got = intervals(records).map((r) => (r as { bitsPerSec: number | null }).bitsPerSec);
    assert.deepEqual(got, want.interval_bits_per_sec, `${where}: intervals`);
  }
  if (want.benchmark === null) assert.equal(run.benchmark, null, `${where}: no summary in the text`);
  if (want.sender_bits_per_sec !== undefined) {
    assert.equal(withRole(records, 'sender')?.bitsPerSec, want.sender_bits_per_sec);
  }
}

for (const [file, exp] of Object.entries(found)) {
  if (file.startsWith('_')) continue;
  test(`found ${file} (${exp.format})`, async () => {
    const got = await load(join(FOUND, file));
    assert.equal(got.format, exp.format);
    assert.equal(got.analysis.inputs[0].error ?? null, null);
    const runs = runsOf(got.analysis);
    assert.equal(runs.length, exp.runs.length, `${file}: one run per table / benchmark run, never a sum`);
    const byRun = recordsByRun(got.records);
    exp.runs.forEach((want: Json, i: number) => checkFoundRun(file, i, want, runs[i], byRun[i] ?? []));
    if (exp.intervals !== undefined) assert.equal(intervals(got.records).length, exp.intervals);
  });
}

test('the found set holds at least 10 real outputs, each with a provenance row', () => {
  const files = Object.keys(found).filter((f) => !f.startsWith('_'));
  assert.ok(files.length >= 10, `${files.length} files`);
  const provenance = readFileSync(join(FOUND, 'PROVENANCE.md'), 'utf8');
  for (const f of files) assert.ok(provenance.includes(`| ${f} |`), `${f} has no PROVENANCE.md row`);
});
