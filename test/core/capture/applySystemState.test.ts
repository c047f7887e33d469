// Advice against system.json: a knob already set is not advised again; advice that would not take effect says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Recommendation } from '../../../src/core/analysisTypes';
import { applySystemState } from '../../../src/core/capture/applySystemState';
import { type SystemState, readSystemState } from '../../../src/core/capture/systemState';
import { FIXTURES } from '../../helpers/paths';

/** This machine's state (a guest with cpuidle-haltpoll, guest_halt_poll_ns=0, kvm.halt_poll_ns=200000), changed. */
function state(change: (s: SystemState) => void = () => {}): SystemState {
  const s = readSystemState(join(FIXTURES, 'capture', 'sysroot-this-machine'));
  change(s);
  return s;
}
const rec = (id: string, setting: string): Recommendation => ({
  id,
  title: id,
  setting,
  evidence: ['from the trace'],
  prediction: null,
});
const noIntel = (s: SystemState) => (s.kvmVendor = {});

test('guest halt polling already at or above the advised window: moved to notRecommended', () => {
  const out = applySystemState(
    [rec('halt-polling', 'guest_halt_poll_ns=200000')],
    [],
    state((s) => (s.guestHaltPoll!.guest_halt_poll_ns = '300000')),
  );
  assert.deepEqual(out.recommendations, []);
  assert.deepEqual(out.notRecommended, [
    { id: 'halt-polling', reason: 'already set: guest_halt_poll_ns=300000 with the haltpoll cpuidle driver in use.' },
  ]);
});

test('guest halt polling off (this machine): kept, and says it turns host polling off', () => {
  const out = applySystemState([rec('halt-polling', 'guest_halt_poll_ns=200000')], [], state());
  assert.equal(out.recommendations.length, 1);
  assert.deepEqual(out.recommendations[0].evidence.slice(0, 1), ['from the trace']);
  assert.match(out.recommendations[0].evidence[1], /turns host polling off for that vCPU .*KVM_FEATURE_POLL_CONTROL/);
});

test('haltpoll cpuidle driver not loaded: says the REALTIME hint or cpuidle_haltpoll.force is needed', () => {
  const acpi = state((s) => {
    s.cpuidle.driver = 'acpi_idle';
    s.cpuidle.perCpu.forEach((c) => (c.driver = 'acpi_idle'));
    s.guestHaltPoll!.guest_halt_poll_ns = '300000'; // set, but nobody uses it
  });
  const out = applySystemState([rec('halt-polling', 'guest_halt_poll_ns=200000')], [], acpi);
  assert.equal(out.recommendations.length, 1);
  assert.match(
    out.recommendations[0].evidence[1],
    /would not take effect: the cpuidle driver is acpi_idle, not haltpoll.*REALTIME hint.*cpuidle_haltpoll\.force=1/,
  );
  const none = state((s) => {
    s.cpuidle.driver = 'intel_idle';
    s.cpuidle.perCpu = [];
    s.guestHaltPoll = null;
    s.cpuidleHaltpoll = null;
  });
  assert.match(
    applySystemState([rec('halt-polling', 'guest_halt_poll_ns=200000')], [], none).recommendations[0].evidence[1],
    /CONFIG_HALTPOLL_CPUIDLE/,
  );
});

test('host halt_poll_ns at least the advised window: already set; in a haltpoll guest it would not apply', () => {
  const set = applySystemState([rec('halt-polling', 'halt_poll_ns=100000')], [], state());
  assert.deepEqual(set.notRecommended, [
    { id: 'halt-polling', reason: 'already set: kvm.halt_poll_ns=200000 (200\u00a0µs).' },
  ]);
  const larger = applySystemState([rec('halt-polling', 'halt_poll_ns=400000')], [], state());
  assert.match(
    larger.recommendations[0].evidence[1],
    /cpuidle-haltpoll driver, which turns host polling off for its vCPUs/,
  );
  const noKvm = applySystemState(
    [rec('halt-polling', 'halt_poll_ns=400000')],
    [],
    state((s) => (s.kvm = null)),
  );
  assert.match(noKvm.recommendations[0].evidence[1], /not of a KVM host/);
});

test('nohz=off and idle=poll on the command line: already set', () => {
  const s = state((x) => (x.cmdlineKnobs = { nohz: 'off', idle: 'poll' }));
  const out = applySystemState(
    [rec('nohz', 'nohz=off'), rec('idle-poll', 'idle=poll')],
    [{ id: 'batching', reason: 'r' }],
    s,
  );
  assert.deepEqual(out.recommendations, []);
  assert.deepEqual(out.notRecommended, [
    { id: 'batching', reason: 'r' },
    { id: 'nohz', reason: 'already set: nohz=off on the kernel command line.' },
    { id: 'idle-poll', reason: 'already set: idle=poll on the kernel command line.' },
  ]);
  assert.equal(applySystemState([rec('nohz', 'nohz=off')], [], state()).recommendations.length, 1);
});

test('APICv: on yet EOI exits means inhibited; a CPU without it; AMD wants avic; no KVM module: on the host', () => {
  const on = state((s) => (s.kvmVendor = { kvm_intel: { enable_apicv: 'Y' } }));
  assert.match(
    applySystemState([rec('eoi-mitigation', 'kvm_intel.enable_apicv=1')], [], on).recommendations[0].evidence[1],
    /inhibited.*kvm_apicv_inhibit_changed/,
  );
  const cpuWithout = state((s) => {
    s.kvmVendor = { kvm_intel: { enable_apicv: 'N' } };
    s.cpu.vmxFlags = ['vnmi', 'preemption_timer', 'ept'];
  });
  assert.match(
    applySystemState([rec('posted-interrupts', 'kvm_intel.enable_apicv=1')], [], cpuWithout).recommendations[0]
      .evidence[1],
    /lacks APIC virtualization/,
  );
  const amd = state((s) => (s.kvmVendor = { kvm_amd: { avic: '0' } }));
  assert.match(
    applySystemState([rec('eoi-mitigation', 'kvm_intel.enable_apicv=1')], [], amd).recommendations[0].evidence[1],
    /kvm_amd\.avic=1/,
  );
  assert.match(
    applySystemState([rec('eoi-mitigation', 'kvm_intel.enable_apicv=1')], [], state(noIntel)).recommendations[0]
      .evidence[1],
    /set it on the host/,
  );
});

test('advice the machine says nothing about is passed through unchanged', () => {
  const batching = rec('batching', 'vhost=on, event_idx=on');
  const out = applySystemState([batching], [], state());
  assert.equal(out.recommendations[0], batching);
});
