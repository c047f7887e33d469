// record against fake tracefs trees (no root needed): the error paths, missing events, the benchmark's output kept
// when it fails, and tracefs put back after success, failure and Ctrl-C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_EVENTS } from '../../../src/core/capture/events';
import { type RecordEnvironment, bufferKbPerCpu, record } from '../../../src/core/capture/record';
import { CaptureError } from '../../../src/core/capture/tracefs';
import { FIXTURES } from '../../helpers/paths';
import { fakeTracefs, tempDir, writeTree } from '../../helpers/fakeTree';

const SYSROOT = join(FIXTURES, 'capture', 'sysroot-this-machine');
const node = (script: string) => [process.execPath, '-e', script];

function env(tracefsRoot: string, overrides: Partial<RecordEnvironment> = {}): RecordEnvironment & { logs: string[] } {
  const logs: string[] = [];
  return {
    tracefsCandidates: [tracefsRoot],
    systemRoot: SYSROOT,
    isRoot: () => true,
    mountTracefs: () => false,
    traceCmd: null,
    log: (l) => logs.push(l),
    onInterrupt: () => () => {},
    exit: () => {},
    logs,
    ...overrides,
  };
}

const tracefsFiles = (root: string) => ({
  setEvent: readFileSync(join(root, 'set_event'), 'utf8'),
  tracingOn: readFileSync(join(root, 'tracing_on'), 'utf8').trim(),
  buffer: readFileSync(join(root, 'buffer_size_kb'), 'utf8').trim(),
});

test('not root: a clear error naming sudo, nothing written', async () => {
  const out = join(tempDir('out'), 'run');
  await assert.rejects(
    record({ side: 'guest', seconds: 0.1, outDir: out, benchmark: [] }, env(fakeTracefs([]), { isRoot: () => false })),
    (e: Error) => e instanceof CaptureError && /needs root.*sudo/.test(e.message),
  );
  assert.ok(!existsSync(out));
});

test('no tracefs: says how to mount it, after trying to', async () => {
  let mountTried = '';
  const empty = tempDir('notracefs');
  await assert.rejects(
    record(
      { side: 'guest', seconds: 0.1, outDir: join(empty, 'run'), benchmark: [] },
      env(empty, { mountTracefs: (d) => ((mountTried = d), false) }),
    ),
    (e: Error) => e instanceof CaptureError && /no tracefs.*mount -t tracefs/.test(e.message),
  );
  assert.equal(mountTried, empty);
});

test('a kernel without any of the host events: an error naming them', async () => {
  const root = fakeTracefs(['sched:sched_switch']);
  await assert.rejects(
    record({ side: 'host', seconds: 0.1, outDir: join(tempDir('out'), 'run'), benchmark: [] }, env(root)),
    /none of the host-side events.*kvm:kvm_exit.*is the kvm module loaded/,
  );
});

