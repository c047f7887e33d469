// End-to-end checks of the trace.dat editor's event list (called by run.mjs with the trace.dat editor open): the
// Events tab shows `event-list` with `event-row`s whose text is trace-cmd's report line by line, a filter by event
// name gives the report's count of that event, the far end of the list shows the right rows, and a click on an exit
// reason in the analysis opens its events.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The event lines of a gzipped `trace-cmd report` (not "cpus=" nor EVENTS DROPPED notices), trailing blanks cut. */
async function reportLines(gz) {
  const lines = [];
  const input = createReadStream(gz).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!line.startsWith('cpus=') && !line.includes('EVENTS DROPPED')) lines.push(line.trimEnd());
  }
  return lines;
}

/** The rows drawn now, in order: their event number and text. */
function visibleRows(frame) {
  return frame.$$eval('[data-testid="event-list"] [data-testid="event-row"]', (rows) =>
    rows
      .filter((r) => r.style.display !== 'none')
      .map((r) => ({ index: Number(r.dataset.index), name: r.dataset.name, text: (r.textContent ?? '').trimEnd() })),
  );
}

/** Waits until the list's count says `want` events (or gives up after `ms`); returns the last text seen. */
async function waitForCount(frame, want, ms) {
  const end = Date.now() + ms;
  let text = '';
  while (Date.now() < end) {
    text = (await frame.$eval('.event-count', (e) => e.textContent ?? '').catch(() => '')) ?? '';
    if (text === `${want.toLocaleString('en-US')} events`) return text;
    await sleep(300);
  }
  return text;
}

async function waitForRows(frame, ok, ms) {
  const end = Date.now() + ms;
  let rows = [];
  while (Date.now() < end) {
    rows = await visibleRows(frame).catch(() => []);
    if (rows.length > 0 && ok(rows)) return rows;
    await sleep(300);
  }
  return rows;
}

/**
 * `report`: the gzipped trace-cmd report of the trace.dat open in the editor. `check(name, ok, detail, opts)`,
 * `findInFrames(page, selector, ms)` and `shots` (a folder) come from run.mjs.
 */
export async function eventListChecks(page, { report, check, findInFrames, shots }) {
  const lines = await reportLines(report);
  const frame = await findInFrames(page, '[data-testid="tab-events"]', 60_000);
  check('the trace.dat editor has an Events tab', frame !== null);
  if (!frame) return;
  await frame.click('[data-testid="tab-events"]');
  const listed = await findInFrames(page, '[data-testid="event-list"] [data-testid="event-row"]', 90_000);
  check('the Events tab shows the event-list with event-rows', listed !== null);
  if (!listed) return;

  // 1. the first rows are the report's first lines, character for character
  const total = lines.length;
  const count = await waitForCount(frame, total, 30_000);
  check(
    'the list counts the events trace-cmd report prints',
    count === `${total.toLocaleString('en-US')} events`,
    count,
  );
  const top = await waitForRows(frame, (rows) => rows[0].index === 0, 10_000);
  const topOk = top.length >= 10 && top.every((r) => r.text === lines[r.index]);
  check(
    'event rows read as trace-cmd report lines',
    topOk,
    `${top.length} rows; first: ${JSON.stringify(top[0]?.text)}`,
  );
  await page.screenshot({ path: join(shots, '05b-trace-dat-events.png') });

  // 2. a filter by event name: the report's count of that event, and only its rows
  const name = 'write_msr';
  const want = lines.filter((l) => / write_msr: /.test(l)).length;
  await frame.selectOption('select.event-filter-name', name);
  const filtered = await waitForCount(frame, want, 60_000);
  const wantText = `${want.toLocaleString('en-US')} events`;
  check(`filtering by ${name} leaves the report's ${want} ${name} events`, filtered === wantText, filtered);
  const nameRows = await waitForRows(frame, (rows) => rows.every((r) => r.name === name), 10_000);
  check(
    'the filtered rows are that event, each the report line of its event number',
    nameRows.length > 0 && nameRows.every((r) => r.name === name && r.text === lines[r.index]),
    `${nameRows.length} rows`,
  );

  // 3. back to every event, then the far end: the last rows of the report
  await frame.selectOption('select.event-filter-name', '');
  await waitForCount(frame, total, 30_000);
  await frame.$eval('.event-viewport', (v) => {
    v.scrollTop = v.scrollHeight;
  });
  const end = await waitForRows(frame, (rows) => rows.some((r) => r.index === total - 1), 20_000);
  const endOk = end.some((r) => r.index === total - 1) && end.every((r) => r.text === lines[r.index]);
  const last = JSON.stringify(end.at(-1)?.text);
  check("scrolled to the end, the rows are the report's last lines", endOk, `last: ${last}`);
  // and somewhere in the middle (a page never read before)
  await frame.$eval('.event-viewport', (v) => {
    v.scrollTop = v.scrollHeight * 0.61;
  });
  const mid = await waitForRows(frame, (rows) => rows[0].index > total * 0.5 && rows[0].index < total * 0.7, 20_000);
  const midOk = mid.length > 0 && mid.every((r) => r.text === lines[r.index]);
  check('in the middle of the list, each row is the report line of its event number', midOk, `from #${mid[0]?.index}`);
  await page.screenshot({ path: join(shots, '05c-trace-dat-events-middle.png') });

  // 4. an exit reason in the analysis opens its events
  await frame.click('[data-testid="tab-analysis"]');
  const reason = await frame.$('[data-testid="reason-events"]');
  if (!reason) {
    check('an exit reason in the analysis links to its events', false, 'no reason button', { soft: true });
    return;
  }
  const label = (await reason.textContent()) ?? '';
  await reason.click();
  await sleep(500);
  const picked = await frame.$eval('select.event-filter-name', (s) => s.value).catch(() => '');
  const shown = await waitForRows(frame, (rows) => rows.every((r) => r.name === picked), 60_000);
  const visible = await frame.$eval('[data-testid="event-list"]', (e) => e.offsetParent !== null).catch(() => false);
  check(
    `clicking the exit reason "${label}" shows its events`,
    visible && picked !== '' && shown.length > 0 && shown.every((r) => r.name === picked),
    `filter ${picked}, ${shown.length} rows`,
  );
  await page.screenshot({ path: join(shots, '05d-trace-dat-exit-events.png') });
}
