// Model notes: assumptions stated, and checked where the trace can show them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modelNotes } from '../../../src/core/rules/notes';
import { constant, guestRun } from '../../helpers/facts';

test('guest-inferred exits state the IPIv/AVIC and HLT-passthrough assumption', () => {
  assert.ok(modelNotes(guestRun()).some((n) => /IPIv/.test(n) && /AVIC/.test(n) && /HLT passthrough/.test(n)));
});

test('an ICR write faster than 400 ns did not exit: IPIs are probably virtualized', () => {
  const fast = guestRun();
  fast.handoff = { ...fast.handoff, ipiSend: constant(399, 100) };
  assert.ok(modelNotes(fast).some((n) => /too fast for an exit/.test(n)));
  const slow = guestRun();
  slow.handoff = { ...slow.handoff, ipiSend: constant(400, 100) };
  assert.ok(modelNotes(slow).some((n) => /consistent with IPIs that are not virtualized/.test(n)));
  // Microsecond timestamps cannot tell.
  fast.trace = { ...fast.trace, timestampResolutionNs: 1000 };
  assert.ok(!modelNotes(fast).some((n) => /^Check: an ICR write/.test(n)));
});

test('a wake-up from idle faster than 1 µs: HLT may be passed through', () => {
  const fast = guestRun();
  fast.wake = { ...fast.wake, latencyFromHalt: constant(999, 100) };
  assert.ok(modelNotes(fast).some((n) => /HLT may be passed/.test(n)));
  const slow = guestRun();
  slow.wake = { ...slow.wake, latencyFromHalt: constant(1000, 100) };
  assert.ok(!modelNotes(slow).some((n) => /HLT may be passed/.test(n)));
});

test('benchmark and trace more than 1.25× apart: said, with no prediction from that baseline', () => {
  const far = guestRun();
  far.transactions = { ...far.transactions!, perSecond: 12_600 };
  assert.ok(modelNotes(far).some((n) => /No prediction is made from this baseline/.test(n)));
  const near = guestRun();
  near.transactions = { ...near.transactions!, perSecond: 12_400 };
  assert.ok(!modelNotes(near).some((n) => /No prediction/.test(n)));
});
