// `export --perfetto`: the JSON trace-event structure Perfetto / chrome://tracing expect, counts checked against the
// inputs (grep counts noted beside each), the model's critical verdicts carried over, and bounded memory at 1 M events.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFilesDetailed } from '../../../src/core/analyze';
import { exportPerfetto } from '../../../src/core/export/exportPerfetto';
import { FIXTURES, REPO } from '../../helpers/paths';
import { TraceWriter, matlackHostTrace } from '../../helpers/synth';

interface TraceEventJson {
  ph: string;
  ts: number;
  pid: number;
  tid: number;
  name: string;
  cat?: string;
  dur?: number;
  id?: number;
  bp?: string;
  args?: Record<string, unknown>;
}

const GUEST = join(FIXTURES, 'export', 'guest-tcprr-head.report.txt');
const HOST_VMX = join(FIXTURES, 'export', 'host-vmx-trace-pipe-4x.txt');
const HOST_SVM = join(FIXTURES, 'export', 'host-svm-idle-halt-ipi-2024.txt');
const GUEST_DAT = join(FIXTURES, 'recordings', 'tcpcrr-cross-poll0.dat');
const HOST_DAT = join(FIXTURES, 'tracedat', 'kvm-le-4k.dat');

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'kvm-trace-lens-export-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

async function exported(...files: string[]): Promise<TraceEventJson[]> {
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  await exportPerfetto(files, out);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: TraceEventJson[] };
  assert.ok(Array.isArray(doc.traceEvents), 'a {"traceEvents": [...]} document');
  return doc.traceEvents;
}

/** What the trace-event format requires of every event, and that every flow start has its finish. */
function assertWellFormed(events: TraceEventJson[]): void {
  const starts = new Map<number, TraceEventJson>();
  const finishes = new Map<number, TraceEventJson>();
  const named = new Set<string>();
  for (const e of events) {
    assert.ok(['M', 'X', 's', 'f', 'i'].includes(e.ph), `known phase ${e.ph}`);
    for (const k of ['ts', 'pid', 'tid'] as const) assert.equal(typeof e[k], 'number', `${k} in ${JSON.stringify(e)}`);
    assert.equal(typeof e.name, 'string');
    if (e.ph === 'M' && e.name === 'thread_name') named.add(`${e.pid}:${e.tid}`);
    if (e.ph === 'X') assert.ok(typeof e.dur === 'number' && e.dur >= 0, `X has dur ≥ 0: ${JSON.stringify(e)}`);
    if (e.ph === 's') starts.set(e.id!, e);
    if (e.ph === 'f') {
      assert.equal(e.bp, 'e', 'flow finish binds to its enclosing slice');
      finishes.set(e.id!, e);
    }
  }
  assert.equal(starts.size, finishes.size);
  for (const [id, s] of starts) {
    const f = finishes.get(id);
    assert.ok(f, `flow ${id} has its finish`);
    assert.ok(f.ts >= s.ts, `flow ${id} goes forward in time`);
  }
  for (const e of events)
    if (e.ph !== 'M') assert.ok(named.has(`${e.pid}:${e.tid}`), `track ${e.pid}:${e.tid} is named`);
  // Perfetto binds a flow's ends to the slices enclosing them: each end has one on its track.
  const slices = new Map<string, TraceEventJson[]>();
  for (const e of events)
    if (e.ph === 'X') slices.set(`${e.pid}:${e.tid}`, [...(slices.get(`${e.pid}:${e.tid}`) ?? []), e]);
  for (const e of events) {
    if (e.ph !== 's' && e.ph !== 'f') continue;
    // (An exit whose end the trace lost has no duration: an arrow into it cannot bind, and is allowed to dangle.)
    const enclosing = (slices.get(`${e.pid}:${e.tid}`) ?? []).some(
      (x) => x.ts <= e.ts && (e.ts <= x.ts + x.dur! || x.args?.durationUnknown === true),
    );
    assert.ok(enclosing, `flow ${e.ph} ${e.id} at ${e.ts} has a slice to bind to`);
  }
}

const exitSlices = (events: TraceEventJson[]) => events.filter((e) => e.ph === 'X' && e.cat?.split(',')[0] === 'exit');

