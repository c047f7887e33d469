// The repository stands alone: nothing the product, its tests, scripts or README use may read a folder beside the
// checkout, and the samples it ships stay within their budget and each has its provenance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO, SAMPLES } from '../helpers/paths';

const SCANNED = ['src', 'test', 'scripts', 'webview', 'bin', 'README.md', '.ci'];
const THIS_FILE = join('test', 'packaging', 'standalone.test.ts');
// spelled in pieces so that this file does not name what it forbids
const OUTSIDE = new RegExp(['\\.\\./', 'shared', '|', '/work/', 'shared'].join(''));
const SAMPLES_BUDGET_BYTES = 4.5 * 1024 * 1024;

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' ? [] : filesUnder(join(path, name))));
}

const isText = (bytes: Buffer) => !bytes.subarray(0, 8000).includes(0) && !(bytes[0] === 0x1f && bytes[1] === 0x8b);

test('no source, test, script or README names the folder beside the checkout', () => {
  const offenders: string[] = [];
  for (const file of SCANNED.flatMap((p) => filesUnder(join(REPO, p)))) {
    const rel = relative(REPO, file);
    const bytes = readFileSync(file);
    if (rel === THIS_FILE || !isText(bytes)) continue;
    bytes.toString('utf8').split('\n').forEach((line, i) => {
      if (OUTSIDE.test(line)) offenders.push(`${rel}:${i + 1}`);
    });
  }
  assert.deepEqual(offenders, []);
});

test('the rule itself catches a path to the folder beside the checkout', () => {
  assert.ok(OUTSIDE.test(`readFileSync('${['..', 'shared'].join('/')}/samples/x')`));
  assert.ok(OUTSIDE.test(`${['/work', 'shared'].join('/')}/samples`));
  assert.ok(!OUTSIDE.test('pieces shared by v6 and v7'));
});

test('samples/ stays within its 4.5 MiB budget and samples/README.md names every file', () => {
  const files = filesUnder(SAMPLES).map((f) => relative(SAMPLES, f));
  const total = files.reduce((sum, f) => sum + statSync(join(SAMPLES, f)).size, 0);
  assert.ok(total <= SAMPLES_BUDGET_BYTES, `samples/ holds ${total} bytes`);
  // the guest TCP_RR pair, its netperf output, a trace.dat, perf kvm stat, iperf3 JSON and netperf results
  assert.ok(total > 3_500_000, `samples/ holds only ${total} bytes: a recording is missing`);
  const readme = readFileSync(join(SAMPLES, 'README.md'), 'utf8');
  const unlisted = files.filter((f) => f !== 'README.md' && !readme.includes(`\`${f}\``));
  assert.deepEqual(unlisted, []);
});
