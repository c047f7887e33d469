// The transaction sketch: the transaction of Matlack, KVM Forum 2015, drawn from guest and host traces with
// known answers, and a real guest TCP_RR trace.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { modelFeed } from '../../../src/core/export/modelFacts';
import { readInputFile } from '../../../src/core/input';
import { TransactionSketchCollector, type SketchSample } from '../../../src/core/model/transactionSketch';
import { FIXTURES } from '../../helpers/paths';
import { matlackHostTrace, matlackTrace } from '../../helpers/synth';

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'kvm-trace-lens-sketch-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

async function sketch(file: string): Promise<SketchSample> {
  const model = modelFeed();
  const collector = new TransactionSketchCollector();
  await readInputFile(file, (r) => {
    if (r.type !== 'event') return;
    model.add(r);
    collector.add(r);
  });
  model.finish();
  return collector.sample(model.facts);
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

for (const [side, trace, wakeNs] of [
  ['guest', matlackTrace(50), 11_000], // IPI sent at t, handler on the halted peer at t + 11 µs
  ['host', matlackHostTrace(50), 6_900], // the halted vCPU runs again 6.9 µs after the IPI
] as const) {
  test(`Matlack's transaction (${side}): 12 exits each, 8 on the critical path, two lanes, two IPIs`, async () => {
    const s = await sketch(write(`${side}.txt`, trace));
    assert.equal(s.count, 49); // 50 round trips; the last has no next send to end it
    assert.equal(s.p50Ns, 50_000); // 2 × 25 µs half trips
    const m = s.median!;
    assert.equal(m.side, side);
    assert.equal(m.durationNs, 50_000);
    assert.deepEqual(
      m.lanes.map((l) => l.label),
      side === 'guest' ? ['CPU 0', 'CPU 1'] : ['vCPU 0', 'vCPU 1'],
    );
    assert.equal(m.exits.length, 12);
    assert.equal(m.exits.filter((e) => e.critical === true).length, 8);
    assert.equal(m.exits.filter((e) => e.critical === false).length, 4);
    assert.equal(m.exits.filter((e) => e.category === 'halt').length, 2);
    assert.deepEqual(
      m.arrows.map((a) => [a.fromLane, a.toLane, a.toHalted]),
      [
        [0, 1, true],
        [1, 0, true],
      ],
    );
    const part = (label: string) => m.breakdown.find((b) => b.label === label)!.ns;
    assert.equal(part('wake-up from halt'), 2 * wakeNs);
    assert.equal(
      m.breakdown.reduce((n, b) => n + b.ns, 0),
      m.durationNs,
    );
    for (const lane of m.lanes)
      for (const sp of lane.spans) assert.ok(sp.startNs >= 0 && sp.endNs <= m.durationNs && sp.endNs > sp.startNs);
  });
}

test('host: exits are exit → entry with their reasons refined by kvm_msr', async () => {
  const m = (await sketch(write('host-reasons.txt', matlackHostTrace(20)))).median!;
  const icr = m.exits.filter((e) => e.reason === 'MSR_WRITE 0x830');
  assert.equal(icr.length, 2);
  assert.ok(icr.every((e) => e.durationNs === 1500 && e.category === 'ipi'));
  assert.ok(m.breakdown.find((b) => b.label === 'in exits')!.ns > 0);
});

test('real guest TCP_RR trace: a bounded sample with the median and the p99', async () => {
  const s = await sketch(join(FIXTURES, 'export', 'guest-tcprr-head.report.txt'));
  assert.ok(s.count >= 20, `${s.count} transactions`); // 55 ICR writes between the two CPUs: ~27 round trips
  assert.ok(s.median && s.p99);
  assert.ok(s.p99.durationNs >= s.median.durationNs);
  assert.ok(s.others.length <= 4);
  // Each kept transaction starts with a send from the initiating CPU and has a reply back to it.
  for (const t of [s.median, s.p99, ...s.others]) {
    assert.ok(t.arrows.length >= 2);
    assert.ok(t.arrows.some((a) => a.toLane === t.arrows[0].fromLane));
  }
});
