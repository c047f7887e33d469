// trace.dat CPU streams read in worker threads against the one-thread path: for every sample and fixture trace.dat (and
// damaged copies, whose warnings must come in the same place), the events and the warnings are identical (the
// analysis, which reads in a thread of its own, is held to the one-thread path in readerThread.test.ts).
// The worker path is forced, so that it runs on a one-core machine too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readInput, type InputSummary } from '../../../src/core/input';
import type { TraceEvent } from '../../../src/core/records';
import { PARALLEL_MIN_BYTES, useWorkers } from '../../../src/core/tracedat/parallel';
import { eventFacts } from '../../helpers/events';
import { SAMPLES } from '../../helpers/paths';
import { damagedTraceDats, TRACE_DATS } from '../../helpers/traceDats';

async function read(path: string, parallel: boolean): Promise<{ events: object[]; summary: InputSummary }> {
  const events: object[] = [];
  const summary = await readInput(path, (r) => r.type === 'event' && events.push(plain(r)), { parallel });
  return { events, summary };
}

const plain = (e: TraceEvent) => ({ ...eventFacts(e), fields: e.fields });

const DAMAGED = damagedTraceDats();

for (const path of [...TRACE_DATS, ...DAMAGED]) {
  const name = path.split('/').slice(-2).join('/');
  test(`${name}: the same events and warnings through worker threads as on one thread`, async () => {
    const one = await read(path, false);
    const many = await read(path, true);
    assert.equal(many.events.length, one.events.length);
    assert.deepEqual(many.events, one.events);
    assert.deepEqual(many.summary, one.summary);
    if (DAMAGED.includes(path)) {
      // said between events, where CPU 1's stream meets the damage (before CPU 0's later drop warnings)
      assert.ok(one.summary.warnings.some((w) => /^CPU 1: (page at|file truncated)/.test(w.message)));
    }
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
