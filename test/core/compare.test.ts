// The one comparison: figures, changes against the baseline with 95 % intervals, and predictions checked.
// Values come from the hand-made fixtures (test/fixtures/extension) and hand-made analyses below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAnalyses, measuredMetric, runLabel, type Analysis, type CompareRow } from '../../src/core/index';
import { poissonRatioChange, tQuantile95, welchChange } from '../../src/core/stats/intervals';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

const runs = () => [
  { label: 'poll off', analysis: fixtureAnalysis('analysis-tcprr.json') },
  { label: 'poll on', analysis: fixtureAnalysis('analysis-tcprr-poll.json') },
];
const rowOf = (rows: CompareRow[], id: string) => rows.find((r) => r.id === id)!;
const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(Math.abs(a! - b) < eps, `${a} ≉ ${b}`);

test('benchmark figures are relative to the first run; one run each gives no interval', () => {
  const c = compareAnalyses(runs());
  const tps = rowOf(c.rows, 'benchmark.transactionsPerSec');
  assert.deepEqual(tps.values, [9800, 12740]);
  assert.equal(tps.changes[0], null);
  close(tps.changes[1]!.relative, 0.3); // 12740 / 9800 = 1.3
  assert.equal(tps.changes[1]!.verdict, 'no interval');
  assert.equal(tps.changes[1]!.note, 'one run: no interval');
  assert.equal(tps.better, 'higher');
  assert.equal(rowOf(c.rows, 'benchmark.bitsPerSec'), undefined, 'no throughput row for request/response runs');
});

test('exits by reason are compared per transaction when both runs have transactions', () => {
  const c = compareAnalyses(runs());
  assert.equal(c.reasonsPer, 'transaction');
  const hlt = rowOf(c.rows, 'reason:hlt');
  assert.deepEqual(hlt.values, [3000 / 5000, 500 / 7500]);
  assert.deepEqual(hlt.counts, [3000, 500]);
  close(hlt.changes[1]!.relative, (500 / 7500 - 0.6) / 0.6);
  // log rate ratio ln((500/7500)/(3000/5000)) ± 1.96·√(1/500 + 1/3000), worked by hand: −89.9 % to −87.8 %
  close(hlt.changes[1]!.interval!.low, -0.89893, 1e-4);
  close(hlt.changes[1]!.interval!.high, -0.87786, 1e-4);
  assert.equal(hlt.changes[1]!.verdict, 'significant');
  const ext = c.rows.find((r) => r.id.startsWith('reason:external interrupt'))!;
  assert.equal(ext.values[1], 0); // absent in the second run, which has exits: zero, not unknown
  assert.equal(ext.changes[1]!.relative, -1);
});

test('Poisson counts on both sides of significant: 100 → 120 exits is noise, 10,000 → 12,000 is not', () => {
  const small = poissonRatioChange(100, 100, 120, 100)!;
  close(small.low, -0.0797, 1e-4);
  close(small.high, 0.5647, 1e-4);
  const large = poissonRatioChange(10_000, 100, 12_000, 100)!;
  close(large.low, 0.16857, 1e-4);
  close(large.high, 0.23227, 1e-4);
  assert.equal(poissonRatioChange(0, 100, 0, 100), null);

  const perTx = (exits: number, tx: number): Analysis => ({
    ...fixtureAnalysis('analysis-tcprr.json'),
    transactions: {
      ...fixtureAnalysis('analysis-tcprr.json').transactions!,
      count: tx,
      exitsPerTransaction: exits / tx,
    },
  });
  const verdict = (a: Analysis, b: Analysis) =>
    rowOf(
      compareAnalyses([
        { label: 'a', analysis: a },
        { label: 'b', analysis: b },
      ]).rows,
      'transactions.exits',
    ).changes[1]!.verdict;
  assert.equal(verdict(perTx(100, 100), perTx(120, 100)), 'within noise');
  assert.equal(verdict(perTx(10_000, 100), perTx(12_000, 100)), 'significant');
});

