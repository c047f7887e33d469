// Damaged trace.dat files: a clear message naming the byte offset, the events before the damage kept, no throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sample } from '../../helpers/paths';
import { collect } from '../../helpers/reportLines';
import type { TraceEvent } from '../../../src/core/records';

const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-bad-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const v7 = readFileSync(sample('trace-dat', 'v7-zstd.dat'));
const v6 = gunzipSync(readFileSync(sample('trace-dat', 'v6.dat.gz')));

function write(name: string, bytes: Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

// CPU event counts in v7-zstd.report-t.txt: grep -c '\[000\]' → 1776, grep -c '\[001\]' → 1668
const CPU0_EVENTS = 1776;
const CPU1_EVENTS = 1668;

test('bad magic fails at byte offset 0', async () => {
  const b = Buffer.from(v7);
  b[0] = 0;
  const got = await collect(write('magic.dat', b));
  assert.equal(got.events.length, 0);
  assert.equal(got.failures.length, 1);
  assert.match(got.failures[0], /bad magic.*byte offset 0/);
});

test('unsupported version is named', async () => {
  const b = Buffer.from(v7);
  b[10] = '9'.charCodeAt(0);
  const got = await collect(write('version.dat', b));
  assert.match(got.failures[0], /unsupported trace\.dat version "9" at byte offset 10/);
});

test('truncation inside the header and before the v7 options section fails with the offset', async () => {
  for (const cut of [5, 17, 100, 500_000, 1_146_000]) {
    const got = await collect(write(`cut${cut}.dat`, v7.subarray(0, cut)));
    assert.equal(got.events.length, 0, `cut at ${cut}`);
    assert.equal(got.failures.length, 1, `cut at ${cut}`);
    assert.match(got.failures[0], /byte offset \d+/, `cut at ${cut}: ${got.failures[0]}`);
  }
});

test('a corrupt first-options offset is reported, not thrown', async () => {
  const b = Buffer.from(v7);
  // 10 magic + "7\0" + endian + long size + 4 page size + "zstd\0" + "1.5.4\0" = 29: the options offset
  b.writeBigUInt64LE(999_999_999n, 29);
  const got = await collect(write('opts.dat', b));
  assert.match(got.failures[0], /section 0 at byte offset 999999999 is outside the file/);
});

test('a corrupt zstd chunk loses that CPU only, naming the chunk offset', async () => {
  const b = Buffer.from(v7);
  // CPU 0 data starts at 1142784 (BUFFER option): chunk count, then the chunk header at 1142788
  for (let i = 0; i < 40; i++) b[1142804 + i] ^= 0x5a;
  const got = await collect(write('zstd.dat', b));
  assert.equal(got.failures.length, 0);
  assert.ok(
    got.warnings.some((w) => /CPU 0: zstd data is corrupt .*byte offset 1142788/.test(w)),
    got.warnings.join('\n'),
  );
  assert.equal(got.events.filter((e) => e.cpu === 1).length, CPU1_EVENTS);
  assert.equal(got.events.filter((e) => e.cpu === 0).length, 0);
});

test('v6 truncated inside CPU 1 data keeps CPU 0 and the whole pages before the cut', async () => {
  const full = await collect(write('v6-full.dat', v6));
  const got = await collect(write('v6-cut.dat', v6.subarray(0, 7_580_000)));
  assert.equal(got.failures.length, 0);
  assert.ok(
    got.warnings.some((w) => w.includes('file truncated at byte offset 7580000')),
    got.warnings.join('\n'),
  );
  assert.equal(got.events.filter((e) => e.cpu === 0).length, CPU0_EVENTS);
  const cpu1 = got.events.filter((e) => e.cpu === 1);
  assert.ok(cpu1.length > 0 && cpu1.length < CPU1_EVENTS);
  // what is kept is exactly the start of CPU 1's stream
  const fullCpu1 = full.events.filter((e) => e.cpu === 1).slice(0, cpu1.length);
  // the payload too: an event prints it when read (a getter, which deepEqual does not look at)
  const said = (e: TraceEvent) => ({ ...e, payload: e.payload });
  assert.deepEqual(cpu1.map(said), fullCpu1.map(said));
});

test('v6 cut right at the start of the CPU data: no events, a failure', async () => {
  // CPU 0 data starts at byte offset 7446528 in v6.dat (flyrecord table)
  const got = await collect(write('v6-nodata.dat', v6.subarray(0, 7_446_528)));
  assert.equal(got.events.length, 0);
  assert.ok(got.warnings.some((w) => w.includes('CPU 0 data should run to byte offset 7516160')));
  assert.equal(got.failures.length, 1);
});
