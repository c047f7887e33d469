// The CLI as a user installs it: `npm pack` (dist/cli.js, bin/, no dependencies), `npm install -g` into an empty
// prefix, offline, then --version, --help, per-command help and an analysis of a sample copied outside the repository.
// Figures checked were read off the files: netperf's 16745.77 trans/s; in the trace's trace-cmd report
// (test/fixtures/guest-trace/tcprr-cross-poll0.report.txt.gz) 256,254 event lines and
// `grep -c 'write_msr:.*830, value'` = 32,853.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, SAMPLES } from '../helpers/paths';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
let dir = '';
let installed = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvl-pack-'));
  const env = { ...process.env, npm_config_cache: join(dir, 'cache'), npm_config_update_notifier: 'false' };
  // npm test has just built dist/; packing must not depend on anything else
  execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO, env, stdio: 'pipe' });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote no tarball');
  const prefix = join(dir, 'prefix');
  mkdirSync(prefix);
  execFileSync(npm, ['install', '-g', '--offline', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, tarball)], {
    cwd: dir,
    env,
    stdio: 'pipe',
  });
  installed = join(prefix, 'bin', 'kvm-trace-lens');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[], cwd = dir) => spawnSync(installed, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });

test('the tarball holds the CLI bundle and its bin script only, and declares no dependencies', () => {
  const tarball = join(
    dir,
    readdirSync(dir).find((f) => f.endsWith('.tgz'))!,
  );
  const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
  const packed = [
    'LICENSE',
    'README.md',
    'bin/kvm-trace-lens',
    'dist/cli.js',
    'dist/traceTextWorker.js',
    'dist/tracedatReaderWorker.js',
    'dist/tracedatWorker.js',
    'package.json',
  ];
  assert.deepEqual(
    files,
    packed.map((f) => `package/${f}`),
  );
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest.dependencies, undefined, 'the CLI is one bundle: list libraries as devDependencies');
});

test('--version and --help answer from the installed package', () => {
  const v = run(['--version']);
  assert.equal(v.status, 0, v.stderr);
  assert.equal(v.stdout, `kvm-trace-lens ${version}\n`);
  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /kvm-trace-lens analyze FILE\.\.\. \[--json\] \[--html OUT\.html\]/);
  for (const command of ['analyze', 'compare']) {
    const r = run([command, '--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^usage: kvm-trace-lens ${command}[^]*\\nexamples:\\n`));
  }
});

test('the installed CLI analyses a sample copied outside the repository', () => {
  const work = join(dir, 'work');
  mkdirSync(work);
  for (const name of ['tcprr-cross-poll0.dat', 'tcprr-cross-poll0.netperf.txt']) {
    copyFileSync(join(SAMPLES, 'guest-trace', name), join(work, name));
  }
  const r = run(['analyze', '--json', 'tcprr-cross-poll0.dat', 'tcprr-cross-poll0.netperf.txt'], work);
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.deepEqual(
    a.inputs.map((i: { format: string }) => i.format),
    ['trace-dat', 'netperf'],
  );
  assert.equal(a.benchmark.transactionsPerSec, 16745.77);
  const icr = a.exits.byReason.find((x: { reason: string }) => x.reason === 'msr_write 0x830');
  assert.equal(icr?.count, 32853);
  const text = run(['analyze', 'tcprr-cross-poll0.dat'], work);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^tcprr-cross-poll0\.dat: trace-dat, 256,254 records/);
});
