// The repository stands alone: nothing the product, its tests, scripts or README use may read a folder beside the
// checkout, and the samples it ships stay within their budget and each has its provenance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO, SAMPLES } from '../helpers/paths';

const SCANNED = ['src', 'test', 'scripts', 'webview', 'bin', 'README.md', '.ci'];
const THIS_FILE = join('test', 'packaging', 'standalone.test.ts');
// spelled in pieces so that this file does not name what it forbids; a relative "<dots>/shared" is only an offence
// where it leaves the repository (src/shared is the repository's own folder of messages)
const OUTSIDE = new RegExp(['((?:\\.\\./)+)', 'shared', '|', '/work/', 'shared'].join(''), 'g');

/** The matches on a line that point outside the repository. */
function outsideRefs(line: string, fileDir: string): string[] {
  return [...line.matchAll(OUTSIDE)]
    .filter((m) => !m[1] || relative(REPO, resolve(fileDir, m[1])).startsWith('..'))
    .map((m) => m[0]);
}
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
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (outsideRefs(line, dirname(file)).length > 0) offenders.push(`${rel}:${i + 1}`);
      });
  }
  assert.deepEqual(offenders, []);
});

test('the rule itself catches a path to the folder beside the checkout', () => {
  assert.equal(outsideRefs(`readFileSync('${['..', 'shared'].join('/')}/samples/x')`, REPO).length, 1);
  assert.equal(
    outsideRefs(`'${['..', '..', '..', '..', 'shared'].join('/')}/x'`, join(REPO, 'test', 'core', 'readers')).length,
    1,
  );
  assert.equal(outsideRefs(`${['/work', 'shared'].join('/')}/samples`, REPO).length, 1);
  assert.equal(outsideRefs('pieces shared by v6 and v7', REPO).length, 0);
  // the repository's own src/shared, from src/presentation
  assert.equal(outsideRefs(`from '${['..', 'shared'].join('/')}/views'`, join(REPO, 'src', 'presentation')).length, 0);
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
