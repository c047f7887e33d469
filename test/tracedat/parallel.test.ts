// trace.dat decoded in worker threads against the one-thread path: for every sample and fixture trace.dat (and damaged
// copies, whose warnings must come in the same place), the events, the warnings and the analysis JSON are identical.
// The worker path is forced, so that it runs on a one-core machine too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFiles } from '../../src/core/analyze';
import { readInput, type InputSummary } from '../../src/core/input';
import type { TraceEvent } from '../../src/core/records';
import { FIXTURES, SAMPLES, sample } from '../helpers/paths';

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
  const out: [string, Buffer][] = [
    ['host-cut.dat', host.subarray(0, host.length - 5000)],
  ];
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

const plain = (e: TraceEvent) => ({
  timeNs: e.timeNs,
  cpu: e.cpu,
  pid: e.pid,
  comm: e.comm,
  name: e.name,
  system: e.system,
  payload: e.payload,
  instance: e.instance,
  fields: e.fields,
});

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

test('the sample recording through workers: its 256,254 events', async () => {
  // trace-cmd report tcprr-cross-poll0.dat | grep -c '^ *\S.*\[00[01]\]' → 256254 (the README's bench input)
  const many = await read(join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat'), true);
  assert.equal(many.summary.records, 256254);
  assert.equal(many.events.length, 256254);
});
