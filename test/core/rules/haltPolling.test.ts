// The halt-polling rule on hand-made facts: every threshold on both sides, and the prediction by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelFacts } from '../../../src/core/model/facts';
import { haltPolling, niceWindow, predictHaltPolling, MIN_EVIDENCE } from '../../../src/core/rules/haltPolling';
import { cat, constant, countsRun, guestRun } from '../../helpers/facts';

const recommended = (f: ModelFacts) => {
  const o = haltPolling(f);
  assert.equal(o?.kind, 'recommend', JSON.stringify(o));
  return o.kind === 'recommend' ? o.recommendation : assert.fail();
};
const refused = (f: ModelFacts) => {
  const o = haltPolling(f);
  assert.equal(o?.kind, 'notRecommended', JSON.stringify(o));
  return o.kind === 'notRecommended' ? o.reason : assert.fail();
};

test('polling already on from half of the idle periods polled', () => {
  const on = guestRun();
  on.polling = { ...on.polling, polled: 500, halted: 500 };
  assert.match(refused(on), /already on: 50/);
  const off = guestRun();
  off.polling = { ...off.polling, polled: 490, halted: 510 };
  recommended(off);
});

test('at least 0.5 critical wake-ups of an idle vCPU per transaction', () => {
  const at = guestRun();
  at.wake = { ...at.wake, idleWakesOnPath: 5_000 };
  recommended(at);
  const below = guestRun();
  below.wake = { ...below.wake, idleWakesOnPath: 4_999 };
  assert.match(refused(below), /Only 0\.5 wake-ups/);
});

test('evidence minimum: round trips, traced time and critical wake-ups, each on both sides', () => {
  const run = (count: number, activeNs: number, wakes: number) => {
    const f = guestRun();
    f.transactions = { ...f.transactions!, count, activeNs };
    f.wake = { ...f.wake, idleWakesOnPath: wakes };
    return f;
  };
  recommended(run(MIN_EVIDENCE.roundTrips!, MIN_EVIDENCE.tracedNs, 200));
  assert.match(refused(run(199, 1e9, 200)), /^not enough evidence: record at least 200 round trips \(this run: 199\)/);
  assert.match(refused(run(200, 99_000_000, 200)), /100\u00a0ms of traced activity \(this run: 99\u00a0ms\)/);
  recommended(run(200, 1e9, 100));
  assert.match(refused(run(198, 1e9, 99)), /100 wake-ups of an idle vCPU on the critical path \(this run: 99\)/);
});

test('guest prediction: each critical wake-up becomes a polled hand-off (by hand)', () => {
  const p = recommended(guestRun()).prediction!;
  // 100 µs per transaction, 50 µs per hand-off; polled hand-off 4 + 10 × 0.9 (warm) + 0.5 µs = 13.5 µs; 2 per
  // transaction: 100 − 2 × (50 − 13.5) = 27 µs → 37,037.0/s.
  assert.equal(p.before, 10_000);
  assert.equal(p.after, 37_037);
  // Range: ±1 ns resolution per segment, the run warm × 0.75 to × 1.05, 0–1 µs to notice the wake-up.
  assert.equal(p.low, Math.round((1e9 / (100_000 - 2 * (50_000 - (4_001 + 10_001 * 1.05 + 1_000)))) * 10) / 10);
  assert.equal(p.high, Math.round((1e9 / (100_000 - 2 * (50_000 - (3_999 + 9_999 * 0.75)))) * 10) / 10);
});