test("missing events reported, the rest recorded; a failing benchmark's output kept; tracefs restored", async () => {
  const have = ['msr:write_msr', 'power:cpu_idle', 'sched:sched_switch', 'sched:sched_wakeup'];
  const root = fakeTracefs(have, ['irq:irq_handler_entry']);
  const before = tracefsFiles(root);
  const out = join(tempDir('out'), 'run');
  // The benchmark prints what set_event holds while it runs, plays the kernel writing an event, then fails.
  const bench = node(
    `const fs=require('fs');process.stdout.write(fs.readFileSync(${JSON.stringify(join(root, 'set_event'))},'utf8'));` +
      `fs.appendFileSync(${JSON.stringify(join(root, 'trace'))}, 'an event\\n');console.error('oops');process.exit(3)`,
  );
  const r = await record({ side: 'guest', seconds: null, outDir: out, benchmark: bench }, env(root));
  assert.deepEqual(r.manifest.events, have);
  assert.deepEqual(
    r.manifest.missingEvents,
    GUEST_EVENTS.map((e) => e.id).filter((id) => !have.includes(id)),
  );
  assert.match(r.warnings[0], /this kernel lacks power:guest_halt_poll_ns \(the guest halt-poll window/);
  assert.equal(readFileSync(join(out, 'benchmark.txt'), 'utf8'), have.map((e) => `${e}\n`).join(''));
  assert.equal(readFileSync(join(out, 'benchmark.stderr.txt'), 'utf8'), 'oops\n');
  assert.ok(r.benchmarkFailed);
  assert.deepEqual(r.manifest.benchmark, { argv: bench, exitCode: 3, signal: null, error: null });
  assert.match(r.warnings.at(-1)!, /exited with status 3; its output is in/);
  assert.equal(r.manifest.method, 'tracefs trace text');
  assert.equal(readFileSync(join(out, 'trace.txt'), 'utf8'), 'an event\n');
  assert.equal(readFileSync(join(root, 'trace'), 'utf8'), '', 'the buffer is cleared after saving');
  assert.equal(r.manifest.overruns, 12);
  assert.equal(JSON.parse(readFileSync(join(out, 'system.json'), 'utf8')).kernel.release, '6.18.44-fc-v1045');
  assert.deepEqual(tracefsFiles(root), { ...before, buffer: '1408' });
});

test('a benchmark that cannot start: its error is kept in benchmark.stderr.txt', async () => {
  const root = fakeTracefs(['power:cpu_idle']);
  const out = join(tempDir('out'), 'run');
  const r = await record({ side: 'guest', seconds: 5, outDir: out, benchmark: ['/nonexistent/bench'] }, env(root));
  assert.ok(r.benchmarkFailed);
  assert.match(
    readFileSync(join(out, 'benchmark.stderr.txt'), 'utf8'),
    /cannot run \/nonexistent\/bench: spawn \/nonexistent\/bench ENOENT/,
  );
});

test('a failure in the middle of recording still restores tracefs', async () => {
  const root = fakeTracefs(['power:cpu_idle'], ['irq:irq_handler_entry']);
  rmSync(join(root, 'trace'));
  mkdirSync(join(root, 'trace')); // clearing the buffer now fails (EISDIR) after set_event was saved
  const before = tracefsFiles(root);
  await assert.rejects(
    record({ side: 'guest', seconds: 0.1, outDir: join(tempDir('out'), 'run'), benchmark: [] }, env(root)),
    /EISDIR/,
  );
  assert.deepEqual(tracefsFiles(root), { ...before, buffer: '1408' });
});

test('Ctrl-C: the handler restores tracefs and exits 130 while the benchmark runs', async () => {
  const root = fakeTracefs(['power:cpu_idle', 'sched:sched_switch'], ['irq:irq_handler_entry']);
  let handler: ((signal: string) => void) | null = null;
  let exitCode: number | null = null;
  const e = env(root, { onInterrupt: (h) => ((handler = h), () => (handler = null)), exit: (c) => (exitCode = c) });
  const out = join(tempDir('out'), 'run');
  const running = record(
    { side: 'guest', seconds: null, outDir: out, benchmark: node('setTimeout(() => {}, 20000)') },
    e,
  );
  await new Promise((r) => setTimeout(r, 500));
  const setEventDuringRun = readFileSync(join(root, 'set_event'), 'utf8');
  handler!('SIGINT');
  assert.equal(exitCode, 130);
  assert.equal(readFileSync(join(root, 'set_event'), 'utf8'), 'irq:irq_handler_entry\n');
  assert.equal(readFileSync(join(root, 'tracing_on'), 'utf8'), '1');
  assert.equal(setEventDuringRun, 'power:cpu_idle\nsched:sched_switch\n');
  assert.equal(JSON.parse(readFileSync(join(out, 'record.json'), 'utf8')).interrupted, 'SIGINT');
  await running; // the killed benchmark ends the window; the process would have exited already
  assert.equal(handler, null, 'the handler is removed afterwards');
});

test('trace-cmd record when it works; when it fails, tracefs and trace-cmd extract', async () => {
  const dir = tempDir('tracecmd');
  // A stand-in for trace-cmd: `record` waits for Ctrl-C then writes -o (or fails at once); `extract` writes -o.
  const recording = [
    'trap \'echo recorded > "$out"; exit 0\' INT',
    'echo "Hit Ctrl^C to stop recording"',
    'while :; do sleep 0.05; done',
  ].join('\n');
  const failing = 'echo "  Can\'t enable ftrace" >&2; exit 1';
  const script = (recordWorks: boolean) => {
    const name = `trace-cmd-${recordWorks}`;
    writeTree(dir, {
      [name]: [
        '#!/bin/sh',
        'cmd=$1; shift; out=""',
        'while [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done',
        'if [ "$cmd" = record ]; then',
        recordWorks ? recording : failing,
        'fi',
        'echo extracted > "$out"',
        '',
      ].join('\n'),
    });
    return join(dir, name);
  };
  for (const works of [true, false]) {
    const bin = script(works);
    chmodSync(bin, 0o755);
    const root = fakeTracefs(['power:cpu_idle']);
    const out = join(tempDir('out'), 'run');
    const e = env(root, { traceCmd: bin });
    const r = await record({ side: 'guest', seconds: 0.3, outDir: out, benchmark: [] }, e);
    assert.equal(r.manifest.method, works ? 'trace-cmd record' : 'tracefs + trace-cmd extract');
    assert.equal(readFileSync(join(out, 'trace.dat'), 'utf8'), works ? 'recorded\n' : 'extracted\n');
    if (!works)
      assert.match(
        e.logs[0],
        /trace-cmd record exited with status 1: +Can't enable ftrace; recording through tracefs instead/,
      );
    assert.equal(readFileSync(join(root, 'set_event'), 'utf8'), '');
  }
});

test('buffer size: 32 MB per CPU-second, at least 8 MB, at most 256 MB and a quarter of the free memory', () => {
  assert.equal(bufferKbPerCpu(1, 2, null), 32768);
  assert.equal(bufferKbPerCpu(0.1, 2, null), 8192);
  assert.equal(bufferKbPerCpu(60, 2, null), 262144);
  assert.equal(bufferKbPerCpu(10, 2, 400_000), 50_000);
});

test('an out folder that already holds a run is refused', async () => {
  const root = fakeTracefs(['power:cpu_idle']);
  const out = writeTree(tempDir('out'), { 'record.json': '{}' });
  await assert.rejects(
    record({ side: 'guest', seconds: 0.1, outDir: out, benchmark: [] }, env(root)),
    /already holds a recorded run/,
  );
});

test('host side: the debugfs halt-poll counters gained during the recording go into the run folder', async () => {
  const root = fakeTracefs(['kvm:kvm_exit', 'kvm:kvm_entry']);
  const sys = writeTree(tempDir('sys'), {
    'sys/kernel/debug/kvm/halt_successful_poll': '100\n',
    'sys/kernel/debug/kvm/halt_attempted_poll': '150\n',
    'sys/kernel/debug/kvm/halt_poll_success_hist': '7\n',
    'sys/kernel/debug/kvm/4242-11/halt_successful_poll': '100\n',
    'sys/kernel/debug/kvm/4242-11/halt_attempted_poll': '150\n',
    'sys/kernel/debug/kvm/4242-11/remote_tlb_flush': '9\n',
  });
  // The "kernel" counts 30 more successful and 50 more attempted polls while the benchmark runs.
  const vm = join(sys, 'sys/kernel/debug/kvm/4242-11');
  const bench = node(
    `const fs=require('fs');fs.writeFileSync(${JSON.stringify(join(vm, 'halt_successful_poll'))},'130\\n');` +
      `fs.writeFileSync(${JSON.stringify(join(vm, 'halt_attempted_poll'))},'200\\n')`,
  );
  const out = join(tempDir('out'), 'run');
  await record({ side: 'host', seconds: null, outDir: out, benchmark: bench }, env(root, { systemRoot: sys }));
  assert.equal(
    readFileSync(join(out, 'kvm-halt-counters.txt'), 'utf8'),
    [
      '/sys/kernel/debug/kvm/4242-11/halt_attempted_poll:50',
      '/sys/kernel/debug/kvm/4242-11/halt_successful_poll:30',
      '/sys/kernel/debug/kvm/halt_attempted_poll:0',
      '/sys/kernel/debug/kvm/halt_successful_poll:0',
      '',
    ].join('\n'),
  );
});
