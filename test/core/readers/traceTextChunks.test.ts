// A plain ASCII chunk read from its bytes (no text decoded): the events the model reads the payload of carry it
// exactly, events with fields carry only those, and nothing points back into the chunk's slot once it is reused.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  parseCpuIdle,
  parseIpiTargets,
  parseMsrAccess,
  parseSchedSwitch,
  parseSchedWakeup,
  type DecodedFields,
} from '../../../src/core/eventFields';
import type { TraceEvent } from '../../../src/core/records';
import { parseTraceLine } from '../../../src/core/readers/traceText';
import {
  ChunkBytes,
  ChunkParser,
  WorkerStrings,
  chunkEvent,
  newSlot,
  type ParsedTextChunk,
} from '../../../src/core/readers/traceTextChunks';
import { sample } from '../../helpers/paths';

/** Lines `from` to `to` (1-based, inclusive) of a recorded or published trace. */
function linesOf(path: string, from: number, to: number): string[] {
  return readFileSync(path, 'latin1')
    .split('\n')
    .slice(from - 1, to);
}

/** The fields eventFields.ts's parsers read from the one-thread event's payload. */
function fieldsParsed(e: TraceEvent): DecodedFields {
  switch (e.name) {
    case 'sched_switch':
      return { kind: 'sched_switch', value: parseSchedSwitch(e.payload)! };
    case 'sched_wakeup':
      return { kind: 'sched_wakeup', value: parseSchedWakeup(e.payload)! };
    case 'write_msr':
    case 'kvm_msr':
      return { kind: 'msr', value: parseMsrAccess(e.name, e.payload)! };
    case 'cpu_idle':
      return { kind: 'cpu_idle', value: parseCpuIdle(e.payload)! };
    case 'ipi_send_cpu':
      return { kind: 'ipi_targets', value: parseIpiTargets(e.name, e.payload)! };
    default:
      throw new Error(`no fields expected for ${e.name}`);
  }
}

/** The chunk of `lines` as a worker parses it and the main thread reads it from its bytes, and those bytes. */
function readFromBytes(lines: string[]) {
  const bytes = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
  const packed = new ChunkParser().parse({
    seq: 0,
    slot: newSlot(1 << 16),
    length: bytes.length,
    bytes: new Uint8Array(bytes),
    first: false,
  });
  const table = new WorkerStrings().learn(0, packed);
  const input = new ChunkBytes();
  input.bytes = bytes;
  const chunk: ParsedTextChunk = { ...packed, text: null, input };
  const events = Array.from({ length: packed.eventCount }, (_, i) => chunkEvent(chunk, table, i, i + 1));
  return { packed, events, bytes };
}

const INPUTS = [
  // a guest TCP_RR recording: 399 event lines, 313 of them sched_switch/sched_wakeup/write_msr/cpu_idle/ipi_send_cpu
  { path: sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'), from: 2, to: 400, withFields: 313 },
  // a published host trace: 9 kvm_msr TSC-deadline writes, the MSR value read from the bytes
  {
    path: sample('public', 'shared-set', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt'),
    from: 13,
    to: 21,
    withFields: 9,
  },
];

for (const { path, from, to, withFields } of INPUTS) {
  test(`${path.split('/').pop()}: a plain chunk read from its bytes keeps the payloads that are read`, () => {
    const lines = linesOf(path, from, to);
    const { packed, events, bytes } = readFromBytes(lines);
    assert.equal(packed.plain, true);
    assert.equal(packed.ascii, true);
    assert.equal(events.length, lines.length);
    const one = lines.map((l, i) => parseTraceLine(l, i + 1)!);
    const kept = events.map((e) => {
      try {
        return e.payload;
      } catch {
        return null;
      }
    });
    // the chunk's slot is reused for the next chunk: nothing read from it may change with it
    bytes.fill(0x20);
    const last = events.length - 1;
    let undecoded = 0;
    for (const [i, e] of events.entries()) {
      assert.equal(e.name, one[i].name);
      assert.equal(e.timeNs, one[i].timeNs);
      if (e.fields) assert.deepEqual(e.fields, fieldsParsed(one[i]), `line ${i + 1}`);
      if (e.fields && i < last) {
        assert.equal(kept[i], null, `line ${i + 1}: an event with fields carries no payload`);
        undecoded++;
      } else {
        assert.equal(kept[i], one[i].payload, `line ${i + 1}`);
        assert.equal(e.payload, one[i].payload, `line ${i + 1}`);
      }
    }
    // every event with fields but the last (which a wrapped line of the next chunk may continue)
    assert.equal(undecoded, withFields - (events[last].fields ? 1 : 0));
  });
}
