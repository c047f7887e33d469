// docs/analysis.schema.json describes every field the analysis emits, not only the contract's minimum: the analyses
// of real inputs that exercise each part (count tables with their own figures, several runs, MSR and port lists,
// nested and user-space exits, halt-poll window changes, repeated netperf runs) have no field the schema lacks, and
// validate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { analyzePaths } from '../../src/core/index';
import { REPO, sample } from '../helpers/paths';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON Schema document, walked by hand
type Schema = Record<string, any>;
const schema: Schema = JSON.parse(readFileSync(join(REPO, 'docs', 'analysis.schema.json'), 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

function resolveRef(node: Schema): Schema {
  return node.$ref ? resolveRef(schema.$defs[node.$ref.replace('#/$defs/', '')]) : node;
}

/** The object or array branch of a nullable `oneOf`. */
function branchFor(node: Schema, value: unknown): Schema {
  const n = resolveRef(node);
  if (!n.oneOf) return n;
  const kind = Array.isArray(value) ? 'array' : 'object';
  const branches: Schema[] = n.oneOf.map(resolveRef);
  return branches.find((b) => b.type === kind || (kind === 'object' && b.properties)) ?? {};
}

/** Paths of fields in `value` that the schema does not describe. */
function undocumented(node: Schema, value: unknown, path: string, out: Set<string>): Set<string> {
  if (value === null || typeof value !== 'object') return out;
  const n = branchFor(node, value);
  if (Array.isArray(value)) {
    for (const v of value) undocumented(n.items ?? {}, v, `${path}[]`, out);
    return out;
  }
  for (const [key, v] of Object.entries(value)) {
    const child = n.properties?.[key] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : null);
    if (child) undocumented(child, v, `${path}.${key}`, out);
    else out.add(`${path}.${key}`);
  }
  return out;
}

const INPUTS = [
  ['guest-trace', 'tcprr-cross-poll0.dat'],
  ['guest-trace', 'tcprr-cross-poll0.netperf.txt'],
  ['perf-kvm-stat', 'perf-kvm-stat-report-classic-preemption-timer.txt'],
  ['public', 'found', 'perf-kvm-stat-3.7-mmio-ioport-vcpu0-three-tables.txt'],
  ['public', 'found', 'netperf-csv-P0-ten-iterations-2011.txt'],
  ['public', 'found', 'kvm-stat-arm64-4.19-drilldown.txt'],
  ['public', 'traces', 'host-trace-vmx-ftrace-header-kvm-msr-tscdeadline-5.x.txt'],
  ['public', 'traces', 'host-trace-vmx-2.6-lowercase-indented-apic-access-pio.txt'],
  ['public', 'traces', 'host-trace-vmx-nested-mail-quoted-3-levels-2019.txt'],
  ['public', 'traces', 'host-trace-halt-poll-ns-integer-ns-timestamps-2023.txt'],
  ['public', 'traces', 'perf-script-cpu-time-only-triple-fault-shutdown-5.13.txt'],
];

test('every field of real analyses is in docs/analysis.schema.json, and they validate', async () => {
  const seen = new Set<string>();
  for (const parts of INPUTS) {
    const a = await analyzePaths([sample(...parts)]);
    assert.ok(validate(a), `${parts.join('/')}: ${JSON.stringify(validate.errors)}`);
    assert.deepEqual([...undocumented(schema, a, '', new Set())], [], parts.join('/'));
    collectPaths(a, '', seen);
  }
  // the inputs above reach every part this test is meant to cover
  for (const field of [
    '.runs[].label',
    '.exits.msrs[].id',
    '.exits.ioPorts[].id',
    '.exits.byReason[].samplePct',
    '.hostEvents.nestedExits.count',
    '.hostEvents.userspaceExits.shutdowns',
    '.hostEvents.haltPollWindow.grows',
    '.series.values[]',
    '.recommendations[].prediction.low',
  ]) {
    assert.ok(seen.has(field), `no input exercised ${field}`);
  }
});

test('the walker finds a field the schema lacks', () => {
  const found = undocumented(
    schema,
    { schema: 'x', exits: { total: 1, byReason: [{ reason: 'a', novel: 1 }] } },
    '',
    new Set(),
  );
  assert.deepEqual([...found], ['.exits.byReason[].novel']);
});

function collectPaths(value: unknown, path: string, out: Set<string>): void {
  if (value === null || value === undefined) return;
  out.add(path);
  if (Array.isArray(value)) for (const v of value) collectPaths(v, `${path}[]`, out);
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) collectPaths(v, `${path}.${k}`, out);
}
