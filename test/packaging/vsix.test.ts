// The .vsix as `npm run package` makes it: the runtime only, within its budget, with the samples Open Sample offers
// and the walkthrough's media; the manifest's walkthrough and Open Sample command hang together.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_SAMPLES } from '../../src/extension/sampleCatalog';
import { REPO, SAMPLES } from '../helpers/paths';
// @ts-expect-error: a plain .mjs script without type declarations
import { VSIX_BUDGET_BYTES, checkVsix } from '../../scripts/check-vsix.mjs';

interface Step {
  id: string;
  description: string;
  media: { markdown?: string };
  completionEvents?: string[];
}
const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
const commands: { command: string; title: string; category: string }[] = manifest.contributes.commands;
const steps: Step[] = manifest.contributes.walkthroughs.flatMap((w: { steps: Step[] }) => w.steps);
let dir = '';
let vsix = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'kvl-vsix-'));
  vsix = join(dir, 'kvm-trace-lens.vsix');
  // the same packaging as `npm run package`, on the dist/ that npm test has just built
  const vsce = join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '-o', vsix], { cwd: REPO, stdio: 'pipe' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('the .vsix holds the runtime only, within its 5 MiB budget, with every bundled sample', () => {
  const { size, names, problems } = checkVsix(vsix, { requiredSamples: BUNDLED_SAMPLES.map((s) => s.path) });
  assert.deepEqual(problems, []);
  assert.ok(size <= VSIX_BUDGET_BYTES && VSIX_BUDGET_BYTES === 5 * 1024 * 1024);
  assert.ok(names.includes('extension/changelog.md'), 'CHANGELOG.md ships');
  assert.ok(!names.some((n: string) => /\/(src|test)\//.test(n)));
});

test('the check refuses a package with sources, tests or source maps in it, and one over budget', () => {
  const bad = join(dir, 'bad.vsix');
  const entries = ['extension/package.json', 'extension/src/core/analyze.ts', 'extension/dist/cli.js.map'];
  writeFileSync(bad, storedZip(entries));
  const { problems } = checkVsix(bad);
  assert.ok(problems.includes('not runtime: extension/src/core/analyze.ts'), problems.join('\n'));
  assert.ok(problems.includes('not runtime: extension/dist/cli.js.map'));
  assert.ok(problems.includes('missing: extension/dist/extension.js'));
  const big = join(dir, 'big.vsix');
  writeFileSync(big, Buffer.concat([storedZip(['extension/package.json']), Buffer.alloc(VSIX_BUDGET_BYTES)]));
  assert.match(checkVsix(big).problems.join('\n'), /over the budget of 5242880/);
});

test('Open Sample is a palette command in the "KVM Trace Lens" category, and its samples are in samples/', () => {
  const open = commands.find((c) => c.command === 'kvmTraceLens.openSample');
  assert.deepEqual(open, { command: 'kvmTraceLens.openSample', title: 'Open Sample', category: 'KVM Trace Lens' });
  for (const sample of BUNDLED_SAMPLES) assert.ok(existsSync(join(SAMPLES, sample.path)), sample.path);
});

test('the walkthrough opens a sample, the analysis and a comparison; each step completes on a real command', () => {
  const contributed = new Set(commands.map((c) => c.command));
  const linked = steps.flatMap((s) => [...s.description.matchAll(/\(command:([\w.]+)(?:\?([^)]*))?\)/g)]);
  for (const [, command, args] of linked) {
    assert.ok(contributed.has(command), command);
    if (command === 'kvmTraceLens.openSample' && args) {
      const [id] = JSON.parse(decodeURIComponent(args));
      assert.ok(
        BUNDLED_SAMPLES.some((s) => s.id === id),
        `walkthrough opens unknown sample ${id}`,
      );
    }
  }
  assert.deepEqual(
    linked.map(([, command]) => command).filter((c) => /openSample|compareRuns/.test(c)),
    ['kvmTraceLens.openSample', 'kvmTraceLens.openSample', 'kvmTraceLens.compareRuns'],
  );
  for (const step of steps) {
    assert.ok(step.media.markdown && existsSync(join(REPO, step.media.markdown)), `${step.id}: media`);
    assert.ok(step.completionEvents?.length, `${step.id}: completionEvents`);
    for (const event of step.completionEvents ?? []) {
      assert.ok(contributed.has(event.replace(/^onCommand:/, '')), `${step.id}: ${event}`);
    }
  }
});

/** A zip of empty stored files: enough for the central-directory reader the check uses. */
function storedZip(names: string[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(n.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(n.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, n);
    central.push(entry, n);
    offset += 30 + n.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
