// Several runs of a trace in one text (readers/traceRuns.ts): where a run starts, and that a recording stays one run.
// The published two-run files are checked run by run in publicTraces.test.ts; here the rule's edges, on short texts
// written for the purpose, and every recorded trace text of the repository.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { traceTextReader } from '../../../src/core/readers/traceText';
import { readInputFile } from '../../../src/core/input';
import type { InputRecord } from '../../../src/core/records';
import { FIXTURES, SAMPLES } from '../../helpers/paths';

/** The run labels the reader marks in `lines` (none: one run). */
function runLabels(lines: readonly string[]): string[] {
  const labels: string[] = [];
  const reader = traceTextReader.create('ftrace', {
    record: (r: InputRecord) => {
      if (r.type === 'run-start') labels.push(r.label);
    },
    warn: () => {},
    fail: () => {},
  });
  lines.forEach((text, i) => reader.line(text, i + 1));
  reader.end(lines.length);
  return labels;
}

const EXIT = 'kvm_exit: vcpu 0 reason HLT rip 0xffffffff81a3c6ee info1 0x0 info2 0x0 intr_info 0x0 error_code 0x0';
const ENTRY = 'kvm_entry: vcpu 0, rip 0xffffffff81a3c6ee';
const line = (pid: number, time: string, event: string): string => `   CPU 0/KVM-${pid}  [002] d..2. ${time}: ${event}`;
const firstRun = [line(2410, '5001.100000', EXIT), line(2410, '5001.100020', ENTRY), line(2410, '5001.100050', EXIT)];

test('a far jump in time to other tasks starts a run; the same after a drop marker is lost events', () => {
  const later = [line(7100, '5100.200000', EXIT), line(7100, '5100.200030', ENTRY)];
  assert.deepEqual(runLabels([...firstRun, ...later]), ['run 1 (line 1)', 'run 2 (line 4)']);
  assert.deepEqual(runLabels([...firstRun, 'CPU:2 [LOST 81927 EVENTS]', ...later]), []);
});

test('the clock going back starts a run; a step back within clock skew between CPUs does not', () => {
  const reboot = [line(612, '12.500000', EXIT), line(612, '12.500020', ENTRY)];
  assert.deepEqual(runLabels([...firstRun, ...reboot]), ['run 1 (line 1)', 'run 2 (line 4)']);
  assert.deepEqual(runLabels([...firstRun, line(2411, '5001.099700', EXIT)]), []);
});

test('a jump the tasks continue across, or a small jump without prose, stays one run', () => {
  assert.deepEqual(runLabels([...firstRun, line(2410, '5100.200000', ENTRY)]), []);
  assert.deepEqual(runLabels([...firstRun, line(2411, '5003.000000', EXIT)]), []);
  // after prose (the writer cut the text there) the same 2 s step to another task is another run
  const prose = ['', 'and after the fix:', ''];
  const afterProse = runLabels([...firstRun, ...prose, line(2411, '5003.000000', EXIT)]);
  assert.deepEqual(afterProse, ['run 1 (line 1)', 'run 2 (line 7)']);
});

/** Every trace text recorded for the repository (test/fixtures/recordings, guest-trace, trace-text; samples/). */
function recordedTraceTexts(): string[] {
  const folders = [join(FIXTURES, 'recordings'), join(FIXTURES, 'guest-trace'), join(FIXTURES, 'trace-text')];
  const samples = readdirSync(SAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory());
  folders.push(...samples.map((d) => join(SAMPLES, d.name)));
  return folders.flatMap((dir) =>
    readdirSync(dir)
      .filter((name) => /\.(?:txt|txt\.gz)$/.test(name))
      .map((name) => join(dir, name)),
  );
}

test('every recorded trace text of the repository stays one run', async () => {
  let traces = 0;
  for (const path of recordedTraceTexts()) {
    const labels: string[] = [];
    let events = 0;
    await readInputFile(path, (r: InputRecord) => {
      if (r.type === 'run-start') labels.push(r.label);
      else if (r.type === 'event') events++;
    });
    if (events > 0) traces++;
    assert.deepEqual(labels, [], `${path}: one run`);
  }
  // 5 recorded report.txt.gz (three guest-trace, two recordings) and the hand-made layouts of trace-text/
  assert.ok(traces >= 5 + 8, `only ${traces} traces read`);
});
