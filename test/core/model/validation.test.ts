// The model against measurement on our recordings (test/fixtures/recordings/PROVENANCE.md): ranges from the text
// report and the trace.dat of one run overlap, the breakdown adds up, idle time of CPUs without cpu_idle counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { predictHaltPolling } from '../../../src/core/rules/haltPolling';
import { formatEstimate } from '../../../src/presentation/format';
import { factsOf } from '../../helpers/facts';
import { FIXTURES } from '../../helpers/paths';

const rec = (name: string) => join(FIXTURES, 'recordings', name);
/** netperf's printed "Trans. Rate" (the 6th column of the first result line). */
const measured = (name: string) => {
  const lines = readFileSync(rec(name), 'utf8').split('\n');
  const result = lines.find((l) => /^\s*\d+\s+\d+\s+\d+\s+\d+\s+[\d.]+\s+[\d.]+/.test(l))!;
  return Number(result.trim().split(/\s+/)[5]);
};

for (const run of ['tcprr-cross', 'tcprr1k-cross']) {
  test(`${run}: the text report (µs) and the trace.dat (ns) give overlapping ranges`, async () => {
    const bench = rec(`${run}-poll0.netperf.txt`);
    const text = await analyzeFiles([rec(`${run}-poll0.report.txt.gz`), bench]);
    const dat = await analyzeFiles([rec(`${run}-poll0.dat`), bench]);
    const pt = text.recommendations.find((r) => r.id === 'halt-polling')!.prediction!;
    const pd = dat.recommendations.find((r) => r.id === 'halt-polling')!.prediction!;
    assert.ok(pt.low <= pd.high && pd.low <= pt.high, JSON.stringify({ pt, pd }));
    // Coarser timestamps, wider range.
    assert.ok(pt.high - pt.low > pd.high - pd.low);
    // The evidence prints the prediction with the digits its range supports.
    const shown = formatEstimate(pd.after, pd.low, pd.high);
    assert.ok(
      dat.recommendations[0].evidence.some((e) => e.includes(`Predicted ${shown} transactions/s`)),
      shown,
    );
  });
}

test('the per-transaction breakdown adds up to the transaction time (tcprr-cross, trace.dat)', async () => {
  const a = await analyzeFiles([rec('tcprr-cross-poll0.dat')]);
  const tx = a.transactions!;
  const period = 1e9 / tx.perSecond;
  const parts = tx.breakdownNs!;
  const sum = parts.reduce((s, c) => s + c.meanNs, 0);
  assert.ok(Math.abs(sum - period) < 50, `${sum} vs ${period}`);
  // Components times their count per transaction; what no hand-off covers stays small (under 3 %).
  for (const c of parts.filter((p) => p.eachNs !== undefined)) {
    assert.ok(Math.abs(c.eachNs! * c.perTransaction! - c.meanNs) <= c.eachNs! * 0.01 + 1, c.component);
  }
  const rest = parts.find((p) => p.eachNs === undefined);
  assert.ok(!rest || Math.abs(rest.meanNs) < period * 0.03, JSON.stringify(rest));
  // 2 hand-offs per round trip, each with the woken task's own run.
  assert.equal(parts[0].perTransaction, 2);
});

test('idle time of a CPU that traces no cpu_idle events counts in the polling cost', async () => {
  // zcat … | grep -c 'sched_switch:.*==> swapper/0' → 15924, '==> swapper/1' → 16246; CPU 1's switches away
  // from idle are never traced ('sched_switch: *swapper/1' → 0), so its idle periods end at the wake.
  const f = await factsOf([rec('tcprr-cross-poll0.report.txt.gz')]);
  assert.deepEqual(f.trace.cpusWithoutIdleEvents, [1]);
  assert.ok(f.wake.idlePeriods.n > 15_926 + 15_000, `${f.wake.idlePeriods.n}`);
  assert.ok(f.wake.idlePeriods.n <= 15_924 + 16_246, `${f.wake.idlePeriods.n}`);
  assert.equal(f.trace.timestampResolutionNs, 1000);
});

/**
 * Every off/on pair of docs/model.md's validation table: predicted from the poll-off trace at the window the poll-on
 * run used, against netperf's poll-on rate — of each repeat, where the pair was recorded three times. The measured
 * rate lies in the range and the point within ±15 % — or the pair is a known miss (docs/model.md says why), and the
 * test checks that it still misses, so the table is updated when the model changes.
 */
