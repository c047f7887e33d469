// The trace.dat buffer the guest-side model follows: the first to show a guest exit event, every event before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventKind } from '../../../src/core/model/eventKinds';
import { GuestBufferChoice } from '../../../src/core/model/guestBuffer';
import type { TraceEvent } from '../../../src/core/records';

const event = (instance?: string): TraceEvent => ({
  type: 'event',
  line: null,
  timeNs: 0,
  cpu: 0,
  pid: 1,
  comm: 'x',
  name: 'e',
  system: null,
  payload: '',
  ...(instance === undefined ? {} : { instance }),
});

test('every event is followed until a write_msr or cpu_idle chooses its buffer; then only that buffer', () => {
  const choice = new GuestBufferChoice();
  assert.equal(choice.follows(event('host'), EventKind.schedSwitch), true);
  assert.equal(choice.chosen, null);
  assert.equal(choice.follows(event('guest'), EventKind.cpuIdle), true);
  assert.equal(choice.chosen, 'guest');
  assert.equal(choice.follows(event('host'), EventKind.writeMsr), false);
  assert.equal(choice.follows(event(), EventKind.schedSwitch), false);
  assert.equal(choice.follows(event('guest'), EventKind.schedSwitch), true);
});

test('the top buffer is the empty name, and a choice made elsewhere carries on', () => {
  const choice = new GuestBufferChoice('');
  assert.equal(choice.follows(event(), EventKind.otherGuest), true);
  assert.equal(choice.follows(event('guest'), EventKind.writeMsr), false);
});
