// trace.dat decoded in worker threads against the one-thread path: for every sample and fixture trace.dat (and damaged
// copies, whose warnings must come in the same place), the events, the warnings and the analysis JSON are identical.
// The worker path is forced, so that it runs on a one-core machine too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { readInput, type InputSummary } from '../../../src/core/input';
import type { TraceEvent } from '../../../src/core/records';
import { PARALLEL_MIN_BYTES, useWorkers } from '../../../src/core/tracedat/parallel';
import { eventFacts } from '../../helpers/events';
import { FIXTURES, SAMPLES, sample } from '../../helpers/paths';

const datIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.dat') || f.endsWith('.dat.gz'))
    .map((f) => join(dir, f));

const FILES = [
  ...datIn(join(SAMPLES, 'guest-trace')),
  ...['tracedat', 'trace-dat', 'recordings', 'guest-trace', 'capture/run-host-vmm'].flatMap((d) =>
    datIn(join(FIXTURES, d)),
  ),
];

const dir = mkdtempSync(join(tmpdir(), 'kvl-parallel-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Damaged copies: cut inside the second CPU's data, and a page whose size word is broken. */
function damaged(): string[] {
  const host = readFileSync(sample('tracedat', 'kvm-le-4k.dat'));
  const out: [string, Buffer][] = [['host-cut.dat', host.subarray(0, host.length - 5000)]];
  const badPage = Buffer.from(host);
  // the commit word of a page near the end (4 KiB pages): claims more data than a page holds
  badPage.writeUInt32LE(0x7ffffff, host.length - 2 * 4096 + 8);
  out.push(['host-badpage.dat', badPage]);
  return out.map(([name, bytes]) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  });
}

async function read(path: string, parallel: boolean): Promise<{ events: object[]; summary: InputSummary }> {
  const events: object[] = [];
  const summary = await readInput(path, (r) => r.type === 'event' && events.push(plain(r)), { parallel });
  return { events, summary };
}

const plain = (e: TraceEvent) => ({ ...eventFacts(e), fields: e.fields });

const DAMAGED = damaged();

for (const path of [...FILES, ...DAMAGED]) {
  const name = path.split('/').slice(-2).join('/');
  test(`${name}: the same events, warnings and analysis through worker threads as on one thread`, async () => {
    const one = await read(path, false);
    const many = await read(path, true);
    assert.equal(many.events.length, one.events.length);
    assert.deepEqual(many.events, one.events);
    assert.deepEqual(many.summary, one.summary);
    if (DAMAGED.includes(path)) {
      // said between events, where CPU 1's stream meets the damage (before CPU 0's later drop warnings)
      assert.ok(one.summary.warnings.some((w) => /^CPU 1: (page at|file truncated)/.test(w.message)));
    }
    const a = await analyzeFiles([path], { parallel: false });
    const b = await analyzeFiles([path], { parallel: true });
    assert.equal(JSON.stringify(b), JSON.stringify(a));
  });
}

test('who decides: one core keeps the one-thread path; the option, then KVM_TRACE_LENS_PARALLEL, override', () => {
  const big = PARALLEL_MIN_BYTES;
  const saved = process.env.KVM_TRACE_LENS_PARALLEL;
  try {
    delete process.env.KVM_TRACE_LENS_PARALLEL;
    assert.equal(useWorkers(undefined, big, '/x.dat', 1), false);
    assert.equal(useWorkers(undefined, big, '/x.dat', 2), true);
    assert.equal(useWorkers(undefined, big - 1, '/x.dat', 2), false, 'small files: a worker costs more than it saves');
    assert.equal(useWorkers(undefined, big, undefined, 2), false, 'no file the workers could open');
    assert.equal(useWorkers(true, 0, '/x.dat', 1), true);
    process.env.KVM_TRACE_LENS_PARALLEL = 'on';
    assert.equal(useWorkers(undefined, 0, '/x.dat', 1), true);
    assert.equal(useWorkers(false, 0, '/x.dat', 1), false);
    process.env.KVM_TRACE_LENS_PARALLEL = 'off';
    assert.equal(useWorkers(undefined, big, '/x.dat', 8), false);
  } finally {
    if (saved === undefined) delete process.env.KVM_TRACE_LENS_PARALLEL;
    else process.env.KVM_TRACE_LENS_PARALLEL = saved;
  }
});

test('the sample recording through workers: its 256,254 events', async () => {
  // trace-cmd report tcprr-cross-poll0.dat | grep -c '^ *\S.*\[00[01]\]' → 256254 (the README's bench input)
  const many = await read(join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat'), true);
  assert.equal(many.summary.records, 256254);
  assert.equal(many.events.length, 256254);
});
