// Throughput rules (Russell, lguest blog, 2007; Haskins, LKML, 2009): batching and EOI mitigation depend on workload.
import { test } from 'node:test';
import { formatPercent } from '../../../src/presentation/format';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../../src/core/analyze';
import { FIXTURES, sample } from '../../helpers/paths';
import { join } from 'node:path';

const stat = join(FIXTURES, 'model', 'perf-kvm-stat-virtio-net-stream.txt');

test('a streaming benchmark with kick-heavy exits: batching and EOI mitigation', async () => {
  const a = await analyzeFiles([stat, sample('netperf', 'netperf-tcp-stream-cpu.txt')]);
  assert.equal(a.benchmark?.test, 'TCP_STREAM');
  const ids = a.recommendations.map((r) => r.id);
  assert.ok(ids.includes('batching'), ids.join());
  assert.ok(ids.includes('eoi-mitigation'), ids.join());
  const eoi = a.recommendations.find((r) => r.id === 'eoi-mitigation')!;
  // 20000 EOI_INDUCED of 100000 exits.
  assert.ok(
    eoi.evidence.some((e) => e.includes(`20,000 EOI exits, ${formatPercent(0.2)}`)),
    eoi.evidence.join(' | '),
  );
  const batching = a.recommendations.find((r) => r.id === 'batching')!;
  assert.ok(
    batching.evidence.some((e) => e.includes('60,000 I/O and MMIO exits')),
    batching.evidence.join(' | '),
  );
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
    'no halt polling for a throughput workload',
  );
});

test('the same exits under request/response: no batching, said explicitly (Russell, lguest, 2007)', async () => {
  const a = await analyzeFiles([stat, sample('netperf', 'netperf-tcp-crr.txt')]);
  assert.match(a.benchmark!.test, /RR$/);
  assert.equal(
    a.recommendations.find((r) => r.id === 'batching'),
    undefined,
  );
  assert.ok(a.notRecommended?.some((n) => n.id === 'batching' && /ping-pong/.test(n.reason)));
  // EOI exits cost every workload: still recommended.
  assert.ok(a.recommendations.some((r) => r.id === 'eoi-mitigation'));
});
