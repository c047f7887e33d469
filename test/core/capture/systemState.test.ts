// system.json from a copy of this machine's /proc and /sys (test/fixtures/capture/README.md), and from an empty root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { cmdlineKnobs, countCpuList, readSystemState } from '../../../src/core/capture/systemState';
import { FIXTURES } from '../../helpers/paths';
import { tempDir } from '../../helpers/fakeTree';

test('the development machine: kernel, command line knobs, cpuidle per CPU, halt-poll and KVM parameters, CPU', () => {
  const s = readSystemState(join(FIXTURES, 'capture', 'sysroot-this-machine'));
  assert.equal(s.kernel.release, '6.18.44-fc-v1045');
  // proc/cmdline: "... cpuidle_haltpoll.force=1 haltpoll.guest_halt_poll_ns=0 ... -- --firecracker-init ..."
  assert.deepEqual(s.cmdlineKnobs, { 'cpuidle_haltpoll.force': '1', 'haltpoll.guest_halt_poll_ns': '0' });
  assert.equal(s.cpuidle.driver, 'haltpoll');
  assert.equal(s.cpuidle.governor, 'haltpoll');
  assert.deepEqual(s.cpuidle.perCpu, [
    { cpu: 0, driver: 'haltpoll', states: ['POLL', 'haltpoll idle'] },
    { cpu: 1, driver: 'haltpoll', states: ['POLL', 'haltpoll idle'] },
  ]);
  assert.deepEqual(s.guestHaltPoll, {
    guest_halt_poll_allow_shrink: 'Y',
    guest_halt_poll_grow: '2',
    guest_halt_poll_grow_start: '50000',
    guest_halt_poll_ns: '0',
    guest_halt_poll_shrink: '2',
  });
  assert.deepEqual(s.cpuidleHaltpoll, { force: 'Y' });
  assert.deepEqual(s.kvm, {
    halt_poll_ns: '200000',
    halt_poll_ns_grow: '2',
    halt_poll_ns_grow_start: '10000',
    halt_poll_ns_shrink: '2',
  });
  assert.deepEqual(Object.keys(s.kvmVendor), ['kvm_pvm']);
  assert.deepEqual(s.clocksource, { current: 'tsc', available: ['tsc', 'kvm-clock'] });
  assert.equal(s.cpu.model, 'Intel(R) Xeon(R) Processor');
  assert.equal(s.cpu.count, 2);
  assert.deepEqual(s.cpu.flags, [
    'x2apic',
    'tsc_deadline_timer',
    'hypervisor',
    'constant_tsc',
    'nonstop_tsc',
    'tsc_known_freq',
    'arat',
  ]);
});

test('an empty root gives nulls and empty lists, never an error', () => {
  const s = readSystemState(tempDir('emptyroot'));
  assert.equal(s.kernel.release, null);
  assert.equal(s.cmdline, null);
  assert.equal(s.kvm, null);
  assert.equal(s.guestHaltPoll, null);
  assert.deepEqual(s.cpuidle, { driver: null, governor: null, perCpu: [] });
  assert.deepEqual(s.kvmVendor, {});
  assert.equal(s.cpu.count, null);
});

test('command line knobs and CPU lists', () => {
  assert.deepEqual(
    cmdlineKnobs('ro nohz=off nohz_full=2-7 idle=poll isolcpus=2-7 kvm.halt_poll_ns=0 quiet -- nohz=on'),
    { nohz: 'off', nohz_full: '2-7', idle: 'poll', isolcpus: '2-7', 'kvm.halt_poll_ns': '0' },
  );
  assert.equal(countCpuList('0-3,6'), 5);
  assert.equal(countCpuList('0'), 1);
  assert.equal(countCpuList('x'), null);
});
