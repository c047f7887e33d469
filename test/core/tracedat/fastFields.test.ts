// The binary fast path against print-and-parse: for every sample and fixture trace.dat, the events (and the fields
// the model reads) and the analysis JSON are the same whether the fields are decoded from the event's bytes or
// parsed from its printed payload.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import {
  cpuIdleOf,
  haltPollNsOf,
  ipiTargetsOf,
  kvmEntryVcpuOf,
  kvmExitOf,
  msrAccessOf,
  schedSwitchOf,
  schedWakeupOf,
  writeMsrOf,
} from '../../../src/core/eventFields';
import { readInput } from '../../../src/core/input';
import type { TraceEvent } from '../../../src/core/records';
import { seededRandom } from '../../../src/core/stats/bootstrap';
import { plainComm } from '../../../src/core/tracedat/fastFields';
import { eventFacts } from '../../helpers/events';
import { FIXTURES, SAMPLES } from '../../helpers/paths';

const FILES = [
  ...readdirSync(join(SAMPLES, 'guest-trace'))
    .filter((f) => f.endsWith('.dat'))
    .map((f) => join(SAMPLES, 'guest-trace', f)),
  ...readdirSync(join(FIXTURES, 'tracedat'))
    .filter((f) => f.endsWith('.dat') || f.endsWith('.dat.gz'))
    .map((f) => join(FIXTURES, 'tracedat', f)),
];

async function events(path: string, fastFields: boolean): Promise<TraceEvent[]> {
  const out: TraceEvent[] = [];
  await readInput(path, (r) => r.type === 'event' && out.push(r), { fastFields });
  return out;
}

/** Every accessor the model uses, on the event as read and on its printed payload alone. */
function modelView(e: Pick<TraceEvent, 'name' | 'payload' | 'fields'>) {
  switch (e.name) {
    case 'sched_switch':
      return schedSwitchOf(e);
    case 'sched_wakeup':
    case 'sched_wakeup_new':
    case 'sched_waking':
      return schedWakeupOf(e);
    case 'write_msr':
      return { access: msrAccessOf(e.name, e), asWriteMsr: writeMsrOf(e) };
    case 'read_msr':
    case 'kvm_msr':
      return msrAccessOf(e.name, e);
    case 'kvm_exit':
      return kvmExitOf(e);
    case 'kvm_entry':
      return kvmEntryVcpuOf(e);
    case 'cpu_idle':
      return cpuIdleOf(e);
    case 'ipi_send_cpu':
      return ipiTargetsOf(e);
    case 'guest_halt_poll_ns':
    case 'kvm_halt_poll_ns':
      return haltPollNsOf(e);
    default:
      return null;
  }
}

for (const path of FILES) {
  const name = path.split('/').slice(-2).join('/');
  test(`${name}: decoded fields equal the parsed payload; same events and analysis either way`, async () => {
    const fast = await events(path, true);
    const slow = await events(path, false);
    assert.ok(
      slow.every((e) => e.fields === undefined),
      'the slow path decodes nothing',
    );
    assert.equal(fast.length, slow.length);
    for (let i = 0; i < fast.length; i++) {
      assert.deepEqual(eventFacts(fast[i]), eventFacts(slow[i]), `event #${i}`);
      if (fast[i].fields === undefined) continue;
      assert.deepEqual(modelView(fast[i]), modelView({ name: slow[i].name, payload: slow[i].payload }), `#${i}`);
    }
    const a = await analyzeFiles([path], { fastFields: true });
    const b = await analyzeFiles([path], { fastFields: false });
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });
}

