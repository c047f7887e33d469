// What the extension hands the worker: a saved local file by its path, anything else as bytes (an untitled or unsaved
// document's text, a file of a remote or virtual file system read through workspace.fs), never a temp file; and the
// hover counts that come from the same pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fake, fakeDocument, fakeFiles, fakeUri, installFakeVscode, Position, type Hover } from './fakeVscode';
import { REPO, sample } from '../helpers/paths';
import type { Analysis } from '../../src/core/index';
import { isToWorker, transferablesOf, type ToWorker } from '../../src/shared/workerMessages';

installFakeVscode();

const WORKER = join(REPO, 'dist', 'worker.js');
const skip = !existsSync(WORKER) && 'run npm run build first';
const GUEST = () => sample('guest-trace', 'tcprr-cross-poll0.head.report.txt');
const TRACE_DAT = () => sample('guest-trace', 'tcprr-same-poll0.dat');

/** The analysis with its input names replaced: a bytes input is named by its URI, a path input by its path. */
function unnamed(a: Analysis): Analysis {
  return { ...a, inputs: a.inputs.map((i) => ({ ...i, path: 'input' })) };
}

/** Runs `body` with os.tmpdir() pointing at a fresh empty folder (the worker, started inside, inherits it). */
async function withEmptyTmpdir(body: () => Promise<void>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-no-temp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    assert.equal(tmpdir(), dir);
    await body();
    return readdirSync(dir);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('analyze messages carry paths or bytes, and the bytes are transferred, not copied', () => {
  const bytes = new Uint8Array([1, 2, 3]).buffer;
  const m: ToWorker = {
    type: 'analyze',
    job: 1,
    inputs: [
      { kind: 'path', path: '/a.txt' },
      { kind: 'bytes', name: 'untitled:Untitled-1', bytes },
    ],
    countLines: true,
  };
  assert.ok(isToWorker(m));
  assert.deepEqual(transferablesOf(m), [bytes]);
  assert.deepEqual(transferablesOf({ type: 'cancel', job: 1 }), []);
  for (const inputs of [['/a.txt'], [{ kind: 'bytes', name: 'x', bytes: [1, 2] }], [{ kind: 'stream', name: 'x' }]])
    assert.equal(isToWorker({ ...m, inputs }), false, JSON.stringify(inputs));
});

test(
  'an untitled document is analysed from its text: no temp file, the same analysis as its file, hover counts by grep',
  { skip },
  async () => {
    const { AnalysisWorker, DocumentAnalyses } = await import('../../src/extension/analysisService');
    const text = readFileSync(GUEST(), 'utf8');
    let fromText: Awaited<ReturnType<InstanceType<typeof DocumentAnalyses>['get']>> | null = null;
    let fromPath: Analysis | null = null;
    const created = await withEmptyTmpdir(async () => {
      const worker = new AnalysisWorker(WORKER);
      const analyses = new DocumentAnalyses(worker);
      try {
        const untitled = fakeDocument(text, 'Untitled-1', 1, { scheme: 'untitled', isUntitled: true });
        fromText = await analyses.get(untitled as never);
        const r = await worker.analyze([{ kind: 'path', path: GUEST() }]);
        fromPath = r.analysis;
        worker.release(r.job);
      } finally {
        analyses.dispose();
        worker.dispose();
      }
    });
    assert.deepEqual(created, [], 'nothing written to the temp folder');
    const a = fromText!;
    assert.equal(a.analysis.inputs[0].path, 'untitled:Untitled-1');
    assert.equal(a.analysis.inputs[0].records, 399); // 400 lines minus the "cpus=2" header
    assert.deepEqual(unnamed(a.analysis), unnamed(fromPath!));
    // grep over the file: 86 "sched_switch:" lines, 55 "write_msr: 830," and 5 "write_msr: 6e0,", 28 "state=1 "
    assert.equal(a.lineCounts?.sched_switch, 86);
    assert.equal(a.lineCounts?.['msr_write 0x830'], 55);
    assert.equal(a.lineCounts?.['msr_write 0x6e0'], 5);
    assert.equal(a.lineCounts?.hlt, 28);
  },
);

test(
  'an unsaved (dirty) local document is analysed from its editor text, not from the file on disk',
  { skip },
  async () => {
    const { AnalysisWorker, DocumentAnalyses } = await import('../../src/extension/analysisService');
    // the editor holds the first 101 lines (header + 100 events); the file on disk has 400
    const text = readFileSync(GUEST(), 'utf8').split('\n').slice(0, 101).join('\n') + '\n';
    const worker = new AnalysisWorker(WORKER);
    const analyses = new DocumentAnalyses(worker);
    try {
      const dirty = fakeDocument(text, GUEST(), 2, { isDirty: true });
      const r = await analyses.get(dirty as never);
      assert.equal(r.analysis.inputs[0].path, GUEST());
      assert.equal(r.analysis.inputs[0].records, 100);
    } finally {
      analyses.dispose();
      worker.dispose();
    }
  },
);

test(
  'files of a non-file scheme are read through workspace.fs (text and trace.dat) and analyse like their paths',
  { skip },
  async () => {
    const { AnalysisWorker, uriInput } = await import('../../src/extension/analysisService');
    const pairs: { uri: ReturnType<typeof fakeUri>; path: string }[] = [];
    for (const path of [GUEST(), TRACE_DAT()]) {
      const uri = fakeUri('kvltest', `/remote/${path.split('/').pop()}`);
      fakeFiles.set(uri.toString(), new Uint8Array(readFileSync(path)));
      pairs.push({ uri, path });
    }
    const results: [Analysis, Analysis][] = [];
    const created = await withEmptyTmpdir(async () => {
      const worker = new AnalysisWorker(WORKER);
      try {
        for (const { uri, path } of pairs) {
          const input = await uriInput(uri as never);
          assert.equal(input.kind, 'bytes');
          const bytes = input.kind === 'bytes' ? input.bytes : null;
          const viaFs = await worker.analyze([input]);
          assert.equal(bytes?.byteLength, 0, 'the buffer was transferred to the worker, not copied');
          const viaPath = await worker.analyze([{ kind: 'path', path }]);
          worker.release(viaFs.job);
          worker.release(viaPath.job);
          results.push([viaFs.analysis, viaPath.analysis]);
        }
      } finally {
        worker.dispose();
      }
    });
    assert.deepEqual(created, []);
    assert.deepEqual(
      fake.fsReads,
      pairs.map((p) => p.uri.toString()),
    );
    const [[text, textByPath], [dat, datByPath]] = results;
    assert.equal(text.inputs[0].path, 'kvltest:/remote/tcprr-cross-poll0.head.report.txt');
    assert.deepEqual(unnamed(text), unnamed(textByPath));
    assert.equal(dat.inputs[0].format, 'trace-dat');
    assert.deepEqual(unnamed(dat), unnamed(datByPath));
    assert.deepEqual(fake.warnings, []); // small files: no warning about reading into memory
  },
);

/** The numbers a hover on this line shows: "N like it in this file" and "M exits of reason `r`". */
async function hoverFigures(provider: unknown, doc: unknown, line: number) {
  const p = provider as { provideHover(d: unknown, at: unknown): Promise<Hover | null> };
  const md = (await p.provideHover(doc, new Position(line, 1)))?.contents.value ?? '';
  const n = (re: RegExp) => {
    const m = re.exec(md);
    return m ? Number(m[1].replace(/,/g, '')) : null;
  };
  const refined = [...md.matchAll(/`([^`]+)` ([\d,]+)/g)].map((m) => [m[1], Number(m[2].replace(/,/g, ''))]);
  return { like: n(/([\d,]+) like it in this file/), exits: n(/([\d,]+) exits of reason/), refined, md };
}

test(
  "a hover's \"N like it in this file\" equals the analysis's count of the line's exit reason (guest and host)",
  { skip },
  async () => {
    const { AnalysisWorker, DocumentAnalyses } = await import('../../src/extension/analysisService');
    const { TraceHoverProvider } = await import('../../src/extension/hover');
    /** A line and the parts of its reason row: what the line after each exit said it did. */
    type Parts = [RegExp, [string, number][]];
    const cases: { path: string; lines: [RegExp, number][]; parts?: Parts[] }[] = [
      // grep counts: "write_msr: 830," 55, "write_msr: 6e0," 5, "cpu_idle: state=1 " 28
      {
        path: GUEST(),
        lines: [
          [/write_msr: +830,/, 55],
          [/write_msr: +6e0,/, 5],
          [/cpu_idle: +state=1 /, 28],
        ],
      },
      // grep -c "reason IO_INSTRUCTION" 6, "reason EXTERNAL_INTERRUPT" 3, "reason PENDING_INTERRUPT" 1
      {
        path: sample('public', 'traces', 'host-trace-vmx-mail-wrapped-header-event-pckbd-2021.txt'),
        lines: [
          [/reason IO_INSTRUCTION/, 6],
          [/reason EXTERNAL_INTERRUPT/, 3],
          [/reason PENDING_INTERRUPT/, 1],
        ],
      },
      // grep -c "msr_write 6e0" 9
      {
        path: sample('public', 'traces', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt'),
        lines: [[/kvm_msr: +msr_write 6e0/, 9]],
      },
      // a kvm_exit line names the exit reason; the kvm_apic line after it names what the exit wrote: grep -c
      // "reason msr" 2, each followed by "apic_write APIC_EOI" — the row is the reason kvm_exit printed, the
      // register a part of it
      {
        path: sample('public', 'traces', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt'),
        lines: [
          [/reason vintr/, 2],
          [/reason msr/, 2],
        ],
        parts: [[/reason msr/, [['APIC_EOI', 2]]]],
      },
      // trace-cmd's report of a generated trace.dat (every kvm event): grep -c "reason HLT " 6 (2 followed by an
      // APIC_EOI write), "reason EXIT_NPF " 5 (2 MMIO, 1 APIC_EOI)
      {
        path: sample('tracedat', 'kvm-le-4k.report-t.txt'),
        lines: [
          [/reason HLT /, 6],
          [/reason EXIT_NPF /, 5],
        ],
        parts: [
          [/reason HLT /, [['APIC_EOI', 2]]],
          [
            /reason EXIT_NPF /,
            [
              ['MMIO', 2],
              ['APIC_EOI', 1],
            ],
          ],
        ],
      },
    ];
    const worker = new AnalysisWorker(WORKER);
    const analyses = new DocumentAnalyses(worker);
    const provider = new TraceHoverProvider(analyses, worker);
    try {
      for (const { path, lines, parts = [] } of cases) {
        const text = readFileSync(path, 'utf8');
        const doc = fakeDocument(text, path);
        await analyses.get(doc as never);
        const all = text.split('\n');
        for (const [re, grepCount] of lines) {
          const at = all.findIndex((l) => re.test(l));
          const h = await hoverFigures(provider, doc, at);
          assert.equal(h.like, grepCount, `${path}: ${re}\n${h.md}`);
          assert.equal(h.exits, grepCount, `${path}: ${re}\n${h.md}`);
        }
        // the hover lists the row's parts with their counts
        for (const [re, want] of parts) {
          const h = await hoverFigures(
            provider,
            doc,
            all.findIndex((l) => re.test(l)),
          );
          assert.deepEqual(h.refined.slice(-want.length), want, h.md);
        }
      }
    } finally {
      analyses.dispose();
      worker.dispose();
    }
  },
);
