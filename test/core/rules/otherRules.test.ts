// nohz, idle=poll, EOI mitigation, batching and posted interrupts on hand-made facts: every threshold both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelFacts } from '../../../src/core/model/facts';
import { batching } from '../../../src/core/rules/batching';
import { eoiMitigation } from '../../../src/core/rules/eoiMitigation';
import { idlePoll } from '../../../src/core/rules/idlePoll';
import { nohz, timerWriteCostNs } from '../../../src/core/rules/nohz';
import { postedInterrupts } from '../../../src/core/rules/postedInterrupts';
import type { RuleOutcome } from '../../../src/core/rules/rule';
import { cat, constant, countsRun, guestRun } from '../../helpers/facts';

const kind = (o: RuleOutcome) => o?.kind ?? null;
const withTimer = (count: number, critical = count / 2) => {
  const f = guestRun();
  f.exits = { ...f.exits!, byCategory: { ...f.exits!.byCategory, timer: cat(count, critical) } };
  return f;
};

test('nohz: id "nohz", setting nohz=off, from one timer write per transaction', () => {
  const at = nohz(withTimer(10_000));
  assert.equal(kind(at), 'recommend');
  if (at?.kind !== 'recommend') return;
  assert.equal(at.recommendation.id, 'nohz');
  assert.equal(at.recommendation.setting, 'nohz=off');
  assert.equal(nohz(withTimer(9_999)), null);
});

test('nohz without round trips: from timer writes at 25 % of exits; at least 100 of them', () => {
  const f = (timers: number, total: number) => {
    const g = withTimer(timers, 0);
    g.transactions = null;
    g.exits = { ...g.exits!, total };
    return g;
  };
  assert.equal(kind(nohz(f(250, 1000))), 'recommend');
  assert.equal(nohz(f(249, 1000)), null);
  assert.equal(kind(nohz(f(100, 400))), 'recommend');
  const few = nohz(f(99, 396));
  assert.equal(kind(few), 'notRecommended');
  const reason = few?.kind === 'notRecommended' ? few.reason : '';
  assert.match(reason, /record at least 100 timer-MSR writes \(this run: 99\)/);
});

test('nohz prediction: a timer write priced from wake → run with and without (needs 100 windows each)', () => {
  const f = withTimer(80_000, 40_000);
  // 20,000 windows with timer writes take 12 µs against 6 µs without; 40,000 writes inside: 3 µs each.
  assert.equal(timerWriteCostNs(f), 3_000);
  const o = nohz(f);
  if (o?.kind !== 'recommend') return assert.fail();
  // 4 critical writes per transaction × 3 µs: 100 → 88 µs.
  assert.equal(o.recommendation.prediction!.after, Math.round((1e9 / 88_000) * 10) / 10);
  const p = o.recommendation.prediction!;
  assert.ok(p.low < p.after && p.after < p.high);
  f.handoff = { ...f.handoff, wakeToRunNoExit: constant(6_000, 99) };
  assert.equal(timerWriteCostNs(f), null);
});

test('idle=poll only beside halt polling and nohz', () => {
  assert.equal(kind(idlePoll(guestRun())), 'recommend');
  const polling = guestRun();
  polling.polling = { ...polling.polling, polled: 30_000 };
  assert.equal(idlePoll(polling), null);
  assert.equal(idlePoll(withTimer(9_999)), null);
});

test('EOI mitigation from 10 % of exits and 100 EOI exits; quotes the thread exactly', () => {
  const run = (eoi: number, total: number) => countsRun({ eoi: cat(eoi) }, total);
  const o = eoiMitigation(run(100, 1000));
  assert.equal(kind(o), 'recommend');
  if (o?.kind === 'recommend') {
    assert.ok(o.recommendation.evidence.some((e) => e.includes('Haskins') && e.includes('reduction in EOIs')));
    assert.ok(!o.recommendation.evidence.some((e) => /seed/.test(e)));
  }
  assert.equal(eoiMitigation(run(99, 1000)), null);
  assert.equal(kind(eoiMitigation(run(99, 500))), 'notRecommended');
  // EOI writes of an MMIO access table count too.
  const mmio = run(50, 1000);
  mmio.exits = { ...mmio.exits!, mmioEoiAccesses: 50 };
  assert.equal(kind(eoiMitigation(mmio)), 'recommend');
});

test('batching: never for request/response; kicks from 20 % of exits and 100 kicks', () => {
  const rr = batching(guestRun());
  assert.equal(kind(rr), 'notRecommended');
  assert.match(rr?.kind === 'notRecommended' ? rr.reason : '', /Russell/);
  const run = (io: number, mmio: number, total: number) => countsRun({ io: cat(io), mmio: cat(mmio) }, total);
  assert.equal(kind(batching(run(100, 100, 1000))), 'recommend');
  assert.equal(batching(run(100, 99, 1000)), null);
  assert.equal(kind(batching(run(50, 49, 400))), 'notRecommended');
});

test('posted interrupts: throughput only, from 30 % of exits and 100 interrupt exits', () => {
  const run = (ext: number, ipi: number, total: number): ModelFacts =>
    countsRun({ 'external-interrupt': cat(ext), ipi: cat(ipi) }, total);
  assert.equal(kind(postedInterrupts(run(200, 100, 1000))), 'recommend');
  assert.equal(postedInterrupts(run(200, 99, 1000)), null);
  assert.equal(kind(postedInterrupts(run(50, 49, 300))), 'notRecommended');
  const rr = run(200, 100, 1000);
  rr.benchmark = { ...rr.benchmark!, test: 'TCP_RR', bitsPerSec: null, transactionsPerSec: 1000 };
  assert.equal(postedInterrupts(rr), null);
});