test('guest window under twice grow_start: open while idle periods that outlast it even when polled are rare', () => {
  const f = guestRun();
  // 9 of 10 critical idle periods ≤ 50 µs (the window reopens after such a halt) and, shortened by the 36.5 µs a
  // polled hand-off saves, ≤ 50 µs once polled (caught while open); of all idle periods one outlasts 2 × 50 µs + that
  // saving (a 50 µs poll timed out, then a halt over 50 µs: the governor's reset to 0).
  const dist = (pairs: [number, number][]) => ({
    n: pairs.reduce((s, [, c]) => s + c, 0),
    sum: pairs.reduce((s, [v, c]) => s + v * c, 0),
    min: pairs[0][0],
    max: pairs[pairs.length - 1][0],
    buckets: pairs,
  });
  f.wake = {
    ...f.wake,
    criticalIdleGaps: dist([
      [30_000, 9],
      [90_000, 1],
    ]),
    idlePeriods: dist([
      [30_000, 8],
      [120_000, 1],
      [140_000, 1],
    ]),
  };
  const p = predictHaltPolling(f, 50_000)!;
  // Open 0.9 / (0.9 + 0.1) of the hand-offs, and then 0.9 caught: 0.81 of the wake-ups polled.
  const open = 0.9 / (0.9 + (1 - 0.9));
  assert.equal(p.after, Math.round((1e9 / (100_000 - 2 * open * 0.9 * (50_000 - 13_500))) * 10) / 10);
  // 100 µs (twice grow_start): one window, the critical idle periods within it (all of them).
  assert.equal(predictHaltPolling(f, 100_000)!.after, 37_037);
});

test('hand-offs to a busy target: no critical idle wake-up, no gain predicted', () => {
  const f = guestRun();
  f.wake = { ...f.wake, idleWakesOnPath: 0 };
  const p = predictHaltPolling(f, 200_000)!;
  assert.deepEqual([p.low, p.after, p.high], [p.before, p.before, p.before]);
});

test('text timestamps (µs) widen the range; a noisy sample widens it too', () => {
  const ns = recommended(guestRun()).prediction!;
  const us = guestRun();
  us.trace = { ...us.trace, timestampResolutionNs: 1000 };
  const pu = recommended(us).prediction!;
  assert.ok(pu.low < ns.low && pu.high > ns.high, JSON.stringify([pu, ns]));
  const noisy = guestRun();
  noisy.handoff.samples.runToHandoff = Array.from({ length: 2000 }, (_, i) => 5_000 + (i % 100) * 200);
  const pn = recommended(noisy).prediction!;
  assert.ok(pn.low < pn.after && pn.after < pn.high, JSON.stringify(pn));
});

test('no prediction from a baseline the trace contradicts (more than 1.25× apart)', () => {
  const far = guestRun();
  far.transactions = { ...far.transactions!, perSecond: 12_600 };
  assert.equal(recommended(far).prediction, null);
  const near = guestRun();
  near.transactions = { ...near.transactions!, perSecond: 12_400 };
  assert.notEqual(recommended(near).prediction, null);
});

test('host: each critical wake-up cut to the polled 1.7 µs', () => {
  const f = guestRun();
  f.exits = { ...f.exits!, source: 'host' };
  f.polling = { ...f.polling, side: 'host' };
  const r = recommended(f);
  assert.match(r.setting!, /^halt_poll_ns=\d+$/);
  // 2 wake-ups of 20 µs → 1.7 µs per transaction: 100 − 2 × 18.3 = 63.4 µs.
  assert.equal(r.prediction!.after, Math.round((1e9 / 63_400) * 10) / 10);
});

test('poll window: twice the p90 of the critical idle periods, in steps a user would type', () => {
  assert.equal(niceWindow(10_000), 50_000);
  assert.equal(niceWindow(60_000), 100_000);
  assert.equal(niceWindow(210_000), 300_000);
  assert.equal(niceWindow(2_000_000), 500_000);
  assert.match(recommended(guestRun()).setting!, /^guest_halt_poll_ns=100000$/); // 2 × 30 µs → 100 µs
});

test('count tables: halts from 15 % of exits, no default recommended, how to read the current value', () => {
  const rr = (halts: number) => {
    const f = countsRun({ halt: cat(halts, 0, 25_000) }, 1000);
    f.benchmark = null;
    return f;
  };
  const r = recommended(rr(150));
  assert.equal(r.setting, null);
  assert.ok(r.evidence.some((e) => e.includes('cat /sys/module/kvm/parameters/halt_poll_ns')));
  assert.ok(r.evidence.some((e) => /200000 on x86, 500000 on arm64/.test(e)));
  assert.ok(r.evidence.some((e) => /A halt lasts 25/.test(e)));
  assert.equal(haltPolling(rr(149)), null);
  const few = countsRun({ halt: cat(99, 0) }, 200);
  few.benchmark = null;
  assert.match(refused(few), /record at least 100 halt exits \(this run: 99\)/);
  assert.equal(haltPolling(countsRun({ halt: cat(500, 0) }, 1000)), null, 'not for a throughput benchmark');
});

