// The host-side model on a hand-made trace with known answers (Matlack's, KVM Forum 2015, seen from the host).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTexts, part, reason } from '../../helpers/analyze';
import { matlackHostTrace } from '../../helpers/synth';

const N = 100;
/** Enough transactions (50 µs each) for the rules' evidence minimums: 200 round trips and 100 ms traced. */
const ENOUGH = 2500;

test('host trace: exits by reason and MSR, critical path, durations, wake-up from halt', async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(N) });
  assert.equal(a.exits?.source, 'host');
  // One MSR_WRITE row, as kvm_exit prints it; kvm_msr says which MSR each wrote (its parts, with their categories).
  assert.equal(reason(a, 'MSR_WRITE').count, 10 * N);
  assert.equal(reason(a, 'MSR_WRITE').category, 'timer');
  const icr = part(a, 'MSR_WRITE', '0x830');
  const timer = part(a, 'MSR_WRITE', '0x6e0');
  const hlt = reason(a, 'HLT');
  assert.equal(icr.count, 2 * N);
  assert.equal(icr.category, 'ipi');
  assert.equal(timer.count, 8 * N);
  // The very first ICR write comes before any token and is not attributed; it hands the token to vCPU 1, so the
  // sender's timer writes after it are already off-critical.
  assert.equal(icr.critical, 2 * N - 1);
  assert.equal(icr.offCritical, 0);
  assert.equal(timer.critical, 4 * N);
  assert.equal(timer.offCritical, 4 * N);
  // Each exit→entry: ICR 1.5 µs, timer 1 µs.
  assert.equal(icr.p50Ns !== null && Math.round(icr.p50Ns / 100), 15);
  assert.equal(timer.maxNs, 1000);
  // 2N + 1 halts entered, the last one still open at the end (counted, no duration).
  assert.equal(hlt.count, 2 * N + 1);
  assert.equal(hlt.critical, 2 * N);
  const tx = a.transactions!;
  assert.equal(tx.count, N);
  // IPI (t+0.6) → the halted target's kvm_entry (t+7.5): 6.9 µs.
  assert.equal(Math.round(tx.wakeupLatencyNs!.p50 / 100), 69);
  assert.deepEqual(
    a.exits?.byVcpu?.map((v) => v.vcpu),
    [0, 1],
  );
});

test('host trace: halt_poll_ns recommended, predicting a 1.7 µs wake-up (Matlack, KVM Forum 2015)', async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(ENOUGH) });
  const rec = a.recommendations.find((r) => r.id === 'halt-polling')!;
  assert.ok(rec, JSON.stringify(a.recommendations.map((r) => r.id)));
  assert.match(rec.setting!, /^halt_poll_ns=\d+$/);
  // 2 critical halts per 50 µs transaction, each 6.9 → 1.7 µs: 50 → 39.6 µs per transaction.
  const before = rec.prediction!.before;
  const periodBefore = 1e9 / before;
  const expectedAfter = 1e9 / (periodBefore - 2 * (6900 - 1700));
  assert.ok(
    Math.abs(rec.prediction!.after - expectedAfter) / expectedAfter < 0.03,
    `${rec.prediction!.after} vs ${expectedAfter}`,
  );
  assert.ok(Math.abs(periodBefore - 50_000) < 1000, `period ${periodBefore}`);
});

test('host halt polling already on (kvm_vcpu_wakeup polls): not recommended again', async () => {
  const text = matlackHostTrace(N).replace(/wait time 20000 ns/g, 'poll time 1200 ns');
  const a = await analyzeTexts({ 'host.report.txt': text });
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  assert.ok(a.notRecommended?.some((n) => n.id === 'halt-polling' && /already on/.test(n.reason)));
});

test('halt-poll outcomes: polled vs waited wake-ups, success rate, wait durations', async () => {
  // Every other wake-up polled: 100 "poll time 1200 ns", 100 "wait time 20000 ns".
  let i = 0;
  const text = matlackHostTrace(N).replace(/wait time 20000 ns/g, (m) => (i++ % 2 ? 'poll time 1200 ns' : m));
  const a = await analyzeTexts({ 'host.report.txt': text });
  const hp = a.haltPolling!;
  assert.equal(hp.side, 'host');
  assert.equal(hp.polled, N);
  assert.equal(hp.waited, N);
  assert.equal(hp.pollSuccessRate, 0.5);
  assert.ok(Math.abs(hp.pollNs!.p50 - 1200) < 30);
  assert.ok(Math.abs(hp.waitNs!.p50 - 20000) < 400);
  assert.equal(hp.maxWindowNs, null);
});

test("host scheduler events (host CPU numbers) do not move the vCPUs' critical-path tokens", async () => {
  // After each IPI, the host wakes the target vCPU thread; pCPU numbers 0/1 here collide with vCPU ids 0/1.
  const text = matlackHostTrace(N).replace(
    /^(.*)\[(\d+)\] (\S+): kvm_apic_ipi: +dst (\d)(.*)$/gm,
    (line, head, cpu, ts, dst) =>
      `${line}\n${head}[${cpu}] ${ts}: sched_wakeup:         CPU ${dst}/KVM:${1000 + Number(dst)} [120] ` +
      `CPU:00${1 - Number(dst)}`,
  );
  assert.ok(text.split('sched_wakeup').length > 2 * N, 'wake-ups were inserted');
  const a = await analyzeTexts({ 'host.report.txt': text });
  assert.equal(part(a, 'MSR_WRITE', '0x6e0').critical, 4 * N);
  assert.equal(part(a, 'MSR_WRITE', '0x6e0').offCritical, 4 * N);
  assert.equal(reason(a, 'HLT').critical, 2 * N);
});
