// The SVG pictures: what is drawn matches the numbers given (marks, bar heights, the poll window's position), each
// root carries its test marker (fixed by the outside contract), role="img", an aria-label and a table of its
// numbers, and nothing is a script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TransactionSketch } from '../../../src/core/model/transactionSketch';
import {
  renderExitDurations,
  renderExitRate,
  renderHistogram,
  renderTransactionTimeline,
  pollWindowFromSetting,
  shareCovered,
} from '../../../src/presentation/pictures/index';

const all = (svg: string, re: RegExp) => [...svg.matchAll(re)];
const attr = (tag: string, name: string) => Number(new RegExp(`\\s${name}="([-\\d.]+)"`).exec(tag)![1]);

function assertAccessible(html: string, testid: string): void {
  assert.ok(html.startsWith(`<figure class="ktl-picture" data-testid="${testid}">`), 'root carries the marker');
  assert.match(html, /<svg [^>]*role="img" aria-label="[^"]+"/);
  assert.match(html, /<table>/, 'a text alternative');
  assert.doesNotMatch(html, /<script|on\w+=/i, 'no scripts: the HTML report stays script-free');
}

// The host transaction of Matlack, KVM Forum 2015, as the collector gives it (hand-checked), one exit reason with
// markup in it.
const SKETCH: TransactionSketch = {
  side: 'host',
  index: 4,
  startNs: 2_000_110_600,
  durationNs: 50_000,
  lanes: [
    {
      unit: 0,
      label: 'vCPU 0',
      spans: [
        { kind: 'in-exit', startNs: 0, endNs: 1500 },
        { kind: 'running', startNs: 1500, endNs: 6000 },
        { kind: 'halted', startNs: 6000, endNs: 32500 },
        { kind: 'running', startNs: 32500, endNs: 50000 },
      ],
    },
    {
      unit: 1,
      label: 'vCPU 1',
      spans: [
        { kind: 'halted', startNs: 0, endNs: 7500 },
        { kind: 'running', startNs: 7500, endNs: 31000 },
        { kind: 'halted', startNs: 31000, endNs: 50000 },
      ],
    },
  ],
  exits: [
    { lane: 0, atNs: 0, durationNs: 1500, reason: 'MSR_WRITE 0x830', category: 'ipi', critical: true, line: 10 },
    { lane: 0, atNs: 3000, durationNs: 1000, reason: 'MSR_WRITE 0x6e0', category: 'timer', critical: false, line: 12 },
    { lane: 0, atNs: 6000, durationNs: 26500, reason: 'HLT', category: 'halt', critical: true, line: 14 },
    {
      lane: 1,
      atNs: 9000,
      durationNs: 1000,
      reason: 'odd <reason> & "quotes"',
      category: 'other',
      critical: null,
      line: null,
    },
    { lane: 1, atNs: 25000, durationNs: 1500, reason: 'MSR_WRITE 0x830', category: 'ipi', critical: true, line: 30 },
  ],
  arrows: [
    { fromLane: 0, toLane: 1, fromNs: 600, toNs: 7500, kind: 'ipi', toHalted: true },
    { fromLane: 1, toLane: 0, fromNs: 25600, toNs: 32500, kind: 'ipi', toHalted: true },
  ],
  breakdown: [
    { label: 'running', ns: 31000 },
    { label: 'in exits', ns: 5200 },
    { label: 'wake-up from halt', ns: 13800 },
    { label: 'signal delivery', ns: 0 },
  ],
};

