// The hover provider and the worker client over the real core, with a fake vscode API (fakeVscode.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeDocument, installFakeVscode, Position, type Hover } from './fakeVscode';
import { REPO, sample } from '../helpers/paths';

installFakeVscode();

const TRACE = () => sample('guest-trace', 'tcprr-cross-poll0.head.report.txt');
const WORKER = join(REPO, 'dist', 'worker.js');

test(
  'the analysis worker thread analyses a trace, counts lines per key, answers line facts and can be cancelled',
  { skip: !existsSync(WORKER) && 'run npm run build first' },
  async () => {
    const { AnalysisWorker, CancelledError } = await import('../../src/extension/analysisService');
    const worker = new AnalysisWorker(WORKER);
    try {
      const r = await worker.analyze([{ kind: 'path', path: TRACE() }], { countLines: true });
      // 399 records: the 400 lines minus the "cpus=2" header
      assert.equal(r.analysis.inputs[0].records, 399);
      assert.equal(r.analysis.inputs[0].format, 'trace-cmd-report');
      const counts = r.lineCounts!;
      // every line with an event is counted under some key: 399 events in all
      // (awk over the file: 399 lines with "ts: name:")
      assert.equal(
        Object.values(counts).reduce((s, n) => s + n, 0),
        399,
      );
      // sched_switch has no exit meaning, so its key is its name: 86 lines (awk)
      assert.equal(counts.sched_switch, 86);
      const facts = await worker.lineFacts(r.job, [1, 3]);
      assert.equal(facts.length, 2);
      assert.equal(facts[0], null); // "cpus=2" is no event
      worker.release(r.job);

      const { CancellationTokenSource } = await import('./fakeVscode');
      const source = new CancellationTokenSource();
      const pending = worker.analyze(
        [{ kind: 'path', path: sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz') }],
        {
          token: source.token as never,
        },
      );
      source.cancel();
      await assert.rejects(pending, (e) => e instanceof CancelledError);
    } finally {
      worker.dispose();
    }
  },
);

test('hover: explanation, line facts, counts and the exit reason of a write_msr 830 line', async () => {
  const { TraceHoverProvider } = await import('../../src/extension/hover');
  const { explainTraceLine } = await import('../../src/core/explain');
  const text = readFileSync(TRACE(), 'utf8');
  const doc = fakeDocument(text);
  const line3 = doc.lineAt(2).text; // "bash-21134 [001] 10729.493988: write_msr: 830, value fb"
  const key = explainTraceLine(line3)?.key ?? 'write_msr';
  const analysis = {
    schema: 'kvm-trace-lens/analysis@1',
    inputs: [],
    exits: {
      source: 'guest-inferred',
      total: 100,
      perSecond: null,
      durationNs: null,
      byReason: [
        {
          reason: key,
          category: 'ipi',
          count: 55,
          share: 0.55,
          critical: 51,
          offCritical: 4,
          meanNs: null,
          p50Ns: null,
          p99Ns: null,
          maxNs: null,
        },
      ],
    },
    transactions: null,
    benchmark: null,
    recommendations: [],
  };
  const asked: number[][] = [];
  const analyses = {
    peek: () => ({ pending: false, result: { version: 1, job: 7, analysis, lineCounts: { [key]: 55 } } }),
    get: () => Promise.reject(new Error('not used')),
  };
  const worker = {
    lineFacts: async (_job: number, lines: number[]) => (
      asked.push(lines),
      [{ critical: true, durationNs: 8000, transaction: 2 }]
    ),
  };
  const provider = new TraceHoverProvider(analyses as never, worker as never);
  const hover = (await provider.provideHover(
    doc as never,
    new Position(2, line3.indexOf('830') + 1) as never,
  )) as unknown as Hover;
  assert.deepEqual(asked, [[3]]); // 1-based line of the hovered position
  const md = hover.contents.value;
  assert.match(md, /on the critical path of transaction 3/);
  assert.match(md, /took 8\u00a0µs/);
  assert.match(md, /55 like it in this file/);
  assert.match(md, /55 exits of reason/);
  assert.match(md, /93\u00a0% on the critical path/); // 51 / 55
});

test('hover: before the analysis is there it says so and starts one; no hover on a header line', async () => {
  const { TraceHoverProvider } = await import('../../src/extension/hover');
  const doc = fakeDocument(readFileSync(TRACE(), 'utf8'));
  let started = 0;
  const analyses = { peek: () => ({ pending: false }), get: () => (started++, new Promise(() => {})) };
  const worker = { lineFacts: async () => [] };
  const provider = new TraceHoverProvider(analyses as never, worker as never);
  // cpu_idle state=1
  const hover = (await provider.provideHover(doc as never, new Position(6, 40) as never)) as unknown as Hover;
  assert.match(hover.contents.value, /Analysing the file/);
  assert.equal(started, 1);
  assert.equal(await provider.provideHover(doc as never, new Position(0, 2) as never), null); // "cpus=2"
});
