// Capture recipes: what a trace lacks for the model and the command that records it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import { GUEST_EVENTS, HOST_EVENTS, eventName } from '../../../src/core/capture/events';
import { captureRecipe, missingEventIds, recipeNote, sideOfTrace } from '../../../src/core/capture/recipes';
import { FIXTURES } from '../../helpers/paths';

test('a guest trace without cpu_idle and IPI events: both named, with both commands', () => {
  const names = new Set(['sched_switch', 'sched_wakeup', 'write_msr']);
  assert.equal(sideOfTrace(names), 'guest');
  const r = captureRecipe(names)!;
  assert.deepEqual(r.missing, [
    'no cpu_idle: idle periods, halts and guest polling are invisible',
    'no IPI events: which IPIs woke an idle vCPU is unknown',
  ]);
  assert.equal(r.recordCommand, 'sudo kvm-trace-lens record --guest --seconds 10 --out run-guest -- BENCHMARK');
  assert.match(
    r.traceCmdCommand,
    /^trace-cmd record -b 20000 -e msr:write_msr -e power:cpu_idle .* -e sched:sched_wakeup -- BENCHMARK$/,
  );
  assert.match(
    recipeNote(r),
    /^The guest-side trace lacks events .* Record them inside the guest with: sudo kvm-trace-lens record --guest/,
  );
  assert.deepEqual(missingEventIds(names, 'guest').slice(0, 2), ['power:cpu_idle', 'power:guest_halt_poll_ns']);
});

test('complete event sets need no recipe, on either side', () => {
  assert.equal(captureRecipe(new Set(GUEST_EVENTS.map((e) => eventName(e.id)))), null);
  assert.equal(captureRecipe(new Set(HOST_EVENTS.map((e) => eventName(e.id)))), null);
});

test('a host trace of kvm_exit, kvm_entry and kvm_msr only: the recipe is a model note', async () => {
  // test/fixtures/trace-text/perf-script-tid-ns.txt: one kvm_exit, one kvm_entry, one kvm_msr.
  const a = await analyzeFiles([join(FIXTURES, 'trace-text', 'perf-script-tid-ns.txt')]);
  const note = a.modelNotes!.find((n) => n.startsWith('The host-side trace lacks'))!;
  assert.match(note, /no kvm_vcpu_wakeup: .*; no sched_switch: /);
  assert.doesNotMatch(note, /no kvm_exit|no kvm_entry|no kvm_msr/);
  assert.match(
    note,
    /on the host with: sudo kvm-trace-lens record --host .* \(or: trace-cmd record -b 20000 -e kvm:kvm_exit/,
  );
});

test('a recording with every guest event gets no recipe note', async () => {
  const rec = join(FIXTURES, 'recordings');
  const a = await analyzeFiles([join(rec, 'udprr-cross-poll0.dat'), join(rec, 'udprr-cross-poll0.netperf.txt')]);
  assert.ok(!(a.modelNotes ?? []).some((n) => /trace lacks events/.test(n)), JSON.stringify(a.modelNotes));
});