test('repeated benchmark runs: Welch interval of the means on both sides of significant', () => {
  assert.equal(tQuantile95(6), 2.447);
  assert.equal(tQuantile95(6.9), 2.447); // fractional df rounds down: wider, never narrower
  // means 100 and 104, sd √(8/3) each, n = 4: se = √(2·(8/3)/4) = 1.1547, df = 6 → 4 ± 2.826
  const tight = welchChange([100, 102, 98, 100], [104, 106, 102, 104])!;
  close(tight.low, (4 - 2.447 * Math.sqrt(4 / 3)) / 100);
  close(tight.high, (4 + 2.447 * Math.sqrt(4 / 3)) / 100);
  assert.ok(tight.low > 0);
  const loose = welchChange([100, 110, 90, 100], [104, 114, 94, 104])!; // sd 8.165: ±14.1
  assert.ok(loose.low < 0 && loose.high > 0);

  const withSeries = (values: number[]): Analysis => {
    const a = fixtureAnalysis('analysis-tcprr.json');
    const avg = values.reduce((s, v) => s + v, 0) / values.length;
    a.series = {
      metric: 'transactionsPerSec',
      values,
      labels: [],
      avg,
      min: 0,
      max: 0,
      median: 0,
      stddev: 0,
      jitter: 0,
      relativeToFirst: [],
      histogram: [],
    };
    return a;
  };
  const c = compareAnalyses([
    { label: 'a', analysis: withSeries([100, 102, 98, 100]) },
    { label: 'b', analysis: withSeries([104, 106, 102, 104]) },
  ]);
  const tps = rowOf(c.rows, 'benchmark.transactionsPerSec');
  assert.deepEqual(tps.values, [100, 104]); // the mean of each run's repeats
  assert.equal(tps.changes[1]!.verdict, 'significant');
  const noisy = compareAnalyses([
    { label: 'a', analysis: withSeries([100, 110, 90, 100]) },
    { label: 'b', analysis: withSeries([104, 114, 94, 104]) },
  ]);
  assert.equal(rowOf(noisy.rows, 'benchmark.transactionsPerSec').changes[1]!.verdict, 'within noise');
});

test('every baseline prediction is checked against each later run', () => {
  const c = compareAnalyses(runs());
  assert.equal(c.predictions.length, 1);
  const p = c.predictions[0];
  assert.equal(p.recommendation, 'halt-polling');
  assert.equal(p.setting, 'guest_halt_poll_ns=200000');
  assert.equal(p.predicted, 13230);
  assert.equal(p.measured, 12740);
  close(p.error, 12740 / 13230 - 1);
  assert.equal(p.withinRange, null); // the fixture predates ranges
  const [a, b] = runs();
  a.analysis.recommendations[0].prediction = {
    metric: 'transactionsPerSec',
    before: 9800,
    after: 13230,
    low: 12000,
    high: 14000,
  };
  assert.equal(compareAnalyses([a, b]).predictions[0].withinRange, true);
  a.analysis.recommendations[0].prediction.low = 13000;
  assert.equal(compareAnalyses([a, b]).predictions[0].withinRange, false);
});

test('compare needs two runs; a missing metric is said, not invented', () => {
  assert.throws(() => compareAnalyses(runs().slice(0, 1)));
  const [a, b] = runs();
  b.analysis.benchmark = null;
  b.analysis.transactions = null;
  assert.equal(measuredMetric(b.analysis, 'transactionsPerSec'), null);
  const c = compareAnalyses([a, b]);
  assert.equal(c.predictions[0].measured, null);
  assert.equal(c.reasonsPer, 'second'); // both traced 0.5 s
  const hlt = rowOf(c.rows, 'reason:hlt');
  assert.deepEqual(hlt.values, [3000 / 0.5, 500 / 0.5]);
});

test('run labels keep whole file names; several files of one run share their stem', () => {
  assert.equal(runLabel(['/x/tcprr-cross-poll0.report.txt.gz']), 'tcprr-cross-poll0.report.txt.gz');
  assert.equal(
    runLabel(['/x/tcprr-cross-poll0.report.txt.gz', '/x/tcprr-cross-poll0.netperf.txt']),
    'tcprr-cross-poll0',
  );
  assert.equal(runLabel(['a.txt', 'b.txt']), 'a.txt + b.txt');
  const c = compareAnalyses([runs()[0], { ...runs()[1], label: 'poll off' }]);
  assert.deepEqual(
    c.runs.map((r) => r.label),
    ['poll off (#1)', 'poll off (#2)'],
  );
});
