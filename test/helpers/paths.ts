// Where the shared samples are: ../shared beside the repository (as in CI), overridable by KVL_SHARED.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const SHARED = process.env.KVL_SHARED ?? resolve(REPO, '..', 'shared');
export const SAMPLES = join(SHARED, 'samples');
export const FIXTURES = join(REPO, 'test', 'fixtures');

export function sample(...parts: string[]): string {
  const p = join(SAMPLES, ...parts);
  if (!existsSync(p)) throw new Error(`missing sample ${p} (is ../shared beside the repository?)`);
  return p;
}
