// --version, --help and each command's help: on stdout, exit 0, with the usage line and examples of that command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { helpRequest } from '../../src/cli/help';
import { REPO } from '../helpers/paths';

const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

test('--version prints the package.json version', () => {
  assert.equal(helpRequest(['--version']), `kvm-trace-lens ${version}\n`);
  assert.equal(helpRequest(['-V']), `kvm-trace-lens ${version}\n`);
});

test('--help lists every command of the contract', () => {
  const text = helpRequest(['--help']) ?? '';
  for (const command of ['analyze FILE...', 'compare A.json B.json', 'compare --runs', 'record', 'export --perfetto']) {
    assert.ok(text.includes(`kvm-trace-lens ${command}`), command);
  }
  assert.equal(helpRequest(['-h']), text);
  assert.equal(helpRequest(['help']), text);
});

test('each command has its own help with examples, however it is asked for', () => {
  for (const command of ['analyze', 'compare', 'record', 'export']) {
    const text = helpRequest([command, '--help']) ?? '';
    assert.match(text, new RegExp(`^usage: kvm-trace-lens ${command}`));
    assert.match(text, new RegExp(`\\nexamples:\\n[^]*  (sudo )?kvm-trace-lens ${command} `));
    assert.equal(helpRequest(['help', command]), text);
    assert.equal(helpRequest([command, 'x.txt', '-h']), text);
  }
});

test("a line that asks for no help is left to the commands, and a benchmark's own -h is not ours", () => {
  assert.equal(helpRequest([]), null);
  assert.equal(helpRequest(['analyze', 'trace.dat', '--json']), null);
  assert.equal(helpRequest(['record', '--out', 'run', '--', 'iperf3', '-c', 'x', '-h']), null);
});
