import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, MAX_LINE_CHARS } from '../../src/core/lineSplitter';

function split(chunks: (string | Uint8Array)[]): [string, number][] {
  const out: [string, number][] = [];
  const s = new LineSplitter((t, n) => out.push([t, n]));
  for (const c of chunks) s.push(typeof c === 'string' ? new TextEncoder().encode(c) : c);
  s.end();
  return out;
}

test('lines split across chunks, CRLF and a missing final newline', () => {
  assert.deepEqual(split(['ab', 'c\r\nde', 'f\n', 'g']), [
    ['abc', 1],
    ['def', 2],
    ['g', 3],
  ]);
});

test('a multi-byte character cut between chunks is decoded whole', () => {
  const bytes = new TextEncoder().encode('µs\n');
  assert.deepEqual(split([bytes.subarray(0, 1), bytes.subarray(1)]), [['µs', 1]]);
});

test('an overlong line is cut and reported, the next line is intact', () => {
  const lines: number[] = [];
  const t = new LineSplitter((text, n) => lines.push(text.length, n));
  t.pushText('x'.repeat(MAX_LINE_CHARS + 10) + '\nok\n');
  t.end();
  assert.deepEqual(lines, [MAX_LINE_CHARS, 1, 2, 2]);
  assert.deepEqual(t.cutLines, [1]);
});
