// One input, three byte sources: a path, bytes in memory, a chunked stream. Each must give the same analysis JSON
// (text, gzip text, trace.dat, gzip trace.dat), and a path must be opened exactly once.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { analyzeFiles, analyzeFilesDetailed } from '../../src/core/analyze';
import { nodeFileAccessor, type FileAccessor, type InputSource } from '../../src/core/byteSource';
import { readInput } from '../../src/core/input';
import { FIXTURES, sample } from '../helpers/paths';

/** A file accessor that counts opens (and reads), delegating to node:fs. */
function countingAccessor(): FileAccessor & { opens: string[] } {
  const opens: string[] = [];
  return {
    opens,
    async open(path) {
      opens.push(path);
      return nodeFileAccessor.open(path);
    },
  };
}

/** The file's bytes in chunks of an odd size, so that lines, gzip blocks and trace.dat pages straddle chunks. */
async function* chunked(bytes: Uint8Array, size = 7919): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}

const json = (x: unknown) => JSON.stringify(x);

const CASES = [
  ['text', () => sample('public', 'shared-set', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt')],
  ['gzip text', () => sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz')],
  ['trace.dat', () => sample('guest-trace', 'tcprr-cross-poll0.dat')],
  ['trace.dat v7 with instances', () => join(FIXTURES, 'tracedat', 'multi-v7.dat')],
  ['gzip trace.dat', () => join(FIXTURES, 'tracedat', 'multi-v6.dat.gz')],
] as const;

for (const [what, pathOf] of CASES) {
  test(`${what}: a path, bytes and a chunked stream give the same analysis, the path opened once`, async () => {
    const path = pathOf();
    const files = countingAccessor();
    const fromPath = await analyzeFiles([path], { fileAccessor: files });
    assert.deepEqual(files.opens, [path]);
    assert.ok(fromPath.inputs[0].records > 0, `${what}: records read`);
    const bytes = new Uint8Array(readFileSync(path));
    const sources: InputSource[] = [
      { kind: 'bytes', name: path, bytes },
      { kind: 'stream', name: path, chunks: chunked(bytes), size: bytes.length },
      { kind: 'stream', name: path, chunks: chunked(bytes, 1 << 20) },
    ];
    for (const source of sources) {
      const a = await analyzeFiles([source], { fileAccessor: files });
      assert.equal(json(a), json(fromPath), `${what} from ${typeof source === 'string' ? 'path' : source.kind}`);
    }
    assert.equal(files.opens.length, 1, 'bytes and streams never open a file');
  });
}

test('gzip trace.dat from a path: the records of the decompressed file, in memory or through a spill', async () => {
  const path = join(FIXTURES, 'tracedat', 'multi-v6.dat.gz');
  const plain = new Uint8Array(gunzipSync(readFileSync(path)));
  const names = async (source: InputSource, spillDirectory?: null) => {
    const out: string[] = [];
    await readInput(source, (r) => r.type === 'event' && out.push(`${r.timeNs} ${r.cpu} ${r.name} ${r.payload}`), {
      spillDirectory,
    });
    return out;
  };
  const expected = await names({ kind: 'bytes', name: 'x', bytes: plain });
  assert.ok(expected.length > 0);
  assert.deepEqual(await names(path), expected);
  assert.deepEqual(await names(path, null), expected);
});

test('progress of a stream without a size counts bytes done; with a size it ends at the size', async () => {
  const path = sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz');
  const bytes = new Uint8Array(readFileSync(path));
  const seen: [number, number][] = [];
  await readInput({ kind: 'stream', name: 'x', chunks: chunked(bytes, 1 << 20) }, () => {}, {
    onProgress: (d, t) => seen.push([d, t]),
  });
  assert.deepEqual(seen.at(-1), [bytes.length, bytes.length]);
});

/** Asserts the text progress rule: a first report before 4 MiB (some text analysed), then one per 4 MiB read. */
function assertTextProgress(seen: [number, number][], size: number): void {
  assert.ok(seen[0][0] > 0 && seen[0][0] < 4 << 20, `first report at ${seen[0][0]} bytes`);
  for (let i = 1; i < seen.length - 1; i++) assert.ok(seen[i][0] - seen[i - 1][0] >= 4 << 20, `report ${i}`);
  assert.deepEqual(seen.at(-1), [size, size]);
  assert.ok(seen.length >= 4, `${seen.length} reports for ${size} bytes`);
}

test('text progress: a first report once some is analysed, then one per 4 MiB (one thread, workers)', async (t) => {
  const text = gunzipSync(readFileSync(sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz')));
  const seen: [number, number][] = [];
  const onProgress = (d: number, total: number) => seen.push([d, total]);
  await readInput({ kind: 'stream', name: 'x', chunks: chunked(text, 1 << 20), size: text.length }, () => {}, {
    onProgress,
  });
  assertTextProgress(seen, text.length);
  const dir = mkdtempSync(join(tmpdir(), 'kvl-progress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'trace.txt');
  writeFileSync(path, text);
  seen.length = 0;
  await readInput(path, () => {}, { onProgress, parallel: true });
  assertTextProgress(seen, text.length);
});

test('an unreadable path: one open attempt, a failure naming the file, no records', async () => {
  const files = countingAccessor();
  const s = await readInput('/nonexistent/trace.txt', () => assert.fail('no records'), { fileAccessor: files });
  assert.equal(files.opens.length, 1);
  assert.match(s.error ?? '', /cannot read \/nonexistent\/trace\.txt: no such file/);
});

test('hover line counts come from the analysing pass and match counting the lines by hand', async () => {
  const path = sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz');
  const key = (text: string) => /^\s*\S.*?\[\d+\]\s+[\d.]+:\s+(\w+):/.exec(text)?.[1] ?? null;
  const { lineCounts } = await analyzeFilesDetailed([path], { lineCountKey: key });
  // zcat tcprr-cross-poll0.report.txt.gz | grep -c ' write_msr:'  → 56020; ' cpu_idle:' → 31167
  assert.equal(lineCounts?.write_msr, 56020);
  assert.equal(lineCounts?.cpu_idle, 31167);
  const dat = await analyzeFilesDetailed([sample('guest-trace', 'tcprr-cross-poll0.dat')], { lineCountKey: key });
  assert.equal(dat.lineCounts, null, 'a trace.dat has no text lines to count');
});

test('a stream that fails before its first byte: "cannot read" with the reason, not "empty"', async () => {
  const broken: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })),
    }),
  };
  const s = await readInput({ kind: 'stream', name: 'remote://x.txt', chunks: broken }, () => assert.fail());
  assert.equal(s.error, 'cannot read remote://x.txt: EIO');
});

test('a stream that fails midway keeps the lines before the failure and says where it stopped', async () => {
  const text = new Uint8Array(
    readFileSync(sample('public', 'shared-set', 'host-trace-svm-idle-halt-ipi-ts-only-2024.txt')),
  );
  const cut = text.lastIndexOf(10, text.length >> 1) + 1;
  async function* halfThenFail(): AsyncGenerator<Uint8Array> {
    yield text.subarray(0, cut);
    throw new Error('connection reset');
  }
  const whole = await readInput({ kind: 'bytes', name: 'x', bytes: text.subarray(0, cut) }, () => {});
  const s = await readInput({ kind: 'stream', name: 'x', chunks: halfThenFail() }, () => {});
  assert.equal(s.records, whole.records);
  assert.ok(s.records > 0);
  const stopped = /read failed after line \d+: connection reset; keeping what was read/;
  assert.ok(s.warnings.some((w) => stopped.test(w.message)));
});
