// What "Record a Trace…" types into the terminal, and the CLI's record arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { buildRecordInvocation, runFolderName, secondsProblem, shellQuote } from '../../../src/extension/recordArgs';
import { parseRecordArgs } from '../../../src/cli/record';

const base = {
  side: 'guest' as const,
  seconds: 10,
  benchmark: '',
  outDir: '/home/me/ws/kvm-trace-lens-runs/guest-20261203-062900',
  nodeExecutable: '/usr/share/code/code',
  cliPath: '/home/me/.vscode/extensions/kvmtracelens.kvm-trace-lens-0.1.0/dist/cli.js',
  useSudo: true,
};

test('sudo, VS Code running as node, record with side, seconds and folder; the benchmark in its own shell', () => {
  const inv = buildRecordInvocation({
    ...base,
    benchmark: "netperf -H 127.0.0.1 -t TCP_RR -l 10 -- -r 1,1 | tee 'out put'",
  });
  assert.deepEqual(inv.argv, [
    'sudo',
    'env',
    'ELECTRON_RUN_AS_NODE=1',
    base.nodeExecutable,
    base.cliPath,
    'record',
    '--guest',
    '--seconds',
    '10',
    '--out',
    base.outDir,
    '--',
    'sh',
    '-c',
    "netperf -H 127.0.0.1 -t TCP_RR -l 10 -- -r 1,1 | tee 'out put'",
  ]);
  // The shell reads the typed line back into exactly these arguments.
  const reparsed = spawnSync('sh', ['-c', `printf '%s\\n' ${inv.commandLine}`], { encoding: 'utf8' }).stdout;
  assert.deepEqual(reparsed.split('\n').slice(0, -1), inv.argv);
  assert.equal(inv.analysisJson, `${base.outDir}/analysis.json`);
});

test('no benchmark, already root: no "--" and no sudo', () => {
  const inv = buildRecordInvocation({ ...base, side: 'host', useSudo: false, benchmark: '  ' });
  assert.equal(
    inv.commandLine,
    `env ELECTRON_RUN_AS_NODE=1 ${base.nodeExecutable} ${base.cliPath} record --host --seconds 10 --out ${base.outDir}`,
  );
});

test('quoting, seconds validation and folder names', () => {
  assert.equal(shellQuote('/a b/c'), "'/a b/c'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote('plain/path-1.2'), 'plain/path-1.2');
  assert.equal(secondsProblem('2.5'), null);
  assert.notEqual(secondsProblem('0'), null);
  assert.notEqual(secondsProblem('ten'), null);
  assert.notEqual(secondsProblem(''), null);
  assert.equal(runFolderName('host', new Date('2026-12-03T06:29:45.329Z')), 'host-20261203-062945');
});

test('CLI record arguments', () => {
  assert.deepEqual(parseRecordArgs(['--guest', '--seconds', '1', '--out', 'r', '--', 'netperf', '-t', 'TCP_RR']), {
    side: 'guest',
    seconds: 1,
    out: 'r',
    json: false,
    benchmark: ['netperf', '-t', 'TCP_RR'],
  });
  assert.deepEqual(parseRecordArgs([]), { side: null, seconds: null, out: null, json: false, benchmark: [] });
  assert.throws(() => parseRecordArgs(['--guest', '--host']), /either --guest or --host/);
  assert.throws(() => parseRecordArgs(['--seconds', '-1']), /positive number/);
  assert.throws(() => parseRecordArgs(['netperf']), /put the benchmark after "--"/);
  assert.throws(() => parseRecordArgs(['--']), /nothing after "--"/);
});
