// The built CLI (dist/cli.js) on bad inputs: exit 1 with one sentence naming the file, exit 2 on usage errors,
// never a stack trace, --json always parseable with the contract's fields; and the same input gives the same bytes.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sample } from '../helpers/paths';
import { BAD, ensureCliBuilt, runCli } from './harness';

before(() => ensureCliBuilt());

const STACK = /^\s+at \S/m;

function assertContractShape(json: unknown): void {
  const a = json as Record<string, unknown>;
  assert.equal(a.schema, 'kvm-trace-lens/analysis@1');
  for (const key of ['inputs', 'exits', 'transactions', 'benchmark', 'recommendations']) assert.ok(key in a, key);
  assert.ok(Array.isArray(a.recommendations));
  for (const input of a.inputs as Record<string, unknown>[]) {
    assert.equal(typeof input.path, 'string');
    assert.ok(input.format === null || typeof input.format === 'string');
    assert.ok(Number.isInteger(input.records));
    assert.ok(Array.isArray(input.warnings));
    for (const w of input.warnings as Record<string, unknown>[]) {
      assert.ok(w.line === null || Number.isInteger(w.line));
      assert.equal(typeof w.message, 'string');
    }
  }
}

const UNUSABLE = [
  'empty.txt',
  'random.bin',
  'elf-header.bin',
  'is-a-directory.txt',
  'no-such-file.txt',
  'blank-lines.txt',
  'gzip-header-only.gz',
  'netperf-banner-no-result.txt',
  'iperf3-json-cut.json',
];

for (const name of UNUSABLE) {
  test(`analyze ${name}: exit 1, one line on stderr naming it, --json still complete`, () => {
    const plain = runCli(['analyze', join(BAD, name)]);
    assert.equal(plain.status, 1);
    assert.equal(plain.stdout, '');
    const lines = plain.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, plain.stderr);
    assert.ok(lines[0].includes(name), lines[0]);
    assert.doesNotMatch(plain.stderr, STACK);

    const json = runCli(['analyze', '--json', join(BAD, name)]);
    assert.equal(json.status, 1);
    const parsed = JSON.parse(json.stdout);
    assertContractShape(parsed);
    assert.equal(parsed.inputs[0].records, 0);
    assert.ok(parsed.inputs[0].warnings.length > 0);
  });
}

test('one usable file beside a missing one: exit 0, the missing one is a warning naming it', () => {
  const r = runCli(['analyze', '--json', sample('netperf', 'netperf-tcp-crr.txt'), join(BAD, 'no-such-file.txt')]);
  assert.equal(r.status, 0);
  const parsed = JSON.parse(r.stdout);
  assertContractShape(parsed);
  assert.equal(parsed.benchmark.transactionsPerSec, 16447.36);
  assert.match(r.stderr, /no-such-file\.txt: warning: cannot read .*no such file/);
});

test('usage errors exit 2 with the usage, no stack', () => {
  for (const args of [
    [],
    ['frobnicate'],
    ['analyze'],
    ['analyze', '--bogus', 'x.txt'],
    ['analyze', 'x.txt', '--html'],
    ['compare'],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /usage:/);
    assert.doesNotMatch(r.stderr, STACK);
    assert.equal(r.stdout, '');
  }
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /kvm-trace-lens analyze FILE/);
});

test('--html into a folder that does not exist: exit 1, one sentence', () => {
  const r = runCli([
    'analyze',
    sample('netperf', 'netperf-tcp-crr.txt'),
    '--html',
    join(BAD, 'no-such-dir', 'out.html'),
  ]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot write .*out\.html/);
  assert.doesNotMatch(r.stderr, STACK);
});

test('damaged but partly usable inputs exit 0 with warnings and parseable JSON', () => {
  for (const name of [
    'report-truncated.txt.gz',
    'report-corrupt.txt.gz',
    'report-cut-mid-line.txt',
    'mixed-netperf-then-trace.txt',
    'perf-kvm-stat-utf16le-bom.txt',
  ]) {
    const r = runCli(['analyze', '--json', join(BAD, name)]);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assertContractShape(JSON.parse(r.stdout));
    assert.doesNotMatch(r.stderr, STACK);
  }
});

// ---------------------------------------------------------------- determinism

/** The analysis JSON without inputs[].path, the only field that may differ between the variants. */
function withoutPaths(stdout: string): unknown {
  const a = JSON.parse(stdout);
  for (const i of a.inputs) delete i.path;
  return a;
}

const DETERMINISM_SAMPLES = [
  ['guest-trace', 'tcprr-cross-poll0.head.report.txt'],
  ['public', 'shared-set', 'host-trace-vmx-trace-pipe-kvm-fpu-tsc-4x.txt'],
  ['public', 'shared-set', 'perf-kvm-stat-report-classic-preemption-timer.txt'],
  ['public', 'shared-set', 'kvm-stat-pid-openeuler-4.19.txt'],
  ['netperf', 'netperf-tcp-rr-demo.txt'],
  ['iperf', 'iperf3-tcp.json'],
  ['iperf', 'iperf3-tcp-P2-R.txt'],
  ['iperf', 'iperf2-tcp-P2.txt'],
];

test('the same input gives byte-identical --json twice (a trace with its netperf output)', () => {
  const files = [
    sample('guest-trace', 'tcprr-cross-poll0.head.report.txt'),
    sample('guest-trace', 'tcprr-cross-poll0.netperf.txt'),
  ];
  const first = runCli(['analyze', '--json', ...files]);
  const second = runCli(['analyze', '--json', ...files]);
  assert.equal(first.status, 0, first.stderr);
  assert.ok(first.stdout.length > 100);
  assert.equal(second.stdout, first.stdout);
});

test('CRLF, trailing blanks and a missing final newline do not change the analysis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kvl-det-'));
  try {
    for (const parts of DETERMINISM_SAMPLES) {
      const text = readFileSync(sample(...parts), 'utf8');
      const lines = text.replace(/\n$/, '').split('\n');
      const variants: Record<string, string> = {
        crlf: `${lines.join('\r\n')}\r\n`,
        trailing: `${lines.map((l) => `${l}  \t`).join('\n')}\n`,
        'no-final-newline': lines.join('\n'),
      };
      const reference = runCli(['analyze', '--json', sample(...parts)]);
      assert.equal(reference.status, 0, `${parts.join('/')}: ${reference.stderr}`);
      for (const [kind, variant] of Object.entries(variants)) {
        const path = join(dir, `${kind}-${parts[1]}`);
        writeFileSync(path, variant);
        const r = runCli(['analyze', '--json', path]);
        assert.deepEqual(withoutPaths(r.stdout), withoutPaths(reference.stdout), `${kind} ${parts.join('/')}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
