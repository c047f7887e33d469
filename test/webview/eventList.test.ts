// The event list's pure parts: lines printed exactly as trace-cmd prints them (checked against trace-cmd's own
// report of the same trace.dat), filter matching, and the row window over millions of rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInputFile } from '../../src/core/input';
import type { TraceEvent } from '../../src/core/records';
import {
  MAX_SCROLL_PX,
  formatEventLine,
  formatTraceCmdTime,
  matchesFilter,
  pagesFor,
  rowWindow,
  scrollTopFor,
  type EventRow,
} from '../../webview/eventList';
import { FIXTURES } from '../helpers/paths';

async function rowsOf(file: string): Promise<EventRow[]> {
  const rows: EventRow[] = [];
  await readInputFile(file, (r) => {
    if (r.type !== 'event') return;
    const e = r as TraceEvent;
    rows.push({
      index: rows.length,
      timeNs: e.timeNs,
      cpu: e.cpu,
      pid: e.pid,
      comm: e.comm,
      name: e.name,
      payload: e.payload,
    });
  });
  return rows;
}

test('trace.dat events print as `trace-cmd report -t` prints them', async () => {
  const rows = await rowsOf(join(FIXTURES, 'tracedat', 'kvm-le-4k.dat'));
  const report = readFileSync(join(FIXTURES, 'tracedat', 'kvm-le-4k.report-t.txt'), 'utf8')
    .split('\n')
    .filter((l) => /^\s*\S.*\[\d{3}\]\s+\d+\.\d+:/.test(l));
  assert.ok(rows.length > 1000);
  assert.equal(rows.length, report.length);
  // Task, CPU, timestamp and name exactly; the payload as the reader hands it (it drops a payload's leading blank,
  // which trace-cmd keeps for some formats, e.g. this fixture's kvm_entry).
  const split = (line: string) => {
    const m = /^(.*?\] +\d+\.\d+: \S+:) *(.*?)\s*$/.exec(line)!;
    return [m[1], m[2]];
  };
  let exact = 0;
  for (let i = 0; i < rows.length; i++) {
    const line = formatEventLine(rows[i], 'ns');
    assert.deepEqual(split(line), split(report[i]), `event ${i}`);
    if (line.trimEnd() === report[i].trimEnd()) exact++;
  }
  assert.ok(exact > rows.length * 0.8, `${exact} of ${rows.length} lines identical`);
});

test('µs timestamps as `trace-cmd report` prints them by default', async () => {
  const rows = await rowsOf(join(FIXTURES, 'export', 'guest-tcprr-head.report.txt'));
  const lines = readFileSync(join(FIXTURES, 'export', 'guest-tcprr-head.report.txt'), 'utf8')
    .split('\n')
    .slice(1, 6);
  assert.deepEqual(
    rows.slice(0, 5).map((r) => formatEventLine(r)),
    lines,
  );
  assert.equal(formatTraceCmdTime(5_000_000_002_767, 'ns'), ' 5000.000002767');
  // libtraceevent rounds to µs ("Round up in tep_print_event() time precision", 2019)
  assert.equal(formatTraceCmdTime(10_729_493_978_499), '10729.493978');
  assert.equal(formatTraceCmdTime(10_729_493_978_500), '10729.493979');
});

const ROW: EventRow = {
  index: 7,
  timeNs: 1,
  cpu: 1,
  pid: 21137,
  comm: 'netperf',
  name: 'write_msr',
  payload: '830, value fb',
};

test('filters: by name, CPU and text (payload, name, task, pid)', () => {
  const f = (names: string[], cpus: number[], text: string) => matchesFilter(ROW, { names, cpus, text });
  assert.equal(f([], [], ''), true);
  assert.equal(f(['write_msr', 'cpu_idle'], [], ''), true);
  assert.equal(f(['cpu_idle'], [], ''), false);
  assert.equal(f([], [0], ''), false);
  assert.equal(f([], [0, 1], ''), true);
  assert.equal(f([], [], 'VALUE FB'), true);
  assert.equal(f([], [], 'netperf'), true);
  assert.equal(f([], [], '21137'), true);
  assert.equal(f([], [], 'hlt'), false);
  assert.equal(f(['write_msr'], [1], '830'), true);
});

test('row window: only the rows in view (plus overscan), placed where they belong', () => {
  const w = rowWindow(2000, 400, 20, 1_000, 5);
  assert.deepEqual([w.first, w.last], [95, 125]); // rows 100..119 visible
  assert.equal(w.offsetPx, 95 * 20);
  assert.equal(w.contentPx, 20_000);
  assert.deepEqual(rowWindow(0, 400, 20, 0), { first: 0, last: 0, offsetPx: 0, contentPx: 0 });
  const end = rowWindow(1e9, 400, 20, 1_000, 0);
  assert.deepEqual([end.first, end.last], [980, 1000]);
});

test('row window over 50 M rows: the scroll bar is scaled, both ends and the middle are reachable', () => {
  const total = 50_000_000;
  const top = rowWindow(0, 600, 20, total, 0);
  assert.equal(top.contentPx, MAX_SCROLL_PX);
  assert.deepEqual([top.first, top.last], [0, 30]);
  const bottom = rowWindow(MAX_SCROLL_PX, 600, 20, total, 0);
  assert.deepEqual([bottom.first, bottom.last], [total - 30, total]);
  const middle = rowWindow(scrollTopFor(25_000_000, 600, 20, total), 600, 20, total, 0);
  assert.equal(middle.first, 25_000_000);
  assert.ok(
    Math.abs(middle.offsetPx - scrollTopFor(25_000_000, 600, 20, total)) < 1,
    'the first row is drawn at the viewport top',
  );
  assert.deepEqual(pagesFor(250, 530), [0, 1, 2]); // 256 rows a page
});
