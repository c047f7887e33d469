// Partial results while reading: the worker ↔ host messages, the host forwarding them (to callers and to document
// analyses joined late), cancel keeping what was read, the panel's partial view, and the real worker on a large trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationTokenSource, fakeDocument, installFakeVscode } from './fakeVscode';
import { REPO, sample } from '../helpers/paths';
import { isFromWorker } from '../../src/shared/workerMessages';
import { isHostMessage } from '../../src/shared/messages';
import { isAnalysisView } from '../../src/shared/views';
import { buildAnalysisView, buildPartialView } from '../../src/presentation/analysisView';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';
import type { Analysis } from '../../src/core/index';

installFakeVscode();

const FAKE_WORKER = join(__dirname, 'fakeWorker.mjs');
const REAL_WORKER = join(REPO, 'dist', 'worker.js');
const minimal = { schema: 'kvm-trace-lens/analysis@1', inputs: [], exits: null, recommendations: [] };
const exitsOf = (a: Analysis) => a.exits?.total ?? null;

test('worker messages: partial and cancelled are checked like the others', () => {
  assert.ok(isFromWorker({ type: 'partial', job: 1, analysis: minimal, done: 4 << 20, total: 40 << 20 }));
  assert.ok(isFromWorker({ type: 'cancelled', job: 1, analysis: minimal, done: 0, total: 0 }));
  const bad: unknown[] = [
    { type: 'partial', job: 1, analysis: minimal, done: 1 }, // no total
    { type: 'partial', job: 1, analysis: minimal, done: -1, total: 10 },
    { type: 'partial', job: 1, analysis: minimal, done: Number.NaN, total: 10 },
    { type: 'partial', job: '1', analysis: minimal, done: 1, total: 10 },
    { type: 'partial', job: 1, analysis: { inputs: 'x', recommendations: [] }, done: 1, total: 10 },
    { type: 'partial', job: 1, analysis: null, done: 1, total: 10 },
    { type: 'cancelled', job: 1, done: 1, total: 10 },
    { type: 'cancelled', job: 1, analysis: minimal },
  ];
  for (const m of bad) assert.equal(isFromWorker(m), false, JSON.stringify(m));
});

test('partial analysis view: labelled, percent floored and clamped, the panel title stands in for the inputs', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  const reading = buildPartialView({ ...a, inputs: [] }, { state: 'reading', percent: 42.9 }, 'big.report.txt', 1);
  assert.deepEqual(reading.partial, { state: 'reading', percent: 42 });
  assert.equal(reading.title, 'big.report.txt');
  assert.equal(reading.summary.find((f) => f.label === 'VM exits')?.value, '10,000'); // the figures so far are shown
  assert.ok(isHostMessage({ type: 'analysis', view: reading }));
  const cancelled = buildPartialView(a, { state: 'cancelled', percent: 180 }, 'ignored', 1);
  assert.deepEqual(cancelled.partial, { state: 'cancelled', percent: 100 });
  assert.equal(cancelled.title, buildAnalysisView(a, 1).title); // a snapshot that lists its inputs keeps their names
  // a finished view has no partial label; damaged labels are refused
  assert.equal(buildAnalysisView(a, 1).partial, undefined);
  assert.ok(isAnalysisView({ ...reading, partial: null }));
  for (const partial of [
    { state: 'reading', percent: 101 },
    { state: 'done', percent: 5 },
    { state: 'reading' },
    'reading',
  ]) {
    assert.equal(isHostMessage({ type: 'analysis', view: { ...reading, partial } }), false, JSON.stringify(partial));
  }
});

test('the host forwards valid partials in order with the share read, then resolves with the final one', async () => {
  const { AnalysisWorker } = await import('../../src/extension/analysisService');
  const worker = new AnalysisWorker(FAKE_WORKER);
  try {
    const seen: [number | null, number][] = [];
    const r = await worker.analyze([{ kind: 'path', path: 'partials' }], {
      onPartial: (a, fraction) => seen.push([exitsOf(a), fraction]),
    });
    // the two malformed partials in between are dropped
    assert.deepEqual(seen, [
      [100, 0.25],
      [300, 0.75],
    ]);
    assert.equal(exitsOf(r.analysis), 400);
  } finally {
    worker.dispose();
  }
});

test('Cancel: the host rejects with CancelledError carrying what was read and the share read', async () => {
  const { AnalysisWorker, CancelledError } = await import('../../src/extension/analysisService');
  const worker = new AnalysisWorker(FAKE_WORKER);
  try {
    const source = new CancellationTokenSource();
    let partials = 0;
    const pending = worker.analyze([{ kind: 'path', path: 'cancel' }], {
      token: source.token as never,
      onPartial: () => {
        partials++;
        source.cancel();
      },
    });
    await assert.rejects(
      pending,
      (e) => e instanceof CancelledError && e.partial !== null && exitsOf(e.partial) === 33 && e.fraction === 0.33,
    );
    assert.equal(partials, 1);
  } finally {
    worker.dispose();
  }
});

