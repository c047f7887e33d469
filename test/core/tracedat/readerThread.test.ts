// A whole trace.dat read in a worker thread while the analysis runs here, against reading it on this thread: for
// every sample and fixture trace.dat (and damaged copies), the same events in the same order (their decoded fields,
// and the payloads of the events without them), the same warnings in the same places, and the same analysis JSON.
// The reader thread is forced, so that it runs on a one-core machine too.
import test from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { readInput, type InputSummary } from '../../../src/core/input';
import type { InputRecord, RecordSink, TraceEvent } from '../../../src/core/records';
import type { CompetingWorkCollector } from '../../../src/core/model/competingWork';
import { EventKind, eventKind } from '../../../src/core/model/eventKinds';
import { TraceModel } from '../../../src/core/model/traceModel';
import { readTraceDat } from '../../../src/core/tracedat/index';
import {
  READER_THREAD_MIN_BYTES,
  readTraceDatInThread,
  useReaderThread,
} from '../../../src/core/tracedat/readerThread';
import { SAMPLES, sample } from '../../helpers/paths';
import { damagedTraceDats, TRACE_DATS } from '../../helpers/traceDats';

/** The kinds whose payload the model never reads: the thread does not print them (readerWorker.ts). */
const unreadKind = (name: string) => [EventKind.ipiHandler, EventKind.otherGuest].some((k) => k === eventKind(name));

/** What an event says; its payload where it travels (not with decoded fields, nor for a kind the model ignores). */
function facts(e: TraceEvent) {
  const { timeNs, cpu, pid, comm, name, system, instance, clockUnknown } = e;
  const payload = e.fields || unreadKind(name) ? null : e.payload;
  // a copy of the fields: a lent event's are refilled for the next one
  const fields = structuredClone(travelled(e.fields));
  return { timeNs, cpu, pid, comm, name, system, instance, fields, clockUnknown, payload };
}

/** Decoded fields as they travel: an MSR's value only for the x2APIC ICR (the only one the model reads). */
function travelled(fields: TraceEvent['fields']) {
  if (fields?.kind !== 'msr' || fields.value.msr === 0x830) return fields;
  return { kind: fields.kind, value: { write: fields.value.write, msr: fields.value.msr } };
}

interface Read {
  events: ReturnType<typeof facts>[];
  summary: InputSummary;
}

async function read(path: string, thread: boolean, lendEvents = false): Promise<Read> {
  const events: ReturnType<typeof facts>[] = [];
  const onRecord = (r: InputRecord) => r.type === 'event' && events.push(facts(r));
  const summary = await readInput(path, onRecord, { parallel: thread, readerThread: thread, lendEvents });
  return { events, summary };
}

const DAMAGED = damagedTraceDats();

for (const path of [...TRACE_DATS, ...DAMAGED]) {
  const name = path.split('/').slice(-2).join('/');
  test(`${name}: the same events, warnings and analysis read in a thread of its own as on this thread`, async () => {
    const here = await read(path, false);
    const there = await read(path, true);
    assert.equal(there.events.length, here.events.length);
    assert.deepEqual(there.events, here.events);
    assert.deepEqual(there.summary, here.summary);
    const a = await analyzeFiles([path], { parallel: false });
    const b = await analyzeFiles([path], { parallel: true });
    assert.equal(JSON.stringify(b), JSON.stringify(a));
  });
}

test('lent events (the same objects refilled) say what events of their own say, event by event', async () => {
  for (const path of [...TRACE_DATS, ...DAMAGED]) {
    const own = await read(path, true);
    const lent = await read(path, true, true);
    assert.equal(lent.events.length, own.events.length, path);
    assert.deepEqual(lent.events, own.events, path);
  }
  // lent indeed: one object for every sched_switch (`trace-cmd report tcprr-cross-poll0.dat | grep -c sched_switch:`)
  const switches = new Set<TraceEvent>();
  let count = 0;
  const guest = join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat');
  const onRecord = (r: InputRecord) => r.type === 'event' && r.name === 'sched_switch' && switches.add(r) && count++;
  await readInput(guest, onRecord, { parallel: true, readerThread: true, lendEvents: true });
  assert.equal(count, 52_399);
  assert.equal(switches.size, 1);
});

test('warnings come between the same events as on this thread', async () => {
  const log = async (read: (sink: RecordSink) => Promise<void>) => {
    let events = 0;
    const said: string[] = [];
    await read({
      record: () => events++,
      warn: (_line, message) => said.push(`after ${events} events: ${message}`),
      fail: (_line, message) => said.push(`after ${events} events, failed: ${message}`),
    });
    return said;
  };
  for (const path of DAMAGED) {
    const here = await log((sink) => readTraceDat(path, sink, { parallel: false }));
    const there = await log((sink) => readTraceDatInThread(path, path, sink));
    assert.deepEqual(there, here);
    // lost events are said where their CPU's stream reaches them, between events
    assert.ok(
      here.some((w) => /^after [1-9]\d* events: CPU\W?\d/.test(w)),
      here.join('\n'),
    );
  }
});

const msrOf = (e: TraceEvent) => (e.fields?.kind === 'msr' ? e.fields.value : assert.fail(`${e.name}: no MSR fields`));

/** The first event read in the thread for which `pick` holds. */
async function firstInThread(path: string, pick: (e: TraceEvent) => boolean): Promise<TraceEvent> {
  let found: TraceEvent | null = null;
  const onRecord = (r: InputRecord) => r.type === 'event' && !found && pick(r) && (found = r);
  await readInput(path, onRecord, { parallel: true, readerThread: true });
  return found!;
}

