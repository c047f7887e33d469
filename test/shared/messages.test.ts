import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_REVEAL_LINES, isHostMessage, isPanelState, isWebviewMessage } from '../../src/shared/messages';
import { buildAnalysisView } from '../../src/presentation/analysisView';
import { buildCompareView } from '../../src/presentation/compareView';
import { compareAnalyses } from '../../src/core/index';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

test('webview messages: the valid ones pass', () => {
  assert.ok(isWebviewMessage({ type: 'ready' }));
  assert.ok(isWebviewMessage({ type: 'reveal', input: 0, lines: [3, 11, 33] }));
  assert.ok(isWebviewMessage({ type: 'copySetting', setting: 'guest_halt_poll_ns=200000' }));
  assert.ok(isWebviewMessage({ type: 'export', format: 'csv' }));
});

test('webview messages: anything malformed is rejected', () => {
  const bad: unknown[] = [
    null,
    'ready',
    [],
    { type: 'nope' },
    { type: 'reveal', input: 0, lines: [] },
    { type: 'reveal', input: 0, lines: [0] },
    { type: 'reveal', input: 0, lines: [1.5] },
    { type: 'reveal', input: -1, lines: [1] },
    { type: 'reveal', input: '0', lines: [1] },
    { type: 'reveal', input: 0, lines: '1' },
    { type: 'reveal', input: 0, lines: Array.from({ length: MAX_REVEAL_LINES + 1 }, (_, i) => i + 1) },
    { type: 'copySetting', setting: '' },
    { type: 'copySetting', setting: 42 },
    { type: 'copySetting', setting: 'x'.repeat(2001) },
    { type: 'export', format: 'html' },
  ];
  for (const m of bad) assert.equal(isWebviewMessage(m), false, JSON.stringify(m)?.slice(0, 80));
});

test('host messages: a real analysis view and compare view pass, damaged ones do not', () => {
  const view = buildAnalysisView(fixtureAnalysis('analysis-tcprr.json'), 1);
  assert.ok(isHostMessage({ type: 'analysis', view }));
  assert.ok(isPanelState({ view }));
  const cmp = buildCompareView(
    compareAnalyses([
      { label: 'A', analysis: fixtureAnalysis('analysis-tcprr.json') },
      { label: 'B', analysis: fixtureAnalysis('analysis-tcprr-poll.json') },
    ]),
  );
  assert.ok(isHostMessage({ type: 'compare', view: cmp }));
  assert.ok(isHostMessage({ type: 'busy', text: 'Reading…' }));

  assert.equal(
    isHostMessage({ type: 'analysis', view: { ...view, reasons: [{ ...view.reasons[0], count: '4000' }] } }),
    false,
  );
  assert.equal(
    isHostMessage({
      type: 'analysis',
      view: { ...view, recommendations: [{ ...view.recommendations[0], evidence: ['x'] }] },
    }),
    false,
  );
  assert.equal(isHostMessage({ type: 'analysis', view: { ...view, kind: 'compare' } }), false);
  assert.equal(isHostMessage({ type: 'compare', view }), false);
  const badCell = { value: '1', change: null, interval: null, verdict: 'maybe', tone: 'neutral' };
  const badSection = { title: 'x', hint: null, rows: [{ id: 'x', label: 'x', cells: [badCell] }] };
  assert.equal(isHostMessage({ type: 'compare', view: { ...cmp, sections: [badSection] } }), false);
  assert.equal(isHostMessage({ type: 'compare', view: { ...cmp, method: null } }), false);
  assert.equal(isHostMessage({ type: 'error' }), false);
  assert.equal(isPanelState({ view: null }), false);
});
