// Text trace reader: trace-cmd report, raw ftrace and perf script. Expected figures were computed independently
// from the files (zcat | grep -c, a python regex count, expected.json), not taken from this reader's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceTextReader, detectTraceText } from '../../../src/core/readers/traceText';
import { readInputFile } from '../../../src/core/input';
import { analyzeFiles } from '../../../src/core/analyze';
import type { InputFormat, InputRecord, InputWarning, TraceEvent } from '../../../src/core/records';
import { sample, FIXTURES } from '../../helpers/paths';

interface Run {
  events: TraceEvent[];
  warnings: InputWarning[];
  fails: InputWarning[];
}

/** Drives the reader directly, one line at a time, as input.ts does. */
function runLines(format: InputFormat, lines: readonly string[]): Run {
  const run: Run = { events: [], warnings: [], fails: [] };
  const reader = traceTextReader.create(format, {
    record: (r: InputRecord) => {
      if (r.type === 'run-start') return; // where runs start is traceRuns.test.ts's subject
      assert.equal(r.type, 'event');
      run.events.push(r as TraceEvent);
    },
    warn: (line, message) => run.warnings.push({ line, message }),
    fail: (line, message) => run.fails.push({ line, message }),
  });
  lines.forEach((text, i) => reader.line(text, i + 1));
  reader.end(lines.length);
  return run;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function gzLines(path: string): string[] {
  return splitLines(gunzipSync(readFileSync(path)).toString('utf8'));
}

function textLines(path: string): string[] {
  return splitLines(readFileSync(path, 'utf8'));
}

function head(lines: readonly string[]): string[] {
  return lines.filter((l) => l.trim() !== '').slice(0, 200);
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

async function readFile(path: string) {
  const events: TraceEvent[] = [];
  const summary = await readInputFile(path, (r) => events.push(r as TraceEvent));
  return { events, summary };
}

// ---- guest traces (trace-cmd report, µs) -----------------------------------------------------------------------

const GUEST_TRACES = [
  {
    file: 'tcprr-cross-poll0.report.txt.gz',
    total: 256254,
    byName: { write_msr: 56020, cpu_idle: 31167, ipi_send_cpu: 32853, sched_switch: 52399, guest_halt_poll_ns: 15584 },
    idleTask: 149726,
    firstNs: 10729493978000,
    lastNs: 10730497302000,
  },
  {
    file: 'tcprr-cross-poll200000.report.txt.gz',
    total: 498737,
    byName: { write_msr: 876, cpu_idle: 165218, ipi_send_cpu: 229, sched_switch: 248454, guest_halt_poll_ns: 5 },
    idleTask: 331403,
    firstNs: 10731233153000,
    lastNs: 10732235401000,
  },
  {
    file: 'tcprr-same-poll0.report.txt.gz',
    total: 236816,
    byName: { write_msr: 612, cpu_idle: 1, ipi_send_cpu: 181, sched_switch: 145866, sched_wakeup: 89548 },
    idleTask: 677,
    firstNs: 10727752075000,
    lastNs: 10728757321000,
  },
];

for (const g of GUEST_TRACES) {
  test(`guest trace ${g.file}: totals, per-event counts, first/last timestamps`, () => {
    const lines = gzLines(sample('guest-trace', g.file));
    assert.equal(detectTraceText(head(lines)), 'trace-cmd-report');
    const run = runLines('trace-cmd-report', lines);
    assert.equal(run.events.length, g.total);
    const byName = countBy(run.events, (e) => e.name);
    for (const [name, n] of Object.entries(g.byName)) assert.equal(byName[name], n, name);
    assert.equal(run.events.filter((e) => e.comm === '<idle>' && e.pid === 0).length, g.idleTask);
    assert.equal(run.events[0].timeNs, g.firstNs);
    assert.equal(run.events[run.events.length - 1].timeNs, g.lastNs);
    assert.ok(
      run.events.every((e) => e.timeNs % 1000 === 0),
      'µs timestamps are exact multiples of 1000 ns',
    );
    assert.ok(
      run.events.every((e) => e.cpu === 0 || e.cpu === 1),
      'cpus=2',
    );
    assert.deepEqual(run.warnings, []); // no "EVENTS DROPPED" lines in these files
    assert.deepEqual(run.fails, []);
  });
}

test('guest trace: first lines parse into the expected fields (trace-cmd padding after the name removed)', () => {
  const run = runLines('trace-cmd-report', textLines(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt')));
  assert.deepEqual(run.events[1], {
    type: 'event',
    line: 3,
    timeNs: 10729493988000,
    cpu: 1,
    pid: 21134,
    comm: 'bash',
    name: 'write_msr',
    system: null,
    payload: '830, value fb',
  });
  assert.equal(run.events[2].comm, '<idle>');
  assert.equal(run.events[2].pid, 0);
  assert.equal(run.events[2].payload, 'vector=251');
});

test('guest trace through readInputFile (gzip, detection, streaming) gives the same count', async () => {
  const { events, summary } = await readFile(sample('guest-trace', 'tcprr-same-poll0.report.txt.gz'));
  assert.equal(summary.format, 'trace-cmd-report');
  assert.equal(summary.error, null);
  assert.equal(events.length, 236816);
});

// ---- trace.dat reports: µs and -t ns of the same events ----------------------------------------------------------

test('v7-zstd report (µs) and report -t (ns): same events, drop warnings, timestamps agree within rounding', () => {
  const us = runLines('trace-cmd-report', textLines(sample('trace-dat', 'v7-zstd.report.txt')));
  const ns = runLines('trace-cmd-report', textLines(sample('trace-dat', 'v7-zstd.report-t.txt')));
  for (const run of [us, ns]) {
    assert.equal(run.events.length, 3444);
    assert.deepEqual(
      countBy(run.events, (e) => e.name),
      {
        ipi_send_cpu: 509,
        write_msr: 854,
        sched_switch: 700,
        call_function_single_entry: 510,
        sched_wakeup: 516,
        cpu_idle: 355,
      },
    );
    assert.equal(run.warnings.length, 2);
    assert.equal(run.warnings[0].line, 2);
    assert.match(run.warnings[0].message, /CPU 1\b.*81927/);
    assert.equal(run.warnings[1].line, 776);
    assert.match(run.warnings[1].message, /CPU 0\b.*unknown number/);
    assert.deepEqual(run.fails, []);
  }
  assert.equal(ns.events[0].timeNs, 10773612932320);
  assert.equal(ns.events[ns.events.length - 1].timeNs, 10773631884553);
  assert.equal(us.events[0].timeNs, 10773612932000);
  assert.equal(us.events[us.events.length - 1].timeNs, 10773631885000); // trace-cmd rounds to µs
  for (let i = 0; i < us.events.length; i++) {
    const a = us.events[i];
    const b = ns.events[i];
    assert.equal(a.timeNs % 1000, 0);
    assert.ok(Math.abs(a.timeNs - b.timeNs) <= 500, `line ${a.line}: ${a.timeNs} vs ${b.timeNs}`);
    assert.deepEqual(
      [a.line, a.name, a.cpu, a.pid, a.comm, a.payload],
      [b.line, b.name, b.cpu, b.pid, b.comm, b.payload],
    );
  }
  assert.equal(us.events[1].payload, '830, value fb'); // line 4 "write_msr:            830, value fb"
});

// ---- public samples against expected.json ----------------------------------------------------------------------

interface Expected {
  events_by_name: Record<string, number>;
  cpus?: string[];
  tasks?: string[];
}
const EXPECTED = JSON.parse(readFileSync(sample('public', 'shared-set', 'expected.json'), 'utf8')) as Record<
  string,
  Expected
>;
const PUBLIC_TRACES: Record<string, InputFormat> = {
  'host-trace-svm-idle-halt-ipi-ts-only-2024.txt': 'ftrace',
  'host-trace-vmx-ctf-hlt-userspace-4x.txt': 'ftrace',
  'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt': 'ftrace',
  'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt': 'ftrace',
  'perf-script-irq-injection-dragonball-pic.txt': 'perf-script',
};

for (const [file, format] of Object.entries(PUBLIC_TRACES)) {
  test(`public ${file}: detected as ${format}, events/cpus/tasks as in expected.json`, async () => {
    const expected = EXPECTED[file];
    assert.ok(expected, `expected.json has ${file}`);
    const { events, summary } = await readFile(sample('public', 'shared-set', file));
    assert.equal(summary.format, format);
    assert.equal(summary.error, null);
    assert.deepEqual(
      countBy(events, (e) => e.name),
      expected.events_by_name,
    );
    if (expected.cpus) {
      assert.deepEqual(
        [...new Set(events.map((e) => e.cpu))].sort((a, b) => a - b),
        expected.cpus.map(Number),
      );
    }
    if (expected.tasks) {
      assert.deepEqual([...new Set(events.map((e) => `${e.comm}-${e.pid}`))].sort(), [...expected.tasks].sort());
    }
  });
}

test('public timestamp-only trace: no task columns, prose lines warned', () => {
  const run = runLines(
    'ftrace',
    textLines(sample('public', 'shared-set', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt')),
  );
  assert.equal(run.events.length, 24);
  assert.ok(run.events.every((e) => e.cpu === -1 && e.pid === -1 && e.comm === ''));
  assert.deepEqual(run.events[0], {
    type: 'event',
    line: 2,
    timeNs: 220696238000,
    cpu: -1,
    pid: -1,
    comm: '',
    name: 'kvm_apic_ipi',
    system: null,
    payload: 'dst b0 vec 176 (Fixed|physical|assert|edge|self)',
  });
  // Both prose lines ("With…" at 1, "Without idle halt enabled" at 15) in one warning, counted, lines named.
  assert.deepEqual(
    run.warnings.map((w) => w.line),
    [1],
  );
  assert.match(run.warnings[0].message, /With idle halt enabled.*\(2 lines; first at lines 1, 15\)/);
  assert.deepEqual(run.fails, []);
});

test('public trace_pipe sample: big timestamps exact, trailing blanks of a payload dropped', () => {
  const run = runLines(
    'ftrace',
    textLines(sample('public', 'shared-set', 'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt')),
  );
  const exit = run.events.find((e) => e.name === 'kvm_exit');
  assert.equal(exit?.timeNs, 2323301154940000);
  assert.equal(exit?.payload, 'reason EXCEPTION_NMI rip 0x1000 info 1000 80000b0e');
  const pio = run.events.filter((e) => e.name === 'kvm_pio');
  assert.deepEqual(
    pio.map((e) => e.payload),
    ['pio_write at 0x3f8 size 1 count 1 val 0x34', 'pio_write at 0x3f8 size 1 count 1 val 0xa'],
  );
});

test('public ftrace sample with header: comm with a blank, 5-char flags', () => {
  const run = runLines(
    'ftrace',
    textLines(sample('public', 'shared-set', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt')),
  );
  assert.equal(run.events.length, 9);
  assert.deepEqual(
    [run.events[0].comm, run.events[0].pid, run.events[0].cpu, run.events[0].line, run.events[0].payload],
    ['CPU 5/KVM', 2137779, 10, 13, 'msr_write 6e0 = 0x81cba98c958c9'],
  );
  assert.deepEqual(run.warnings, []); // 20336/20336: nothing overwritten
});

test('public perf script: system split off, truncated comm, prompt and "..." lines warned', () => {
  const run = runLines(
    'perf-script',
    textLines(sample('public', 'shared-set', 'perf-script-irq-injection-dragonball-pic.txt')),
  );
  assert.equal(run.events.length, 19);
  assert.ok(run.events.every((e) => e.system === 'kvm'));
  const setIrq = run.events.find((e) => e.name === 'kvm_set_irq');
  assert.deepEqual(
    [setIrq?.comm, setIrq?.pid, setIrq?.cpu, setIrq?.timeNs, setIrq?.payload],
    ['kworker/5:2-eve', 429543, 5, 108229924107000, 'gsi 4 level 1 source 0'],
  );
  assert.deepEqual(
    run.warnings.map((w) => w.line),
    [21, 1],
  );
  assert.match(run.warnings[0].message, /"\.\.\."/);
  assert.match(run.warnings[1].message, /perf script"/);
});

// ---- detection ---------------------------------------------------------------------------------------------------

test('detection from head lines, by content', () => {
  assert.equal(detectTraceText(head(textLines(sample('trace-dat', 'v7-zstd.report-t.txt')))), 'trace-cmd-report');
  assert.equal(
    detectTraceText(head(textLines(join(FIXTURES, 'trace-text', 'trace-cmd-latency-l.txt')))),
    'trace-cmd-report',
  );
  assert.equal(detectTraceText(head(textLines(join(FIXTURES, 'trace-text', 'ftrace-tgid.txt')))), 'ftrace');
  assert.equal(detectTraceText(head(textLines(join(FIXTURES, 'trace-text', 'trace-pipe-lost.txt')))), 'ftrace');
  assert.equal(detectTraceText(head(textLines(join(FIXTURES, 'trace-text', 'perf-script-tid-ns.txt')))), 'perf-script');
  // trace-cmd report lines without the cpus= line (an excerpt) are still trace-cmd report
  const excerpt = textLines(sample('guest-trace', 'tcprr-cross-poll0.head.report.txt')).slice(1);
  assert.equal(detectTraceText(head(excerpt)), 'trace-cmd-report');
  // an empty ftrace buffer is still ftrace; an empty trace-cmd report is still trace-cmd report
  assert.equal(detectTraceText(['# tracer: nop', '#', '# entries-in-buffer/entries-written: 0/0   #P:4']), 'ftrace');
  assert.equal(detectTraceText(['cpus=4']), 'trace-cmd-report');
  assert.equal(detectTraceText([]), null);
  for (const other of [
    ['public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt'],
    ['public', 'shared-set', 'kvm-stat-pid-openeuler-4.19.txt'],
    ['public', 'shared-set', 'perf-kvm-stat-perfstat-kvm-star-small-4x.txt'],
    ['netperf', 'netperf-tcp-rr-demo.txt'],
    ['iperf', 'iperf3-tcp.txt'],
  ]) {
    assert.equal(detectTraceText(head(textLines(sample(...other)))), null, other.join('/'));
  }
  // mostly prose with one event-looking line is not a trace
  assert.equal(detectTraceText(['Some notes', 'more notes', 'and more', ' 1.000001: kvm_exit: reason HLT']), null);
});

// ---- layout variants (hand-made fixtures) ------------------------------------------------------------------------

test('trace-cmd report -l: latency columns, version/empty-CPU header lines are silent', () => {
  const run = runLines('trace-cmd-report', textLines(join(FIXTURES, 'trace-text', 'trace-cmd-latency-l.txt')));
  assert.deepEqual(
    run.events.map((e) => [e.comm, e.pid, e.cpu, e.name, e.timeNs, e.payload]),
    [
      ['CPU 0/KV', 2411, 1, 'kvm_exit', 10729493978000, 'reason HLT rip 0xffffffff81a3c6ee info 0 0'],
      ['CPU 0/KV', 2411, 1, 'kvm_entry', 10729493981000, 'vcpu 0'],
      ['<idle>', 0, 0, 'write_msr', 10729494000000, '830, value fb'],
      ['kworker/', 21, 0, 'cpu_idle', 10729494010000, 'state=1 cpu_id=0'],
    ],
  );
  assert.deepEqual(run.warnings, []);
});

test('ftrace with record-tgid column: pid is the task, tgid column skipped; overwritten entries warned', () => {
  const run = runLines('ftrace', textLines(join(FIXTURES, 'trace-text', 'ftrace-tgid.txt')));
  assert.deepEqual(
    run.events.map((e) => [e.comm, e.pid, e.cpu, e.name]),
    [
      ['CPU 1/KVM', 4330, 3, 'kvm_exit'],
      ['CPU 1/KVM', 4330, 3, 'kvm_entry'],
      ['<idle>', 0, 0, 'kvm_set_irq'],
      ['kworker/0:1', 17, 0, 'kvm_pic_set_irq'],
    ],
  );
  assert.equal(run.warnings.length, 1);
  assert.equal(run.warnings[0].line, 3);
  assert.match(run.warnings[0].message, /\b5 older events were overwritten/);
});

test('trace_pipe without header: "CPU:2 [LOST 12 EVENTS]" is a warning with the count', () => {
  const run = runLines('ftrace', textLines(join(FIXTURES, 'trace-text', 'trace-pipe-lost.txt')));
  assert.deepEqual(
    run.events.map((e) => e.name),
    ['kvm_exit', 'kvm_msr', 'kvm_entry'],
  );
  assert.equal(run.events[0].comm, 'CPU 0/KVM');
  assert.equal(run.warnings.length, 1);
  assert.equal(run.warnings[0].line, 3);
  assert.match(run.warnings[0].message, /CPU 2\b.*\b12 events/);
  assert.deepEqual(run.fails, []);
});

test('perf script with pid/tid, --ns timestamps and a period column; "#" header skipped', () => {
  const run = runLines('perf-script', textLines(join(FIXTURES, 'trace-text', 'perf-script-tid-ns.txt')));
  assert.deepEqual(
    run.events.map((e) => [e.comm, e.pid, e.cpu, e.timeNs, e.system, e.name, e.line]),
    [
      ['qemu-system-x86', 4330, 3, 12345123456789, 'kvm', 'kvm_exit', 5],
      ['CPU 0/KVM', 4331, 1, 12345123457001, 'kvm', 'kvm_entry', 6],
      ['CPU 0/KVM', 4331, 1, 12345123460000, 'kvm', 'kvm_msr', 7],
    ],
  );
  assert.equal(run.events[2].payload, 'msr_write 6e0 = 0x81cba98c958c9');
  assert.deepEqual(run.warnings, []);
});

test('trace-cmd report --ts-diff "(+N)" column is skipped', () => {
  const run = runLines('trace-cmd-report', textLines(join(FIXTURES, 'trace-text', 'trace-cmd-tsdiff.txt')));
  assert.deepEqual(
    run.events.map((e) => [e.name, e.payload]),
    [
      [
        'ipi_send_cpu',
        'cpu=0 callsite=on_each_cpu_cond_mask+0x20 callback=generic_smp_call_function_single_interrupt+0x0',
      ],
      ['write_msr', '830, value fb'],
    ],
  );
});

// ---- bad input -----------------------------------------------------------------------------------------------------

test('binary garbage lines and a truncated last line: warned, events around them kept', async () => {
  const { events, summary } = await readFile(join(FIXTURES, 'trace-text', 'garbage-and-truncated.txt'));
  assert.equal(summary.format, 'trace-cmd-report');
  assert.equal(summary.error, null);
  assert.equal(events.length, 65);
  // One warning for the four bad lines (62, 63, 64 and the truncated 70), with their count and line numbers.
  assert.deepEqual(
    summary.warnings.map((w) => w.line),
    [62],
  );
  assert.match(
    summary.warnings[0].message,
    /^not a trace-cmd-report event line.*\(4 lines; first at lines 62, 63, 64, 70\)$/,
  );
  assert.equal(events[events.length - 1].line, 69);
});

test('a flood of bad lines: one warning with the count and the first line numbers', () => {
  const lines = [
    ...Array.from({ length: 30 }, (_, i) => `prose line ${i}`),
    '            bash-1 [000] 1.000001: kvm_exit: reason HLT',
  ];
  const run = runLines('trace-cmd-report', lines);
  assert.equal(run.events.length, 1);
  assert.equal(run.warnings.length, 1);
  assert.equal(run.warnings[0].line, 1);
  assert.match(run.warnings[0].message, /"prose line 0".*\(30 lines; first at lines 1, 2, 3, 4, 5\)$/);
  assert.deepEqual(run.fails, []);
});

test('empty input: one warning, no records, no failure; readInputFile reports an unrecognised empty file', async () => {
  const run = runLines('ftrace', []);
  assert.deepEqual(run.events, []);
  assert.equal(run.warnings.length, 1);
  assert.match(run.warnings[0].message, /no events/);
  assert.deepEqual(run.fails, []);

  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracetext-'));
  try {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const { events, summary } = await readFile(empty);
    assert.equal(events.length, 0);
    assert.equal(summary.format, null);
    assert.match(summary.error ?? '', /empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no event line at all under a forced format: the input fails, naming the expected layout', () => {
  const run = runLines('perf-script', ['hello', '\u0000\u0001\ufffd\ufffd', 'world']);
  assert.equal(run.events.length, 0);
  assert.equal(run.fails.length, 1);
  assert.match(run.fails[0].message, /comm pid \[cpu\] secs\.usecs: system:event: payload/);
});

test('never throws on arbitrary lines', () => {
  const reader = traceTextReader.create('ftrace', { record: () => {}, warn: () => {}, fail: () => {} });
  const nasty = [
    '',
    ' ',
    ':',
    '-1 [',
    '[000]',
    'a-1 [0] 1.: x:',
    'x'.repeat(100000) + ' [000] 1.0: e: p',
    '\ufffd'.repeat(50),
  ];
  nasty.forEach((l, i) => reader.line(l, i + 1));
  reader.end(nasty.length);
});

test('trace-cmd report of two inputs: the "file.dat: " prefix is not part of the comm', () => {
  const lines = textLines(join(FIXTURES, 'trace-text', 'trace-cmd-two-inputs.txt'));
  assert.equal(detectTraceText(head(lines)), 'trace-cmd-report');
  const run = runLines('trace-cmd-report', lines);
  assert.deepEqual(
    run.events.map((e) => [e.comm, e.pid, e.cpu, e.name]),
    [
      ['CPU 0/KVM', 2410, 2, 'kvm_exit'],
      ['<idle>', 0, 0, 'cpu_idle'],
    ],
  );
  assert.deepEqual(run.warnings, []);
});

test('function tracer lines become event "function" with "func <-parent" as payload', () => {
  const lines = textLines(join(FIXTURES, 'trace-text', 'ftrace-function.txt'));
  assert.equal(detectTraceText(head(lines)), 'ftrace');
  const run = runLines('ftrace', lines);
  assert.deepEqual(
    run.events.map((e) => [e.name, e.payload, e.pid, e.cpu, e.timeNs]),
    [
      ['function', 'kvm_arch_vcpu_ioctl_run <-kvm_vcpu_ioctl', 2410, 2, 5001100000000],
      ['function', 'vcpu_enter_guest <-kvm_arch_vcpu_ioctl_run', 2410, 2, 5001100002000],
      ['kvm_exit', 'reason HLT rip 0xffffffff81a3c6ee info 0 0', 2410, 2, 5001100009000],
    ],
  );
  assert.deepEqual(run.warnings, []);
});

test('long lines of blanks are turned away in linear time (no regex backtracking blow-up)', () => {
  // Before the head cap a 50 KB line of blanks took 2 s; 1 MB lines (the line splitter's cap) would take minutes.
  const reader = traceTextReader.create('trace-cmd-report', { record() {}, warn() {}, fail() {} });
  const lines = [
    `{${' '.repeat(1 << 20)}"start": 1}`,
    `x ${'1: '.repeat(300_000)}`,
    `${'a-1 '.repeat(250_000)}[001] 1.0: x: y`,
  ];
  const started = performance.now();
  for (const [i, l] of lines.entries()) reader.line(l, i + 1);
  assert.ok(performance.now() - started < 500, `${(performance.now() - started).toFixed(0)} ms`);
  assert.equal(detectTraceText(lines), null);
});

// ---- text as it comes through mail, trackers and forums (issue 13) -------------------------------------------------

test('mail: quoting of several levels stripped, wrapped header and payload joined, each kind warned once', () => {
  const run = runLines('ftrace', [
    'ftrace:',
    '> >  qemu-1 [000] d..1   10.000001:',
    '> >   kvm_exit: reason HLT rip 0x1 info 0 0',
    '>>    qemu-1 [000] ....   10.000002: kvm_entry: vcpu 0, rip',
    '>>  0x2',
    '> # the guest woke up here',
    '>     qemu-1 [000] ....   10.000003: kvm_exit: TRAP:',
    '> HSR_EC: 0x0024 (DABT_LOW), PC: 0x3',
    'Thanks,',
  ]);
  assert.deepEqual(
    run.events.map((e) => [e.line, e.name, e.payload]),
    [
      [2, 'kvm_exit', 'reason HLT rip 0x1 info 0 0'],
      [4, 'kvm_entry', 'vcpu 0, rip 0x2'],
      [7, 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0x3'],
    ],
  );
  const message = (part: string) => run.warnings.filter((w) => w.message.includes(part));
  assert.equal(message('mail quoting').length, 1);
  assert.match(message('mail quoting')[0].message, /\(7 lines; first at lines 2, 3, 4, 5, 6\)/);
  assert.equal(message('wrapped after the timestamp')[0].line, 2);
  assert.match(message('wrapped onto the next line')[0].message, /\(2 lines; first at lines 5, 8\)/);
  assert.equal(message('comment lines')[0].line, 6);
  assert.match(message('not a ftrace event line')[0].message, /"ftrace:".*\(2 lines; first at lines 1, 9\)/);
  assert.deepEqual(run.fails, []);
});

test('prose after an event is not joined to it; a blank line ends a wrapped event', () => {
  const run = runLines('ftrace', [
    'x-1 [000] 1.000001: kvm_vmx_debug: a0:0x1',
    '  a0: The previous value saved by the CPU',
    'x-1 [000] 1.000002: kvm_entry: PC:',
    '',
    '0x5',
  ]);
  assert.deepEqual(
    run.events.map((e) => e.payload),
    ['a0:0x1', 'PC:'],
  );
});

test('perf script -F selections: comm+time, cpu+time, pid+time; integer timestamps: unit unknown, said once', () => {
  const run = runLines('perf-script', [
    'preempt_test  20677.199579:      kvm:kvm_exit: reason PREEMPTION_TIMER rip 0x40274d info 0 0 intr 0',
    '    [001]   770.850307:  kvm:kvm_exit: vcpu 0 reason TRIPLE_FAULT rip 0x100146',
    ' 4242/4243 12.000000001: kvm:kvm_entry: vcpu 1',
    '87162647182125: kvm_halt_poll_ns: vcpu 0: halt_poll_ns 10000 (grow 0)',
    '87162647637763: kvm_halt_poll_ns: vcpu 0: halt_poll_ns 20000 (grow 10000)',
  ]);
  assert.deepEqual(
    run.events.map((e) => [e.comm, e.pid, e.cpu, e.timeNs, e.system, e.name]),
    [
      ['preempt_test', -1, -1, 20677199579000, 'kvm', 'kvm_exit'],
      ['', -1, 1, 770850307000, 'kvm', 'kvm_exit'],
      ['', 4243, -1, 12000000001, 'kvm', 'kvm_entry'],
      ['', -1, -1, 87162647182125, null, 'kvm_halt_poll_ns'],
      ['', -1, -1, 87162647637763, null, 'kvm_halt_poll_ns'],
    ],
  );
  assert.equal(run.warnings.length, 1);
  assert.match(run.warnings[0].message, /unit is unknown.*\(2 lines; first at lines 4, 5\)/);
});

test('event lines with no timestamp are read only where no timestamp was seen; list numbers are not times', () => {
  const bare = runLines('trace-cmd-report', ['  kvm_exit:   reason EXIT_NPF rip 0x1 info', '    200000006 1ab000']);
  assert.deepEqual(
    bare.events.map((e) => [e.name, e.payload, Number.isNaN(e.timeNs)]),
    [['kvm_exit', 'reason EXIT_NPF rip 0x1 info 200000006 1ab000', true]],
  );
  const timed = runLines('ftrace', [
    'x-1 [000] 1.000001: kvm_entry: vcpu 0',
    'see_also: the docs',
    '2: kvm_exit: reason HLT',
  ]);
  assert.equal(timed.events.length, 1);
});

test('a counter-clock trace (no fraction): counts, but no durations or rates in an invented unit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-counter-clock-'));
  try {
    const path = join(dir, 'tsc.txt');
    writeFileSync(
      path,
      [
        '   qemu-1 [000] 81927000123: kvm_exit: reason HLT rip 0x1 info 0 0',
        '   qemu-1 [000] 81927900456: kvm_entry: vcpu 0',
        '   qemu-1 [000] 81928000789: kvm_exit: reason HLT rip 0x1 info 0 0',
        '   qemu-1 [000] 81928900000: kvm_entry: vcpu 0',
        '',
      ].join('\n'),
    );
    const a = await analyzeFiles([path]);
    assert.equal(a.exits?.total, 2);
    assert.equal(a.exits?.perSecond, null);
    assert.equal(a.exits?.byReason[0].meanNs, null);
    assert.ok(a.modelNotes?.some((n) => /4 events have timestamps of unknown unit/.test(n)));
    assert.match(a.inputs[0].warnings[0].message, /unit is unknown.*\(4 lines; first at lines 1, 2, 3, 4\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line with its own task, CPU and timestamp but an unreadable event is skipped and quoted, never joined', () => {
  const run = runLines('trace-cmd-report', [
    '  qemu-kvm-4242  [001] 10729.494800: kvm_exit:             reason HLT rip 0xffffffff81000000 info 0 0',
    "          <idle>-0     [001] 10729.494820: <script>document.title='x'</script>: <img src=x> payload",
    '  qemu-kvm-4242  [001] 10729.494900: kvm_entry:            vcpu 0',
  ]);
  assert.deepEqual(
    run.events.map((e) => [e.line, e.name, e.payload]),
    [
      [1, 'kvm_exit', 'reason HLT rip 0xffffffff81000000 info 0 0'],
      [3, 'kvm_entry', 'vcpu 0'],
    ],
  );
  assert.equal(run.warnings.length, 1);
  assert.equal(run.warnings[0].line, 2);
  assert.match(run.warnings[0].message, /skipped: ".*10729\.494820: <script>document\.title/);
});
