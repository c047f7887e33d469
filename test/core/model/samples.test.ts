// The model on the real recordings (samples/ and test/fixtures/). Expected counts were taken with grep/awk:
//   zcat tcprr-cross-poll0.report.txt.gz | grep -c 'write_msr: *830,'   → 32853
//   zcat tcprr-cross-poll0.report.txt.gz | grep -c 'write_msr: *6e0,'   → 23167
//   zcat tcprr-cross-poll0.report.txt.gz | grep -c 'cpu_idle: *state=1 ' → 15583
// Trace spans (first/last timestamp, awk): cross-poll0 10729.493978–10730.497302, same-poll0 10727.752075–10728.757321,
// cross-poll200000 10731.233153–10732.235401. Rates: the netperf files' "Trans. Rate".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../../src/core/analyze';
import { compareAnalyses } from '../../../src/core/compare';
import { join } from 'node:path';
import { FIXTURES, sample } from '../../helpers/paths';
import { reason } from '../../helpers/analyze';

const run = (name: string, ext = 'report.txt.gz') =>
  analyzeFiles([sample('guest-trace', `${name}.${ext}`), sample('guest-trace', `${name}.netperf.txt`)]);

const within = (actual: number, expected: number, tolerance: number) =>
  assert.ok(
    Math.abs(actual - expected) <= expected * tolerance,
    `${actual} not within ${tolerance * 100}% of ${expected}`,
  );

test('cross-CPU TCP_RR, halt polling off: exits inferred from guest events, 5x-class halt-polling advice', async () => {
  const a = await run('tcprr-cross-poll0');
  assert.equal(a.exits?.source, 'guest-inferred');
  assert.equal(reason(a, 'msr_write 0x830').count, 32853);
  assert.equal(reason(a, 'msr_write 0x830').category, 'ipi');
  assert.equal(reason(a, 'msr_write 0x6e0').count, 23167);
  assert.equal(reason(a, 'msr_write 0x6e0').category, 'timer');
  assert.equal(reason(a, 'hlt').count, 15583);
  // CPU 1 records no cpu_idle events; its halts show as IPI handlers run by the idle task:
  //   zcat … | grep -cE '<idle>-0 *\[001\].*(call_function_single_entry|call_function_entry|reschedule_entry)' → 16082
  assert.equal(reason(a, 'hlt (inferred)').count, 16082);
  assert.equal(reason(a, 'hlt (inferred)').critical, 16082);
  assert.equal(a.exits?.total, 32853 + 23167 + 15583 + 16082);
  assert.equal(a.benchmark?.transactionsPerSec, 16745.77);
  // Round trips found in the trace against netperf's rate over the trace's span (1.003324 s).
  within(a.transactions!.count, 16745.77 * 1.003324, 0.03);
  // Matlack, KVM Forum 2015: about half of the timer writes (idle exit) are critical, the rest (idle entry) are not.
  const timers = reason(a, 'msr_write 0x6e0');
  within(timers.critical!, timers.count / 2, 0.1);
  const top = a.recommendations[0];
  assert.equal(top.id, 'halt-polling');
  assert.match(top.setting!, /^guest_halt_poll_ns=\d+$/);
  // The run with guest_halt_poll_ns=200000 measured 82742.26 trans/s: the prediction must be in that class.
  assert.ok(top.prediction!.after > 3 * 16745.77, `predicted ${top.prediction!.after}`);
  within(top.prediction!.after, 82742.26, 0.4);
});

test('the same run read from the binary trace.dat gives the same exits and advice', async () => {
  const text = await run('tcprr-cross-poll0');
  const dat = await run('tcprr-cross-poll0', 'dat');
  assert.equal(dat.inputs[0].format, 'trace-dat');
  assert.deepEqual(
    dat.exits?.byReason.map((r) => [r.reason, r.count, r.critical]),
    text.exits?.byReason.map((r) => [r.reason, r.count, r.critical]),
  );
  assert.equal(dat.recommendations[0].id, 'halt-polling');
  within(dat.recommendations[0].prediction!.after, 82742.26, 0.4);
});

test('halt polling already on: nothing left to recommend', async () => {
  const a = await run('tcprr-cross-poll200000');
  assert.equal(a.benchmark?.transactionsPerSec, 82742.26);
  within(a.transactions!.count, 82742.26 * 1.002248, 0.03);
  assert.ok(a.transactions!.exitsPerTransaction < 0.05);
  assert.deepEqual(a.recommendations, []);
  assert.ok(a.notRecommended?.some((n) => n.id === 'halt-polling' && /already on/.test(n.reason)));
});

