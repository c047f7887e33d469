// docs/analysis.schema.json and docs/compare.schema.json describe what the built CLI prints: every sample in samples/
// (alone, and a trace with its netperf output) and the comparison of the guest TCP_RR pair validate; broken
// documents do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { REPO, SAMPLES } from '../helpers/paths';

const ajv = new Ajv2020({ allErrors: true, strict: true });
const loadSchema = (name: string) => JSON.parse(readFileSync(join(REPO, 'docs', name), 'utf8'));
const validateAnalysis = ajv.compile(loadSchema('analysis.schema.json'));
const validateComparison = ajv.compile(loadSchema('compare.schema.json'));

function cli(...args: string[]): unknown {
  const cliPath = join(REPO, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function errorsOf(validate: typeof validateAnalysis, doc: unknown): string {
  return validate(doc) ? '' : ajv.errorsText(validate.errors);
}

const sampleFiles = (dir = SAMPLES): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sampleFiles(p);
    return /\.(txt|gz|json|dat)$/.test(name) ? [p] : [];
  });

const guest = (run: string) =>
  ['dat', 'netperf.txt'].map((ext) => join(SAMPLES, 'guest-trace', `tcprr-cross-${run}.${ext}`));

test('analyze --json of every sample validates against docs/analysis.schema.json', () => {
  const files = sampleFiles();
  // the guest pair (two trace.dat files and their netperf output), perf kvm stat, iperf3 JSON and two netperf results
  assert.equal(files.length, 8, files.map((f) => relative(SAMPLES, f)).join(', '));
  for (const file of files) {
    const doc = cli('analyze', '--json', file);
    assert.equal(errorsOf(validateAnalysis, doc), '', relative(SAMPLES, file));
  }
});

test('a trace with its netperf output validates, prediction range included', () => {
  const doc = cli('analyze', '--json', ...guest('poll0')) as {
    recommendations: { id: string; prediction: { low: number; after: number; high: number } | null }[];
  };
  assert.equal(errorsOf(validateAnalysis, doc), '');
  const polling = doc.recommendations.find((r) => r.id === 'halt-polling');
  assert.ok(polling?.prediction, 'halt polling is recommended with a prediction for polling off');
  assert.ok(polling.prediction.low <= polling.prediction.after && polling.prediction.after <= polling.prediction.high);
});

test('compare --json (saved analyses and --runs) validates against docs/compare.schema.json', () => {
  const viaRuns = cli('compare', '--runs', guest('poll0').join(' '), guest('poll200000').join(' '), '--json');
  assert.equal(errorsOf(validateComparison, viaRuns), '');
  const dir = mkdtempSync(join(tmpdir(), 'kvl-schema-'));
  try {
    const saved = ['poll0', 'poll200000'].map((run) => {
      const path = join(dir, `${run}.json`);
      writeFileSync(path, JSON.stringify(cli('analyze', '--json', ...guest(run))));
      return path;
    });
    assert.equal(errorsOf(validateComparison, cli('compare', ...saved, '--json')), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('broken documents fail validation, each for the reason broken in', () => {
  const good = cli('analyze', '--json', ...guest('poll0'));
  // A copy of the good document with the value at `path` replaced, or deleted when no value is given.
  const broken = (path: (string | number)[], value?: unknown) => {
    const d = structuredClone(good);
    let parent = d as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (value === undefined) delete parent[last];
    else parent[last] = value;
    return errorsOf(validateAnalysis, d);
  };
  assert.match(broken(['schema'], 'kvm-trace-lens/analysis@2'), /schema/);
  assert.match(broken(['exits', 'total']), /must have required property 'total'/);
  assert.match(broken(['exits', 'byReason', 0, 'share'], 1.5), /share must be <= 1/);
  assert.match(broken(['exits', 'byReason', 0, 'category'], 'hypercall'), /category must be equal to one of/);
  assert.match(broken(['inputs', 0, 'format'], 'pcap'), /format must be equal to one of/);
  assert.match(broken(['recommendations', 0, 'prediction', 'low']), /must have required property 'low'/);
  assert.match(broken(['notRecommended']), /must have required property 'notRecommended'/);
  assert.match(broken(['transactions', 'count'], -1), /count must be >= 0/);
  const runs = [guest('poll0').join(' '), guest('poll200000').join(' ')];
  const comparison = cli('compare', '--runs', ...runs, '--json') as { runs: unknown[] };
  comparison.runs = comparison.runs.slice(0, 1);
  assert.match(errorsOf(validateComparison, comparison), /runs must NOT have fewer than 2 items/);
});
