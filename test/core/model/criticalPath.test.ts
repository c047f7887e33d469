// The critical-path model on hand-made traces whose answers are known by construction (Matlack, KVM Forum 2015).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeTexts, reason } from '../../helpers/analyze';
import { mergeTraces, matlackTrace } from '../../helpers/synth';

const N = 100;
/** Enough transactions (50 µs each) for the rules' evidence minimums: 200 round trips and 100 ms traced. */
const ENOUGH = 2500;

test('the Matlack (KVM Forum 2015) transaction: 12 exits, 8 on the critical path, 4 off it', async () => {
  const a = await analyzeTexts({ 'rr.report.txt': matlackTrace(N) });
  assert.equal(a.exits?.source, 'guest-inferred');
  // 2N ICR + (8N + 2 before the first transaction) timer writes + 2N closed halts.
  assert.equal(reason(a, 'msr_write 0x830').count, 2 * N);
  assert.equal(reason(a, 'msr_write 0x6e0').count, 8 * N + 2);
  assert.equal(reason(a, 'hlt').count, 2 * N);
  // The token is unknown until the first IPI: that IPI and the two timer writes before it are not attributed.
  assert.equal(reason(a, 'msr_write 0x830').critical, 2 * N - 1);
  assert.equal(reason(a, 'msr_write 0x6e0').critical, 4 * N);
  assert.equal(reason(a, 'msr_write 0x6e0').offCritical, 4 * N);
  assert.equal(reason(a, 'hlt').critical, 2 * N);
  assert.equal(reason(a, 'hlt').category, 'halt');
  const tx = a.transactions!;
  assert.ok(tx.count >= N - 1 && tx.count <= N, `round trips ${tx.count}`);
  assert.ok(Math.abs(tx.exitsPerTransaction - 12) < 0.2, `exits/transaction ${tx.exitsPerTransaction}`);
  assert.ok(Math.abs(tx.criticalExitsPerTransaction - 8) < 0.2, `critical ${tx.criticalExitsPerTransaction}`);
  assert.ok(Math.abs(tx.offCriticalExitsPerTransaction - 4) < 0.2, `off-critical ${tx.offCriticalExitsPerTransaction}`);
  // Wake-up latency: ICR write (t+5) → the woken task switches in (t+17) = 12 µs.
  assert.equal(tx.wakeupLatencyNs?.p50 !== undefined && Math.round(tx.wakeupLatencyNs.p50 / 1000), 12);
});

test('halts: duration from idle entry to idle exit, and a halt-polling recommendation with a prediction', async () => {
  const a = await analyzeTexts({ 'rr.report.txt': matlackTrace(ENOUGH) });
  // Client halts at t+8 of its hand-off and is woken at t+12 of the next one (25 µs later): 29 µs.
  const hlt = reason(a, 'hlt');
  assert.ok(Math.abs((hlt.p50Ns ?? 0) - 29_000) < 1000, `halt p50 ${hlt.p50Ns}`);
  const rec = a.recommendations.find((r) => r.id === 'halt-polling');
  assert.ok(rec, 'halt polling recommended');
  assert.match(rec.setting ?? '', /^guest_halt_poll_ns=\d+$/);
  assert.ok(rec.prediction && rec.prediction.after > rec.prediction.before, 'predicts an improvement');
  assert.ok(
    a.notRecommended?.some((n) => n.id === 'batching'),
    'batching is explicitly not recommended for request/response',
  );
});

test('too few round trips for the evidence minimum: no halt polling advice, the rule says what to record', async () => {
  const a = await analyzeTexts({ 'rr.report.txt': matlackTrace(N) });
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  const why = a.notRecommended?.find((n) => n.id === 'halt-polling')?.reason ?? '';
  assert.match(why, /^not enough evidence: record at least .*200 round trips \(this run: 100\)/);
});

test('both peers on one CPU: no halts on the critical path, so no halt polling', async () => {
  // Ping-pong by direct switches on CPU 0 (Matlack's 1-vCPU case, KVM Forum 2015): no IPIs, no halts.
  const lines = ['cpus=1'];
  let t = 5_000_000;
  for (let i = 0; i < 200; i++) {
    const [a, b] =
      i % 2
        ? [
            ['netserver', 200],
            ['netperf', 100],
          ]
        : [
            ['netperf', 100],
            ['netserver', 200],
          ];
    lines.push(
      `${`${a[0]}-${a[1]}`.padStart(22)} [000] 5.${String(t % 1e6).padStart(6, '0')}: sched_wakeup:         ` +
        `${b[0]}:${b[1]} [120] CPU:000`,
    );
    lines.push(
      `${`${a[0]}-${a[1]}`.padStart(22)} [000] 5.${String((t + 2) % 1e6).padStart(6, '0')}: sched_switch:         ` +
        `${a[0]}:${a[1]} [120] S ==> ${b[0]}:${b[1]} [120]`,
    );
    t += 7;
  }
  const a = await analyzeTexts({ 'same.report.txt': `${lines.join('\n')}\n` });
  assert.ok(a.transactions && a.transactions.count >= 99, `round trips ${a.transactions?.count}`);
  assert.equal(a.recommendations.filter((r) => r.id === 'halt-polling').length, 0);
});

test('two client/server pairs at once: round trips of both are counted, at the same rate', async () => {
  const first = matlackTrace(N);
  const second = matlackTrace(N, 25, { clientPid: 300, serverPid: 400, clientCpu: 2, serverCpu: 3 });
  const a = await analyzeTexts({ 'two.report.txt': mergeTraces(first, second) });
  const tx = a.transactions!;
  assert.ok(tx.count >= 2 * N - 2 && tx.count <= 2 * N, `round trips ${tx.count}`);
  // Each pair does one round trip per 50 µs, in parallel: 40,000 round trips/s together.
  assert.ok(Math.abs(tx.perSecond - 40_000) < 1000, `${tx.perSecond}/s`);
  assert.ok(Math.abs(tx.exitsPerTransaction - 12) < 0.3, `exits/transaction ${tx.exitsPerTransaction}`);
  // Each pair carries its own token: still 8 critical and 4 off-critical exits per transaction.
  assert.ok(Math.abs(tx.criticalExitsPerTransaction - 8) < 0.3, `critical ${tx.criticalExitsPerTransaction}`);
  assert.ok(Math.abs(tx.offCriticalExitsPerTransaction - 4) < 0.3, `off-critical ${tx.offCriticalExitsPerTransaction}`);
});
