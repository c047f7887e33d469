// Each vCPU's time from a host trace's kvm_entry/kvm_exit pairs: in the guest (entry → next exit), in exits (exit →
// entry) and halted (a halt exit's exit → entry). Values counted by hand from the fixtures' timestamps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../../src/core/analyze';
import { formatAnalysisText } from '../../../src/presentation/textReport';
import { analyzeTexts } from '../../helpers/analyze';
import { sample } from '../../helpers/paths';
import { matlackHostTrace } from '../../helpers/synth';

const vcpu0 = async (file: string) => {
  const a = await analyzeFiles([sample('public', 'shared-set', file)]);
  return { a, v: a.exits!.byVcpu!.find((x) => x.vcpu === 0)! };
};

test('VMX trace_pipe (kvm_fpu, tsc): 16 µs in the guest, 86 µs in 4 timed EXCEPTION_NMI exits', async () => {
  // entry .154934 → exit .154940 (6) → entry .154952 (12) → exit .154954 (2) → entry .154964 (10) → exit .154966 (2)
  // → entry .155001 (35) → exit .155004 (3) → entry .155033 (29) → exit .155036 (3), no entry after it.
  const { a, v } = await vcpu0('host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt');
  assert.deepEqual(
    [v.spanNs, v.guestNs, v.inExitsNs, v.haltedNs, v.untracedNs, v.timedExits, v.count],
    [102_000, 16_000, 86_000, 0, 0, 4, 5],
  );
  assert.deepEqual(v.inExitsByReason, [{ reason: 'EXCEPTION_NMI', count: 5, ns: 86_000 }]);
  assert.deepEqual(v.inExitsByCategoryNs, { other: 86_000 });
  const text = formatAnalysisText(a);
  assert.match(text, /Time per vCPU/);
  assert.match(text, /\n0\s+102\sµs\s+16\sµs\s\(16\s%\)\s+86\sµs\s\(84\s%\)\s+0\sns\s\(0\s%\)/);
});

test('VMX HLT to user space: 3 µs in the guest, 15 µs halted, the last HLT still open', async () => {
  // entry .281943 → HLT .281945 (2) → entry .281960 (halted 15) → HLT .281961 (1), no entry after it.
  const { v } = await vcpu0('host-trace-vmx-ctf-hlt-userspace-4x.txt');
  assert.deepEqual([v.spanNs, v.guestNs, v.inExitsNs, v.haltedNs, v.timedExits], [18_000, 3_000, 0, 15_000, 1]);
  assert.deepEqual(v.inExitsByReason, [{ reason: 'HLT', count: 2, ns: 15_000 }]);
});

test('SVM idle-halt: a msr exit with no entry before a gap of 5,984 s is counted but not timed', async () => {
  // Part 1: entry .696238 → vintr .696239 (1) → entry .696240 (1) → msr .696240 (0); part 2 starts 5,984 s later:
  // entry .951631 → hlt .951632 (1) → entry .951632 (0) → vintr .951632 (0) → entry .951632 (0) → msr .951633 (1).
  const { v } = await vcpu0('host-trace-svm-idle-halt-ipi-ts-only-2024.txt');
  assert.deepEqual([v.guestNs, v.inExitsNs, v.haltedNs, v.timedExits, v.count], [3_000, 1_000, 0, 3, 5]);
  assert.equal(v.untracedNs, v.spanNs! - 4_000);
});

test("a two-vCPU ping-pong: guest, exit and halted time add up to each vCPU's traced time", async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(100) });
  for (const v of a.exits!.byVcpu!) {
    assert.ok(v.haltedNs! > 0 && v.guestNs! > 0 && v.inExitsNs! > 0, `vCPU ${v.vcpu}`);
    assert.equal(v.guestNs! + v.inExitsNs! + v.haltedNs! + v.untracedNs!, v.spanNs);
    const byCategory = Object.values(v.inExitsByCategoryNs!).reduce((n, x) => n + x!, 0);
    assert.equal(byCategory, v.inExitsNs, 'categories split the exit time, halts apart');
  }
});
