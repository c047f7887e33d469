// The splitter's ASCII shortcut (chunks that are pure ASCII skip the UTF-8 decoder) must give exactly the lines the
// decoder gives, whatever the chunking: multi-byte characters cut between chunks, a BOM, U+FEFF later in the text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAscii } from 'node:buffer';
import fc from 'fast-check';
import { LineSplitter } from '../../src/core/lineSplitter';

let shortcutTaken = 0;
function asciiText(chunk: Uint8Array): string | null {
  if (!isAscii(chunk)) return null;
  shortcutTaken++;
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1');
}

function split(bytes: Uint8Array, cuts: number[], shortcut: boolean): [string, number][] {
  const out: [string, number][] = [];
  const s = new LineSplitter((t, n) => out.push([t, n]), shortcut ? asciiText : undefined);
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    s.push(bytes.subarray(at, Math.max(at, cut)));
    at = Math.max(at, cut);
  }
  s.push(bytes.subarray(at));
  s.end();
  return out;
}

test('ASCII chunks after a multi-byte character cut at a chunk end decode as with the decoder alone', () => {
  const bytes = new TextEncoder().encode('ab\n12.5 µs\nplain ascii\n');
  const mu = bytes.indexOf(0xc2);
  // Chunks: "ab\n12.5 ", "\xc2" (half of µ), "\xb5s\n", "plain ascii\n" — the last one is pure ASCII.
  const cuts = [mu, mu + 1, mu + 4];
  shortcutTaken = 0;
  assert.deepEqual(split(bytes, cuts, true), [
    ['ab', 1],
    ['12.5 µs', 2],
    ['plain ascii', 3],
  ]);
  assert.ok(shortcutTaken >= 1, 'the ASCII chunk after the multi-byte one took the shortcut');
});

test('a BOM is dropped only at the start; U+FEFF after ASCII chunks is kept', () => {
  const text = '\ufeffhead\nbody\n\ufeffnot a bom\n';
  const bytes = new TextEncoder().encode(text);
  const cuts = [5, 10, bytes.indexOf(0xef, 3)];
  assert.deepEqual(split(bytes, cuts, true), [
    ['head', 1],
    ['body', 2],
    ['\ufeffnot a bom', 3],
  ]);
  assert.deepEqual(split(bytes, cuts, true), split(bytes, cuts, false));
});

test('any text, any chunking: the same lines with and without the ASCII shortcut', () => {
  const char = fc.constantFrom('a', 'Z', ' ', '\n', '\r', '\t', 'µ', 'é', '€', '𝄞', '\ufeff', '\u0000', '\x7f');
  fc.assert(
    fc.property(
      fc.array(char, { maxLength: 60 }),
      fc.array(fc.nat(200), { maxLength: 8 }),
      fc.boolean(),
      (chars, cuts, broken) => {
        let bytes = new TextEncoder().encode(chars.join(''));
        // Some runs carry invalid UTF-8 (a lone continuation byte, a cut-off lead byte) to exercise the replacements.
        if (broken && bytes.length > 0)
          bytes = Uint8Array.from([
            ...bytes.subarray(0, bytes.length >> 1),
            0x80,
            0xe2,
            ...bytes.subarray(bytes.length >> 1),
          ]);
        assert.deepEqual(split(bytes, cuts, true), split(bytes, cuts, false));
      },
    ),
    { numRuns: 3000 },
  );
});
