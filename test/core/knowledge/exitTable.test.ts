// Exit knowledge of every era and architecture: names as old and new kernels, trace-cmd and perf print them, with the
// category that decides the advice. Names and codes are from the kernel headers (vmx.c vmx_exit_reasons_str of 2.6,
// trace-cmd plugin_kvm.c, s390 uapi sie.h, arch/riscv/kvm/trace.h, arch/loongarch/kvm/trace.h).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { parseKvmExit } from '../../../src/core/eventFields';
import { abortWithoutMmio, describeExit, mmioRefinement, s390Intercept } from '../../../src/core/knowledge/exitTable';

test('2.6-era lowercase VMX names get the categories of their modern names', () => {
  const cases: [string, string][] = [
    ['halt', 'halt'],
    ['io_instruction', 'io'],
    ['ext_irq', 'external-interrupt'],
    ['ept_violation', 'page-fault'],
    ['apic_access', 'eoi'],
    ['wrmsr', 'other'],
    ['rdmsr', 'other'],
    ['interrupt_window', 'other'],
    ['exception', 'other'],
  ];
  for (const [name, category] of cases) assert.equal(describeExit(name).category, category, name);
  assert.equal(describeExit('halt').name, 'HLT');
});

test("trace-cmd's SVM EXIT_* names and the kernel's lowercase SVM names agree", () => {
  const cases: [string, string][] = [
    ['EXIT_NPF', 'page-fault'],
    ['EXIT_HLT', 'halt'],
    ['EXIT_IOIO', 'io'],
    ['EXIT_INTR', 'external-interrupt'],
    ['EXIT_MSR', 'other'],
    ['EXIT_EXCP_PF', 'page-fault'],
    ['EXIT_EXCP_GP', 'other'],
    ['EXIT_READ_CR0', 'other'],
    ['EXIT_PAUSE', 'preemption'],
    ['npf', 'page-fault'],
    ['hlt', 'halt'],
    ['avic_unaccelerated_access', 'eoi'],
  ];
  for (const [name, category] of cases) assert.equal(describeExit(name).category, category, name);
});

test('APIC_ACCESS is xAPIC register access (APICv / x2APIC / PV EOI fix it), PREEMPTION_TIMER the guest timer', () => {
  const apic = describeExit('APIC_ACCESS');
  assert.equal(apic.category, 'eoi');
  assert.match(apic.description, /APICv/);
  assert.match(apic.description, /not a device kick/);
  assert.equal(describeExit('PREEMPTION_TIMER').category, 'timer');
});

test('a kvm_mmio after an exit tells MMIO from a memory fault, and names the xAPIC register', () => {
  assert.equal(mmioRefinement('EPT_VIOLATION', 'page-fault', 0x09000000)?.category, 'mmio');
  assert.equal(mmioRefinement('APIC_ACCESS', 'eoi', 0xfee000b0)?.name, 'xAPIC EOI');
  assert.equal(mmioRefinement('APIC_ACCESS', 'eoi', 0xfee00300)?.category, 'ipi');
  assert.equal(mmioRefinement('EPT_MISCONFIG', 'mmio', 0x09000000), null); // already MMIO: nothing to tell apart
  assert.equal(mmioRefinement('DABT_LOW', 'mmio', 0x09000000)?.name, 'MMIO');
  assert.equal(abortWithoutMmio('DABT_LOW')?.category, 'page-fault');
  assert.equal(abortWithoutMmio('EPT_MISCONFIG'), null);
});

test('s390, LoongArch and RISC-V exit payloads parse into categorised reasons', () => {
  const s390 = parseKvmExit('01[0704000180000000-0000000000a3c1fa]: exit sie icptcode 28 (Wait state)');
  assert.deepEqual([s390?.reason, s390?.info.category, s390?.vcpu, s390?.isa], ['Wait state', 'halt', 1, 's390']);
  assert.equal(parseKvmExit('exit sie icptcode 4')?.reason, 'Instruction');
  assert.equal(s390Intercept(0x40)?.category, 'io');
  const la = parseKvmExit('[IDLE]PC: 0x9000000000224f3c');
  assert.deepEqual([la?.reason, la?.info.category, la?.isa], ['IDLE', 'halt', 'loongarch']);
  assert.equal(parseKvmExit('vcpu 3 [22] PC: 0x90000000')?.reason, 'GSPR');
  const rv = parseKvmExit(
    'EXC: SEPC:0xffffffff80001234, SCAUSE:0x15 (LOAD_GUEST_PAGE_FAULT), STVAL:0x0, HTVAL:0x0, HTINST:0x0',
  );
  assert.deepEqual([rv?.reason, rv?.info.category, rv?.isa], ['LOAD_GUEST_PAGE_FAULT', 'page-fault', 'riscv']);
  assert.equal(describeExit('IRQ_S_TIMER').category, 'timer');
  assert.equal(describeExit('S_SOFT').category, 'ipi');
});

/** A 2.6-style host trace (lowercase reasons, no vcpu in kvm_exit) of two vCPUs passing a message back and forth. */
function oldPingPong(rounds: number): string {
  const lines: string[] = [];
  let t = 1000.0;
  const at = () => (t += 0.000004).toFixed(6);
  const ev = (pid: number, name: string, payload: string) =>
    lines.push(`        qemu-kvm-${pid}  [00${pid - 100}] ${at()}: ${name}: ${payload}`);
  ev(100, 'kvm_entry', 'vcpu 0');
  ev(101, 'kvm_entry', 'vcpu 1');
  ev(101, 'kvm_exit', 'reason halt rip 0xc0101234');
  for (let i = 0; i < rounds; i++) {
    for (const [from, to] of [
      [100, 101],
      [101, 100],
    ]) {
      ev(from, 'kvm_exit', 'reason apic_access rip 0xc0112233');
      ev(from, 'kvm_apic_ipi', `dst ${to - 100} vec 251 (Fixed|physical|assert|edge|dst)`);
      ev(from, 'kvm_entry', `vcpu ${from - 100}`);
      t += 0.00002;
      ev(to, 'kvm_entry', `vcpu ${to - 100}`);
      ev(from, 'kvm_exit', 'reason halt rip 0xc0101234');
    }
  }
  return `${lines.join('\n')}\n`;
}

