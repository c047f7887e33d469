import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANALYSIS_SCHEMA, type Analysis } from '../../src/core/index';
import { renderHtmlReport } from '../../src/presentation/htmlReport';
import { analyzeFiles } from '../../src/core/index';
import { sample } from '../helpers/paths';

const hostile = '<img src=x onerror=alert(1)>';

test('trace-derived text is escaped and the report runs no script', () => {
  const a: Analysis = {
    schema: ANALYSIS_SCHEMA,
    inputs: [
      {
        path: `/tmp/${hostile}.txt`,
        format: 'ftrace',
        records: 1,
        warnings: [{ line: 3, message: `bad line ${hostile}` }],
      },
    ],
    exits: {
      source: 'host',
      total: 1,
      perSecond: null,
      durationNs: null,
      byReason: [
        {
          reason: hostile,
          category: 'other',
          count: 1,
          share: 1,
          critical: null,
          offCritical: null,
          meanNs: null,
          p50Ns: null,
          p99Ns: null,
          maxNs: null,
        },
      ],
    },
    transactions: null,
    benchmark: null,
    recommendations: [{ id: 'x', title: hostile, setting: hostile, evidence: [hostile], prediction: null }],
  };
  const html = renderHtmlReport(a);
  assert.ok(!html.includes('<img'), 'no raw tag from the input');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!/<script/i.test(html));
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('the report of a real run shows its figures and recommendation', async () => {
  const a = await analyzeFiles([
    sample('guest-trace', 'tcprr-cross-poll0.report.txt.gz'),
    sample('guest-trace', 'tcprr-cross-poll0.netperf.txt'),
  ]);
  const html = renderHtmlReport(a);
  assert.ok(html.includes('16,746\u00a0trans/s'));
  assert.ok(html.includes('guest_halt_poll_ns='));
  assert.ok(html.includes('32,853'), 'ICR write count in the table');
});
