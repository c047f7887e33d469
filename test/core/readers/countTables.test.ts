import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { countTableReader } from '../../../src/core/readers/countTables';
import { LineSplitter } from '../../../src/core/lineSplitter';
import type { ExitCountRow, ExitCountTotals, InputFormat, InputRecord, InputWarning } from '../../../src/core/records';
import { FIXTURES } from '../../helpers/paths';
const sharedSet = (name: string): string => join(FIXTURES, 'public', 'shared-set', name);
const foundSet = (name: string): string => join(FIXTURES, 'public', 'found', name);

interface Result {
  format: InputFormat | null;
  rows: ExitCountRow[];
  totals: ExitCountTotals[];
  warnings: InputWarning[];
  failures: InputWarning[];
  /** Labels of the runs the reader marked (one per table). */
  runs: string[];
}

/** Detects and reads like src/core/input.ts does: head = first 200 non-empty lines, then every line, then end(). */
function readText(text: string, forced?: InputFormat): Result {
  const lines: string[] = [];
  const splitter = new LineSplitter((t) => lines.push(t));
  splitter.push(new TextEncoder().encode(text));
  splitter.end();
  const head = lines.filter((l) => l.trim() !== '').slice(0, 200);
  const format = forced ?? countTableReader.detect(head);
  const out: Result = { format, rows: [], totals: [], warnings: [], failures: [], runs: [] };
  if (format === null) return out;
  const reader = countTableReader.create(format, {
    record: (r: InputRecord) => {
      if (r.type === 'exit-count') out.rows.push(r);
      else if (r.type === 'exit-count-totals') out.totals.push(r);
      else if (r.type === 'run-start') out.runs.push(r.label);
      else assert.fail(`unexpected record type ${r.type}`);
    },
    warn: (line, message) => out.warnings.push({ line, message }),
    fail: (line, message) => out.failures.push({ line, message }),
  });
  lines.forEach((l, i) => reader.line(l, i + 1));
  reader.end(lines.length);
  return out;
}

const readFile = (path: string, forced?: InputFormat) => readText(readFileSync(path, 'utf8'), forced);
const fixture = (name: string) => join(FIXTURES, 'count-tables', name);
const byReason = (rows: ExitCountRow[]) => new Map(rows.map((r) => [r.reason, r]));

// ---------------------------------------------------------------------------------------------------------------
// Public samples against the independently computed expected.json

const PUBLIC = join(FIXTURES, 'public', 'shared-set');
const expected = JSON.parse(readFileSync(sharedSet('expected.json'), 'utf8')) as Record<
  string,
  Record<string, unknown>
>;
const countFiles = readdirSync(PUBLIC).filter((f) => /^(perf-kvm-stat|kvm-stat)-.*\.txt$/.test(f));

test('every public count-table sample is covered by expected.json', () => {
  assert.ok(countFiles.length >= 7);
  for (const f of countFiles) assert.ok(expected[f], `${f} has no expected.json entry`);
});

for (const file of countFiles) {
  test(`public sample ${file}: rows and totals match expected.json`, () => {
    const exp = expected[file];
    const res = readFile(join(PUBLIC, file));
    assert.equal(res.format, exp.format === 'kvm-stat' ? 'kvm-stat' : 'perf-kvm-stat');
    assert.deepEqual(res.warnings, []);
    assert.deepEqual(res.failures, []);
    const rows = byReason(res.rows);
    const expRows = exp.rows as Record<string, number | { total: number; cur_avg_per_s: number; pct_total: number }>;
    assert.deepEqual([...rows.keys()].sort(), Object.keys(expRows).sort());
    assert.equal(res.rows.length, Object.keys(expRows).length, 'one row per printed row');
    for (const [reason, want] of Object.entries(expRows)) {
      const row = rows.get(reason)!;
      if (typeof want === 'number') {
        assert.equal(row.count, want, reason);
      } else {
        assert.equal(row.count, want.total, reason);
        assert.equal(row.perSecond, want.cur_avg_per_s, reason);
        assert.equal(row.samplePct, want.pct_total, reason);
      }
    }
    const sum = res.rows.reduce((s, r) => s + r.count, 0);
    if (exp.sum_of_row_samples !== undefined) assert.equal(sum, exp.sum_of_row_samples);
    if (exp.total_samples !== undefined) {
      assert.equal(res.totals.length, 1);
      assert.equal(res.totals[0].samples, exp.total_samples);
    }
    if (exp.total !== undefined) {
      assert.equal(res.totals.length, 1);
      assert.equal(res.totals[0].samples, exp.total);
    }
    if (exp.event_kind !== undefined) for (const r of res.rows) assert.equal(r.table, exp.event_kind);
  });
}

