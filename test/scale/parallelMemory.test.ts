// Scale, through worker threads: a ~93 MB .dat (8 shifted copies of the guest recording, 2,050,032 events) and a
// ~104 MB trace text (4 copies) are read with the workers forced on, in a child process; live memory stays flat and
// the peak RSS of the whole process (workers included) stays under a stated bound, because each CPU stream has at
// most two batches in flight, and the text at most three chunks (each in its reused slot of shared memory).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertToV6, loadRecording, writeScaledDat, writeScaledText } from '../../scripts/bench-lib/generate.mjs';
import { REPO, sample } from '../helpers/paths';

const COPIES = 8;
/** Peak RSS bound: node itself (~45 MB), one worker (~35 MB), the analysis state and the batches in flight. */
const PEAK_RSS_MB = 260;
const hasTraceCmd = !spawnSync('trace-cmd', ['--version'], { stdio: 'ignore' }).error;
let dir = '';
let dat = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvm-trace-lens-pscale-'));
  if (!hasTraceCmd) return;
  const rec = loadRecording(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'));
  const v6 = join(dir, 'base-v6.dat');
  assert.equal(convertToV6(sample('guest-trace', 'tcprr-cross-poll0.dat'), v6), null);
  dat = join(dir, 'scaled.dat');
  assert.equal(await writeScaledDat(v6, rec.cpus, rec.shiftNs, COPIES, dat), null);
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  records: number;
  samples: { bytes: number; liveMB: number }[];
  endLiveMB: number;
  peakRssMB: number;
}

function probe(mode: 'read' | 'analyze'): Probe {
  const args = ['--expose-gc', '--import', 'tsx', join(REPO, 'test', 'scale', 'memoryProbe.ts'), dat, mode];
  const env = { ...process.env, KVM_TRACE_LENS_PARALLEL: 'on' };
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
}

test('2 M trace.dat events through worker threads: flat live memory, peak RSS under the bound', (t) => {
  if (!hasTraceCmd) return t.skip('trace-cmd is not installed (it converts the recording to v6)');
  assert.ok(statSync(dat).size > 80e6, `${statSync(dat).size} bytes`);
  const p = probe('analyze');
  // 256,254 events per copy (grep -c of the recording's report), 8 copies
  assert.equal(p.records, COPIES * 256_254);
  assert.ok(p.samples.length >= 10, `only ${p.samples.length} progress reports`);
  const total = p.samples[p.samples.length - 1].bytes;
  const base = p.samples.find((s) => s.bytes >= total / 4)!;
  const growth = Math.max(...p.samples.map((s) => s.liveMB)) - base.liveMB;
  assert.ok(growth < 16, `live memory grew by ${growth.toFixed(1)} MB from the first quarter to the end`);
  const size = statSync(dat).size;
  t.diagnostic(`${size} bytes, live growth ${growth.toFixed(1)} MB, peak RSS ${p.peakRssMB.toFixed(0)} MB`);
  assert.ok(p.peakRssMB < PEAK_RSS_MB, `peak RSS ${p.peakRssMB.toFixed(0)} MB`);
});

const TEXT_COPIES = 4;
/** Peak RSS bound for text: node itself, one worker, the analysis state and the chunk slots (a few MB). */
const TEXT_PEAK_RSS_MB = 260;

test('1 M trace-text events through worker threads: flat live memory, peak RSS under the bound', async (t) => {
  const rec = loadRecording(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'));
  const text = join(dir, 'scaled.report.txt');
  await writeScaledText(rec, TEXT_COPIES, text);
  const args = ['--expose-gc', '--import', 'tsx', join(REPO, 'test', 'scale', 'memoryProbe.ts'), text, 'analyze'];
  const env = { ...process.env, KVM_TRACE_LENS_PARALLEL: 'on' };
  const r = spawnSync(process.execPath, args, { cwd: REPO, encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
  // 256,254 events per copy (grep -c of the recording's report), 4 copies
  assert.equal(p.records, TEXT_COPIES * 256_254);
  assert.ok(p.samples.length >= 10, `only ${p.samples.length} progress reports`);
  const total = p.samples[p.samples.length - 1].bytes;
  const base = p.samples.find((s) => s.bytes >= total / 4)!;
  const growth = Math.max(...p.samples.map((s) => s.liveMB)) - base.liveMB;
  assert.ok(growth < 16, `live memory grew by ${growth.toFixed(1)} MB from the first quarter to the end`);
  t.diagnostic(
    `${statSync(text).size} bytes, live growth ${growth.toFixed(1)} MB, peak RSS ${p.peakRssMB.toFixed(0)} MB`,
  );
  assert.ok(p.peakRssMB < TEXT_PEAK_RSS_MB, `peak RSS ${p.peakRssMB.toFixed(0)} MB`);
});
