// The text report shows what the JSON holds: per-vCPU table, halt-poll summary, time breakdown, series of repeated
// runs, not-recommended knobs with reasons, model notes, and predictions as estimates with their range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/core/index';
import { formatAnalysisText } from '../../src/presentation/textReport';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';
import { sample } from '../helpers/paths';
import { analyzeFiles } from '../../src/core/analyze';
import { buildAnalysisView } from '../../src/presentation/analysisView';
import { findReason } from '../../src/presentation/hoverText';

function handMade(): Analysis {
  const a = fixtureAnalysis('analysis-tcprr.json');
  a.recommendations[0].prediction = {
    metric: 'transactionsPerSec',
    before: 9800,
    after: 13230,
    low: 12100,
    high: 14400,
  };
  a.haltPolling = {
    side: 'guest',
    polled: 900,
    waited: 100,
    pollSuccessRate: 0.9,
    pollNs: null,
    waitNs: { p50: 52_000, p99: 260_000 },
    maxWindowNs: 200_000,
  };
  a.series = {
    metric: 'transactionsPerSec',
    values: [9800, 10200, 9600],
    labels: ['#1', '#2', '#3'],
    avg: 9866.67,
    min: 9600,
    max: 10200,
    median: 9800,
    stddev: 305.5,
    jitter: 500,
    relativeToFirst: [1, 1.04, 0.98],
    histogram: [],
  };
  a.notRecommended = [{ id: 'batching', reason: 'request/response: batching adds latency to every round trip' }];
  a.modelNotes = ['CPU 1 traced no cpu_idle events: its halts are not seen'];
  return a;
}

test('per-vCPU exits, time breakdown and halt polling are printed', () => {
  const text = formatAnalysisText(handMade());
  assert.match(text, /Exits per vCPU:\nvCPU\s+exits\n0\s+6,500\n1\s+3,500/);
  assert.match(
    text,
    /Time of one transaction \(mean\):\ncomponent\s+time\nguest run\s+40\u00a0µs\nhalted\s+45\u00a0µs/,
  );
  assert.match(text, /Halt polling \(guest\): 900 wake-ups while polling, 100 after halting \(90\u00a0% polled\)/);
  assert.match(text, /poll window up to 200\u00a0µs/);
  assert.match(text, /halted before the wake-up: p50 52\u00a0µs, p99 260\u00a0µs/);
});

test('series, notes, not-recommended knobs and the prediction range are printed', () => {
  const text = formatAnalysisText(handMade());
  assert.match(text, /3 runs: avg 9,867, min 9,600, max 10,200, median 9,800, stddev 306, jitter 500/);
  assert.match(text, /Model notes:\n- CPU 1 traced no cpu_idle events/);
  assert.match(text, /Not recommended:\n- batching: request\/response: batching adds latency/);
  // range 12,100–14,400: half its width is 1,150, so the digits stop at thousands
  assert.match(text, /=> transactionsPerSec: 9,800 → 13,000 \(12,000–14,000\) \(predicted\)/);
});

test('exits table: counts, shares and durations through the one formatter', () => {
  const text = formatAnalysisText(handMade());
  assert.match(text, /msr_write 0x830\s+ipi\s+4,000\s+40\u00a0%\s+3,000\s+2.1\u00a0µs/);
  assert.match(text, /VM exits \(guest-inferred\): 10,000, 20,000\/s/);
});

test('a host exit row is the reason kvm_exit printed, with what kvm_apic said indented under it', async () => {
  // host-trace-svm-idle-halt-ipi-ts-only-2024.txt: 2 `reason msr` exits, each followed by apic_write APIC_EOI.
  const a = await analyzeFiles([sample('public', 'shared-set', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt')]);
  const lines = formatAnalysisText(a).split('\n');
  const row = lines.findIndex((l) => /^msr\s+eoi\s+2\s/.test(l));
  assert.ok(row >= 0, 'the msr row');
  assert.match(lines[row + 1], /^ {2}└ APIC_EOI\s+eoi\s+2\s/);
  const view = buildAnalysisView(a).reasons.find((r) => r.reason === 'msr');
  assert.deepEqual(
    view?.parts?.map((p) => [p.reason, p.category, p.count]),
    [['APIC_EOI', 'eoi', 2]],
  );
  // A hover on a host line keyed "msr APIC_EOI" finds the part, under its full name.
  assert.equal(findReason(a, 'msr APIC_EOI')?.count, 2);
});
