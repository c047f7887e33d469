// record --guest for real on this machine: netperf TCP_RR for 1 s beside the trace, the run folder analysed, and
// tracefs left as it was. Runs only as root with tracefs and netperf/netserver on PATH; otherwise skipped, saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TRACEFS_CANDIDATES, findTracefs } from '../../../src/core/capture/tracefs';
import { REPO } from '../../helpers/paths';
import { tempDir } from '../../helpers/fakeTree';

const onPath = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function whyNot(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!findTracefs()) {
    // record would mount it too; where that is not allowed (containers), there is nothing to test.
    const mountPoint = TRACEFS_CANDIDATES.find((d) => existsSync(d));
    if (mountPoint) spawnSync('mount', ['-t', 'tracefs', 'nodev', mountPoint]);
    if (!findTracefs()) return 'no tracefs, and it cannot be mounted here';
  }
  if (!onPath('netperf') || !onPath('netserver')) return 'netperf/netserver not on PATH';
  return null;
}

const reason = whyNot();

test(
  'record --guest with netperf TCP_RR: run folder analysed, tracefs clean',
  { skip: reason ?? false, timeout: 120_000 },
  () => {
    spawnSync('netserver', ['-p', '12865']); // fails harmlessly when one already listens there
    const tracefs = () => findTracefs();
    const state = () => {
      const root = tracefs();
      return root
        ? {
            setEvent: readFileSync(join(root, 'set_event'), 'utf8'),
            on: readFileSync(join(root, 'tracing_on'), 'utf8'),
          }
        : null;
    };
    const before = state();
    const out = join(tempDir('real'), 'run');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO, 'src', 'cli', 'index.ts'),
        'record',
        '--guest',
        '--seconds',
        '1',
        '--out',
        out,
        '--json',
        '--',
        'netperf',
        '-H',
        '127.0.0.1',
        '-p',
        '12865',
        '-t',
        'TCP_RR',
        '-l',
        '1',
      ],
      // As if run through sudo by uid/gid 4242: the run folder is handed to that user.
      { encoding: 'utf8', cwd: REPO, env: { ...process.env, SUDO_UID: '4242', SUDO_GID: '4242' } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(join(out, 'record.json')).uid, 4242);
    assert.equal(statSync(out).gid, 4242);
    const a = JSON.parse(r.stdout);
    const trace = existsSync(join(out, 'trace.dat')) ? 'trace-dat' : 'ftrace';
    assert.deepEqual(
      a.inputs.map((i: { format: string }) => i.format),
      [trace, 'netperf'],
    );
    assert.ok(a.inputs[0].records > 1000, `${a.inputs[0].records} trace records`);
    assert.equal(a.benchmark.test, 'TCP_RR');
    assert.ok(a.transactions.count > 0);
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'analysis.json'), 'utf8')), a);
    const manifest = JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'));
    assert.equal(manifest.benchmark.exitCode, 0);
    assert.equal(JSON.parse(readFileSync(join(out, 'system.json'), 'utf8')).schema, 'kvm-trace-lens/system@1');
    const after = state();
    // Tracefs may have been mounted by record itself; then "before" is what a fresh mount holds.
    assert.deepEqual(after, before ?? { setEvent: '', on: '1\n' });
  },
);

const noSetpriv =
  process.getuid?.() !== 0 ? 'needs root to drop to another user' : !onPath('setpriv') ? 'no setpriv' : null;

test('record as an ordinary user: exit 1, told to use sudo', { skip: noSetpriv ?? false }, () => {
  const out = join(tempDir('nonroot'), 'run');
  const r = spawnSync(
    'setpriv',
    [
      '--reuid',
      '65534',
      '--regid',
      '65534',
      '--clear-groups',
      process.execPath,
      '--import',
      'tsx',
      join(REPO, 'src', 'cli', 'index.ts'),
      'record',
      '--guest',
      '--seconds',
      '1',
      '--out',
      out,
      '--',
      'true',
    ],
    { encoding: 'utf8', cwd: REPO },
  );
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /record needs root to write to tracefs: run it with sudo/);
  assert.ok(!existsSync(out));
});
