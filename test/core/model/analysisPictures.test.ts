// The data behind the pictures, from the Analyzer: the drawn transactions agree with the transaction counts, halt
// durations and exits per vCPU over time — on the transaction of Matlack, KVM Forum 2015, built by hand, where
// every answer is known by construction (see test/helpers/synth.ts for the timings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTexts } from '../../helpers/analyze';
import { matlackHostTrace, matlackTrace } from '../../helpers/synth';

const N = 60;

for (const [side, trace] of [
  ['guest', matlackTrace(N)],
  ['host', matlackHostTrace(N)],
] as const) {
  test(`${side}: the median transaction drawn has the 12 exits of each transaction, 8 critical and 4 off`, async () => {
    const a = await analyzeTexts({ [`${side}.report.txt`]: trace });
    const s = a.transactionSketches!;
    const tx = a.transactions!;
    assert.ok(s && tx);
    const m = s.median!;
    assert.equal(m.side, side);
    assert.equal(m.durationNs, 50_000); // two 25 µs half trips
    const critical = m.exits.filter((e) => e.critical === true).length;
    const off = m.exits.filter((e) => e.critical === false).length;
    assert.deepEqual([m.exits.length, critical, off], [12, 8, 4]);
    // The same transaction as the counts say, rounded per transaction.
    assert.equal(Math.round(tx.exitsPerTransaction), m.exits.length);
    assert.equal(Math.round(tx.criticalExitsPerTransaction), critical);
    assert.equal(Math.round(tx.offCriticalExitsPerTransaction), off);
    // The round trips counted and the transactions drawn differ at most by the unfinished last one.
    assert.ok(Math.abs(s.count - tx.count) <= 1, `${s.count} drawn vs ${tx.count} counted`);
    // Exits on a line of the trace name it (the panel reveals it on click).
    assert.ok(m.exits.every((e) => e.line !== null && e.line > 0));
  });
}

// HLT at +6 µs → kvm_entry of the next half trip at +32.5 µs; the first halt ends after 17.5 µs.
test('host: halt durations — the first halt 17.5 µs, every other 26.5 µs', async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(N) });
  const bins = a.exits!.haltHistogram!;
  // 2N + 1 HLT exits; the last one never ends.
  assert.equal(
    bins.reduce((n, b) => n + b.count, 0),
    2 * N,
  );
  const binOf = (ns: number) => bins.find((b, i) => ns <= b.upperNs && (i === 0 || ns > bins[i - 1].upperNs))!;
  assert.equal(binOf(26_500).count, 2 * N - 1);
  assert.equal(binOf(17_500).count, 1);
});

test('host: exits per vCPU over time — 6 per transaction on each vCPU (4 sending, 2 woken)', async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(N) });
  const t = a.exits!.timelineByVcpu!;
  assert.deepEqual(Object.keys(t.counts), ['0', '1']);
  const sum = (k: string) => t.counts[k].reduce((n, c) => n + c, 0);
  // vCPU 1 also has the initial halt, and its last halt never ends: counted (byVcpu), not placed in time.
  assert.equal(sum('0'), 6 * N);
  assert.equal(sum('1'), 6 * N);
  const counts = a.exits!.byVcpu!.map(({ vcpu, count }) => ({ vcpu, count }));
  assert.deepEqual(counts, [
    { vcpu: 0, count: 6 * N },
    { vcpu: 1, count: 6 * N + 1 },
  ]);
  assert.equal(t.bucketNs, a.exits!.timeline!.bucketNs);
  const categoryTotal = Object.values(a.exits!.timeline!.counts)
    .flat()
    .reduce((n, c) => n + c, 0);
  assert.equal(categoryTotal, sum('0') + sum('1'));
});

// Idle at +8 µs, woken at +12 µs of the next half trip: 29 µs.
test('guest: halt durations are the idle periods, 29 µs', async () => {
  const a = await analyzeTexts({ 'guest.report.txt': matlackTrace(N) });
  const bins = a.exits!.haltHistogram!;
  const total = bins.reduce((n, b) => n + b.count, 0);
  const around29 = bins.filter((b) => b.upperNs >= 28_000 && b.upperNs <= 30_500).reduce((n, b) => n + b.count, 0);
  assert.ok(total >= 2 * N - 2 && around29 >= total - 2, `${around29} of ${total} near 29 µs`);
});

test('a streaming trace (no round trips) has no transaction drawn', async () => {
  const a = await analyzeTexts({ 'none.report.txt': matlackTrace(3) });
  assert.equal(a.transactions, null);
  assert.equal(a.transactionSketches, null);
});