test('the fast path covers the guest recording: every write_msr, sched_switch and cpu_idle decoded', async () => {
  const fast = await events(join(SAMPLES, 'guest-trace', 'tcprr-cross-poll0.dat'), true);
  const decoded = (n: string) => fast.filter((e) => e.name === n && e.fields !== undefined).length;
  // zcat tcprr-cross-poll0.report.txt.gz | grep -c ' write_msr:' → 56020, ' cpu_idle:' → 31167 (the same run)
  assert.equal(decoded('write_msr'), 56020);
  for (const e of fast) if (e.name === 'write_msr') assert.deepEqual(writeMsrOf(e), msrAccessOf('write_msr', e));
  assert.equal(decoded('cpu_idle'), 31167);
  assert.equal(decoded('sched_switch'), fast.filter((e) => e.name === 'sched_switch').length);
  assert.ok(decoded('sched_switch') > 0);
  // trace-cmd report -i tcprr-cross-poll0.dat | grep -c 'guest_halt_poll_ns:' → 15584, all "halt_poll_ns 0 (shrink 0)"
  assert.equal(decoded('guest_halt_poll_ns'), 15584);
  const poll = fast.find((e) => e.name === 'guest_halt_poll_ns');
  assert.deepEqual(poll && haltPollNsOf(poll), { vcpu: null, ns: 0, grow: false, oldNs: 0 });
  assert.equal(poll?.payload, 'halt_poll_ns 0 (shrink 0)');
});

test('halt-poll windows decoded from the bytes: guest (poll200000 sample) and host (kvm_halt_poll_ns)', async () => {
  // trace-cmd report -i tcprr-cross-poll200000.dat | grep -c 'guest_halt_poll_ns:' → 5
  const guest = await events(join(SAMPLES, 'guest-trace', 'tcprr-cross-poll200000.dat'), true);
  assert.equal(guest.filter((e) => e.name === 'guest_halt_poll_ns' && e.fields !== undefined).length, 5);
  const host = await events(join(FIXTURES, 'tracedat', 'kvm-le-4k.dat'), true);
  const polls = host.filter((e) => e.name === 'kvm_halt_poll_ns');
  // the fixture's report: 40 kvm_halt_poll_ns, the first two "vcpu 0: halt_poll_ns 200000 (shrink 100000)" and
  // "vcpu 3: halt_poll_ns 200027 (grow 100000)"
  assert.equal(polls.filter((e) => e.fields !== undefined).length, 40);
  assert.deepEqual(haltPollNsOf(polls[0]), { vcpu: 0, ns: 200000, grow: false, oldNs: 100000 });
  assert.deepEqual(haltPollNsOf(polls[1]), { vcpu: 3, ns: 200027, grow: true, oldNs: 100000 });
});

test('host trace.dat fixtures: every kvm_exit, kvm_entry and kvm_msr decoded from its bytes', async () => {
  for (const name of ['kvm-le-4k.dat', 'kvm-be-8k.dat']) {
    const fast = await events(join(FIXTURES, 'tracedat', name), true);
    // grep -c ' kvm_exit:' (and kvm_entry, kvm_msr) in the fixture's trace-cmd report: 40 each
    for (const event of ['kvm_exit', 'kvm_entry', 'kvm_msr']) {
      assert.equal(fast.filter((e) => e.name === event && e.fields !== undefined).length, 40, `${name} ${event}`);
    }
    // "reason UNKNOWN (51)" in the report: VMX 51 is RDTSCP, resolved through the exit table as the parser does
    const first = fast.find((e) => e.name === 'kvm_exit');
    assert.equal(first && kvmExitOf(first)?.reason, 'RDTSCP');
  }
});

test('plainComm answers as the regex it replaces, on edge cases and generated comms', () => {
  const regex = (c: string) => !/[\n\r]| \[| ==> /.test(c);
  const edges = [
    '',
    'netperf',
    'a [b',
    'a [',
    ' [',
    'a ==> b',
    'a ==>',
    'a ==>b',
    'a =>',
    'x\ny',
    'x\r',
    '[a] b',
    'a  [',
    'a ==> ',
  ];
  const random = seededRandom(17);
  const alphabet = [' ', '[', '=', '>', '\n', '\r', 'a', '/'];
  const generated = Array.from({ length: 5000 }, () =>
    Array.from({ length: Math.floor(random() * 16) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
  );
  for (const c of [...edges, ...generated]) assert.equal(plainComm(c), regex(c), JSON.stringify(c));
});
