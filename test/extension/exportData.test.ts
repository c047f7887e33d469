import { test } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { CSV_COLUMNS, analysisToJson, exitsToCsv } from '../../src/extension/exportData';
import { parseAnalysisJson } from '../../src/extension/analysisFile';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

test('CSV has one row per exit reason, nulls as empty cells, quotes where needed', () => {
  const csv = exitsToCsv(fixtureAnalysis('analysis-tcprr.json'));
  const parsed = Papa.parse<Record<string, string>>(csv.trim(), { header: true });
  assert.deepEqual(parsed.errors, []);
  assert.deepEqual(parsed.meta.fields, [...CSV_COLUMNS]);
  assert.equal(parsed.data.length, 4);
  assert.deepEqual(parsed.data[0], {
    reason: 'msr_write 0x830',
    category: 'ipi',
    count: '4000',
    share: '0.4',
    critical: '3000',
    offCritical: '1000',
    meanNs: '2100',
    p50Ns: '1900',
    p99Ns: '5200',
    maxNs: '9100',
    description: 'x2APIC ICR write: IPI send',
  });
  assert.equal(parsed.data[3].reason, 'external interrupt, "=cmd"'); // comma and quotes survive the round trip
  assert.equal(parsed.data[3].meanNs, '');
  assert.equal(parsed.data[3].description, '');
});

test('CSV: a reason that starts like a spreadsheet formula is defused', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  a.exits!.byReason = [{ ...a.exits!.byReason[0], reason: '=HYPERLINK("x")' }];
  const row = Papa.parse<string[]>(exitsToCsv(a).trim()).data[1];
  assert.equal(row[0], `'=HYPERLINK("x")`);
});

test('CSV of an analysis without exits is just the header', () => {
  const a = { ...fixtureAnalysis('analysis-tcprr.json'), exits: null };
  assert.equal(exitsToCsv(a), `${CSV_COLUMNS.join(',')}\n`);
});

test('JSON export is the analysis itself and opens again as a saved analysis', () => {
  const a = fixtureAnalysis('analysis-tcprr.json');
  const text = analysisToJson(a);
  assert.deepEqual(JSON.parse(text), a);
  assert.deepEqual(parseAnalysisJson(text), a);
  assert.equal(parseAnalysisJson(text.replace('kvm-trace-lens/analysis@1', 'other@1')), null);
  assert.equal(parseAnalysisJson('{"schema": "kvm-trace-lens/analysis@1"}'), null); // no inputs/recommendations
  assert.equal(parseAnalysisJson('cpus=2\n'), null);
  assert.equal(parseAnalysisJson('{ not json'), null);
});
