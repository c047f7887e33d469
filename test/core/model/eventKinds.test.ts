// Event names resolve to the kinds the model switches on; a name of the same length as a known one is not mistaken.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind, eventKind, isHostKind, MAX_REMEMBERED_NAMES, KindsById } from '../../../src/core/model/eventKinds';

test('known guest and host names, aliases of one kind, and names the model does not act on', () => {
  assert.equal(eventKind('write_msr'), EventKind.writeMsr);
  assert.equal(eventKind('cpu_idle'), EventKind.cpuIdle);
  assert.equal(eventKind('sched_switch'), EventKind.schedSwitch);
  assert.equal(eventKind('sched_wakeup'), EventKind.schedWakeup);
  assert.equal(eventKind('sched_wakeup_new'), EventKind.schedWakeup);
  assert.equal(eventKind('ipi_send_cpu'), EventKind.ipiSendCpu);
  assert.equal(eventKind('ipi_send_cpumask'), EventKind.ipiSendCpumask);
  for (const handler of ['call_function_single_entry', 'call_function_entry', 'reschedule_entry']) {
    assert.equal(eventKind(handler), EventKind.ipiHandler, handler);
  }
  assert.equal(eventKind('guest_halt_poll_ns'), EventKind.guestHaltPollNs);
  assert.equal(eventKind('kvm_exit'), EventKind.kvmExit);
  assert.equal(eventKind('kvm_entry'), EventKind.kvmEntry);
  assert.equal(eventKind('kvm_msr'), EventKind.kvmMsr);
  assert.equal(eventKind('kvm_apic_ipi'), EventKind.kvmApicIpi);
  // same lengths as sched_switch / cpu_idle / kvm_exit, but other events
  assert.equal(eventKind('sched_waking'), EventKind.otherGuest);
  assert.equal(eventKind('cpu_idlx'), EventKind.otherGuest);
  // a name made at run time (as a text reader makes each one), not the literal
  assert.equal(eventKind(['sched', 'switch'].join('_')), EventKind.schedSwitch);
  assert.equal(eventKind('kvm_fpu'), EventKind.otherHost);
  assert.equal(eventKind('kvm_s390_sie_exit'), EventKind.otherHost);
  assert.equal(eventKind('a_name_longer_than_any_known_name_here'), EventKind.otherGuest);
  assert.equal(eventKind(''), EventKind.otherGuest);
  assert.ok(isHostKind(eventKind('kvm_pio')));
  assert.ok(!isHostKind(eventKind('local_timer_entry')));
});

test('names asked again, and names first asked after the remembered ones are full, keep their kinds', () => {
  assert.equal(eventKind('write_msr'), EventKind.writeMsr);
  assert.equal(eventKind('write_msr'), EventKind.writeMsr);
  for (let i = 0; i < MAX_REMEMBERED_NAMES + 10; i++) assert.equal(eventKind(`garbage_${i}`), EventKind.otherGuest);
  assert.equal(eventKind('kvm_garbage_after_the_limit'), EventKind.otherHost);
  assert.equal(eventKind(['kvm', 'apic', 'ipi'].join('_')), EventKind.kvmApicIpi);
  assert.equal(eventKind(['call', 'function', 'entry'].join('_')), EventKind.ipiHandler);
  assert.equal(eventKind('garbage_3'), EventKind.otherGuest);
});

test('names that share a remembered slot (same length, first and last character) alternate without mix-ups', () => {
  for (let i = 0; i < 3; i++) {
    assert.equal(eventKind('kvm_exit'), EventKind.kvmExit);
    assert.equal(eventKind('kvm_xxit'), EventKind.otherHost);
    assert.equal(eventKind('sched_switch'), EventKind.schedSwitch);
    assert.equal(eventKind('sxhed_switch'), EventKind.otherGuest);
    assert.equal(eventKind(['sched', 'switch'].join('_')), EventKind.schedSwitch);
  }
});

test('KindsById: each id gets the kind of its name, ids past the first 256 and past the kept ones too', () => {
  const strings = ['sched_switch', 'netperf', 'kvm_exit'];
  const kinds = new KindsById();
  const kindOf = (id: number) => kinds.kindOf(id, strings[id]);
  assert.equal(kindOf(0), EventKind.schedSwitch);
  assert.equal(kindOf(2), EventKind.kvmExit);
  assert.equal(kindOf(0), EventKind.schedSwitch);
  for (let i = strings.length; i < 300; i++) strings.push(i % 2 ? 'cpu_idle' : 'kvm_new_thing');
  assert.equal(kindOf(299), EventKind.cpuIdle);
  assert.equal(kindOf(298), EventKind.otherHost);
  // a number past the kept ones (a trace.dat's u32 type id) is looked up by its name each time
  assert.equal(kinds.kindOf(1 << 20, 'write_msr'), EventKind.writeMsr);
  assert.equal(kinds.kindOf(-1, 'kvm_exit'), EventKind.kvmExit);
});