test('classic layout: µs values become ns (arm64 TRAP, checked by hand) and the totals time too', () => {
  // "TRAP  49040  97.15%  100.00%  2.60us  4072.98us  3431.60us ( +- 0.17% )"
  const res = readFile(sharedSet('perf-kvm-stat-arm64-trap-irq-2019.txt'));
  const trap = byReason(res.rows).get('TRAP')!;
  assert.equal(trap.minNs, 2600);
  assert.equal(trap.maxNs, 4_072_980);
  assert.equal(trap.meanNs, 3_431_600);
  assert.equal(trap.samplePct, 97.15);
  assert.equal(trap.timePct, 100);
  assert.equal(trap.totalNs, null);
  assert.equal(trap.vcpu, null);
  // "Total Samples:50477, Total events handled time:168288630.04us."
  assert.equal(res.totals[0].timeNs, 168_288_630_040);
  assert.equal(res.totals[0].line, 14);
});

test('live screen: the leading-space-only name and HLT figures (1.71us / 15227.79us / 341.97us)', () => {
  const res = readFile(sharedSet('perf-kvm-stat-live-win10-ioheavy.txt'));
  const rows = byReason(res.rows);
  assert.equal(rows.get('TPR_BELOW_THRESHOLD')!.count, 82);
  assert.equal(rows.get('TPR_BELOW_THRESHOLD')!.line, 13);
  const hlt = rows.get('HLT')!;
  assert.deepEqual([hlt.minNs, hlt.maxNs, hlt.meanNs], [1710, 15_227_790, 341_970]);
});

test('perf 3.7 mmio layout has no Min/Max; hists layout keeps names with spaces and its ns columns', () => {
  const mmio = byReason(readFile(sharedSet('perf-kvm-stat-mmio-3.7.txt')).rows).get('0xfee00300:W')!;
  assert.deepEqual([mmio.minNs, mmio.maxNs, mmio.meanNs, mmio.timePct], [null, null, 720_680, 82.5]);
  // "    Mem store     83969    51.00%     625697070   8.00%             7451"
  const store = byReason(readFile(sharedSet('perf-kvm-stat-newlayout-loongarch-2024.txt')).rows).get('Mem store')!;
  assert.deepEqual(
    [store.count, store.samplePct, store.totalNs, store.timePct, store.meanNs],
    [83969, 51, 625_697_070, 8, 7451],
  );
});

test('perf stat -e kvm:* rows go to table perf-stat with the event name as reason', () => {
  const res = readFile(sharedSet('perf-kvm-stat-perfstat-kvm-star-small-4x.txt'));
  assert.ok(res.rows.every((r) => r.table === 'perf-stat'));
  assert.equal(byReason(res.rows).get('kvm:kvm_exit')!.line, 5);
  assert.deepEqual(res.totals, [], 'this sample has no elapsed-time footer');
});

// ---------------------------------------------------------------------------------------------------------------
// Detection from head lines

