// What the JSON holds beyond the exits table reaches the reader: the runs of a file of several count tables, the count
// table's own columns, MSRs and I/O ports, nested exits, exits to user space (a triple fault), halt-poll window
// changes — in the text report, the HTML report and the Analysis panel alike. Real published inputs; every figure
// below was read off the input file by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzePaths, type Analysis } from '../../src/core/index';
import { buildAnalysisView } from '../../src/presentation/analysisView';
import { renderHtmlReport } from '../../src/presentation/htmlReport';
import { formatAnalysisText } from '../../src/presentation/textReport';
import { isAnalysisView } from '../../src/shared/views';
import { sample } from '../helpers/paths';

const NBSP = '\u00a0';
const cache = new Map<string, Promise<Analysis>>();
const analysis = (folder: string, name: string) => {
  if (!cache.has(name)) cache.set(name, analyzePaths([sample('public', folder, name)]));
  return cache.get(name)!;
};
const threeTables = () => analysis('found', 'perf-kvm-stat-3.7-mmio-ioport-vcpu0-three-tables.txt');
const riscv = () => analysis('found', 'perf-kvm-stat-riscv-hists-quoted-2024.txt');
const msr = () => analysis('traces', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt');
const pio = () => analysis('traces', 'host-trace-vmx-2.6-lowercase-indented-apic-access-pio.txt');
const nested = () => analysis('traces', 'host-trace-vmx-nested-mail-quoted-3-levels-2019.txt');
const tripleFault = () => analysis('traces', 'perf-script-cpu-time-only-triple-fault-shutdown-5.13.txt');
const pollWindow = () => analysis('traces', 'host-trace-halt-poll-ns-integer-ns-timestamps-2023.txt');

const text = async (a: Promise<Analysis>) => formatAnalysisText(await a);
const html = async (a: Promise<Analysis>) => renderHtmlReport(await a);
const panelTable = async (a: Promise<Analysis>, id: string) => {
  const view = buildAnalysisView(await a, 0);
  assert.ok(isAnalysisView(view), 'the panel view passes its validator');
  const t = view.tables?.find((x) => x.id === id);
  assert.ok(t, `panel table ${id}: ${view.tables?.map((x) => x.id)}`);
  return t;
};

test('a file of three perf kvm stat tables says it holds three runs, each with its total', async () => {
  const t = await text(threeTables());
  // "Total Samples:65057", ":383", ":10914" in the file
  assert.match(t, /3 runs in the inputs:/);
  assert.match(t, new RegExp(`mmio table, all vCPUs \\(line 8\\)\\s+65,057\\s+0xfee00380:W \\(90${NBSP}%\\)`));
  assert.match(t, /ioport table, all vCPUs \(line 25\)\s+383/);
  assert.match(t, /vmexit table, vCPU 0 \(line 39\)\s+10,914\s+APIC_ACCESS/);
  assert.match(await html(threeTables()), /<td>vmexit table, vCPU 0 \(line 39\)<\/td><td>10,914<\/td>/);
  const panel = await panelTable(threeTables(), 'runs');
  assert.deepEqual(
    panel.rows.map((r) => r[1]),
    ['65,057', '383', '10,914'],
  );
  // vCPU 0's table is the third run: its own scope is said where its figures are
  const vcpu0 = (await threeTables()).runs![2].exits!;
  assert.equal(vcpu0.vcpuOnly, 0);
});

test('a count table keeps its own columns as printed: Samples%, Time%, min, mean, max, total time', async () => {
  const t = await text(threeTables());
  // 0xfee00300:W  2123  3.26%  82.50%  720.68us
  assert.match(t, new RegExp(`0xfee00300:W\\s+ipi\\s+2,123\\s+3.26${NBSP}%\\s+82.5${NBSP}%\\s+720.7${NBSP}µs`));
  assert.doesNotMatch(t.split('VM exits (counts)')[1], /critical/, 'no columns a count table cannot fill');
  // STORE_GUEST_PAGE_FAULT 26968 54.00% 2003031800 40.00% 3361400 27600 74274 (ns)
  const r = await text(riscv());
  assert.match(
    r,
    new RegExp(
      `STORE_GUEST_PAGE_FAULT\\s+page-fault\\s+26,968\\s+54${NBSP}%\\s+40${NBSP}%\\s+27.6${NBSP}µs\\s+` +
        `74.3${NBSP}µs\\s+3.36${NBSP}ms\\s+2${NBSP}s`,
    ),
  );
  assert.match(await html(riscv()), /<th>Time%<\/th><th>min<\/th><th>mean<\/th><th>max<\/th><th>total time<\/th>/);
  const panel = await panelTable(riscv(), 'count-table');
  const head = ['reason', 'category', 'samples', 'Samples%', 'Time%', 'min', 'mean', 'max', 'total time'];
  assert.deepEqual(panel.head, head);
});

test('MSRs and I/O ports behind exits are listed by number', async () => {
  // nine "kvm_msr: msr_write 6e0" lines, the first at line 13
  assert.match(
    await text(msr()),
    /MSR\s+name\s+category\s+accesses\s+reads\s+writes\s+first line\n0x6e0\s+IA32_TSC_DEADLINE\s+timer\s+9\s+0\s+9\s+13/,
  );
  // line 11: "kvm_pio: pio_read at 0xc13e size 2 count 1"
  assert.match(await text(pio()), /I\/O ports accessed \(kvm_pio\):[^]*0xc13e\s+–\s+io\s+1\s+1\s+0\s+11/);
  assert.match(await html(msr()), /<td>0x6e0<\/td><td>IA32_TSC_DEADLINE<\/td>/);
  assert.deepEqual((await panelTable(pio(), 'io-ports')).rows[0].slice(0, 4), ['0xc13e', '–', 'io', '1']);
});

test('nested exits, exits to user space and a triple fault are reported, not ignored', async () => {
  // three "kvm_nested_vmexit: ... reason IO_INSTRUCTION" lines, two "kvm_userspace_exit: reason KVM_EXIT_IO"
  const n = await text(nested());
  assert.match(
    n,
    /Nested exits \(kvm_nested_vmexit\):\n3 exits of an L2 guest[^\n]*\nreason\s+exits\nIO_INSTRUCTION\s+3/,
  );
  assert.match(
    n,
    /Exits to user space \(kvm_userspace_exit\):\n2 exits KVM handed[^\n]*\nreason\s+exits\nKVM_EXIT_IO\s+2/,
  );
  // line 7: "kvm:kvm_userspace_exit: reason KVM_EXIT_SHUTDOWN (8)"
  const f = await text(tripleFault());
  assert.match(f, /1 exit KVM handed to the VMM \(QEMU\), by reason; 1 shutdown \(triple fault\)\./);
  assert.match(f, /KVM_EXIT_SHUTDOWN\s+1\n/);
  assert.match(await html(tripleFault()), /1 shutdown \(triple fault\)/);
  assert.match((await panelTable(tripleFault(), 'userspace-exits')).hint ?? '', /1 shutdown \(triple fault\)/);
  // two I/O exits are too few for batching advice: the panel says so, as the text does
  const not = await panelTable(nested(), 'not-recommended');
  assert.equal(not.rows[0][0], 'batching');
  assert.match(not.rows[0][1], /not enough evidence: record at least 100 I\/O and MMIO exits \(this run: 2\)/);
});

test('a trace of only kvm_halt_poll_ns events still says what it holds: how the window grew and shrank', async () => {
  // lines 3–14: twelve changes, six "(grow …)" and six "(shrink …)", 0 → 10 µs first, up to 40 µs, back to 0
  const t = await text(pollWindow());
  assert.match(t, /Events in the trace:[^]*kvm_halt_poll_ns\s+12/);
  assert.match(
    t,
    new RegExp(
      `12 changes: 6 grew, 6 shrank; largest 40${NBSP}µs, last 0${NBSP}ns\\. The first changes, in order:\n` +
        `line\\s+vCPU\\s+from\\s+to\n3\\s+0\\s+0${NBSP}ns\\s+10${NBSP}µs`,
    ),
  );
  assert.match(t, /2 more changes not listed\./);
  assert.match(t, /Halt polling \(host\): no wake-ups of halted vCPUs seen/);
  assert.equal((await panelTable(pollWindow(), 'halt-poll-window')).rows.length, 10);
});