test('an old (2.6-era) halt-heavy host trace counts halts as halts and can lead to halt-polling advice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-oldtrace-'));
  try {
    const path = join(dir, 'old.txt');
    // 1,500 rounds (~108 ms, 3,000 round trips): above the halt-polling rule's minimum evidence.
    writeFileSync(path, oldPingPong(1500));
    const a = await analyzeFiles([path]);
    const halt = a.exits?.byReason.find((r) => r.reason === 'halt');
    assert.equal(halt?.category, 'halt');
    assert.equal(halt?.count, 3001); // 1 + 2 per round
    assert.ok(
      a.recommendations.some((r) => r.id === 'halt-polling'),
      JSON.stringify(a.notRecommended),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('arm64 DABT_LOW: MMIO where a kvm_mmio follows, a stage-2 fault where none does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-dabt-'));
  try {
    const path = join(dir, 'dabt.txt');
    const line = (t: string, name: string, payload: string) =>
      `   CPU 0/KVM-77   [001] ....  ${t}: ${name}: ${payload}`;
    writeFileSync(
      path,
      [
        line('50.000001', 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800010001000'),
        line('50.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x9000000 val 0x41'),
        line('50.000003', 'kvm_entry', 'PC: 0xffff800010001004'),
        line('50.000004', 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800010002000'),
        line('50.000009', 'kvm_entry', 'PC: 0xffff800010002000'),
        '',
      ].join('\n'),
    );
    const a = await analyzeFiles([path]);
    assert.deepEqual(
      a.exits?.byReason.map((r) => r.reason),
      ['DABT_LOW'],
    );
    const parts = a.exits?.byReason[0].parts?.map((p) => [p.detail, p.category, p.count]);
    assert.deepEqual(parts, [
      ['MMIO', 'mmio', 1],
      ['stage-2 fault', 'page-fault', 1],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('s390 SIE exits (tracepoint names of both eras) count as exits of their vCPU, wait state a halt', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-s390-'));
  try {
    const path = join(dir, 's390.txt');
    const psw = '[0706000180000000-000000000010b3c8]';
    const line = (t: string, name: string, payload: string) =>
      ` qemu-system-s39-4242  [002] ....  ${t}: ${name}: ${payload}`;
    writeFileSync(
      path,
      [
        line('100.000001', 'kvm_s390_sie_enter', `01${psw}: entering sie flags 10000000`),
        line('100.000005', 'kvm_s390_sie_exit', `01${psw}: exit sie icptcode 28 (Wait state)`),
        line('100.000900', 'kvm_s390_sie_enter', `01${psw}: entering sie flags 10000000`),
        line('100.000950', 'kvm_s390_exit_sie', `01${psw}: exit sie icptcode 4`),
        '',
      ].join('\n'),
    );
    const a = await analyzeFiles([path]);
    assert.deepEqual(
      a.exits?.byReason.map((r) => [r.reason, r.category, r.count]),
      [
        ['Instruction', 'other', 1],
        ['Wait state', 'halt', 1],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    assert.deepEqual(
      a.exits?.byVcpu?.map(({ vcpu, count }) => ({ vcpu, count })),
      [{ vcpu: 1, count: 2 }],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RISC-V perf kvm stat names (IRQ_/EXC_ prefixed, as in ruyisdk/linux-xuantie-kernel PR 247) categorised', () => {
  const cases: [string, string][] = [
    ['IRQ_S_TIMER', 'timer'],
    ['EXC_STORE_GUEST_PAGE_FAULT', 'page-fault'],
    ['EXC_LOAD_GUEST_PAGE_FAULT', 'page-fault'],
    ['EXC_VIRTUAL_INST_FAULT', 'other'],
    ['IRQ_VS_EXT', 'external-interrupt'],
    ['IRQ_S_EXT', 'external-interrupt'],
    ['IRQ_S_SOFT', 'ipi'],
    ['SUPERVISOR_SYSCALL', 'other'],
    ['STORE_GUEST_PAGE_FAULT', 'page-fault'],
  ];
  for (const [name, category] of cases) assert.equal(describeExit(name).category, category, name);
});

test('LoongArch exit names of every perf kvm stat era (loongarch kvm-stat.c patch versions) categorised', () => {
  const cases: [string, string][] = [
    ['Mem read', 'page-fault'],
    ['Mem Read', 'page-fault'],
    ['Memory store', 'page-fault'],
    ['Mem Modify', 'page-fault'],
    ['Inst Fetch', 'page-fault'],
    ['Ifecth', 'page-fault'],
    ['Idle', 'halt'],
    ['IDLE', 'halt'],
    ['Iocsr', 'io'],
    ['IOCSR', 'io'],
    ['Interrupt', 'external-interrupt'],
    ['Privilege Error', 'other'],
    ['Hypercall', 'other'],
    ['Cpucfg', 'other'],
    ['FPU', 'other'],
    ['LASX Disabled', 'other'],
  ];
  for (const [name, category] of cases) assert.equal(describeExit(name).category, category, name);
});
