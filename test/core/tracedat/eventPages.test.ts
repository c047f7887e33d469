// Paged random access over trace.dat events against trace-cmd's own report of the same files: row k of the list is
// line k of the report (event lines only), wherever the page starts, and filtered counts are grep counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { CHECKPOINT_EVERY, TraceDatEventPages } from '../../../src/core/tracedat/eventPages';
import { exitEventFilter, formatEventLine, instanceWidthOf } from '../../../src/core/tracedat/eventRows';
import { sample } from '../../helpers/paths';

async function open(path: string): Promise<{ pages: TraceDatEventPages; close: () => Promise<void> }> {
  const fh = await fsp.open(path, 'r');
  const pages = await TraceDatEventPages.open(fh, (await fh.stat()).size);
  return { pages, close: () => fh.close() };
}

/** The event lines of a report (not "cpus=" nor the EVENTS DROPPED notices), trailing blanks dropped. */
async function reportEventLines(path: string): Promise<string[]> {
  const input = path.endsWith('.gz') ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const lines: string[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line.startsWith('cpus=') || line.includes('EVENTS DROPPED')) continue;
    lines.push(line.trimEnd());
  }
  return lines;
}

async function printed(pages: TraceDatEventPages, first: number, last: number, precision: 'us' | 'ns') {
  const width = instanceWidthOf(pages.instances);
  return (await pages.rows(first, last)).map((r) => formatEventLine(r, precision, width).trimEnd());
}

test('v7 zstd file: every row is the line of `trace-cmd report`, the µs and the ns report', async () => {
  const { pages, close } = await open(sample('trace-dat', 'v7-zstd.dat'));
  try {
    assert.equal(pages.total, 3444); // grep -vc of cpus= and DROPPED lines
    assert.deepEqual(pages.cpus, [0, 1]);
    assert.deepEqual(
      await printed(pages, 0, pages.total, 'us'),
      await reportEventLines(sample('trace-dat', 'v7-zstd.report.txt')),
    );
    const ns = await reportEventLines(sample('trace-dat', 'v7-zstd.report-t.txt'));
    // pages out of order: each restarts at the checkpoint before it, not at the start of the file
    for (const first of [3000, 17, 2 * CHECKPOINT_EVERY - 3, 1200]) {
      assert.deepEqual(await printed(pages, first, first + 300, 'ns'), ns.slice(first, first + 300), `from ${first}`);
    }
  } finally {
    await close();
  }
});

test('two buffer instances: lines carry the instance label as trace-cmd prints it', async () => {
  const { pages, close } = await open(sample('tracedat', 'multi-v7.dat'));
  try {
    assert.deepEqual(pages.instances, ['second']);
    const report = await reportEventLines(sample('tracedat', 'multi-v7.report-t.txt'));
    assert.equal(pages.total, 155);
    assert.deepEqual(await printed(pages, 0, 200, 'ns'), report);
  } finally {
    await close();
  }
});

test('half a million events: pages anywhere match the report, the end is short', async () => {
  const { pages, close } = await open(sample('guest-trace', 'tcprr-cross-poll200000.dat'));
  try {
    assert.equal(pages.total, 498737); // zcat report | grep -vc of cpus= and DROPPED lines
    const report = await reportEventLines(sample('guest-trace', 'tcprr-cross-poll200000.report.txt.gz'));
    for (const first of [400_000, 123_457, 0, 498_700]) {
      assert.deepEqual(
        await printed(pages, first, first + 256, 'us'),
        report.slice(first, first + 256),
        `from ${first}`,
      );
    }
    // zcat report | grep -c ' cpu_idle: ' gives 165218
    const idle = { names: ['cpu_idle'], cpus: [], text: '' };
    assert.equal(await pages.count(idle), 165218);
    const at = await pages.positionOf(300_000, idle);
    const [row] = await pages.filteredRows(idle, at, at + 1);
    assert.equal(row.name, 'cpu_idle');
    assert.ok(row.index >= 300_000);
    const [before] = await pages.filteredRows(idle, at - 1, at);
    assert.ok(before.index < 300_000);
    // a stopped scan (the user typed on) is not kept: the next ask for that filter scans again
    const msr = { names: ['write_msr'], cpus: [], text: '' };
    await assert.rejects(pages.count(msr, undefined, AbortSignal.abort()), /cancelled/);
    assert.equal(await pages.count(msr), 876); // zcat report | grep -c " write_msr: "
  } finally {
    await close();
  }
});

test('filters: counts by name, CPU and text are the grep counts of the report', async () => {
  const { pages, close } = await open(sample('trace-dat', 'v7-zstd.dat'));
  try {
    const progress: number[] = [];
    const f = (names: string[], cpus: number[], text: string) =>
      pages.count({ names, cpus, text }, (d) => progress.push(d));
    assert.equal(await f(['write_msr'], [], ''), 854); // grep -c ' write_msr: '
    assert.equal(await f([], [1], ''), 1668); // grep -c '\[001\]'
    assert.equal(await f(['sched_switch'], [0], ''), 362); // grep -E -c '\[000\].* sched_switch: '
    assert.equal(await f([], [], 'WAKEUP'), 516); // grep -ic wakeup
    assert.equal(await f([], [], 'netserver'), 1333); // grep -ic netserver
    assert.equal(progress.at(-1), 3444);
    // the exit "msr_write 0x830" of the analysis: the write_msr events of MSR 0x830
    assert.equal(await pages.count(exitEventFilter('msr_write 0x830')), 509); // grep -c 'write_msr: *830, value'
    const rows = await pages.filteredRows({ names: ['write_msr'], cpus: [], text: '' }, 850, 900);
    assert.equal(rows.length, 4);
    assert.ok(rows.every((r) => r.name === 'write_msr'));
  } finally {
    await close();
  }
});

test('exit reasons map to the events that show them', () => {
  assert.deepEqual(exitEventFilter('hlt'), { names: ['cpu_idle'], cpus: [], text: '' });
  assert.deepEqual(exitEventFilter('EXTERNAL_INTERRUPT'), {
    names: ['kvm_exit'],
    cpus: [],
    text: 'reason EXTERNAL_INTERRUPT ',
  });
  assert.deepEqual(exitEventFilter('MSR_WRITE 0x6e0'), { names: ['kvm_msr'], cpus: [], text: 'msr_write 6e0 ' });
});
