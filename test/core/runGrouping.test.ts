// Several traces at once are never summed into one run: the same recording twice is read once, traces of different
// runs become separate runs. Expected totals were counted by grep in the fixture files (kvm_exit lines).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFiles } from '../../src/core/analyze';
import { planRuns } from '../../src/core/runGrouping';
import { FIXTURES } from '../helpers/paths';

const TRACES = join(FIXTURES, 'public', 'traces');
const KAFL = join(TRACES, 'host-trace-vmx-trace-cmd-external-interrupt-kafl-issue-2021.txt'); // 4 kvm_exit, 3136 s
const PCKBD = join(TRACES, 'host-trace-vmx-mail-wrapped-header-event-pckbd-2021.txt'); // 10 kvm_exit, 280 s

test('the same recording as trace.dat and as its text report is analysed once, not doubled', async () => {
  const dat = join(FIXTURES, 'tracedat', 'kvm-le-4k.dat');
  const text = join(FIXTURES, 'tracedat', 'kvm-le-4k.report-t.txt');
  const once = await analyzeFiles([dat]);
  const both = await analyzeFiles([dat, text]);
  assert.equal(both.exits?.total, once.exits?.total);
  assert.equal(both.exits?.perSecond, once.exits?.perSecond);
  assert.equal(both.inputs.length, 2);
  assert.match(both.inputs[1].warnings.at(-1)?.message ?? '', /not analysed: the same recording as kvm-le-4k\.dat/);
  assert.equal(both.runs, undefined);
});

test('one file given twice: counted once', async () => {
  const a = await analyzeFiles([KAFL, KAFL]);
  assert.equal(a.exits?.total, 4);
});

test('a trace without timestamps given twice: its events decide, counted once', async () => {
  const svm = join(TRACES, 'host-trace-svm-old-exit-names-wrapped-payload-nested-2021.txt'); // 3 kvm_exit
  const a = await analyzeFiles([svm, svm]);
  assert.equal(a.exits?.total, 3);
  assert.equal(a.runs, undefined);
});

test('two different runs (time ranges that do not meet): separate runs, never a sum', async () => {
  const a = await analyzeFiles([KAFL, PCKBD]);
  assert.equal(a.exits?.total, 4); // the first run at the top level
  assert.deepEqual(
    a.runs?.map((r) => [r.label, r.exits?.total]),
    [
      ['host-trace-vmx-trace-cmd-external-interrupt-kafl-issue-2021.txt', 4],
      ['host-trace-vmx-mail-wrapped-header-event-pckbd-2021.txt', 10],
    ],
  );
  assert.match(a.inputs[1].warnings.at(-1)?.message ?? '', /run 2 of 2.*time ranges do not meet/);
});

test('plan: host and guest traces of one run, and inputs without events, stay one run', () => {
  const print = (first: number, last: number, kvm: number, events: number, keys: string[]) => ({
    events,
    kvmEvents: kvm,
    firstNs: first,
    lastNs: last,
    keys: new Set(keys),
  });
  const host = print(100, 200, 10, 10, ['1:0:kvm_exit']);
  const guest = print(5000, 6000, 0, 10, ['5:0:cpu_idle']); // another clock: ranges need not meet
  assert.deepEqual(planRuns([host, guest, null]), { kind: 'one-run' });
  const perCpu = print(150, 260, 10, 10, ['2:1:kvm_exit']); // same run split by CPU: overlapping, different events
  assert.deepEqual(planRuns([host, perCpu]), { kind: 'one-run' });
  const later = print(900, 990, 10, 10, ['9:0:kvm_exit']);
  const plan = planRuns([host, null, later]);
  assert.equal(plan.kind, 'regrouped');
  assert.deepEqual(plan.kind === 'regrouped' && plan.groups, [[0, 1], [2]]);
});
