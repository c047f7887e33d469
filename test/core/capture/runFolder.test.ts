// Run folders as `analyze DIR` reads them: the trace and benchmark analysed together, system.json applied to the
// advice, record.json's missing events noted, halt-poll stats files recognised and advised on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzePaths, expandPaths, expandRunFolder } from '../../../src/core/capture/runFolder';
import { readSystemState } from '../../../src/core/capture/systemState';
import { FIXTURES } from '../../helpers/paths';
import { tempDir, writeTree } from '../../helpers/fakeTree';

const REC = join(FIXTURES, 'recordings');
const STATS = join(FIXTURES, 'capture', 'halt-stats');

function runFolder(guestHaltPollNs: string, release = '6.18.44-fc-v1045'): string {
  const dir = tempDir('run');
  copyFileSync(join(REC, 'udprr-cross-poll0.dat'), join(dir, 'trace.dat'));
  copyFileSync(join(REC, 'udprr-cross-poll0.netperf.txt'), join(dir, 'benchmark.txt'));
  const system = readSystemState(join(FIXTURES, 'capture', 'sysroot-this-machine'));
  system.guestHaltPoll!.guest_halt_poll_ns = guestHaltPollNs;
  system.kernel.release = release;
  writeTree(dir, {
    'system.json': JSON.stringify(system),
    'record.json': JSON.stringify({
      schema: 'kvm-trace-lens/record@1',
      side: 'guest',
      missingEvents: ['ipi:ipi_send_cpumask'],
    }),
    'benchmark.stderr.txt': 'netperf: a warning\n',
    'analysis.json': '{}',
  });
  return dir;
}

test('a run folder: trace first, then the benchmark; bookkeeping files are not inputs', () => {
  const dir = runFolder('0');
  const f = expandRunFolder(dir);
  assert.deepEqual(f.dataFiles, [join(dir, 'trace.dat'), join(dir, 'benchmark.txt')]);
  assert.equal(f.system?.cpu.count, 2);
  assert.equal(f.manifest?.side, 'guest');
});

test('analyze DIR: guest halt polling already set on the machine is not advised again', async () => {
  const off = await analyzePaths([runFolder('0')]);
  assert.deepEqual(
    off.inputs.map((i) => i.format),
    ['trace-dat', 'netperf'],
  );
  const top = off.recommendations[0];
  assert.equal(top.id, 'halt-polling');
  assert.match(top.setting!, /^guest_halt_poll_ns=\d+$/);
  assert.ok(top.evidence.some((e) => /turns host polling off/.test(e)));
  assert.ok(off.modelNotes!.some((n) => /lacks ipi:ipi_send_cpumask/.test(n)));

  const on = await analyzePaths([runFolder('500000')]);
  assert.equal(
    on.recommendations.find((r) => r.id === 'halt-polling'),
    undefined,
  );
  assert.ok(
    on.notRecommended!.some(
      (n) =>
        n.id === 'halt-polling' &&
        n.reason === 'already set: guest_halt_poll_ns=500000 with the haltpoll cpuidle driver in use.',
    ),
  );
});

test('halt-poll stats files beside other inputs: recognised by content and advised on', async () => {
  const paths = [join(STATS, 'vmm-debugfs.txt'), join(REC, 'udprr-cross-poll0.netperf.txt')];
  assert.deepEqual(expandPaths(paths).haltStatsFiles, [paths[0]]);
  const a = await analyzePaths(paths);
  assert.deepEqual(
    a.inputs.map((i) => [i.format, i.records]),
    [
      ['netperf', 1],
      ['kvm-halt-stats', 12],
    ],
  );
  assert.equal(a.recommendations.find((r) => r.id === 'halt-polling')?.setting, 'halt_poll_ns=65536');
});

test('halt-poll stats of two run folders from kernels either side of 5.17: a warning', async () => {
  const folders = ['5.10.0-21-amd64', '6.1.0'].map((release) => {
    const dir = tempDir('statsrun');
    const system = readSystemState(join(FIXTURES, 'capture', 'sysroot-this-machine'));
    system.kernel.release = release;
    writeFileSync(join(dir, 'system.json'), JSON.stringify(system));
    copyFileSync(join(STATS, 'vmm-debugfs.txt'), join(dir, 'kvm-stats.txt'));
    return dir;
  });
  const a = await analyzePaths(folders);
  assert.ok(
    a.modelNotes!.some((n) => /before Linux 5\.17/.test(n)),
    JSON.stringify(a.modelNotes),
  );
});

test('a real host run folder (record --host beside the tiny VMM): trace, KVM stats, absent events', async () => {
  const dir = join(FIXTURES, 'capture', 'run-host-vmm');
  const a = await analyzePaths([dir]);
  // trace-cmd report | awk: 12,389 events; benchmark.txt: the VMM's 12 stat lines.
  assert.deepEqual(
    a.inputs.map((i) => [i.format, i.records]),
    [
      ['trace-dat', 12389],
      ['kvm-halt-stats', 12],
    ],
  );
  assert.ok(
    a.modelNotes!.some((n) =>
      n.startsWith(
        `${dir}: kvm:kvm_exit, kvm:kvm_entry, kvm:kvm_msr were enabled for the whole recording, yet none occurred`,
      ),
    ),
  );
  assert.ok(
    a.notRecommended!.some(
      (n) =>
        n.reason ===
        'benchmark.txt: only 0 successful polls of 1,405 attempted in halt_poll_success_hist ' +
          '(at least 100 needed for a percentile).',
    ),
  );
});

test('a folder with nothing to read is passed on, so the readers name it as for any input', () => {
  const empty = tempDir('emptyrun');
  assert.deepEqual(expandPaths([empty]), { files: [empty], haltStatsFiles: [], folders: [] });
});
