import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCompareView, measuredMetric } from '../../src/extension/compareModel';
import { fixtureAnalysis } from './fixtures';

const runs = () => [
  { label: 'poll off', analysis: fixtureAnalysis('analysis-tcprr.json') },
  { label: 'poll on', analysis: fixtureAnalysis('analysis-tcprr-poll.json') },
];

test('benchmark figures are relative to the first run', () => {
  const v = buildCompareView(runs());
  const tps = v.benchmark.find((r) => r.label === 'Benchmark transactions/s')!;
  assert.deepEqual(tps.cells[0], { value: 9800, change: null });
  assert.equal(tps.cells[1].value, 12740);
  assert.ok(Math.abs(tps.cells[1].change! - 0.3) < 1e-12); // 12740 / 9800 = 1.3
  assert.equal(tps.better, 'higher');
  assert.equal(v.runs[0].detail.startsWith('baseline'), true);
});

test('exits by reason are compared per transaction when both runs have transactions', () => {
  const v = buildCompareView(runs());
  const hlt = v.reasons.find((r) => r.label === 'hlt (per transaction)')!;
  assert.equal(hlt.cells[0].value, 3000 / 5000);
  assert.equal(hlt.cells[1].value, 500 / 7500);
  assert.ok(Math.abs(hlt.cells[1].change! - (500 / 7500 - 0.6) / 0.6) < 1e-12);
  const ext = v.reasons.find((r) => r.label.startsWith('external interrupt'))!;
  assert.equal(ext.cells[1].value, 0); // absent in the second run, which has exits: zero, not unknown
  assert.equal(ext.cells[1].change, -1);
});

test('the baseline prediction is checked against the later run', () => {
  const v = buildCompareView(runs());
  assert.equal(v.predictions.length, 1);
  const p = v.predictions[0];
  assert.equal(p.recommendation, 'Let the idle vCPU poll before halting (guest_halt_poll_ns=200000)');
  assert.equal(p.predictedAfter, 13230);
  assert.equal(p.measured, 12740);
  assert.equal(p.verdict, 'measured 12,740 (+30 %), predicted 13,230 (+35 %)');
});

test('compare needs two runs; a missing metric is said, not invented', () => {
  assert.throws(() => buildCompareView(runs().slice(0, 1)));
  const [a, b] = runs();
  b.analysis.benchmark = null;
  b.analysis.transactions = null;
  assert.equal(measuredMetric(b.analysis, 'transactionsPerSec'), null);
  const v = buildCompareView([a, b]);
  assert.equal(v.predictions[0].measured, null);
  assert.match(v.predictions[0].verdict, /has no transactionsPerSec figure/);
  assert.ok(v.reasons.every((r) => !r.label.endsWith('(per transaction)')));
});