interface Pair {
  off: string;
  on: string[];
  poll: number;
  input?: 'dat' | 'report.txt.gz';
  miss?: { kind: 'point' | 'range'; reason: string };
}
const repeats = (config: string, poll: number) => [1, 2, 3].map((r) => `${config}-r${r}-poll${poll}`);
const UNDER_LOAD = 'recorded under load';
const PAIRS: Pair[] = [
  // Quiet machine (2026-12-03): r1's poll-off trace against the poll-on rate of r1, r2 and r3.
  { off: 'tcprr-r1-poll0', on: repeats('tcprr', 200000), poll: 200000 },
  { off: 'tcprr-r1-poll0', on: repeats('tcprr', 50000), poll: 50000 },
  { off: 'tcpcrr-r1-poll0', on: repeats('tcpcrr', 200000), poll: 200000 },
  { off: 'udprr-r1-poll0', on: repeats('udprr', 100000), poll: 100000 },
  { off: 'tcprr4k-r1-poll0', on: repeats('tcprr4k', 100000), poll: 100000 },
  // The loaded configurations again on the quiet machine (10:26 UTC); r1 of q2-tcpcrr50k and q2-tcprr1k was loaded (a
  // build ran), so those predict from r2 and are measured on r2 and r3.
  { off: 'q2-udprr1k50k-r1-poll0', on: repeats('q2-udprr1k50k', 50000), poll: 50000 },
  { off: 'q2-tcpcrr50k-r2-poll0', on: repeats('q2-tcpcrr50k', 50000).slice(1), poll: 50000 },
  { off: 'q2-tcprr1k-r2-poll0', on: repeats('q2-tcprr1k', 200000).slice(1), poll: 200000 },
  { off: 'q2-udprr1k-r1-poll0', on: repeats('q2-udprr1k', 200000), poll: 200000 },
  { off: 'q2-udprr-r1-poll0', on: repeats('q2-udprr', 200000), poll: 200000 },
  // Recorded while other work shared the guest's vCPUs.
  { off: 'tcprr-cross-poll0', on: ['tcprr-cross-poll200000'], poll: 200000 },
  { off: 'tcprr-cross-poll0', on: ['tcprr-cross-poll200000'], poll: 200000, input: 'report.txt.gz' },
  { off: 'udprr-cross-poll0', on: ['udprr-cross-poll200000'], poll: 200000 },
  {
    off: 'tcpcrr-cross-poll0',
    on: ['tcpcrr-cross-poll200000'],
    poll: 200000,
    miss: {
      kind: 'range',
      reason:
        `${UNDER_LOAD}: no other work in the poll-off trace's benchmark second, but in the poll-on run the client's ` +
        'run until its hand-off took 36 µs, 13 µs when quiet',
    },
  },
  { off: 'tcprr1k-cross-poll0', on: ['tcprr1k-cross-poll200000'], poll: 200000 },
  { off: 'tcprr1k-cross-poll0', on: ['tcprr1k-cross-poll200000'], poll: 200000, input: 'report.txt.gz' },
  {
    off: 'udprr1k-cross-poll0',
    on: ['udprr1k-cross-poll50000'],
    poll: 50000,
    miss: { kind: 'range', reason: `${UNDER_LOAD}: the 50 µs window kept collapsing in the poll-on run` },
  },
  {
    off: 'tcpcrr50k-cross-poll0',
    on: ['tcpcrr50k-cross-poll50000'],
    poll: 50000,
    miss: {
      kind: 'range',
      reason:
        `${UNDER_LOAD}: measured 11 % below off; other tasks took 16 % of the vCPUs (the low end keeps their ` +
        'delay), and the spinning took host CPU from them, which no guest trace shows',
    },
  },
  {
    off: 'tcprr1-cross-poll0',
    on: ['tcprr1-cross-poll50000'],
    poll: 50000,
    miss: { kind: 'range', reason: `${UNDER_LOAD}: the 50 µs window kept collapsing in the poll-on run` },
  },
];

for (const { off, on, poll, input = 'dat', miss } of PAIRS) {
  const verdict = miss ? `known ${miss.kind} miss — ${miss.reason}` : 'in range, within 15 %';
  test(`halt polling ${off} (${input}) at ${poll / 1000} µs: ${verdict}`, async () => {
    const f = await factsOf([rec(`${off}.${input}`), rec(`${off}.netperf.txt`)]);
    const p = predictHaltPolling(f, poll)!;
    for (const name of on) {
      const m = measured(`${name}.netperf.txt`);
      const shown = JSON.stringify({ name, p, m, error: p.after / m - 1 });
      assert.equal(p.low <= m && m <= p.high, miss?.kind !== 'range', shown);
      assert.equal(Math.abs(p.after / m - 1) <= 0.15, !miss, shown);
    }
  });
}

test('a loaded machine (vCPUs busy with other work): no critical idle wake-ups, halt polling not advised', async () => {
  // Recorded while other work kept both vCPUs busy: netperf measured 1,678.77 trans/s off, 2,698.73 with polling.
  const a = await analyzeFiles([rec('tcprr1b-cross-poll0.dat'), rec('tcprr1b-cross-poll0.netperf.txt')]);
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  assert.match(a.notRecommended!.find((n) => n.id === 'halt-polling')!.reason, /busy with other work/);
});

// A build ran during these poll-off runs (docs/model.md): netperf measured 6,538.39 → 47,758.23 and 9,156.83 →
// 64,502.07 trans/s with polling, most of the gain the build ending; the quiet repeats measured ~48,110 and ~100,921.
for (const [off, share] of [
  ['q2-tcpcrr50k-r1-poll0', 68],
  ['q2-tcprr1k-r1-poll0', 57],
] as const) {
  test(`${off}: other tasks took ${share} % of the vCPUs, halt polling not advised`, async () => {
    const a = await analyzeFiles([rec(`${off}.dat`), rec(`${off}.netperf.txt`)]);
    assert.equal(
      a.recommendations.find((r) => r.id === 'halt-polling'),
      undefined,
    );
    const reason = a.notRecommended!.find((n) => n.id === 'halt-polling')!.reason;
    // The percentage is printed with a no-break space.
    assert.match(reason, new RegExp(`^Other tasks took ${share}\\s% of the 2 vCPUs' time`));
  });
}