test('an event read in the thread without its payload says so when the payload is asked for', async () => {
  const guest = join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat');
  const decoded = await firstInThread(guest, (e) => e.fields !== undefined);
  assert.throws(() => decoded.payload, /payload of a \w+ event read in another thread was not carried/);
  // trace-cmd report tcprr-cross-poll0.dat: the first event without decoded fields is call_function_single_entry
  // ("vector=251"), an IPI handler's: the model reads no payload of those, so none is printed
  const handler = await firstInThread(guest, (e) => e.fields === undefined);
  assert.equal(handler.name, 'call_function_single_entry');
  assert.throws(() => handler.payload, /call_function_single_entry event read in another thread was not carried/);
  // trace-cmd report tcprr-cross-poll0.dat: a write_msr to 6e0 (TSC deadline), whose value the model never reads,
  // and the first write_msr, "830, value fb" (the ICR), whose value it reads
  const deadline = await firstInThread(guest, (e) => e.name === 'write_msr' && msrOf(e).msr === 0x6e0);
  assert.throws(() => msrOf(deadline).valueHex, /value of an access to MSR 0x6e0 was not carried/);
  const icr = await firstInThread(guest, (e) => e.name === 'write_msr' && msrOf(e).msr === 0x830);
  assert.equal(msrOf(icr).valueHex, 'fb');
  // trace-cmd report kvm-le-4k.dat: the first kvm_eoi prints "apicid 1 vector 236"; a host event's payload travels
  const eoi = await firstInThread(sample('tracedat', 'kvm-le-4k.dat'), (e) => e.name === 'kvm_eoi');
  assert.equal(eoi.payload, 'apicid 1 vector 236');
});

test('cancelled: the reading thread stops, and the warning counts the events handed over', async () => {
  const path = join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat');
  const ac = new AbortController();
  let events = 0;
  const summary = await readInput(
    path,
    (r) => {
      if (r.type === 'event' && ++events === 20000) ac.abort();
    },
    { parallel: true, readerThread: true, signal: ac.signal },
  );
  assert.ok(events >= 20000 && events < 256254, `${events} events before the stop`);
  assert.deepEqual(summary.warnings.at(-1), { line: null, message: `cancelled after ${events} events` });
});

test('who decides: one core or a small file keep this thread; the option, then KVM_TRACE_LENS_PARALLEL', () => {
  const big = READER_THREAD_MIN_BYTES;
  const saved = process.env.KVM_TRACE_LENS_PARALLEL;
  try {
    delete process.env.KVM_TRACE_LENS_PARALLEL;
    assert.equal(useReaderThread(undefined, big, 1), false);
    assert.equal(useReaderThread(undefined, big, 2), true);
    assert.equal(useReaderThread(undefined, big - 1, 2), false, 'small files: the thread costs more than it saves');
    assert.equal(useReaderThread(true, 0, 1), true);
    process.env.KVM_TRACE_LENS_PARALLEL = 'on';
    assert.equal(useReaderThread(undefined, 0, 1), true);
    assert.equal(useReaderThread(false, 0, 1), false);
    process.env.KVM_TRACE_LENS_PARALLEL = 'off';
    assert.equal(useReaderThread(undefined, big, 8), false);
  } finally {
    if (saved === undefined) delete process.env.KVM_TRACE_LENS_PARALLEL;
    else process.env.KVM_TRACE_LENS_PARALLEL = saved;
  }
});

test('progress: the metadata report first, once, as on this thread; then the data, up to the whole file', async () => {
  const path = join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat');
  const reports = async (thread: boolean) => {
    const seen: number[] = [];
    await readInput(path, () => undefined, {
      parallel: thread,
      readerThread: thread,
      onProgress: (done) => seen.push(done),
    });
    return seen;
  };
  const here = await reports(false);
  const there = await reports(true);
  assert.equal(there[0], here[0]);
  assert.ok(there[1] > there[0], `the metadata report is said once: ${there.slice(0, 3).join(', ')}`);
  assert.equal(there.at(-1), statSync(path).size);
  assert.deepEqual(
    [...there].sort((a, b) => a - b),
    there,
    'never backwards',
  );
});

/** The competing-work collector of a model fed `paths` in turn, each read on this thread or in a thread of its own. */
async function competingWorkOf(paths: string[], thread: boolean): Promise<CompetingWorkCollector> {
  const model = new TraceModel();
  for (const path of paths) {
    const competingWork = model.competingWorkHandover();
    await readInput(path, (r) => r.type === 'event' && model.add(r), {
      parallel: thread,
      readerThread: thread,
      competingWork,
    });
  }
  return model.competing;
}

test('the competing work counted in the reading thread is the one counted here, over a file and over two', async () => {
  for (const paths of [...TRACE_DATS.map((p) => [p]), [TRACE_DATS[0], TRACE_DATS[1]]]) {
    const here = await competingWorkOf(paths, false);
    const there = await competingWorkOf(paths, true);
    assert.deepEqual(there, here, paths.join(' + '));
  }
  // not empty collectors: `trace-cmd report | grep -c '==> netperf:21137'` = 16,777 switches into netperf; those in
  // the benchmark's active 100 ms slices count (a few at the ends do not)
  const sample = await competingWorkOf([join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat')], true);
  const runs = sample.facts(new Set([21137]), 1e9, 2)!.benchmarkRuns;
  assert.ok(runs > 16_000 && runs <= 16_777, String(runs));
});
