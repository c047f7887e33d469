// Scale: a ~52 MB trace made of two shifted copies of the guest recording (the benchmark's generator) must stream
// in flat memory, and the generator itself must produce what trace-cmd prints for the same scaled trace.dat.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  convertToV6,
  loadRecording,
  writeScaledDat,
  writeScaledText,
  type Recording,
} from '../../scripts/bench-lib/generate.mjs';
import { REPO, sample } from '../helpers/paths';

const COPIES = 2;
let dir = '';
let text = '';
let rec: Recording;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kvm-trace-lens-scale-'));
  rec = loadRecording(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'));
  text = join(dir, 'scaled.report.txt');
  await writeScaledText(rec, COPIES, text);
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Probe {
  records: number;
  samples: { bytes: number; liveMB: number }[];
  endLiveMB: number;
}

function probe(mode: 'read' | 'analyze'): Probe {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', join(REPO, 'test', 'scale', 'memoryProbe.ts'), text, mode],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
}

/** Growth of live memory from the first quarter of the file to the end, in MB. */
function growthMB(p: Probe): number {
  const total = p.samples[p.samples.length - 1].bytes;
  const base = p.samples.find((s) => s.bytes >= total / 4)!;
  return Math.max(...p.samples.map((s) => s.liveMB), p.endLiveMB) - base.liveMB;
}

test('the generator writes shifted copies: 2 × 256,254 events, the second copy one span later', () => {
  // zcat tcprr-cross-poll0.report.txt.gz: "cpus=2" then 256,254 event lines, 10729.493978 … 10730.497302.
  assert.equal(rec.eventLines, 256_254);
  assert.equal(rec.shiftNs, (10730_497302 - 10729_493978 + 1) * 1000);
  const lines = readFileSync(text, 'utf8').split('\n');
  assert.equal(lines.length - 1, 1 + COPIES * 256_254);
  assert.match(lines[1], / 10729\.493978: ipi_send_cpu: /);
  // Line 256,256 is the first event of the second copy: 10729.493978 s + 1.003325 s.
  assert.match(lines[256_255], /^\s+bash-21134 \[001\] 10730\.497303: ipi_send_cpu: /);
  assert.match(lines[lines.length - 2], / 10731\.500627: sched_switch: +netserver:21138 /);
});

test('the scaled trace.dat reads back, through trace-cmd report, as the scaled text byte for byte', async (t) => {
  if (spawnSync('trace-cmd', ['--version'], { stdio: 'ignore' }).error) return t.skip('trace-cmd is not installed');
  const v6 = join(dir, 'base-v6.dat');
  assert.equal(convertToV6(sample('guest-trace', 'tcprr-cross-poll0.dat'), v6), null);
  const dat = join(dir, 'scaled.dat');
  assert.equal(await writeScaledDat(v6, rec.cpus, rec.shiftNs, COPIES, dat), null);
  const report = spawnSync('trace-cmd', ['report', dat], { maxBuffer: 256 << 20 });
  assert.equal(report.status, 0, String(report.stderr));
  assert.ok(
    report.stdout.equals(readFileSync(text)),
    'trace-cmd report of the scaled .dat differs from the scaled text',
  );
});

test('the reader pipeline streams 52 MB in flat memory', () => {
  const p = probe('read');
  assert.equal(p.records, COPIES * 256_254);
  assert.ok(p.samples.length >= 10, `only ${p.samples.length} progress reports`);
  // Measured: ~10 MB live throughout, +4 MB when a read-ahead chunk is in flight; holding the lines would add 50.
  const growth = growthMB(p);
  assert.ok(growth < 8, `live memory grew by ${growth.toFixed(1)} MB from the first quarter to the end`);
});

test('the whole analysis of 52 MB stays small', () => {
  const p = probe('analyze');
  assert.equal(p.records, COPIES * 256_254);
  // Per-exit line facts (17 bytes per exit, for hovers) are the only state that grows with the input.
  const growth = growthMB(p);
  assert.ok(growth < 12, `live memory grew by ${growth.toFixed(1)} MB from the first quarter to the end`);
  assert.ok(p.endLiveMB < 40, `live memory at the end: ${p.endLiveMB.toFixed(1)} MB`);
});
