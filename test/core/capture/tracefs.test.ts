// tracefs access against a fake tree: events present, set_event rewritten and put back, buffer sizes, overruns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracefs, findTracefs } from '../../../src/core/capture/tracefs';
import { fakeTracefs, tempDir } from '../../helpers/fakeTree';

test('save, change and restore set_event, tracing_on and buffer_size_kb', () => {
  const root = fakeTracefs(['sched:sched_switch', 'power:cpu_idle'], ['irq:irq_handler_entry']);
  const t = new Tracefs(root);
  assert.ok(t.hasEvent('sched:sched_switch'));
  assert.ok(!t.hasEvent('msr:write_msr'));
  const saved = t.saveState();
  assert.deepEqual(saved, { setEvent: ['irq:irq_handler_entry'], tracingOn: '1', bufferSizeKb: 1408 });
  t.setEvents(['sched:sched_switch', 'power:cpu_idle']);
  t.write('tracing_on', '0');
  t.write('buffer_size_kb', '32768');
  assert.equal(readFileSync(join(root, 'set_event'), 'utf8'), 'sched:sched_switch\npower:cpu_idle\n');
  assert.deepEqual(t.restoreState(saved), []);
  assert.equal(readFileSync(join(root, 'set_event'), 'utf8'), 'irq:irq_handler_entry\n');
  assert.equal(readFileSync(join(root, 'tracing_on'), 'utf8'), '1');
  assert.equal(readFileSync(join(root, 'buffer_size_kb'), 'utf8'), '1408');
});

test('overruns add up the per-CPU stats; findTracefs needs a set_event file', () => {
  const root = fakeTracefs([]);
  assert.equal(new Tracefs(root).overruns(), 12);
  assert.equal(findTracefs([tempDir('empty'), root]), root);
  assert.equal(findTracefs([tempDir('empty')]), null);
});