test('guest text: one track per CPU, exits inferred from MSR writes, halts, IPI flows (counts by grep)', async () => {
  const events = await exported(GUEST);
  assertWellFormed(events);
  const threads = events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name')
    .map((e) => e.args!.name)
    .sort();
  assert.deepEqual(threads, ['CPU 0', 'CPU 1']); // "cpus=2"
  const exits = exitSlices(events);
  // grep -c 'write_msr: *830,' = 55, 'write_msr: *6e0,' = 5, 'cpu_idle: *state=1 ' = 28
  assert.equal(exits.filter((e) => e.name === 'msr_write 0x830').length, 55);
  assert.equal(exits.filter((e) => e.name === 'msr_write 0x6e0').length, 5);
  assert.equal(exits.filter((e) => e.name === 'HLT').length, 28);
  // grep -cE 'call_function_single_entry|reschedule_entry' = 54: each follows an ICR write (the 55th is the last line)
  assert.equal(events.filter((e) => e.ph === 's' && e.cat === 'ipi').length, 54);
  // µs timestamps: the first ICR write is printed at 10729.493988 s
  assert.equal(exits.find((e) => e.name === 'msr_write 0x830')!.ts, 10729493988);
});

test("critical marks are the model's verdicts for the same source lines", async () => {
  const events = await exported(GUEST);
  const { lineFacts } = await analyzeFilesDetailed([GUEST]);
  let critical = 0;
  for (const e of exitSlices(events)) {
    const line = e.args!.line as number;
    const expected = lineFacts.get(line)?.critical ?? null;
    assert.equal(e.args!.critical, expected, `line ${line}`);
    assert.equal(e.cat!.includes('off-critical'), expected === false);
    if (expected === true) critical++;
  }
  assert.ok(critical > 0, 'a TCP_RR trace has exits on the critical path');
});

test('host text: kvm_exit → kvm_entry slices per vCPU with the durations printed in the trace', async () => {
  const events = await exported(HOST_VMX);
  assertWellFormed(events);
  const exits = exitSlices(events);
  assert.equal(exits.length, 5); // grep -c kvm_exit
  assert.deepEqual(
    exits.map((e) => e.name),
    Array(5).fill('EXCEPTION_NMI'),
  );
  // .154940 → .154952, .154954 → .154964, .154966 → .155001, .155004 → .155033; the last has no kvm_entry after it
  assert.deepEqual(
    exits.map((e) => e.dur),
    [12, 10, 35, 29, 0],
  );
  assert.equal(exits[4].args!.durationUnknown, true);
  assert.ok(events.some((e) => e.ph === 'M' && e.name === 'thread_name' && e.args!.name === 'vCPU 0'));
});

test('host IPIs: one flow per kvm_apic_ipi between vCPUs, from the sending exit into the halted target', async () => {
  const input = join(dir, 'tcprr-host.txt');
  writeFileSync(input, matlackHostTrace(10));
  const events = await exported(input);
  assertWellFormed(events);
  const text = readFileSync(input, 'utf8');
  const ipis = (text.match(/kvm_apic_ipi:/g) ?? []).length;
  assert.equal(ipis, 20);
  const flows = events.filter((e) => e.ph === 'f');
  assert.equal(flows.length, ipis);
  const halts = exitSlices(events).filter((e) => e.name === 'HLT');
  assert.ok(flows.every((f) => halts.some((h) => h.tid === f.tid && h.ts <= f.ts && f.ts <= h.ts + h.dur!)));
  assert.equal(exitSlices(events).length, (text.match(/kvm_exit:/g) ?? []).length);
});

test('host text across a gap: an exit "lasting" 5984 s is not drawn as a duration', async () => {
  const events = await exported(HOST_SVM);
  assertWellFormed(events);
  const exits = exitSlices(events);
  assert.equal(exits.length, 5); // grep -c kvm_exit
  const msr = exits.find((e) => e.args!.line === 10)!; // 220.696240 msr exit, next kvm_entry at 6204.951631
  assert.equal(msr.dur, 0);
  assert.equal(msr.args!.durationUnknown, true);
  assert.equal(exits.find((e) => e.name === 'hlt')!.cat, 'exit,halt');
});

test('trace.dat: host exits equal the kvm_exit lines trace-cmd reports; guest recording well formed', async () => {
  const host = await exported(HOST_DAT);
  assertWellFormed(host);
  const report = readFileSync(join(FIXTURES, 'tracedat', 'kvm-le-4k.report-t.txt'), 'utf8');
  const kvmExits = report.split('\n').filter((l) => /\skvm_exit:/.test(l)).length;
  assert.equal(kvmExits, 40);
  assert.equal(exitSlices(host).filter((e) => e.pid === 2).length, kvmExits);
  const guest = await exported(GUEST_DAT);
  assertWellFormed(guest);
  assert.ok(exitSlices(guest).some((e) => e.args!.critical === true));
  assert.ok(guest.some((e) => e.ph === 's' && e.cat === 'ipi'));
});

