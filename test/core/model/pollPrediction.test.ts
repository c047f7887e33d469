// The two halves of the halt-polling prediction on hand-made facts: the polled hand-off and the open share of the
// guest governor's window, each threshold on both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredAt, polledHandoffNs } from '../../../src/core/model/pollPrediction';
import { sampleQuantile } from '../../../src/core/stats/bootstrap';
import type { Distribution } from '../../../src/core/stats/distribution';
import { factsOf, guestRun } from '../../helpers/facts';
import { FIXTURES } from '../../helpers/paths';

const dist = (pairs: [number, number][]): Distribution => ({
  n: pairs.reduce((s, [, c]) => s + c, 0),
  sum: pairs.reduce((s, [v, c]) => s + v * c, 0),
  min: pairs[0][0],
  max: pairs[pairs.length - 1][0],
  buckets: pairs,
});

test('polled hand-off: the queued wake-up replaces idle exit → run once 100 samples of it exist', () => {
  const f = guestRun();
  // No IPI handler samples: idle exit → run (4 µs) + warm run 10 × 0.9 + 0.5 µs to notice.
  assert.equal(polledHandoffNs(f).point, 13_500);
  const flushed = guestRun();
  flushed.handoff.samples.wakeFlush = Array(100).fill(1_000);
  // 1 µs of queued wake-up (instead of the 4 µs idle exit → run) + 9 + 0.5, each term at its ends.
  const p = polledHandoffNs(flushed);
  assert.equal(p.point, 10_500);
  assert.equal(p.high, 1_000 + 1_001 + 10_001 * 1.05);
  assert.equal(p.low, 999 + 9_999 * 0.75);
  const few = guestRun();
  few.handoff.samples.wakeFlush = Array(99).fill(1_000);
  assert.equal(polledHandoffNs(few).point, 13_500);
});

test('polled hand-off: a direction whose run has no traced start costs at most its wake-up → hand-off', () => {
  const f = guestRun();
  f.handoff.samples.wakeFlush = Array(100).fill(1_000);
  f.handoff.samples.handoffAfterIdleWake = Array(100).fill(3_000);
  // Half the hand-offs (20,000 untraced against 20,000 traced runs) cost 0.5 + 1 + 3 = 4.5 µs, the rest 10.5 µs.
  f.handoff.untracedRuns = 20_000;
  const p = polledHandoffNs(f);
  assert.equal(p.point, 7_500);
  // The slow end: each term at its slow end, the bound too (3 µs + 1 ns).
  assert.equal(p.high, 0.5 * (1_001 + 10_001 * 1.05 + 1_000) + 0.5 * (1_001 + 3_001 + 1_000));
  const few = guestRun();
  few.handoff.samples.wakeFlush = Array(100).fill(1_000);
  few.handoff.samples.handoffAfterIdleWake = Array(99).fill(3_000);
  few.handoff.untracedRuns = 20_000;
  assert.equal(polledHandoffNs(few).point, 10_500, 'under 100 samples the bound is not used');
  const longer = guestRun();
  longer.handoff.samples.handoffAfterIdleWake = Array(100).fill(30_000);
  longer.handoff.untracedRuns = 20_000;
  assert.equal(polledHandoffNs(longer).point, 13_500, 'a bound longer than the traced run changes nothing');
});

test('guest window: two states under twice grow_start (95 µs), one from 100 µs', () => {
  const f = guestRun();
  f.wake = {
    ...f.wake,
    criticalIdleGaps: dist([
      [30_000, 9],
      [97_000, 1],
    ]),
    idlePeriods: dist([
      [30_000, 8],
      [97_000, 1],
      [250_000, 1],
    ]),
  };
  // 95 µs: reopens after 0.9 of the halts. Resets after a poll of 95 µs timed out and the halt outlasted 95 µs: idle
  // periods > 190 µs + the saving. 20 µs saved (point) → > 210 µs, 0.1 of them, every critical one caught while open
  // (≤ 115 µs); no saving (slow end) → > 190 µs, 0.1, and 0.9 caught (≤ 95 µs); 60 µs saved (fast end) → none.
  const saving = { point: 20_000, low: 0, high: 60_000 };
  const open = 0.9 / (0.9 + (1 - 0.9));
  assert.deepEqual(coveredAt(f, 95_000, saving), { point: open, low: open * 0.9, high: 1 });
  // 100 µs: the critical idle periods within the window, all of them.
  assert.deepEqual(coveredAt(f, 100_000, saving), { point: 1, low: 1, high: 1 });
  // The host's window has one state at any size.
  f.exits = { ...f.exits!, source: 'host' };
  assert.deepEqual(coveredAt(f, 95_000, saving), { point: 0.9, low: 0.9, high: 0.9 });
});

