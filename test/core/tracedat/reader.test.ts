// Differential tests of the native trace.dat reader against the `trace-cmd report` text saved beside each sample.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isTraceDat, readTraceDat } from '../../../src/core/tracedat/index';
import type { TraceEvent } from '../../../src/core/records';
import { sample } from '../../helpers/paths';
import { assertMatchesReport, collect } from '../../helpers/reportLines';

async function gunzipTemp(gz: string, dir: string): Promise<string> {
  const out = join(dir, gz.split('/').pop()!.replace(/\.gz$/, ''));
  await pipeline(createReadStream(gz), createGunzip(), createWriteStream(out));
  return out;
}

test('isTraceDat recognises the magic', async () => {
  const head = Buffer.from('\x17\x08\x44tracing6\0', 'latin1');
  assert.equal(isTraceDat(head), true);
  assert.equal(isTraceDat(Buffer.from('# tracer: nop\n')), false);
});

test('v7 zstd file matches trace-cmd report -t (ns) and the µs report', async () => {
  const got = await collect(sample('trace-dat', 'v7-zstd.dat'));
  assert.deepEqual(got.failures, []);
  // 3444 event lines in the report (grep -c of the event line pattern)
  assert.equal(await assertMatchesReport(got, sample('trace-dat', 'v7-zstd.report-t.txt'), 9), 3444);
  assert.equal(await assertMatchesReport(got, sample('trace-dat', 'v7-zstd.report.txt'), 6), 3444);
  // 854 write_msr lines in the report (grep -c write_msr)
  assert.equal(got.events.filter((e) => e.name === 'write_msr').length, 854);
  const first = got.events[0];
  assert.equal(first.system, 'ipi');
  assert.equal(first.line, null);
  assert.equal(first.timeNs, 10773612932320);
  assert.ok(got.warnings.includes('CPU:1 [81927 EVENTS DROPPED]'));
});

test('v6 and v7-none files are the same recording as v7-zstd', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-'));
  try {
    for (const name of ['v6.dat.gz', 'v7-none.dat.gz']) {
      const path = await gunzipTemp(sample('trace-dat', name), dir);
      const got = await collect(path);
      assert.deepEqual(got.failures, [], name);
      assert.equal(await assertMatchesReport(got, sample('trace-dat', 'v7-zstd.report.txt'), 6), 3444, name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// event line counts of the three guest reports (zcat | grep -c of the event line pattern)
const GUEST = [
  ['tcprr-cross-poll0', 256254],
  ['tcprr-cross-poll200000', 498737],
  ['tcprr-same-poll0', 236816],
] as const;

for (const [name, count] of GUEST) {
  test(`guest trace ${name}.dat matches its trace-cmd report event by event`, async () => {
    const got = await collect(sample('guest-trace', `${name}.dat`));
    assert.deepEqual(got.failures, []);
    assert.equal(await assertMatchesReport(got, sample('guest-trace', `${name}.report.txt.gz`), 6), count);
  });
}

test('guest_halt_poll_ns and cpu_idle payloads (poll200000 trace)', async () => {
  const got = await collect(sample('guest-trace', 'tcprr-cross-poll200000.dat'));
  // zcat … | grep -c ' guest_halt_poll_ns: ' gives 5
  const polls = got.events.filter((e) => e.name === 'guest_halt_poll_ns');
  assert.equal(polls.length, 5);
  assert.match(polls[0].payload, /^halt_poll_ns \d+ \((grow|shrink) \d+\)$/);
  const idle = got.events.find((e) => e.name === 'cpu_idle' && e.payload.startsWith('state=4294967295'));
  assert.ok(idle, 'cpu_idle exit (state -1 printed as unsigned long) present');
  assert.equal(idle.system, 'power');
});

test('progress is reported up to the file size and abort stops with a warning', async () => {
  const path = sample('guest-trace', 'tcprr-same-poll0.dat');
  const seen: number[] = [];
  let total = 0;
  const got = await collect(path, {
    onProgress: (done, all) => {
      seen.push(done);
      total = all;
    },
  });
  assert.ok(seen.length >= 2);
  assert.equal(seen[seen.length - 1], total);
  assert.ok(got.events.length > 0);

  const ac = new AbortController();
  const partial: TraceEvent[] = [];
  const warnings: string[] = [];
  await readTraceDat(
    path,
    {
      record: (r) => {
        if (r.type !== 'event') return;
        partial.push(r);
        if (partial.length === 10000) ac.abort();
      },
      warn: (_l, m) => warnings.push(m),
      fail: (_l, m) => warnings.push(m),
    },
    { signal: ac.signal },
  );
  assert.ok(partial.length >= 10000 && partial.length < 236816, `stopped early (${partial.length})`);
  assert.ok(warnings.some((w) => w.startsWith('cancelled after')));
});

test('agrees with an installed trace-cmd on the v7 file (skipped without trace-cmd)', async (t) => {
  const probe = spawnSync('trace-cmd', ['report', '-t', sample('trace-dat', 'v7-zstd.dat')], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (probe.error || probe.status !== 0) {
    t.skip('trace-cmd is not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'kvl-tracedat-'));
  try {
    const rep = join(dir, 'r.txt');
    await pipeline(async function* () {
      yield probe.stdout;
    }, createWriteStream(rep));
    const got = await collect(sample('trace-dat', 'v7-zstd.dat'));
    assert.equal(await assertMatchesReport(got, rep, 9), 3444);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