test('trace.dat buffer instances: each buffer gets its own tracks (its CPU numbers are other CPUs)', async () => {
  const events = await exported(join(FIXTURES, 'tracedat', 'multi-v7.dat'));
  assertWellFormed(events);
  const second = events.find(
    (e) => e.ph === 'M' && e.name === 'process_name' && e.args!.name === 'Guest CPUs — multi-v7.dat [second]',
  );
  assert.ok(second, 'the "second" buffer (irq/msr events) is a process of its own');
  const exits = exitSlices(events);
  assert.ok(exits.every((e) => e.pid === second.pid));
  // grep -oE 'write_msr: +[0-9a-f]+' multi-v7.report-t.txt: 48 × 6e0, 3 × 830, 3 × 83f (x2APIC self-IPI)
  assert.deepEqual(
    ['msr_write 0x6e0', 'msr_write 0x830', 'msr_write 0x83f'].map((n) => exits.filter((e) => e.name === n).length),
    [48, 3, 3],
  );
});

test('the CLI: usage errors exit 2, a good run writes the file and exits 0', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), 'export', ...args], {
      cwd: REPO,
      encoding: 'utf8',
    });
  assert.equal(cli(GUEST).status, 2);
  assert.equal(cli('--perfetto').status, 2);
  const out = join(dir, 'cli.json');
  const r = cli('--perfetto', out, HOST_VMX);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(exitSlices(JSON.parse(readFileSync(out, 'utf8')).traceEvents).length, 5);
});

/** Matlack's transaction (KVM Forum 2015; 13 events per hand-off) repeated to ~1 M events, written in chunks. */
async function writeMillionEventTrace(path: string): Promise<number> {
  const out = createWriteStream(path);
  let events = 0;
  let t = 1_000_000;
  out.write('cpus=2\n');
  while (events < 1_000_000) {
    const w = new TraceWriter();
    w.lines.length = 0;
    for (let i = 0; i < 2000; i++, t += 25) {
      const [from, to] = i % 2 === 0 ? [0, 1] : [1, 0];
      const comm = from === 0 ? 'netperf' : 'netserver';
      const peer = to === 0 ? 'netperf' : 'netserver';
      w.event(comm, 100 + from, from, t, 'ipi_send_cpu', `cpu=${to} callsite=ttwu_queue_wakelist+0x11d callback=x`);
      w.event(comm, 100 + from, from, t + 5, 'write_msr', `830, value ${to}000000fb`);
      w.event(
        comm,
        100 + from,
        from,
        t + 6,
        'sched_switch',
        `${comm}:${100 + from} [120] S ==> swapper/${from}:0 [120]`,
      );
      w.event('<idle>', 0, from, t + 7, 'write_msr', '6e0, value 200');
      w.event('<idle>', 0, from, t + 8, 'cpu_idle', `state=1 cpu_id=${from}`);
      w.event('<idle>', 0, to, t + 11, 'call_function_single_entry', 'vector=251');
      w.event('<idle>', 0, to, t + 12, 'sched_wakeup', `${peer}:${100 + to} [120] CPU:00${to}`);
      w.event('<idle>', 0, to, t + 12, 'cpu_idle', `state=4294967295 cpu_id=${to}`);
      w.event('<idle>', 0, to, t + 14, 'write_msr', '6e0, value 300');
      w.event('<idle>', 0, to, t + 17, 'sched_switch', `swapper/${to}:0 [120] R ==> ${peer}:${100 + to} [120]`);
      events += 10;
    }
    if (!out.write(w.text())) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(() => r()));
  return events;
}

test('1 M events export in bounded memory (child process, live heap sampled after GC)', async () => {
  const input = join(dir, 'million.report.txt');
  const events = await writeMillionEventTrace(input);
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      join(REPO, 'test', 'helpers', 'exportProbe.ts'),
      input,
      join(dir, 'million.json'),
    ],
    { cwd: REPO, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const probe = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    events: number;
    written: { slices: number };
    samples: { heapMB: number; buffersMB: number }[];
  };
  assert.equal(probe.events, events);
  assert.ok(probe.written.slices > events / 3);
  const heap = probe.samples.map((s) => s.heapMB);
  assert.ok(heap.length >= 10, 'sampled along the way');
  // The JS heap stays flat: no event, slice or line of text is kept. (The model's per-line facts live in typed
  // arrays outside the heap, a few bytes per exit.)
  const early = heap[1];
  const peak = Math.max(...heap);
  assert.ok(peak - early < 16, `heap grew from ${early.toFixed(1)} to ${peak.toFixed(1)} MB`);
  const buffers = probe.samples.map((s) => s.buffersMB);
  assert.ok(Math.max(...buffers) < 64, `array buffers peak ${Math.max(...buffers).toFixed(1)} MB`);
});