test('document analyses hand partials to a listener that joins an analysis under way, the latest first', async () => {
  const { AnalysisWorker, DocumentAnalyses } = await import('../../src/extension/analysisService');
  const worker = new AnalysisWorker(FAKE_WORKER);
  const analyses = new DocumentAnalyses(worker);
  try {
    const doc = fakeDocument('x', 'partials');
    const seenByFirst: (number | null)[] = [];
    const first = analyses.get(doc as never, undefined, (a) => seenByFirst.push(exitsOf(a)));
    // join after the first partial arrived (the fake worker waits 20 ms between messages)
    await new Promise((r) => setTimeout(r, 10));
    const seenByLate: (number | null)[] = [];
    const second = analyses.get(doc as never, undefined, (a) => seenByLate.push(exitsOf(a)));
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1, r2); // one analysis, not two
    assert.deepEqual(seenByFirst, [100, 300]);
    assert.deepEqual(seenByLate, [100, 300]);
    assert.equal(exitsOf(r1.analysis), 400);
    // once finished, a new listener gets nothing more (and no stale partial)
    const seenAfter: unknown[] = [];
    await analyses.get(doc as never, undefined, (a) => seenAfter.push(a));
    assert.deepEqual(seenAfter, []);
  } finally {
    analyses.dispose();
    worker.dispose();
  }
});

test(
  'the real worker sends partials while reading a ~100 MB trace, and Cancel keeps what was read',
  { skip: !existsSync(REAL_WORKER) && 'run npm run build first', timeout: 120_000 },
  async () => {
    const { loadRecording, writeScaledText } = await import('../../scripts/bench-lib/generate.mjs');
    const { AnalysisWorker, CancelledError } = await import('../../src/extension/analysisService');
    const dir = mkdtempSync(join(tmpdir(), 'kvl-partial-'));
    const worker = new AnalysisWorker(REAL_WORKER);
    try {
      const rec = loadRecording(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'));
      const path = join(dir, 'big.report.txt');
      await writeScaledText(rec, 4, path); // 4 × 25.9 MB
      assert.ok(statSync(path).size > 100e6);

      const partials: { exits: number | null; fraction: number }[] = [];
      const r = await worker.analyze([{ kind: 'path', path }], {
        onPartial: (a, fraction) => partials.push({ exits: exitsOf(a), fraction }),
      });
      worker.release(r.job);
      // 4 copies × 256,254 event lines (the recording's own count, see README) = 1,025,016 records
      assert.equal(r.analysis.inputs[0].records, 4 * rec.eventLines);
      assert.equal(rec.eventLines, 256_254);
      assert.ok(
        partials.some((p) => p.fraction < 0.9),
        `a partial from the middle of ~100 MB (one per 500 ms): ${JSON.stringify(partials)}`,
      );
      for (let i = 0; i < partials.length; i++) {
        const p = partials[i];
        // the last one may come from the end-of-file progress report (everything read, summary not yet made)
        assert.ok(p.fraction > 0 && p.fraction <= 1, `fraction ${p.fraction}`);
        assert.ok(p.exits !== null && p.exits <= exitsOf(r.analysis)!, 'a partial counts no more exits than the whole');
        if (p.fraction < 0.9)
          assert.ok(p.exits! < exitsOf(r.analysis)!, 'a partial of part of the file counts fewer exits');
        if (i > 0)
          assert.ok(p.exits! >= partials[i - 1].exits! && p.fraction >= partials[i - 1].fraction, 'partials grow');
      }

      const source = new CancellationTokenSource();
      const pending = worker.analyze([{ kind: 'path', path }], {
        token: source.token as never,
        onPartial: () => source.cancel(),
      });
      const e = await pending.then(
        () => null,
        (x: unknown) => x,
      );
      assert.ok(e instanceof CancelledError, String(e));
      const cancelled = (e as InstanceType<typeof CancelledError>).partial!;
      assert.ok(
        cancelled.inputs[0].records > 0 && cancelled.inputs[0].records < 4 * rec.eventLines,
        `${cancelled.inputs[0].records} records`,
      );
      assert.ok(cancelled.inputs[0].warnings.some((w) => /cancelled after line/.test(w.message)));
      const f = (e as InstanceType<typeof CancelledError>).fraction;
      assert.ok(f > 0 && f < 1, `fraction ${f}`);
    } finally {
      worker.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
