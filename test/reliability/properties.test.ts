// Property tests: arbitrary line and byte mutations of real sample heads never make a reader or readInputFile
// throw or hang, every warning points at a line that exists, and what an untouched prefix gave is still given.
// The seed is fixed so that a failure reproduces; FC_SEED=<n> explores other inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { detectTextFormat, readInputFile } from '../../src/core/input';
import type { InputFormat, InputRecord } from '../../src/core/records';
import { sample } from '../helpers/paths';
import { readText, runReader, textLines } from './harness';

const SEED = Number(process.env.FC_SEED ?? 20240611);

/** The first ~100 KB (whole lines) of a long trace-cmd report, so the time bound is measured on a real size. */
function bigReportHead(): string {
  const text = gunzipSync(readFileSync(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz')))
    .subarray(0, 100_000)
    .toString('utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1);
}

interface Subject {
  name: string;
  format: InputFormat;
  text: string;
}

const SUBJECTS: Subject[] = [
  { name: 'trace-cmd report (100 KB)', format: 'trace-cmd-report', text: bigReportHead() },
  {
    name: 'ftrace',
    format: 'ftrace',
    text: readText(sample('public', 'shared-set', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt')),
  },
  {
    name: 'ftrace trace_pipe',
    format: 'ftrace',
    text: readText(sample('public', 'shared-set', 'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt')),
  },
  {
    name: 'perf script',
    format: 'perf-script',
    text: readText(sample('public', 'shared-set', 'perf-script-irq-injection-dragonball-pic.txt')),
  },
  {
    name: 'perf kvm stat',
    format: 'perf-kvm-stat',
    text: readText(sample('public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt')),
  },
  {
    name: 'perf kvm stat live',
    format: 'perf-kvm-stat',
    text: readText(sample('public', 'shared-set', 'perf-kvm-stat-live-win10-ioheavy.txt')),
  },
  {
    name: 'kvm_stat',
    format: 'kvm-stat',
    text: readText(sample('public', 'shared-set', 'kvm-stat-pid-openeuler-4.19.txt')),
  },
  { name: 'netperf demo', format: 'netperf', text: readText(sample('netperf', 'netperf-tcp-rr-demo.txt')) },
  { name: 'netperf omni', format: 'netperf', text: readText(sample('netperf', 'netperf-tcp-rr-omni-O.txt')) },
  { name: 'netperf stream', format: 'netperf', text: readText(sample('netperf', 'netperf-tcp-stream-cpu.txt')) },
  {
    name: 'iperf3 JSON (two docs)',
    format: 'iperf3-json',
    text: readText(sample('public', 'shared-set', 'iperf3-json-two-concatenated-docs.txt')),
  },
  { name: 'iperf3 text', format: 'iperf3-text', text: readText(sample('iperf', 'iperf3-tcp-P2-R.txt')) },
  { name: 'iperf2 text', format: 'iperf2-text', text: readText(sample('iperf', 'iperf2-tcp-P2.txt')) },
];

/** Lines that mean something to some reader: mutations built from them reach deeper than random noise. */
const MEANINGFUL_LINES = [
  '{',
  '}',
  '}{',
  '"end": {',
  '[ ID] Interval           Transfer     Bitrate',
  '[SUM]   0.00-10.00  sec  1.00 GBytes   859 Mbits/sec',
  'Total Samples:79744, Total events handled time:130785328.50us.',
  'Analyze events for all VMs, all VCPUs:',
  '             VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time         Avg time',
  'MIGRATED TCP REQUEST/RESPONSE TEST from 0.0.0.0 (0.0.0.0) port 0 AF_INET to 127.0.0.1 () port 0 AF_INET : demo',
  '16384  131072 1        1       2.00     16447.36',
  'Interim result: 12345.67 Trans/s over 1.000 seconds ending at 1700000000.123',
  'establish control: are you sure there is a netserver listening on 127.0.0.1 at port 12865?',
  '     CPU 0/KVM-1234  [003] 1234.567890: kvm_exit: reason HLT rip 0xffff info 0 0',
  '     CPU 0/KVM-1234  [003] 1234.567891: kvm_exit:',
  'CPU:1 [81927 EVENTS DROPPED]',
  '# entries-in-buffer/entries-written: 10/20   #P:4',
  'cpus=2',
  '...',
  '-'.repeat(40),
  '',
  ' ',
];

type Mutation =
  | { kind: 'delete' | 'duplicate'; at: number }
  | { kind: 'truncate-line'; at: number; keep: number }
  | { kind: 'insert-line'; at: number; text: string }
  | { kind: 'insert-chars'; at: number; pos: number; text: string }
  | { kind: 'cut-file'; at: number };

const noise = fc.string({ unit: 'binary', maxLength: 60 });
const lineText = fc.oneof(noise, fc.constantFrom(...MEANINGFUL_LINES));
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('truncate-line' as const), at: fc.nat(), keep: fc.nat() }),
  fc.record({ kind: fc.constant('insert-line' as const), at: fc.nat(), text: lineText }),
  fc.record({ kind: fc.constant('insert-chars' as const), at: fc.nat(), pos: fc.nat(), text: noise }),
  fc.record({ kind: fc.constant('cut-file' as const), at: fc.nat() }),
);

/** Applies mutations to the lines from `keep` on; lines before `keep` stay as they were. */
function mutateLines(lines: readonly string[], keep: number, mutations: readonly Mutation[]): string[] {
  const out = [...lines];
  for (const m of mutations) {
    const span = out.length - keep;
    const i = keep + (m.at % (span + 1)); // may be out.length: "after the last line"
    switch (m.kind) {
      case 'delete':
        if (i < out.length) out.splice(i, 1);
        break;
      case 'duplicate':
        if (i < out.length) out.splice(i, 0, out[i]);
        break;
      case 'truncate-line':
        if (i < out.length) out[i] = out[i].slice(0, m.keep % (out[i].length + 1));
        break;
      case 'insert-line':
        out.splice(i, 0, ...m.text.split(/\r?\n/));
        break;
      case 'insert-chars': {
        if (i >= out.length) break;
        const p = m.pos % (out[i].length + 1);
        out.splice(i, 1, ...(out[i].slice(0, p) + m.text + out[i].slice(p)).split(/\r?\n/));
        break;
      }
      case 'cut-file':
        out.length = Math.max(keep, i);
        break;
    }
  }
  return out;
}

/** Readers are linear: 100 KB must take well under a second even on a slow CI machine. */
function timeBudgetMs(chars: number): number {
  return 150 + chars * 0.004;
}

const same = (r: InputRecord) => JSON.stringify(r);

function assertLinesExist(warnings: { line: number | null; message: string }[], lineCount: number, what: string): void {
  for (const w of warnings) {
    if (w.line === null) continue;
    assert.ok(
      Number.isInteger(w.line) && w.line >= 1 && w.line <= lineCount,
      `${what}: warning at line ${w.line} of ${lineCount}: ${w.message}`,
    );
  }
}

for (const subject of SUBJECTS) {
  test(`reader property: ${subject.name} survives line mutations and keeps its untouched prefix`, () => {
    const lines = textLines(subject.text);
    // The sample itself is read without failure: otherwise "prefix kept" would prove nothing.
    const clean = runReader(subject.format, lines);
    assert.ok(clean.records.length > 0, `${subject.name} gives records`);
    fc.assert(
      fc.property(
        fc.nat({ max: lines.length }),
        fc.array(mutation, { minLength: 1, maxLength: 8 }),
        (keep, mutations) => {
          const mutated = mutateLines(lines, keep, mutations);
          const started = performance.now();
          const run = runReader(subject.format, mutated);
          const elapsed = performance.now() - started;
          const chars = mutated.reduce((n, l) => n + l.length + 1, 0);
          assert.ok(elapsed < timeBudgetMs(chars), `${chars} chars took ${elapsed.toFixed(0)} ms`);
          assertLinesExist([...run.warnings, ...run.failures], mutated.length, subject.name);
          const prefix = runReader(subject.format, lines.slice(0, keep));
          const committed = prefix.records.slice(0, prefix.recordsBeforeEnd).map(same);
          assert.deepEqual(
            run.records.slice(0, committed.length).map(same),
            committed,
            'records of the untouched prefix',
          );
        },
      ),
      { numRuns: 60, seed: SEED },
    );
  });
}

/** Byte-level mutations of the file: the splitter, the UTF-8 decoder and detection are in the loop too. */
type ByteMutation =
  | { kind: 'delete' | 'duplicate'; at: number; length: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'cut'; at: number };

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('delete' as const, 'duplicate' as const),
    at: fc.nat(),
    length: fc.nat({ max: 300 }),
  }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 64 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
);

