// Other tasks on the guest's vCPUs while the benchmark ran, on our recordings. The figures were counted independently
// from `trace-cmd report` of each .dat (a script following each CPU's running task through sched_switch and the
// task named on each event line, over the same 100 ms slices).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { CompetingWorkCollector } from '../../../src/core/model/competingWork';
import type { TraceEvent } from '../../../src/core/records';
import { factsOf } from '../../helpers/facts';
import { FIXTURES } from '../../helpers/paths';

const rec = (name: string) => join(FIXTURES, 'recordings', name);
const near = (actual: number, expected: number, share: number) =>
  assert.ok(Math.abs(actual / expected - 1) <= share, `${actual} vs ${expected}`);

test('tcpcrr50k-cross: node competed with the benchmark, and its wake-ups waited behind it', async () => {
  const f = await factsOf([rec('tcpcrr50k-cross-poll0.dat')]);
  const c = f.competingWork!;
  // Slices 1865.9–1866.9 s: node ran 256.5 ms in 2,442 switch-ins (the script names a task by the comm it had at
  // each switch; the model by its latest, so a shell that became node counts as node).
  const [largest] = c.tasks;
  assert.equal(largest.comm, 'node');
  near(largest.runNs, 256.5e6, 0.02);
  near(largest.switches, 2_442, 0.02);
  // Wake-ups of netperf / netserver whose CPU ran another task (not a kernel thread): 717 on CPU 0 (78.0 µs mean),
  // 1,676 on CPU 1 (55.3 µs mean) — the script judges the running task by its name then, the model by its latest.
  near(c.waitedHandoffs, 717 + 1_676, 0.005);
  near(c.waitedNs, 717 * 78.0e3 + 1_676 * 55.3e3, 0.02);
  assert.ok(c.share > 0.14 && c.share < 0.17, `${c.share}`);
});

test('tcpcrr-cross: node ran in the trace, but not while the benchmark did', async () => {
  // 606 switches to node over the 5 s trace, none in the benchmark's second (1 s of connections, then 4 s idle).
  const f = await factsOf([rec('tcpcrr-cross-poll0.dat')]);
  const c = f.competingWork!;
  assert.ok(!c.tasks.some((t) => t.comm === 'node'), JSON.stringify(c.tasks));
  assert.ok(c.share < 0.01, `${c.share}`);
});

test('quiet machine (tcprr-r1): under 1 % of the vCPUs to other tasks, kernel threads apart', async () => {
  const f = await factsOf([rec('tcprr-r1-poll0.dat')]);
  const c = f.competingWork!;
  assert.ok(c.share < 0.01, `${c.share}`);
  assert.ok(c.waitedHandoffs <= 5, `${c.waitedHandoffs}`);
});

test('a collector sent to another thread comes back whole: every field of the class it had, and it goes on', () => {
  const here = new CompetingWorkCollector();
  const event = (timeNs: number, cpu: number, pid: number, name: string, payload: string): TraceEvent => ({
    type: 'event',
    line: null,
    timeNs,
    cpu,
    pid,
    comm: `task${pid}`,
    name,
    system: null,
    payload,
  });
  const events = [
    event(1e6, 0, 100, 'sched_wakeup', 'comm=task200 pid=200 prio=120 target_cpu=001'),
    event(
      2e6,
      1,
      300,
      'sched_switch',
      'prev_comm=task300 prev_pid=300 prev_prio=120 prev_state=S ==> ' + 'next_comm=task200 next_pid=200 next_prio=120',
    ),
    event(3e6, 0, 100, 'write_msr', '6e0, value 1'),
  ];
  here.add(events[0]);
  const sent = CompetingWorkCollector.revive(structuredClone(here));
  // every field that is a class instance here is one of the same class there (a new field must be revived too)
  for (const [field, value] of Object.entries(here)) {
    const back = (sent as unknown as Record<string, unknown>)[field];
    if (value !== null && typeof value === 'object')
      assert.equal(Object.getPrototypeOf(back), Object.getPrototypeOf(value), field);
  }
  for (const ev of events.slice(1)) {
    here.add(ev);
    sent.add(ev);
  }
  assert.deepEqual(sent, here);
  assert.deepEqual(sent.facts(new Set([200]), 1e9, 2), here.facts(new Set([200]), 1e9, 2));
});
