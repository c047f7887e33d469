import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnalysisView, linkEvidence, statusSummary } from '../../src/presentation/analysisView';
import { formatDuration } from '../../src/presentation/format';
import type { Analysis } from '../../src/core/index';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

test('reasons are listed most frequent first with their example lines', () => {
  const v = buildAnalysisView(fixtureAnalysis('analysis-tcprr.json'));
  assert.deepEqual(
    v.reasons.map((r) => [r.reason, r.count]),
    [
      ['msr_write 0x830', 4000],
      ['hlt', 3000],
      ['msr_write 0x6e0', 2000],
      ['external interrupt, "=cmd"', 1000],
    ],
  );
  assert.deepEqual(v.reasons[1].exampleLines, [7, 19, 29]);
  assert.deepEqual(v.reasons[3].exampleLines, []);
  assert.equal(v.exitsSource, 'guest-inferred');
});

test('summary figures come from the analysis', () => {
  const v = buildAnalysisView(fixtureAnalysis('analysis-tcprr.json'));
  const fig = Object.fromEntries(v.summary.map((f) => [f.label, f.value]));
  assert.equal(fig['VM exits'], '10,000');
  assert.equal(fig['Exits/s'], '20,000');
  assert.equal(fig['Transactions/s'], '10,000');
  assert.equal(fig['Exits per transaction'], '2');
  assert.equal(fig['Wake-up p50 / p99'], '32\u00a0µs / 260\u00a0µs');
  assert.equal(fig['netperf TCP_RR trans/s'], '9,800');
});

test('recommendations: evidence links to the lines of the reason it names, prediction in words', () => {
  const v = buildAnalysisView(fixtureAnalysis('analysis-tcprr.json'));
  const halt = v.recommendations.find((r) => r.id === 'halt-polling')!;
  assert.equal(halt.setting, 'guest_halt_poll_ns=200000');
  assert.deepEqual(halt.evidence[0], {
    text: '3,000 hlt exits, 2,500 of them on the critical path',
    lines: [7, 19, 29],
  });
  assert.deepEqual(halt.evidence[1].lines, [3, 11, 33]); // names "msr_write 0x830"
  assert.equal(halt.prediction, 'transactions/s: 9,800 → 13,230 (+35\u00a0%)');
  const nohz = v.recommendations.find((r) => r.id === 'nohz')!;
  assert.equal(nohz.prediction, null);
  assert.equal(nohz.rationale, '');
});

test('evidence naming two reasons links to the longer (more specific) name', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  assert.deepEqual(linkEvidence('MSR_WRITE 0x6e0 timer writes', a.exits!.byReason).lines, [12, 22]);
  assert.deepEqual(linkEvidence('nothing relevant', a.exits!.byReason).lines, []);
});

test('timeline keeps the six busiest series and folds the rest into "other"', () => {
  const v = buildAnalysisView(fixtureAnalysis('analysis-tcprr.json'));
  const t = v.timeline!;
  assert.deepEqual(t.labels, [0, 0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(
    t.series.map((s) => s.label),
    ['msr_write 0x830', 'hlt', 'msr_write 0x6e0', 'e', 'd', 'a', 'other'],
  );
  assert.deepEqual(t.series[6].values, [2, 2, 2, 2, 2]); // b + c, one each per bucket
});

test('an unusable input becomes an error banner; a readable input without findings becomes a notice', () => {
  const broken: Analysis = {
    schema: 'kvm-trace-lens/analysis@1',
    inputs: [{ path: '/x/trace.dat', format: 'trace-dat', records: 0, warnings: [], error: 'no trace.dat reader yet' }],
    exits: null,
    transactions: null,
    benchmark: null,
    recommendations: [],
  };
  const v = buildAnalysisView(broken);
  assert.deepEqual(v.errors, ['trace.dat: no trace.dat reader yet']);
  assert.equal(v.notice, null);
  const empty = buildAnalysisView({ ...broken, inputs: [{ ...broken.inputs[0], error: null, records: 1234 }] });
  assert.deepEqual(empty.errors, []);
  assert.match(empty.notice!, /1,234 records/);
});

test('status bar text prefers exits per transaction', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  assert.equal(statusSummary(a)!.text, '2 exits/txn');
  assert.equal(statusSummary({ ...a, transactions: null })!.text, '20,000 exits/s');
  assert.equal(statusSummary({ ...a, transactions: null, exits: null })!.text, 'TCP_RR 9,800 trans/s');
});

test('durations read naturally', () => {
  assert.equal(formatDuration(850), '850\u00a0ns');
  assert.equal(formatDuration(2100), '2.1\u00a0µs');
  assert.equal(formatDuration(4_500_000), '4.5\u00a0ms');
  assert.equal(formatDuration(null), '–');
});