test('a hand-made facts object is plain data (JSON round trip keeps the outcome)', () => {
  const f = guestRun();
  f.wake = { ...f.wake, criticalIdleGaps: constant(30_000, 20_000) };
  assert.deepEqual(haltPolling(JSON.parse(JSON.stringify(f))), haltPolling(f));
});

test('a direction priced by its bound is named in the evidence, with its numbers; otherwise not', () => {
  const f = guestRun();
  f.handoff.samples.wakeFlush = Array(100).fill(1_000);
  f.handoff.samples.handoffAfterIdleWake = Array(100).fill(3_000);
  f.handoff.untracedRuns = 20_000;
  const said = (g: ModelFacts) =>
    recommended(g)
      .evidence.filter((e) => /switch-in is not traced \(a CPU/.test(e))
      .map((e) => e.replace(/\u00a0/g, ' '));
  // 0.5 + 1 + 3 µs against 0.5 + 1 + 10 × 0.9 µs.
  assert.deepEqual(said(f), [
    '50 % of the hand-offs go to a task whose switch-in is not traced (a CPU without idle events); it hands back ' +
      'within 3 µs of its wake-up (fastest decile), so that direction is priced at most 4.5 µs polled, against ' +
      '10.5 µs for the other.',
  ]);
  const longer = guestRun();
  longer.handoff.samples.handoffAfterIdleWake = Array(100).fill(30_000);
  longer.handoff.untracedRuns = 20_000;
  assert.deepEqual(said(longer), []);
});

/** guestRun with other tasks taking `share` of the 2 vCPUs' time; 1,000 of its 20,000 wake-ups waited 50 µs. */
const competing = (share: number): ModelFacts => {
  const f = guestRun();
  const runNs = share * 2e9;
  f.competingWork = {
    ...{ share, switches: 2_000, kernelThreadShare: 0.001, benchmarkRuns: 20_000 },
    tasks: [{ comm: 'node', runNs, switches: 2_000 }],
    ...{ waitedHandoffs: 1_000, waitedNs: 1_000 * 50_000 },
  };
  return f;
};

test('other tasks on the vCPUs: stated from 1 % of their time, not advised from 25 %', () => {
  const stated = (f: ModelFacts) =>
    recommended(f)
      .evidence.filter((e) => e.startsWith('Other tasks ran on the vCPUs'))
      .map((e) => e.replace(/\u00a0/g, ' '));
  assert.deepEqual(stated(competing(0.0099)), []);
  const [line] = stated(competing(0.01));
  // 1,000 waits of 50 µs over 10,000 round trips: 5 µs per transaction.
  assert.match(line, /node 20 ms \(2,000 switches\); 1 % of the 2 vCPUs' time, 2,000 switches to them\./);
  assert.match(
    line,
    /1,000 of the benchmark tasks' 20,000 runs began after a wake-up that found their vCPU running one, and waited 50 µs/,
  );
  assert.match(line, /\(5 µs per transaction\)\. The prediction assumes that work goes away or moves/);
  recommended(competing(0.2499));
  assert.match(
    refused(competing(0.25)).replace(/\u00a0/g, ' '),
    /^Other tasks took 25 % of the 2 vCPUs' time while the benchmark ran \(node/,
  );
});

test('other tasks on the vCPUs: the low end keeps the wait they caused, the point assumes it goes away', () => {
  const quiet = predictHaltPolling(guestRun(), 200_000)!;
  const p = predictHaltPolling(competing(0.1), 200_000)!;
  assert.equal(p.after, quiet.after);
  assert.equal(p.high, quiet.high);
  // 100 µs per transaction, of which 5 µs waiting: 47.5 µs per hand-off without it; both hand-offs polled at the
  // slow end (4,001 + 10,001 × 1.05 + 1,000 ns), then the 5 µs wait added back.
  const slowPolled = 4_001 + 10_001 * 1.05 + 1_000;
  const expected = 1e9 / (95_000 - 2 * (47_500 - slowPolled) + 5_000);
  assert.equal(p.low, Math.round(expected * 10) / 10);
  assert.ok(p.low < quiet.low);
});
