// The event list's messages: what the webview may ask (bounded pages, well-formed filters) and what it accepts back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  isEventListReply,
  isEventListRequest,
  isFromEventsWorker,
  isToEventsWorker,
  MAX_ROWS_PER_REQUEST,
} from '../../src/shared/eventListMessages';
import { isHostMessage, isWebviewMessage } from '../../src/shared/messages';

const filter = { names: ['write_msr'], cpus: [1], text: '830' };

test('requests: pages are bounded, filters well formed', () => {
  assert.equal(isEventListRequest({ type: 'events.rows', first: 256, last: 512, filter }), true);
  assert.equal(isEventListRequest({ type: 'events.rows', first: 0, last: MAX_ROWS_PER_REQUEST + 1, filter }), false);
  assert.equal(isEventListRequest({ type: 'events.rows', first: -1, last: 5, filter }), false);
  assert.equal(isEventListRequest({ type: 'events.count', filter: { names: [1], cpus: [], text: '' } }), false);
  assert.equal(isEventListRequest({ type: 'events.count', filter: { names: [], cpus: [-1], text: '' } }), false);
  assert.equal(isEventListRequest({ type: 'events.count', filter: { ...filter, text: 'x'.repeat(501) } }), false);
  assert.equal(isEventListRequest({ type: 'events.position', index: 7, filter }), true);
  // the panel channel carries them both ways
  assert.equal(isWebviewMessage({ type: 'events.facets' }), true);
  assert.equal(isWebviewMessage({ type: 'events.drop' }), false);
  assert.equal(isHostMessage({ type: 'events.status', state: 'reading', done: 10, total: 0 }), true);
  assert.equal(isHostMessage({ type: 'events.status', state: 'odd', done: 10, total: 0 }), false);
});

test('replies: rows must be rows', () => {
  const row = { index: 0, timeNs: 1, cpu: 0, pid: 5, comm: 'a', name: 'b', payload: 'c' };
  assert.equal(isEventListReply({ type: 'events.rows', rows: [row, { ...row, instance: 'second' }] }), true);
  assert.equal(isEventListReply({ type: 'events.rows', rows: [{ ...row, payload: 3 }] }), false);
  assert.equal(isEventListReply({ type: 'events.count', count: 3.5 }), false);
  assert.equal(
    isFromEventsWorker({
      type: 'status',
      file: 1,
      status: { type: 'events.status', state: 'ready', done: 3, total: 3 },
    }),
    true,
  );
  assert.equal(isToEventsWorker({ type: 'request', file: 1, request: { type: 'events.facets' } }), true);
  assert.equal(isToEventsWorker({ type: 'open', file: 1 }), false);
});
