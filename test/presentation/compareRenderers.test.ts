// One comparison, three renderers: the CLI text, the HTML report and the Compare panel's view show the same figures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAnalyses } from '../../src/core/index';
import { buildCompareView } from '../../src/presentation/compareView';
import { escapeHtml, renderCompareHtml } from '../../src/presentation/htmlReport';
import { formatComparisonText } from '../../src/presentation/textReport';
import { isCompareView } from '../../src/shared/views';
import { fixtureAnalysis } from '../helpers/fixtureAnalysis';

const comparison = () =>
  compareAnalyses([
    { label: 'poll off', analysis: fixtureAnalysis('analysis-tcprr.json') },
    { label: 'poll on <b>', analysis: fixtureAnalysis('analysis-tcprr-poll.json') },
  ]);

test('the panel view holds the figures in words, with change, interval and verdict', () => {
  const view = buildCompareView(comparison());
  assert.ok(isCompareView(view));
  const tps = view.sections[0].rows.find((r) => r.id === 'benchmark.transactionsPerSec')!;
  assert.deepEqual(
    tps.cells.map((c) => c.value),
    ['9,800', '12,740'],
  );
  assert.equal(tps.cells[1].change, '+30\u00a0%');
  assert.equal(tps.cells[1].interval, 'one run: no interval');
  assert.equal(tps.cells[1].verdict, 'no interval');
  const reasons = view.sections.find((s) => s.title === 'Exits by reason, per transaction')!;
  const hlt = reasons.rows.find((r) => r.label === 'hlt')!;
  assert.deepEqual(
    hlt.cells.map((c) => c.value),
    ['0.6', '0.067'],
  ); // 3000/5000, 500/7500
  assert.equal(hlt.cells[1].change, '-89\u00a0%');
  assert.equal(hlt.cells[1].interval, '-90\u00a0% to -88\u00a0%');
  assert.equal(hlt.cells[1].verdict, 'significant');
  assert.equal(hlt.cells[1].tone, 'better');
  assert.equal(view.predictions[0].verdict, 'measured 12,740 (+30\u00a0%), predicted 13,230 (+35\u00a0%) from 9,800');
  assert.match(view.method, /Poisson/);
});

test('text, HTML and panel show the same figures', () => {
  const c = comparison();
  const view = buildCompareView(c);
  const text = formatComparisonText(c);
  const html = renderCompareHtml(c);
  const figures = view.sections.flatMap((s) =>
    s.rows.flatMap((r) => [r.label.trim(), ...r.cells.flatMap((x) => [x.value, x.change, x.interval])]),
  );
  for (const f of [...figures, ...view.predictions.map((p) => p.verdict), view.method]) {
    if (f === null) continue;
    assert.ok(text.includes(f), `text lacks ${f}`);
    assert.ok(html.includes(escapeHtml(f)), `HTML lacks ${f}`);
  }
  assert.ok(!html.includes('poll on <b>') && html.includes('poll on &lt;b&gt;'), 'run labels are escaped');
  assert.ok(!/<script/i.test(html));
  assert.ok(text.includes('poll on <b>'));
});