test('transaction timeline: one mark per exit, shaped by its critical flag, with its reason and line', () => {
  const html = renderTransactionTimeline(SKETCH, { which: 'median' });
  assertAccessible(html, 'transaction-timeline');
  assert.equal(all(html, /<g class="ktl-exit" data-critical="true"/g).length, 3);
  assert.equal(all(html, /<g class="ktl-exit" data-critical="false"/g).length, 1);
  assert.equal(all(html, /<g class="ktl-exit" data-critical="null"/g).length, 1);
  assert.equal(all(html, /<path class="mark-critical"/g).length, 3, 'critical exits are filled triangles');
  assert.equal(all(html, /<circle class="mark-off-critical"/g).length, 1, 'off-critical exits are hollow circles');
  assert.match(
    html,
    /data-line="14"><title>HLT on vCPU 0 · critical · at 6(\.0)?\u00a0µs · lasting 26\.5\u00a0µs · line 14<\/title>/,
  );
  assert.match(html, /odd &#60;reason&#62; &#38; &#34;quotes&#34;/, 'reasons are escaped');
  assert.equal(all(html, /<g class="ktl-flow"/g).length, 2);
  assert.match(
    html,
    /aria-label="Transaction 5 \(median\), 50(\.0)?\u00a0µs: 5 exits \(3 critical, 1 off-critical\) on 2 vCPUs, 2 IPIs or hand-offs"/,
  );
});

test('transaction timeline: spans and arrows sit at their times; the breakdown bar is proportional', () => {
  const html = renderTransactionTimeline(SKETCH);
  const halted = all(html, /<rect class="span-halted"[^>]*>/g).map((m) => m[0]);
  assert.equal(halted.length, 3);
  // x = 84 + ns / 50,000 × (760 − 16 − 84): the first halted span of vCPU 0 starts at 6 µs → 84 + 0.12 × 660
  assert.equal(attr(halted[0], 'x'), 163.2);
  assert.equal(attr(halted[0], 'width'), 349.8); // 26.5 µs
  const parts = all(html, /<rect class="[^"]+ ktl-part" data-part="([^"]+)"[^>]*>/g);
  assert.deepEqual(
    parts.map((m) => m[1]),
    ['running', 'in exits', 'wake-up from halt'],
    'empty parts are not drawn',
  );
  const widths = parts.map((m) => attr(m[0], 'width'));
  assert.equal(widths[0], 409.2); // 31 µs of 50 µs × 660 px
  assert.equal(widths[2], 182.2); // 13.8 µs
  const arrow = /<line class="ktl-arrow" x1="([\d.]+)"[^>]* x2="([\d.]+)"/.exec(html)!;
  assert.deepEqual([Number(arrow[1]), Number(arrow[2])], [91.9, 183]); // 0.6 µs → 7.5 µs
});

const BINS = [
  { upperNs: 1000, count: 1 },
  { upperNs: 2000, count: 4 },
  { upperNs: 4000, count: 2 },
  { upperNs: 8000, count: 0 },
];

test('histogram: bar heights proportional to the counts, the poll window at its time with the share it covers', () => {
  const html = renderHistogram({
    testid: 'wakeup-histogram',
    title: 'Wake-up latency',
    bins: BINS,
    pollWindowNs: 2000,
  });
  assertAccessible(html, 'wakeup-histogram');
  const bars = all(html, /<rect class="ktl-bar" data-count="(\d+)"[^>]*>/g);
  assert.deepEqual(
    bars.map((m) => Number(m[1])),
    [1, 4, 2, 0],
  );
  const heights = bars.map((m) => attr(m[0], 'height'));
  assert.equal(heights[1], 168); // the tallest bar fills the plot (192 − 24)
  assert.equal(heights[0], 42); // a quarter of it
  assert.equal(heights[2], 84);
  // The window (2 µs) is the lower edge of the third bar: the line is drawn where that bar starts.
  const line = /<line class="ktl-window" data-window-ns="2000" x1="([\d.]+)"/.exec(html)!;
  assert.equal(Number(line[1]), attr(bars[2][0], 'x'));
  assert.match(html, /covers 71\u00a0% \(5 of 7\)/);
  assert.equal(shareCovered(BINS, 2000), 5 / 7);
  assert.equal(all(html, /<tr><td>/g).length, 3, 'a row per non-empty bin');
});

test('histogram without values or window', () => {
  assert.match(
    renderHistogram({ testid: 'halt-histogram', title: 'Halt duration', bins: [], pollWindowNs: null }),
    /no values in this trace/,
  );
  assert.doesNotMatch(
    renderHistogram({ testid: 'halt-histogram', title: 'Halt duration', bins: BINS, pollWindowNs: null }),
    /ktl-window/,
  );
  assert.equal(pollWindowFromSetting('guest_halt_poll_ns=200000'), 200000);
  assert.equal(pollWindowFromSetting('halt_poll_ns=50000 (module parameter)'), 50000);
  assert.equal(pollWindowFromSetting('idle=poll'), null);
});

test('exit durations: one row per timed reason, p50 left of p99 on a log axis', () => {
  const rows = [
    { reason: 'MSR_WRITE', count: 900, p50Ns: 1_500, p99Ns: 4_000 },
    { reason: 'HLT', count: 100, p50Ns: 26_000, p99Ns: 300_000 },
    { reason: 'EPT_MISCONFIG', count: 5, p50Ns: null, p99Ns: null },
  ];
  const html = renderExitDurations(rows);
  assertAccessible(html, 'exit-durations');
  const groups = all(
    html,
    /<g class="ktl-reason" data-reason="([^"]+)">.*?<circle class="ktl-p50" cx="([\d.]+)".*?<\/g>/g,
  );
  assert.deepEqual(
    groups.map((g) => g[1]),
    ['MSR_WRITE', 'HLT'],
  );
  const p50x = groups.map((g) => Number(g[2]));
  // log axis: 26 µs / 1.5 µs is 1.24 decades; the whole axis spans 1 µs .. 450 µs = 2.65 decades over 454 px
  assert.ok(Math.abs(p50x[1] - p50x[0] - (Math.log10(26_000 / 1_500) / Math.log10(450_000 / 1_000)) * 454) < 0.2);
  assert.equal(all(html, /<tr><td>/g).length, 3, 'the table lists untimed reasons too');
});

test('exits per second per vCPU: a line per series, the peak at the top', () => {
  const html = renderExitRate({
    bucketNs: 100_000_000,
    startNs: 0,
    series: [
      { label: 'vCPU 0', counts: [10, 20, 40] },
      { label: 'vCPU 1', counts: [5, 5, 5] },
    ],
  });
  assertAccessible(html, 'exit-rate');
  const lines = all(html, /<polyline class="ktl-line ktl-s\d" data-series="([^"]+)"[^>]* points="([^"]+)"/g);
  assert.deepEqual(
    lines.map((l) => l[1]),
    ['vCPU 0', 'vCPU 1'],
  );
  const points = lines[0][2].split(' ').map((p) => p.split(',').map(Number));
  assert.equal(points[2][1], 12); // 40 per 100 ms = 400/s, the peak: the top of the plot
  assert.equal(points[1][1], 172 - 80); // 200/s: half way up (172 − 160 / 2)
  assert.match(html, /vCPU 0 mean 233\/s, peak 400\/s/);
  assert.doesNotMatch(html, /style=/, "colours by class: a panel's CSP allows no style attributes");
});
