// The model on our own recordings of other workloads (test/fixtures/recordings/PROVENANCE.md): measured rates are
// netperf's printed "Trans. Rate" / throughput with guest halt polling off and on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { FIXTURES } from '../../helpers/paths';

const rec = (name: string) => join(FIXTURES, 'recordings', name);
const run = (name: string) => analyzeFiles([rec(`${name}.dat`), rec(`${name}.netperf.txt`)]);
const within = (actual: number, expected: number, tolerance: number) =>
  assert.ok(
    Math.abs(actual - expected) <= expected * tolerance,
    `${actual} not within ${tolerance * 100}% of ${expected}`,
  );

test('UDP_RR across vCPUs: halt polling predicted in the class of what was measured with it on', async () => {
  const a = await run('udprr-cross-poll0');
  assert.equal(a.benchmark?.test, 'UDP_RR');
  within(a.transactions!.perSecond, 14307.28, 0.03);
  const top = a.recommendations[0];
  assert.equal(top.id, 'halt-polling');
  assert.ok(top.prediction!.after > 3 * 14307.28, `predicted ${top.prediction!.after}`);
  within(top.prediction!.after, 75027.97, 0.4); // measured with guest_halt_poll_ns=200000
});

test('TCP_CRR: round trips counted over the time they happen, not the whole 5 s trace', async () => {
  const a = await run('tcpcrr-cross-poll0');
  within(a.transactions!.perSecond, 11141.55, 0.03);
  assert.ok(!a.modelNotes?.some((n) => /round trips\/s but/.test(n)), JSON.stringify(a.modelNotes));
  const top = a.recommendations[0];
  assert.equal(top.id, 'halt-polling');
  // Measured with polling on: 17612.31 (+58%). Recorded under load, the model over-predicts it by about a quarter —
  // a known miss of docs/model.md's table; it still predicts a gain, and not one of a quiet machine (~3×).
  assert.ok(top.prediction!.after > 11141.55, `predicted ${top.prediction!.after}`);
  within(top.prediction!.after, 17612.31, 0.3);
});

test('TCP_STREAM: a throughput workload has no round trips and is not told to poll', async () => {
  const a = await run('tcpstream-cross-poll0');
  assert.equal(a.benchmark?.test, 'TCP_STREAM');
  assert.equal(a.benchmark?.bitsPerSec, 10072.78e6);
  assert.equal(a.transactions, null);
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  assert.equal(a.exits?.source, 'guest-inferred');
});