test('guest window: each CPU keeps its own, weighed by the critical wake-ups it receives', () => {
  const f = guestRun();
  // CPU 0 always reopens and never resets; CPU 1 reopens after half its halts and resets after 0.2 of its idle
  // periods (> 2 × 50 µs): open 0.5 / 0.7 of its hand-offs, catching the half ≤ 50 µs.
  const cpu0 = { cpu: 0, criticalIdleGaps: dist([[30_000, 10]]), idlePeriods: dist([[30_000, 10]]) };
  const cpu1 = {
    cpu: 1,
    criticalIdleGaps: dist([
      [30_000, 5],
      [70_000, 5],
    ]),
    idlePeriods: dist([
      [30_000, 5],
      [70_000, 3],
      [150_000, 2],
    ]),
  };
  const pooled = {
    criticalIdleGaps: dist([
      [30_000, 15],
      [70_000, 5],
    ]),
    idlePeriods: dist([
      [30_000, 15],
      [70_000, 3],
      [150_000, 2],
    ]),
  };
  f.wake = { ...f.wake, ...pooled };
  const together = coveredAt(f, 50_000).point;
  f.wake = { ...f.wake, byCpu: [cpu0, cpu1] };
  const perCpu = coveredAt(f, 50_000).point;
  const cpu1Open = 0.5 / (0.5 + (1 - 0.8));
  assert.ok(Math.abs(perCpu - (0.5 * 1 + 0.5 * cpu1Open * 0.5)) < 1e-12, `${perCpu}`);
  // Pooled, CPU 0's quiet idle periods would hide CPU 1's resets: 0.75 / 0.85 open, 0.75 caught.
  assert.ok(Math.abs(together - (0.75 / (0.75 + (1 - 0.9))) * 0.75) < 1e-12, `${together}`);
});

test('quiet TCP_CRR trace: the queued wake-up and the runs of a CPU whose switch-ins are not traced', async () => {
  const f = await factsOf([`${FIXTURES}/recordings/tcpcrr-r1-poll0.dat`]);
  const s = f.handoff.samples;
  // trace-cmd report of this .dat: CPU 1 logs 15,844 wake-ups in idle context ('<idle>-0 *\[001\].*sched_wakeup'),
  // never a switch-in from idle ('swapper/1:0 [120] R ==>': 0), and sends 15,663 IPIs: its task's runs have no
  // traced start, and each ends in a hand-off at most once.
  assert.ok(f.handoff.untracedRuns > 15_000 && f.handoff.untracedRuns <= 15_663, `${f.handoff.untracedRuns}`);
  // Fastest decile, by a separate script over the events: IPI handler → sched_wakeup 0.82 µs (CPU 1) and 0.83 µs
  // (CPU 0); CPU 1's wake-up → ipi_send 4.85 µs — the server's accept, recv and send, against the client's 13.1 µs.
  const p10 = (v: number[]) => sampleQuantile(v, 0.1)!;
  assert.ok(p10(s.wakeFlush) >= 815 && p10(s.wakeFlush) <= 835, `${p10(s.wakeFlush)}`);
  assert.ok(Math.abs(p10(s.handoffAfterIdleWake) - 4_850) < 20, `${p10(s.handoffAfterIdleWake)}`);
  assert.ok(Math.abs(p10(s.runToHandoff) - 13_090) < 60, `${p10(s.runToHandoff)}`);
});