test('detection of every layout from its head lines', () => {
  const cases: [string[], InputFormat | null][] = [
    [['Analyze events for all VMs, all VCPUs:'], 'perf-kvm-stat'],
    [['             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time'], 'perf-kvm-stat'],
    [['         MMIO Access    Samples  Samples%     Time%         Avg time'], 'perf-kvm-stat'],
    [['   Event name   Samples   Sample%     Time (ns)   Time%   Mean Time (ns)'], 'perf-kvm-stat'],
    [['Total Samples:50477, Total events handled time:168288630.04us.'], 'perf-kvm-stat'],
    [[" Performance counter stats for 'system wide':", '                 5      kvm:kvm_entry'], 'perf-kvm-stat'],
    [['5,,kvm:kvm_entry,10001234,100.00,,', '2,,kvm:kvm_exit,10001234,100.00,,'], 'perf-kvm-stat'],
    [['kvm statistics - pid 2137740 (openeuler-20_03)'], 'kvm-stat'],
    [['kvm statistics - summary'], 'kvm-stat'],
    [[' Event                                         Total %Total CurAvg/s'], 'kvm-stat'],
    [readFileSync(fixture('kvm-stat-once.txt'), 'utf8').split('\n').filter(Boolean), 'kvm-stat'],
    [readFileSync(fixture('kvm-stat-log.txt'), 'utf8').split('\n').filter(Boolean).slice(0, 2), 'kvm-stat'],
    [readFileSync(fixture('kvm-stat-log-csv.txt'), 'utf8').split('\n').filter(Boolean).slice(0, 2), 'kvm-stat'],
    // not ours: trace text, perf script, netperf, prose, nothing
    [
      [' qemu-system-x86-2137 [005] 1234.567890: kvm_exit: reason EXTERNAL_INTERRUPT rip 0xffffffff81 info 0 800000fd'],
      null,
    ],
    [['qemu-system-x86  2137 [005]  1234.567890: kvm:kvm_exit: reason HLT rip 0x0 info 0 0'], null],
    [['Socket  Size   Request  Resp.   Elapsed  Trans.', '16384  87380  1        1       10.00    31245.67'], null],
    [['kvm_stat is a tool that shows counts'], null],
    [[], null],
  ];
  for (const [head, want] of cases) assert.equal(countTableReader.detect(head), want, JSON.stringify(head));
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-made fixtures (built with the printf formats of tools/perf/builtin-kvm.c print_result() and of
// tools/kvm/kvm_stat/kvm_stat batch() / StdFormat / CSVFormat, see the comments in countTables.ts)

test('per-vCPU headers and the --event=ioport and --event=msr tables', () => {
  const res = readFile(fixture('perf-kvm-stat-vcpu-ioport-msr.txt'));
  assert.equal(res.format, 'perf-kvm-stat');
  assert.deepEqual(res.warnings, []);
  const io = res.rows.filter((r) => r.table === 'ioport');
  const msr = res.rows.filter((r) => r.table === 'msr');
  assert.deepEqual(
    io.map((r) => [r.reason, r.count, r.vcpu]),
    [
      ['0x3f8:POUT', 1200, 0],
      ['0x60:PIN', 300, 0],
      ['0xcfc:PIN', 25, 0],
    ],
  );
  assert.deepEqual(
    msr.map((r) => [r.reason, r.count, r.vcpu]),
    [
      ['0x830:W', 5000, 1],
      ['0x6e0:W', 2000, 1],
      ['0x10:R', 10, 1],
    ],
  );
  // "0x3f8:POUT  1200  78.69%  61.94%  2.10us  15.25us  4.00us ( +- 3.21% )"
  const pout = io[0];
  assert.deepEqual(
    [pout.samplePct, pout.timePct, pout.minNs, pout.maxNs, pout.meanNs],
    [78.69, 61.94, 2100, 15250, 4000],
  );
  assert.deepEqual(
    res.totals.map((t) => [t.table, t.vcpu, t.samples, t.timeNs]),
    [
      ['ioport', 0, 1525, 7_750_000],
      ['msr', 1, 7010, 9_720_000],
    ],
  );
});

test('live: every screen is emitted (screens are per-interval, so counts add up)', () => {
  const res = readFile(fixture('perf-kvm-stat-live-two-screens.txt'));
  assert.equal(res.format, 'perf-kvm-stat');
  assert.deepEqual(res.warnings, []);
  assert.equal(res.rows.length, 5);
  assert.deepEqual(
    res.totals.map((t) => t.samples),
    [500, 357],
  );
  const msrWrite = res.rows.filter((r) => r.reason === 'MSR_WRITE').reduce((s, r) => s + r.count, 0);
  assert.equal(msrWrite, 700);
});

test('a table cut off mid-row: warning names the line, earlier rows are kept', () => {
  const res = readFile(fixture('perf-kvm-stat-cut-mid-row.txt'));
  assert.equal(res.format, 'perf-kvm-stat');
  assert.deepEqual(
    res.rows.map((r) => [r.reason, r.count]),
    [
      ['MSR_WRITE', 42521],
      ['IO_INSTRUCTION', 10892],
    ],
  );
  assert.ok(
    res.warnings.some((w) => w.line === 9 && /perf kvm stat row/.test(w.message)),
    JSON.stringify(res.warnings),
  );
  assert.ok(
    res.warnings.some((w) => /Total Samples/.test(w.message)),
    'the missing totals line is reported',
  );
  assert.deepEqual(res.failures, []);
});

test('perf stat: thousands separators, <not counted> and cpu-clock skipped, elapsed time as durationSec', () => {
  const res = readFile(fixture('perf-stat-kvm-elapsed.txt'));
  assert.equal(res.format, 'perf-kvm-stat');
  assert.deepEqual(
    res.rows.map((r) => [r.reason, r.count]),
    [
      ['kvm:kvm_exit', 12345],
      ['kvm:kvm_entry', 6789],
    ],
  );
  assert.deepEqual(
    res.totals.map((t) => [t.table, t.durationSec, t.samples]),
    [['perf-stat', 10.001234567, null]],
  );
  assert.deepEqual(res.warnings, []);
});

test('kvm_stat -1: total as count, the one-second delta as perSecond, children are parts of kvm_exit', () => {
  const res = readFile(fixture('kvm-stat-once.txt'));
  assert.equal(res.format, 'kvm-stat');
  assert.deepEqual(
    res.rows.map((r) => [r.table, r.reason, r.count, r.perSecond, r.parent ?? null, r.brokenDown ?? false]),
    [
      ['kvm_stat', 'kvm_entry', 5000, 410, null, false],
      ['kvm_stat', 'kvm_exit', 5000, 410, null, true],
      // 5000 − 1200 − 3000: what the listed children leave of their parent
      ['kvm_stat', 'kvm_exit(other)', 800, null, 'kvm_exit', false],
      ['kvm_stat', 'kvm_exit(HLT)', 1200, 90, 'kvm_exit', false],
      ['kvm_stat', 'kvm_exit(MSR_WRITE)', 3000, 300, 'kvm_exit', false],
      ['kvm_stat', 'kvm_msr', 3100, 305, null, false],
    ],
  );
  assert.equal(res.warnings.length, 1);
  assert.match(res.warnings[0].message, /add up to 4200 of its 5000; the other 800 are counted as "kvm_exit\(other\)"/);
});

for (const name of ['kvm-stat-log.txt', 'kvm-stat-log-csv.txt']) {
  test(`kvm_stat logging (${name}): per-interval deltas, zero deltas skipped, interval from the timestamps`, () => {
    const res = readFile(fixture(name));
    assert.equal(res.format, 'kvm-stat');
    assert.deepEqual(res.warnings, []);
    assert.deepEqual(
      res.rows.filter((r) => r.line === 2).map((r) => [r.reason, r.count]),
      [
        ['kvm_entry', 300],
        ['kvm_exit', 300],
        ['kvm_msr', 120],
      ],
    );
    const exits = res.rows.filter((r) => r.reason === 'kvm_exit').reduce((s, r) => s + r.count, 0);
    assert.equal(exits, 300 + 331 + 270);
    assert.deepEqual(
      res.rows.filter((r) => r.reason === 'kvm_pio').map((r) => [r.line, r.count]),
      [[3, 2]],
    );
    assert.deepEqual(
      res.totals.map((t) => [t.line, t.samples, t.durationSec]),
      [
        [2, 720, null],
        [3, 763, 3],
        [4, 630, 3],
      ],
    );
  });
}

for (const name of ['kvm-stat-log-drilldown.txt', 'kvm-stat-log-drilldown-csv.txt']) {
  test(`kvm_stat logging with drill-down children (${name}): what they leave of kvm_exit is "kvm_exit(other)"`, () => {
    const res = readFile(fixture(name));
    assert.equal(res.format, 'kvm-stat');
    const rowsOf = (line: number) =>
      res.rows.filter((r) => r.line === line).map((r) => [r.reason, r.count, r.parent ?? null, r.brokenDown ?? false]);
    // line 2: kvm_exit 1000, children 100 + 500 + 300 = 900, so 100 left over
    assert.deepEqual(rowsOf(2), [
      ['kvm_entry', 1000, null, false],
      ['kvm_exit', 1000, null, true],
      ['kvm_exit(other)', 100, 'kvm_exit', false],
      ['kvm_exit(EXTERNAL_INTERRUPT)', 100, 'kvm_exit', false],
      ['kvm_exit(HLT)', 500, 'kvm_exit', false],
      ['kvm_exit(MSR_WRITE)', 300, 'kvm_exit', false],
      ['kvm_msr', 310, null, false],
    ]);
    // line 3: the one child (HLT 800) covers kvm_exit 800: no remainder
    assert.deepEqual(rowsOf(3), [
      ['kvm_entry', 800, null, false],
      ['kvm_exit', 800, null, true],
      ['kvm_exit(HLT)', 800, 'kvm_exit', false],
    ]);
    // line 4: every child is 0, so all 600 exits are the remainder, not lost with the split parent
    assert.deepEqual(rowsOf(4), [
      ['kvm_entry', 600, null, false],
      ['kvm_exit', 600, null, true],
      ['kvm_exit(other)', 600, 'kvm_exit', false],
      ['kvm_msr', 5, null, false],
    ]);
    // children and remainders add up to every kvm_exit: 1000 + 800 + 600
    const parts = res.rows.filter((r) => r.parent === 'kvm_exit').reduce((s, r) => s + r.count, 0);
    assert.equal(parts, 2400);
    // the totals are kvm_stat's (children not added): kvm_entry + kvm_exit + kvm_msr per line
    assert.deepEqual(
      res.totals.map((t) => t.samples),
      [2310, 1600, 1205],
    );
    assert.equal(res.warnings.length, 1);
    assert.match(res.warnings[0].message, /add up to 900 of its 1000.*\(2 lines; first at lines 2, 4\)/);
  });
}

test('kvm_stat debugfs logging: halt_exits, io_exits, irq_exits are parts of exits, the rest is exits(other)', () => {
  const res = readFile(fixture('kvm-stat-log-debugfs.txt'));
  assert.equal(res.format, 'kvm-stat');
  assert.deepEqual(
    res.rows.map((r) => [r.line, r.reason, r.count, r.parent ?? null]),
    [
      [2, 'exits', 1000, null],
      // 1000 − 400 − 100 − 200
      [2, 'exits(other)', 300, 'exits'],
      [2, 'halt_exits', 400, 'exits'],
      [2, 'halt_wakeup', 380, null],
      [2, 'io_exits', 100, 'exits'],
      [2, 'irq_exits', 200, 'exits'],
      [3, 'exits', 50, null],
      [3, 'exits(other)', 50, 'exits'],
    ],
  );
});

test('perf\'s "unknown kvm exit code:N" lines name the UNKNOWN row after them, warned once, nothing dropped', () => {
  const res = readFile(foundSet('perf-kvm-stat-live-pvm-unknown-exit-codes-stderr-2024.txt'));
  // grep -c "^unknown kvm exit code" = 5, at lines 9, 11, 13, 15 and 18
  assert.deepEqual(
    res.rows.filter((r) => r.reason.startsWith('UNKNOWN')).map((r) => [r.line, r.reason, r.count]),
    [
      [10, 'UNKNOWN (exit code 131072)', 3622],
      [12, 'UNKNOWN (exit code 327680)', 2057],
      [14, 'UNKNOWN (exit code 196608)', 1401],
      [16, 'UNKNOWN (exit code 262144)', 1233],
      [19, 'UNKNOWN (exit code 65536)', 115],
    ],
  );
  assert.equal(res.warnings.length, 1);
  assert.match(res.warnings[0].message, /exit codes it has no name for.*\(5 lines; first at lines 9, 11, 13, 15, 18\)/);
  assert.deepEqual(
    res.totals.map((t) => t.samples),
    [27549],
  );
});

test('kvm_stat log line with the wrong number of values is warned about', () => {
  const res = readText('kvm_entry kvm_exit \n2024-05-01 10:00:03       300       300\n2024-05-01 10:00:06       330\n');
  assert.equal(res.format, 'kvm-stat');
  assert.equal(res.rows.length, 2);
  assert.deepEqual(
    res.warnings.map((w) => w.line),
    [3],
  );
});

test('empty file: not detected, and a reader fed nothing emits nothing but says why', () => {
  const res = readFile(fixture('empty.txt'));
  assert.equal(res.format, null);
  for (const format of ['perf-kvm-stat', 'kvm-stat'] as const) {
    const forced = readFile(fixture('empty.txt'), format);
    assert.equal(forced.rows.length + forced.totals.length, 0);
    assert.equal(forced.warnings.length, 1);
    assert.equal(forced.warnings[0].line, null);
  }
});

test('bad lines inside tables: one warning with the count and the first line numbers', () => {
  const header = '             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time';
  const row = '                 HLT        100    20.00%    98.43%      1.00us    900.00us    500.00us ( +-   5.00% )';
  const lines = [header];
  for (let i = 0; i < 30; i++) lines.push(row, '                 HLT        1x0    garbage');
  const res = readText(lines.join('\n') + '\n');
  assert.equal(res.rows.length, 30);
  const bad = res.warnings.filter((w) => /expected a perf kvm stat row/.test(w.message));
  assert.equal(bad.length, 1);
  assert.equal(bad[0].line, 3);
  assert.match(bad[0].message, /\(30 lines; first at lines 3, 5, 7, 9, 11\)$/);
});

test('mail quoting and terminal escapes around a table do not hide it', () => {
  const text = [
    '> # perf kvm stat report',
    '> Analyze events for all VMs, all VCPUs:',
    '>              VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time',
    '>                  HLT        100   100.00%   100.00%      1.00us    900.00us    500.00us ( +-   5.00% )',
    '> Total Samples:100, Total events handled time:50000.00us.',
  ].join('\n');
  const res = readText(text);
  assert.equal(res.format, 'perf-kvm-stat');
  assert.deepEqual(
    res.rows.map((r) => [r.reason, r.count, r.meanNs]),
    [['HLT', 100, 500_000]],
  );
  assert.equal(res.totals[0].timeNs, 50_000_000);
});

test('kvm_stat curses capture with two screens: only the last (cumulative) screen is emitted, child rows kept', () => {
  // Tui._refresh_header / _refresh_body formats: ' %-40s %10s%7s %8s', ' %-40s %10d%7.1f %8s', ' %-40s %10d        %8s'
  const fmtRow = (k: string, v: number, pct: number, cur: number) =>
    ` ${k.padEnd(40)} ${String(v).padStart(10)}${pct.toFixed(1).padStart(7)} ${String(cur).padStart(8)}`;
  const screen = (exit: number, hlt: number, entry: number) => [
    'kvm statistics - pid 4242 (vm1)',
    '',
    ` ${'Event'.padEnd(40)} ${'Total'.padStart(10)}${'%Total'.padStart(7)} ${'CurAvg/s'.padStart(8)}`,
    fmtRow('kvm_exit', exit, (exit * 100) / (exit + entry), 10),
    fmtRow('  kvm_exit(HLT)', hlt, (hlt * 100) / exit, 4),
    fmtRow('kvm_entry', entry, (entry * 100) / (exit + entry), 10),
    ` ${'Total'.padEnd(40)} ${String(exit + entry).padStart(10)}        ${'20'.padStart(8)}`,
  ];
  const res = readText([...screen(100, 40, 100), ...screen(130, 52, 130)].join('\n') + '\n');
  assert.equal(res.format, 'kvm-stat');
  assert.deepEqual(
    res.warnings.map((w) => w.line),
    [11],
    'one warning: HLT is not all of kvm_exit',
  );
  assert.deepEqual(
    res.rows.map((r) => [r.line, r.reason, r.count, r.samplePct, r.perSecond, r.parent ?? null]),
    [
      [11, 'kvm_exit', 130, 50, 10, null],
      [11, 'kvm_exit(other)', 78, null, null, 'kvm_exit'],
      [12, 'kvm_exit(HLT)', 52, 40, 4, 'kvm_exit'],
      [13, 'kvm_entry', 130, 50, 10, null],
    ],
  );
  assert.deepEqual(
    res.totals.map((t) => [t.line, t.samples]),
    [[14, 260]],
  );
});

test(
  'a mail-wrapped, quoted classic table: lines joined and warned once, trimmed rows become "other", one run ' +
    'per table',
  () => {
    const res = readFile(join(FIXTURES, 'public', 'found', 'perf-kvm-stat-wrapped-quoted-hyperv-two-tables-2021.txt'));
    assert.equal(res.format, 'perf-kvm-stat');
    assert.deepEqual(res.runs, ['vmexit table, all vCPUs (line 23)', 'vmexit table, all vCPUs (line 39)']);
    // 2 headers + 2 + 4 rows, each cut in two by the mail client
    const wrapped = res.warnings.filter((w) => /wrapped by a mail client/.test(w.message));
    assert.equal(wrapped.length, 1);
    assert.match(wrapped[0].message, /\(8 lines; first at lines 23, 25, 27, 39, 41\)$/);
    // Total Samples 787803 − (471831 + 238932); 342788 − (255152 + 39967 + 35003 + 6622)
    const other = res.rows.filter((r) => r.reason === 'other (rows not shown)').map((r) => [r.line, r.count]);
    assert.deepEqual(other, [
      [30, 77040],
      [50, 6044],
    ]);
    assert.equal(res.warnings.filter((w) => /Total Samples/.test(w.message)).length, 1);
    const ext = res.rows.find((r) => r.reason === 'EXTERNAL_INTERRUPT')!;
    assert.deepEqual([ext.samplePct, ext.timePct, ext.minNs, ext.maxNs, ext.meanNs], [59.89, 68.58, 640, 65420, 2340]);
  },
);

test('a row whose name stayed alone on its line (numbers wrapped onto the next) is joined, not dropped', () => {
  const text = [
    'Analyze events for all VMs, all VCPUs:',
    '             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time',
    '  EXTERNAL_INTERRUPT',
    '   471831    59.89%    68.58%      0.64us     65.42us      2.34us ( +-   0.11% )',
    '           MSR_WRITE     238932    30.33%    23.07%      0.48us     41.05us      1.56us ( +-   0.14% )',
    'Total Samples:710763, Total events handled time:1611193.84us.',
  ].join('\n');
  const res = readText(text);
  const rows = res.rows.map((r) => [r.line, r.reason, r.count]);
  assert.deepEqual(rows, [
    [3, 'EXTERNAL_INTERRUPT', 471831],
    [5, 'MSR_WRITE', 238932],
  ]);
  assert.equal(res.warnings.length, 1);
  assert.match(res.warnings[0].message, /wrapped by a mail client/);
});
