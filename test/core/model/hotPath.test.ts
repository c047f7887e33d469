// The per-event fast paths give what the plain ones gave: one reused exit sample per guest MSR write, event names
// counted beside the map, the bootstrap resampled into a typed buffer. (scripts/analysis-snapshots.mjs compares whole
// analyses of every sample and fixture before and after such a change.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeFiles } from '../../../src/core/analyze';
import { HostEventCollector } from '../../../src/core/model/hostEvents';
import type { TraceEvent } from '../../../src/core/records';
import fc from 'fast-check';
import {
  bootstrapInterval,
  bootstrapQuantileInterval,
  Reservoir,
  sampleQuantile,
  seededRandom,
} from '../../../src/core/stats/bootstrap';
import { sample } from '../../helpers/paths';

test('guest MSR writes: counts and example lines per MSR, each write its own (grep of the fixture)', async () => {
  const a = await analyzeFiles([sample('guest-trace', 'tcprr-cross-poll0.head.report.txt')]);
  const row = (reason: string) => a.exits!.byReason.find((r) => r.reason === reason)!;
  // grep -c 'write_msr: *830,' → 55; grep -n → first lines 3 11 33 44 50
  assert.equal(row('msr_write 0x830').count, 55);
  assert.deepEqual(row('msr_write 0x830').exampleLines, [3, 11, 33, 44, 50]);
  assert.equal(row('msr_write 0x830').category, 'ipi');
  // grep -n 'write_msr: *6e0' → lines 12 22 23 28 39 (TSC deadline: a timer write)
  assert.equal(row('msr_write 0x6e0').count, 5);
  assert.deepEqual(row('msr_write 0x6e0').exampleLines, [12, 22, 23, 28, 39]);
  assert.equal(row('msr_write 0x6e0').category, 'timer');
});

function event(name: string, line: number): TraceEvent {
  return { type: 'event', line, timeNs: line * 1000, cpu: 0, pid: 1, comm: 'x', name, system: null, payload: '' };
}

test('event names: more names than are counted beside the map, interleaved, read twice mid-stream', () => {
  const c = new HostEventCollector();
  // 20 names, name k appearing k + 1 times, round robin, so that names past the first 16 interleave with them
  const names = Array.from({ length: 20 }, (_, k) => `ev_${String(k).padStart(2, '0')}`);
  let line = 0;
  for (let round = 0; round < 20; round++) {
    for (const [k, name] of names.entries()) if (round <= k) c.add(event(name, ++line));
    if (round === 7) c.summary(); // a partial result must not count anything twice
  }
  const counts = Object.fromEntries(c.summary()!.events.map((e) => [e.name, e.count]));
  assert.equal(Object.keys(counts).length, 20);
  for (const [k, name] of names.entries()) assert.equal(counts[name], k + 1, name);
});

test('event counts by kind (one name each) and by name, as counted in the fixture by grep', async () => {
  const a = await analyzeFiles([sample('guest-trace', 'tcprr-cross-poll0.head.report.txt')]);
  const counts = Object.fromEntries(a.hostEvents!.events.map((e) => [e.name, e.count]));
  // awk over the event-name column | sort | uniq -c: 400 lines, 399 events
  assert.deepEqual(counts, {
    sched_switch: 86,
    write_msr: 60,
    cpu_idle: 57,
    ipi_send_cpu: 55,
    sched_wakeup: 55,
    call_function_single_entry: 53,
    guest_halt_poll_ns: 29,
    local_timer_entry: 3,
    reschedule_entry: 1,
  });
});

test('event counts by kind: a name first seen once the name map is full is not counted, as before', () => {
  const c = new HostEventCollector();
  let line = 0;
  c.add(event('cpu_idle', ++line));
  for (let k = 0; k < 10_000; k++) c.add(event(`other_${k}`, ++line));
  c.add(event('write_msr', ++line)); // the map holds 10,000 names: this one is left out, and stays out
  c.add(event('cpu_idle', ++line));
  c.add(event('write_msr', line + 1));
  const counts = new Map(c.summary()!.events.map((e) => [e.name, e.count]));
  assert.equal(counts.get('cpu_idle'), 2);
  assert.equal(counts.has('write_msr'), false);
});

test('bootstrap: resampling into a typed buffer picks the same values as a plain array and a full sort', () => {
  const values = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 1009) + 0.25);
  const rounds = 50;
  // reference: the same seeded draws into a plain array, the quantile by sorting
  const random = seededRandom(14);
  const results: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const s = Array.from({ length: values.length }, () => values[Math.floor(random() * values.length)]);
    s.sort((x, y) => x - y);
    results.push(s[Math.ceil(0.1 * s.length - 1e-9) - 1]);
  }
  results.sort((x, y) => x - y);
  const expected = { low: results[Math.floor(0.025 * (rounds - 1))], high: results[Math.ceil(0.975 * (rounds - 1))] };
  assert.deepEqual(
    bootstrapInterval(values, (s) => sampleQuantile(s, 0.1)!, { rounds }),
    expected,
  );
});

test('bootstrap of a quantile by counting drawn places: the interval the resample-and-select bootstrap gives', () => {
  // hand-made: ties, a NaN, and values in no order
  const ties = [5, 1, 5, 2, 2, 9, 5, 0.5, 7, 7, 3, Number.NaN, 4];
  for (const q of [0, 0.1, 0.5, 0.9, 1]) {
    assert.deepEqual(
      bootstrapQuantileInterval(ties, q, { rounds: 60, seed: 3 }),
      bootstrapInterval(ties, (s) => sampleQuantile(s, q)!, { rounds: 60, seed: 3 }),
      `q = ${q}`,
    );
  }
  assert.equal(bootstrapQuantileInterval([1, 2, 3], 0.5), null);
  const values = fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.double({ min: 0, max: 1e9, noNaN: true })), {
    minLength: 10,
    maxLength: 300,
  });
  fc.assert(
    fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(1000), (v, q, seed) => {
      const options = { rounds: 20, seed };
      assert.deepEqual(
        bootstrapQuantileInterval(v, q, options),
        bootstrapInterval(v, (s) => sampleQuantile(s, q)!, options),
      );
    }),
    { numRuns: 300 },
  );
});

test('seededRandom keeps its state as a signed 32-bit value: the same draws as mulberry32 on an unsigned state', () => {
  // mulberry32 as published (state kept unsigned), for seeds below and above 2^31
  const reference = (seed: number) => {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  for (const seed of [0, 1, 14, 2 ** 31 + 5, 2 ** 32 - 1]) {
    const ours = seededRandom(seed);
    const theirs = reference(seed);
    for (let i = 0; i < 100_000; i++) assert.equal(ours(), theirs(), `seed ${seed}, draw ${i}`);
  }
});

test('Reservoir keeps what Algorithm R with seededRandom(seed) keeps', () => {
  for (const seed of [1, 2, 14]) {
    const capacity = 100;
    const random = seededRandom(seed);
    const expected: number[] = [];
    const reservoir = new Reservoir(capacity, seed);
    for (let i = 0; i < 20_000; i++) {
      const value = (i * 7919) % 10_007;
      reservoir.add(value);
      if (expected.length < capacity) expected.push(value);
      else {
        const j = Math.floor(random() * (i + 1));
        if (j < capacity) expected[j] = value;
      }
    }
    assert.deepEqual(reservoir.values, expected);
    assert.equal(reservoir.seen, 20_000);
  }
});
