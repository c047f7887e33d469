// The CLI's record and analyze DIR as a user runs them (through tsx, no build needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, REPO } from '../../helpers/paths';

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'index.ts'), ...args], {
    encoding: 'utf8',
    cwd: REPO,
  });

test('analyze DIR reads a run folder', () => {
  const r = cli('analyze', join(FIXTURES, 'capture', 'run-host-vmm'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const a = JSON.parse(r.stdout);
  assert.deepEqual(
    a.inputs.map((i: { format: string }) => i.format),
    ['trace-dat', 'kvm-halt-stats'],
  );
});

test('record: usage errors exit 2 with the usage; help lists record', () => {
  const r = cli('record', '--bogus');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown record argument "--bogus"[\s\S]*usage: kvm-trace-lens record \[--guest\|--host\]/);
  assert.match(cli('--help').stdout, /kvm-trace-lens record \[--guest\|--host\] \[--seconds N\] \[--out DIR\]/);
});
