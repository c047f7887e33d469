// Real traces published on mailing lists, trackers and blogs (test/fixtures/public/traces, PROVENANCE.md there), read
// through the real input path. Expected values were counted by hand with grep from the files (expected.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/analyze';
import type { AccessCount, Analysis, AnalysisRun } from '../../../src/core/analysisTypes';
import { parseKvmExit } from '../../../src/core/eventFields';
import { readInputFile } from '../../../src/core/input';
import type { InputRecord, TraceEvent } from '../../../src/core/records';
import { FIXTURES } from '../../helpers/paths';

const DIR = join(FIXTURES, 'public', 'traces');

interface Expected {
  class: string;
  arch: string;
  format: string;
  events: number;
  eventsByName: Record<string, number>;
  exitReasons: Record<string, number>;
  cpus?: Record<string, number>;
  warnings?: Record<string, number>;
  analysis: {
    exitsTotal: number | null;
    msrs?: Record<string, number>;
    ioPorts?: Record<string, number>;
    userspaceExits?: Record<string, number>;
    nestedExits?: Record<string, number>;
    haltPoll?: { grows: number; shrinks: number };
    /** Several runs of a trace in one text: each run's figures; absent: the file is one run. */
    runs?: ExpectedRun[];
  };
}

interface ExpectedRun {
  label: string;
  exitsTotal: number;
  exitReasons: Record<string, number>;
  msrs?: Record<string, number>;
  userspaceExits?: Record<string, number>;
}

const expected = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected | string>;

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

function accessCounts(list: AccessCount[] | undefined): Record<string, number> {
  return Object.fromEntries((list ?? []).map((a) => [a.id, a.count]));
}

function reasonCounts(list: { reason: string; count: number }[] | undefined): Record<string, number> {
  return Object.fromEntries((list ?? []).map((r) => [r.reason, r.count]));
}

function checkAnalysis(file: string, a: Analysis, want: Expected['analysis']): void {
  assert.equal(a.exits?.total ?? null, want.exitsTotal, `${file}: exits`);
  const lists = a.exits ?? a.hostEvents;
  if (want.msrs) assert.deepEqual(accessCounts(lists?.msrs), want.msrs, `${file}: MSRs`);
  if (want.ioPorts) assert.deepEqual(accessCounts(lists?.ioPorts), want.ioPorts, `${file}: ports`);
  if (want.userspaceExits) {
    assert.deepEqual(reasonCounts(a.hostEvents?.userspaceExits?.byReason), want.userspaceExits, `${file}: user space`);
  }
  if (want.nestedExits)
    assert.deepEqual(reasonCounts(a.hostEvents?.nestedExits?.byReason), want.nestedExits, `${file}: nested`);
  if (want.haltPoll) {
    const w = a.hostEvents?.haltPollWindow;
    assert.deepEqual({ grows: w?.grows, shrinks: w?.shrinks }, want.haltPoll, `${file}: halt-poll window`);
  }
  checkRuns(file, a.runs, want.runs);
}

/** One result per run, never a sum: each run's own exits, MSRs and exits to user space. */
function checkRuns(file: string, runs: AnalysisRun[] | undefined, want: ExpectedRun[] | undefined): void {
  if (!want) return assert.equal(runs, undefined, `${file}: one run`);
  assert.deepEqual(
    runs?.map((r) => r.label),
    want.map((w) => w.label),
    `${file}: runs`,
  );
  want.forEach((w, i) => {
    const run = runs![i];
    assert.equal(run.exits?.total, w.exitsTotal, `${file}: ${w.label}: exits`);
    assert.deepEqual(reasonCounts(run.exits?.byReason), w.exitReasons, `${file}: ${w.label}: reasons`);
    if (w.msrs) assert.deepEqual(accessCounts(run.exits?.msrs), w.msrs, `${file}: ${w.label}: MSRs`);
    if (w.userspaceExits) {
      const got = reasonCounts(run.hostEvents?.userspaceExits?.byReason);
      assert.deepEqual(got, w.userspaceExits, `${file}: ${w.label}: user space`);
    }
  });
}

for (const [file, want] of Object.entries(expected)) {
  if (typeof want === 'string') continue;
  test(`public trace ${file} (${want.class}, ${want.arch}): read as counted by hand`, async () => {
    const path = join(DIR, file);
    const events: TraceEvent[] = [];
    const summary = await readInputFile(path, (r: InputRecord) => {
      if (r.type === 'event') events.push(r);
    });
    assert.equal(summary.error, null, `${file}: ${summary.error}`);
    assert.equal(summary.format, want.format);
    assert.equal(events.length, want.events);
    assert.deepEqual(
      countBy(events, (e) => e.name),
      want.eventsByName,
    );
    const exits = events.filter((e) => e.name === 'kvm_exit');
    assert.deepEqual(
      countBy(exits, (e) => parseKvmExit(e.payload)?.reason ?? '(unreadable)'),
      want.exitReasons,
    );
    if (want.cpus)
      assert.deepEqual(
        countBy(events, (e) => String(e.cpu)),
        want.cpus,
      );
    for (const [pattern, count] of Object.entries(want.warnings ?? {})) {
      const hits = summary.warnings.filter((w) => w.message.includes(pattern));
      assert.equal(hits.length, 1, `${file}: one warning for "${pattern}", got ${JSON.stringify(summary.warnings)}`);
      // The helper states the count when a kind hit more than one line.
      if (count > 1) assert.match(hits[0].message, new RegExp(`\\(${count} lines`), `${file}: ${pattern}`);
      else assert.doesNotMatch(hits[0].message, /\(\d+ lines/, `${file}: ${pattern}`);
    }
    checkAnalysis(file, await analyzeFiles([path]), want.analysis);
  });
}