test('both ends on one vCPU: not told that halt polling gives 5x', async () => {
  const a = await run('tcprr-same-poll0');
  within(a.transactions!.count, 71601.11 * 1.005246, 0.03);
  assert.equal(
    a.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  assert.ok(a.notRecommended?.some((n) => n.id === 'batching'));
});

test('compare: halt polling off → on, measured change against the prediction', async () => {
  const before = await run('tcprr-cross-poll0');
  const after = await run('tcprr-cross-poll200000');
  const c = compareAnalyses([
    { label: 'poll0', analysis: before },
    { label: 'poll200000', analysis: after },
  ]);
  assert.equal(c.benchmark?.metric, 'transactionsPerSec');
  within(c.benchmark!.relativeToFirst[1], 82742.26 / 16745.77, 0.001);
  const icr = c.rows.find((r) => r.id === 'reason:msr_write 0x830')!;
  assert.deepEqual(icr.counts, [32853, 229]);
  const check = c.predictions.find((p) => p.recommendation === 'halt-polling')!;
  assert.equal(check.measured, 82742.26);
  assert.ok(Math.abs(check.error!) < 0.4);
});

test('host traces: exits by reason as kvm_exit prints them, the MSR / APIC register written as parts', async () => {
  // expected.json: kvm_exit 5 — vintr 2, msr 2, hlt 1
  const a = await analyzeFiles([sample('public', 'shared-set', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt')]);
  assert.equal(a.exits?.source, 'host');
  assert.equal(a.exits?.total, 5);
  assert.equal(reason(a, 'vintr').count, 2);
  assert.equal(reason(a, 'hlt').count, 1);
  // Both msr exits were EOI writes (kvm_apic: apic_write APIC_EOI follows each): the row is msr, the part APIC_EOI.
  assert.equal(reason(a, 'msr').count, 2);
  assert.equal(reason(a, 'msr').category, 'eoi');
  assert.deepEqual(
    reason(a, 'msr').parts?.map((p) => [p.detail, p.category, p.count]),
    [['APIC_EOI', 'eoi', 2]],
  );
  const vmx = await analyzeFiles([sample('public', 'shared-set', 'host-trace-vmx-ctf-hlt-userspace-4x.txt')]);
  assert.equal(reason(vmx, 'HLT').count, 2);
  // exit 89662.281945 → entry 89662.281960: the first HLT lasted 15 µs until its kvm_entry.
  assert.equal(reason(vmx, 'HLT').maxNs, 15_000);
});

test("count tables: perf kvm stat and kvm_stat give exits by reason with the tables' own times", async () => {
  // expected.json: total_samples 79744; HLT 15885; MSR_WRITE 42521
  const a = await analyzeFiles([sample('public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt')]);
  assert.equal(a.exits?.source, 'counts');
  assert.equal(a.exits?.total, 79744);
  assert.equal(reason(a, 'HLT').count, 15885);
  assert.equal(reason(a, 'HLT').category, 'halt');
  assert.equal(reason(a, 'PREEMPTION_TIMER').category, 'timer'); // the guest's own APIC timer (hv timer)
  assert.equal(a.transactions, null);
  const mmio = await analyzeFiles([sample('public', 'shared-set', 'perf-kvm-stat-mmio-3.7.txt')]);
  // 0xfee00380 is the xAPIC timer initial count register: 58686 writes (expected.json).
  assert.equal(reason(mmio, '0xfee00380:W').count, 58686);
  assert.equal(reason(mmio, '0xfee00380:W').category, 'timer');
  const io = await analyzeFiles([sample('public', 'shared-set', 'perf-kvm-stat-live-win10-ioheavy.txt')]);
  assert.equal(reason(io, 'IO_INSTRUCTION').count, 55654);
  assert.ok(
    io.recommendations.some((r) => r.id === 'batching'),
    'I/O-bound guest: batching suggested (with the workload caveat)',
  );
});

test('repeated runs as series (Cully, xen-devel, 2007), relative to a baseline (Rustyvisor, 2007)', async () => {
  // expected.json: two TCP_RR runs, 23498.64 and 23446.5 trans/s
  const a = await analyzeFiles([sample('public', 'shared-set', 'netperf-tcprr-demo-conf-symbiosis-poll-two-runs.txt')]);
  assert.deepEqual(a.series?.values, [23498.64, 23446.5]);
  assert.equal(a.series?.min, 23446.5);
  assert.equal(a.series?.max, 23498.64);
  within(a.series!.median, (23498.64 + 23446.5) / 2, 1e-9);
  within(a.series!.jitter, 23498.64 - 23446.5, 1e-9);
  const iperf3 = await analyzeFiles([sample('iperf', 'iperf3-tcp.json')]);
  const iperf2 = await analyzeFiles([sample('public', 'shared-set', 'iperf2-tcp-firecracker-host-to-guest.txt')]);
  const c = compareAnalyses([
    { label: 'loopback', analysis: iperf3 },
    { label: 'firecracker', analysis: iperf2 },
  ]);
  assert.equal(c.benchmark?.metric, 'bitsPerSec');
  // python: end.sum_received.bits_per_second = 23039028275.94497; iperf2 prints 757 Mbits/sec.
  within(c.benchmark!.relativeToFirst[1], 757e6 / 23039028275.94497, 0.01);
});

test('joining: a trace and the benchmark of another run disagree, and the analysis says so', async () => {
  const a = await analyzeFiles([
    sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'),
    sample('guest-trace', 'tcprr-cross-poll200000.netperf.txt'),
  ]);
  assert.ok(
    a.modelNotes?.some((n) => /16,\d{3} round trips\/s but netperf measured 82,742.26/.test(n)),
    JSON.stringify(a.modelNotes),
  );
  const same = await run('tcprr-cross-poll0');
  assert.ok(!same.modelNotes?.some((n) => /round trips\/s but/.test(n)));
});

test('guest halt-poll outcomes: poll state entries against halts', async () => {
  // zcat | grep -c 'cpu_idle: *state=0 ' → 82601 polls; 'state=1 ' → 8 halts; the guest_halt_poll_ns events (5)
  // grow the adaptive window to at most 100000 ns.
  const a = await run('tcprr-cross-poll200000');
  assert.equal(a.haltPolling?.side, 'guest');
  assert.equal(a.haltPolling?.polled, 82601);
  assert.equal(a.haltPolling?.waited, 8);
  assert.equal(a.haltPolling?.maxWindowNs, 100000);
});

test('a host trace with kvm_msr but no kvm_exit: each kvm_msr is an MSR exit', async () => {
  // grep -c 'kvm_msr: msr_write 6e0' → 9 (expected.json: kvm_msr 9, kvm_exit 0)
  const a = await analyzeFiles([
    sample('public', 'shared-set', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt'),
  ]);
  assert.equal(a.exits?.source, 'host');
  assert.equal(reason(a, 'MSR_WRITE 0x6e0').count, 9);
  assert.equal(reason(a, 'MSR_WRITE 0x6e0').category, 'timer');
});

test('damaged events are still counted: kvm_exit without a reason, ICR write without a value', async () => {
  // test/fixtures/bad/kvm-exit-no-reason.txt: the 5 kvm_exit lines of a public trace with "reason ..." cut off.
  const a = await analyzeFiles([join(FIXTURES, 'bad', 'kvm-exit-no-reason.txt')]);
  assert.equal(reason(a, '(unreadable kvm_exit)').count, 5);
  assert.ok(a.modelNotes?.some((n) => /5 kvm_exit events had no reason/.test(n)));
  // grep -c 'write_msr: *830$' → 15: every ICR write lost its value; all 15 are still exits.
  const b = await analyzeFiles([join(FIXTURES, 'bad', 'write-msr-no-value.txt')]);
  assert.equal(reason(b, 'msr_write 0x830').count, 15);
});

test('a trace.dat with two buffers: the guest model follows the buffer with the guest exit events', async () => {
  // multi-v7.report-t.txt (trace-cmd report of the file): 54 write_msr lines, all in instance "second" — 48 to 6e0,
  // 3 to 830, 3 to 83f; the top buffer holds sched events of the same CPUs.
  const a = await analyzeFiles([join(FIXTURES, 'tracedat', 'multi-v7.dat')]);
  assert.equal(a.inputs[0].records, 155);
  assert.equal(reason(a, 'msr_write 0x6e0').count, 48);
  assert.equal(reason(a, 'msr_write 0x830').count, 3);
  assert.equal(reason(a, 'msr_write 0x83f').count, 3);
});