function mutateBytes(bytes: Uint8Array, keep: number, mutations: readonly ByteMutation[]): Uint8Array {
  let out = Buffer.from(bytes);
  for (const m of mutations) {
    const i = keep + (m.at % (out.length - keep + 1));
    switch (m.kind) {
      case 'delete':
        out = Buffer.concat([out.subarray(0, i), out.subarray(Math.min(out.length, i + m.length))]);
        break;
      case 'duplicate':
        out = Buffer.concat([out.subarray(0, i + m.length), out.subarray(i)]);
        break;
      case 'insert':
        out = Buffer.concat([out.subarray(0, i), m.bytes, out.subarray(i)]);
        break;
      case 'cut':
        out = out.subarray(0, i);
        break;
    }
  }
  return out;
}

function countLines(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) if (b === 0x0a) n++;
  return n + 1; // an unterminated last line, at most
}

test('readInputFile property: byte mutations of every sample never throw, hang or point past the end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-prop-'));
  let sameFormatRuns = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: SUBJECTS.length - 1 }), // an index, so that a counterexample prints short
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(byteMutation, { minLength: 1, maxLength: 6 }),
        async (subjectIndex, keepShare, mutations) => {
          const subject = SUBJECTS[subjectIndex];
          const lines = textLines(subject.text);
          const keepLines = Math.floor(keepShare * lines.length);
          const prefixText = lines
            .slice(0, keepLines)
            .map((l) => `${l}\n`)
            .join('');
          const original = Buffer.from(subject.text, 'utf8');
          const prefixBytes = Buffer.byteLength(prefixText, 'utf8');
          const bytes = mutateBytes(original, prefixBytes, mutations);
          const path = join(dir, 'input.txt');
          writeFileSync(path, bytes);
          const records: InputRecord[] = [];
          const started = performance.now();
          const summary = await readInputFile(path, (r) => records.push(r));
          const elapsed = performance.now() - started;
          assert.ok(elapsed < timeBudgetMs(bytes.length) + 100, `${bytes.length} bytes took ${elapsed.toFixed(0)} ms`);
          assert.equal(summary.records, records.length);
          assertLinesExist(summary.warnings, countLines(bytes), subject.name);
          if (records.length === 0)
            assert.ok(summary.warnings.length > 0 || summary.error !== null, 'no records and no word why');
          // Detection looks at the first 200 lines, which mutations may change; the prefix promise is per format.
          if (summary.format === subject.format) {
            sameFormatRuns++;
            const prefix = runReader(subject.format, lines.slice(0, keepLines));
            const committed = prefix.records.slice(0, prefix.recordsBeforeEnd).map(same);
            assert.deepEqual(
              records.slice(0, committed.length).map(same),
              committed,
              'records of the untouched prefix',
            );
          }
        },
      ),
      { numRuns: 80, seed: SEED },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // Most mutated files are still recognised; if none were, the prefix check above never ran.
  assert.ok(sameFormatRuns >= 40, `only ${sameFormatRuns} of 80 runs kept their format`);
});

test('detection of every sample is what the property tests assume', () => {
  for (const s of SUBJECTS) {
    const head = textLines(s.text)
      .filter((l) => l.trim() !== '')
      .slice(0, 200);
    assert.equal(detectTextFormat(head), s.format, s.name);
  }
});
