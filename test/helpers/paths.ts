// Where test inputs live. Everything is inside the repository: the user-facing samples in samples/ and the rest
// (bigger recordings, published excerpts, hand-made files) in test/fixtures/, each folder with its provenance.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const SAMPLES = join(REPO, 'samples');
export const FIXTURES = join(REPO, 'test', 'fixtures');

/** A recorded or published input by folder and name: samples/<folder>/ first, then test/fixtures/<folder>/. */
export function sample(...parts: string[]): string {
  const found = [join(SAMPLES, ...parts), join(FIXTURES, ...parts)].find((p) => existsSync(p));
  if (!found) throw new Error(`missing test input ${parts.join('/')} (looked in samples/ and test/fixtures/)`);
  return found;
}

/** The text inputs under a folder (trace text, reports, logs; gzip too), in name order, subfolders included. */
export function textFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return textFilesUnder(path);
      return /\.(txt|txt\.gz|log|report)$/.test(name) ? [path] : [];
    });
}
