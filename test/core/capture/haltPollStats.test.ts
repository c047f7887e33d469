// KVM halt-poll stats recorded here through KVM_GET_STATS_FD (test/fixtures/capture/halt-stats/README.md), and the
// same numbers in the documented QMP query-stats and kvm_stat shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adviseHaltPollNs,
  crossKernelWarning,
  log2BucketRange,
  log2QuantileBucket,
  looksLikeHaltPollStats,
  parseHaltPollStats,
  totalHaltPollStats,
} from '../../../src/core/readers/haltPollStats';
import { FIXTURES } from '../../helpers/paths';

const text = (name: string) => readFileSync(join(FIXTURES, 'capture', 'halt-stats', name), 'utf8');

test('debugfs dump of the real stats: counters, histograms, and halt_poll_ns from the 80th percentile', () => {
  const stats = parseHaltPollStats(text('vmm-debugfs.txt'));
  assert.equal(stats.format, 'debugfs');
  assert.equal(stats.sources.length, 1);
  const t = totalHaltPollStats(stats);
  assert.equal(t.scalars.halt_successful_poll, 7015);
  assert.equal(t.scalars.halt_attempted_poll, 12235);
  assert.equal(t.histograms.halt_poll_success_hist.length, 32);
  assert.equal(
    t.histograms.halt_poll_success_hist.reduce((a, b) => a + b, 0),
    7015,
  );
  // Cumulative 4,960 through bucket 15 and 6,122 through bucket 16: the 5,612th poll is in [32,768, 65,536) ns.
  assert.equal(log2QuantileBucket(t.histograms.halt_poll_success_hist, 0.8), 16);
  const advice = adviseHaltPollNs(stats, 'vmm-debugfs.txt');
  const rec = advice.recommendation!;
  assert.equal(rec.setting, 'halt_poll_ns=65536');
  assert.match(
    rec.evidence[0],
    /^7,015 successful polls .* ended within 32\.8\u00a0µs–65\.5\u00a0µs \(log2 bucket 16/u,
  );
  assert.match(rec.evidence[1], /7,015 of 12,235 attempted polls \(57\u00a0%\)/);
  // 317,206,940 ns over 12,235 − 7,015 = 5,220 failed polls: 60.8 µs each.
  assert.match(rec.evidence[2], /5,220 failed polls spun 317\.2\u00a0ms .*mean 60\.8\u00a0µs each/);
});

test('too few successful polls for a percentile: not recommended, with the count', () => {
  const advice = adviseHaltPollNs(parseHaltPollStats(text('vmm-debugfs-few-polls.txt')), 'few');
  assert.equal(advice.recommendation, null);
  assert.match(advice.notRecommended!.reason, /only 74 successful polls/);
});

test('QMP query-stats transcript: two vCPUs added up, the VM-wide result without halt stats left out', () => {
  const stats = parseHaltPollStats(text('qmp-query-stats.json'));
  assert.equal(stats.format, 'qmp-query-stats');
  assert.deepEqual(
    stats.sources.map((s) => s.label),
    ['/machine/unattached/device[0]', '/machine/unattached/device[1]'],
  );
  const t = totalHaltPollStats(stats);
  assert.equal(t.scalars.halt_successful_poll, 7015 + 74);
  assert.equal(t.histograms.halt_poll_success_hist[16], 1162 + 9);
  assert.equal(adviseHaltPollNs(stats, 'qmp').recommendation!.setting, 'halt_poll_ns=65536');
});

test('kvm_stat rows: counters only, so no window is derived', () => {
  const stats = parseHaltPollStats(text('kvm_stat-once.txt'));
  assert.equal(stats.format, 'kvm_stat');
  assert.equal(totalHaltPollStats(stats).scalars.halt_poll_fail_ns, 317206940);
  assert.match(adviseHaltPollNs(stats, 'kvm_stat-once.txt').notRecommended!.reason, /no halt_poll_success_hist/);
});

test('debugfs dumps with host-wide, per-VM and per-vCPU files count each poll once', () => {
  const stats = parseHaltPollStats(
    [
      '/sys/kernel/debug/kvm/halt_successful_poll:30',
      '/sys/kernel/debug/kvm/100-12/halt_successful_poll:30',
      '/sys/kernel/debug/kvm/100-12/vcpu0/halt_successful_poll:10',
      '/sys/kernel/debug/kvm/100-12/vcpu1/halt_successful_poll:20',
    ].join('\n'),
  );
  assert.equal(totalHaltPollStats(stats).scalars.halt_successful_poll, 30);
});

test('detection by content, log2 bucket ranges, and comparing kernels', () => {
  assert.ok(looksLikeHaltPollStats(text('vmm-debugfs.txt')));
  assert.ok(looksLikeHaltPollStats(text('qmp-query-stats.json')));
  assert.ok(looksLikeHaltPollStats(text('kvm_stat-once.txt')));
  assert.ok(
    !looksLikeHaltPollStats(readFileSync(join(FIXTURES, 'recordings', 'udprr-cross-poll0.netperf.txt'), 'utf8')),
  );
  assert.deepEqual(log2BucketRange(0), { low: 0, high: 0 });
  assert.deepEqual(log2BucketRange(16), { low: 32768, high: 65536 });
  assert.equal(crossKernelWarning(['6.1.0', '6.1.0']), null);
  assert.match(crossKernelWarning(['5.10.0-21-amd64', '6.1.0'])!, /before Linux 5\.17 \(a change from late 2021\)/);
  assert.match(crossKernelWarning(['6.1.0', '6.8.0'])!, /different kernels \(6\.1\.0, 6\.8\.0\)/);
});

test('debugfs shows a histogram as one number (bucket 0): left out with a warning, the counters still used', () => {
  const stats = parseHaltPollStats(
    '/sys/kernel/debug/kvm/9-1/halt_successful_poll:30\n/sys/kernel/debug/kvm/9-1/halt_attempted_poll:80\n' +
      '/sys/kernel/debug/kvm/9-1/halt_poll_success_hist:4\n',
  );
  assert.deepEqual(stats.sources[0].histograms, {});
  assert.match(
    stats.warnings[0].message,
    /^halt_poll_success_hist: one number each, as debugfs shows histograms \(bucket 0 only\)/,
  );
  assert.match(
    adviseHaltPollNs(stats, 'dump').notRecommended!.reason,
    /^dump: 30 of 80 attempted polls succeeded, but it has no halt_poll_success_hist/,
  );
});
