// The pictures an analysis gets (panels and HTML report): each drawn from the analysis' own numbers — the
// transaction of Matlack, KVM Forum 2015, built by hand, so the marks, bars and lines can be counted against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareAnalyses } from '../../../src/core/index';
import { buildAnalysisView } from '../../../src/presentation/analysisView';
import { buildCompareView } from '../../../src/presentation/compareView';
import { renderCompareHtml, renderHtmlReport } from '../../../src/presentation/htmlReport';
import { analysisPictures, comparePictures, pictureTree } from '../../../src/presentation/pictures/index';
import { isAnalysisView, isCompareView, isPictureNode, type PictureNode } from '../../../src/shared/views';
import { esc as escapeText } from '../../../src/presentation/pictures/svg';
import { join } from 'node:path';
import { analyzeFiles } from '../../../src/core/index';
import { analyzeTexts } from '../../helpers/analyze';
import { FIXTURES } from '../../helpers/paths';
import { matlackHostTrace, matlackTrace } from '../../helpers/synth';

/** Enough round trips (and traced time) for the halt-polling rule's evidence minimum. */
const ENOUGH = 2500;
const count = (html: string, re: RegExp) => [...html.matchAll(re)].length;
const figureOf = (html: string, testid: string) => {
  const start = html.indexOf(`<figure class="ktl-picture" data-testid="${testid}">`);
  assert.ok(start >= 0, `${testid} drawn`);
  return html.slice(start, html.indexOf('</figure>', start) + 9);
};
const sumOf = (html: string, re: RegExp) => [...html.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);

test('guest: the median transaction, 8 critical and 4 off-critical marks, the poll window drawn', async () => {
  const a = await analyzeTexts({ 'rr.report.txt': matlackTrace(ENOUGH) });
  const p = analysisPictures(a);
  assert.equal(p.transactions[0].which, 'median');
  const median = p.transactions[0].html;
  assert.equal(count(median, /<g class="ktl-exit" data-critical="true"/g), 8);
  assert.equal(count(median, /<g class="ktl-exit" data-critical="false"/g), 4);
  // Every mark names its exit (hover) and its line (click reveals it).
  assert.equal(count(median, /<g class="ktl-exit" [^>]*data-line="\d+"><title>[^<]+<\/title>/g), 12);
  const figures = p.figures.join('');
  const wake = figureOf(figures, 'wakeup-histogram');
  assert.equal(sumOf(wake, /class="ktl-bar" data-count="(\d+)"/g), a.transactions!.wakeupCount);
  const window = Number(
    /guest_halt_poll_ns=(\d+)/.exec(a.recommendations.find((r) => r.id === 'halt-polling')!.setting!)![1],
  );
  assert.match(wake, new RegExp(`class="ktl-window" data-window-ns="${window}"`));
  const halts = figureOf(figures, 'halt-histogram');
  assert.equal(
    sumOf(halts, /class="ktl-bar" data-count="(\d+)"/g),
    a.exits!.haltHistogram!.reduce((n, b) => n + b.count, 0),
  );
  figureOf(figures, 'exit-durations');
  assert.equal(count(figureOf(figures, 'exit-rate'), /<polyline class="ktl-line/g), 2); // CPU 0 and CPU 1
});

test('host: the drawn transaction has vCPU lanes; the panel view carries the pictures and validates', async () => {
  const a = await analyzeTexts({ 'host.report.txt': matlackHostTrace(200) });
  const view = buildAnalysisView(a);
  assert.ok(isAnalysisView(view));
  const median = JSON.stringify(view.pictures!.transactions[0].tree);
  assert.match(median, /"vCPU 0"/);
  assert.match(median, /"vCPU 1"/);
  assert.equal(count(median, /\["data-critical","true"\]/g), 8);
  assert.ok(!isAnalysisView({ ...view, pictures: { transactions: [{ which: 'median' }], figures: [] } }));
  // Only the pictures' own tags and attributes pass: no script, no event handler, no style.
  const figure = view.pictures!.figures[0];
  const withAttr = (k: string) => ({ ...figure, attrs: [...figure.attrs, [k, 'x']] });
  assert.ok(isPictureNode(figure));
  for (const k of ['onclick', 'style', 'href']) assert.ok(!isPictureNode(withAttr(k)), k);
  assert.ok(!isPictureNode({ tag: 'script', attrs: [], children: ['alert(1)'] }));
});

test('HTML report: the transaction and the distributions as static SVG, no script', async () => {
  // Every hand-made transaction lasts 50 µs: the median is the p99, drawn once.
  assert.equal(analysisPictures(await analyzeTexts({ 'rr.report.txt': matlackTrace(300) })).transactions.length, 1);
  // A real guest TCP_RR trace: transactions of different lengths, the slower ones folded under the median.
  const a = await analyzeFiles([join(FIXTURES, 'export', 'guest-tcprr-head.report.txt')]);
  const html = renderHtmlReport(a);
  for (const id of ['transaction-timeline', 'wakeup-histogram', 'halt-histogram', 'exit-rate']) figureOf(html, id);
  assert.ok(a.transactionSketches!.p99!.durationNs > a.transactionSketches!.median!.durationNs);
  assert.match(html, /<details class="ktl-more"><summary>The p99 transaction/);
  assert.doesNotMatch(html, /<script|\son\w+=/i);
  assert.match(html, /--vscode-charts-red/); // themed inside VS Code, with fallbacks outside
});

test('compare: wake-up latencies overlaid and exits per transaction per reason side by side', async () => {
  const fast = await analyzeTexts({ 'fast.report.txt': matlackTrace(300) });
  const slow = await analyzeTexts({ 'slow.report.txt': matlackTrace(300, 40) });
  const c = compareAnalyses([
    { label: 'fast', analysis: fast },
    { label: 'slow', analysis: slow },
  ]);
  const view = buildCompareView(c);
  assert.ok(isCompareView(view));
  const pictures = comparePictures(c).join('');
  assert.equal(view.pictures!.length, comparePictures(c).length);
  const overlay = figureOf(pictures, 'compare-wakeup-histogram');
  const totals = [...overlay.matchAll(/data-run="(\w+)" data-total="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
  assert.deepEqual(totals, [
    ['fast', fast.transactions!.wakeupCount],
    ['slow', slow.transactions!.wakeupCount],
  ]);
  const bars = figureOf(pictures, 'compare-exits-per-transaction');
  const reasons = c.rows.filter((r) => r.group === 'reasons');
  const hlt = reasons.find((r) => r.label.includes('hlt'))!;
  assert.match(bars, new RegExp(`data-run="fast" data-value="${hlt.values[0]}"`));
  assert.ok(Math.abs(hlt.values[0]! - 2) < 0.1, `${hlt.values[0]} halts per transaction`);
  figureOf(renderCompareHtml(c), 'compare-exits-per-transaction');
});

test('picture trees: markup of our renderers becomes tags, attributes and text; hostile text stays text', () => {
  const hostile = `<img src=x onerror="alert(1)"> & <script>`;
  const html =
    `<figure class="ktl-picture" data-testid="t"><svg role="img" aria-label="${escapeText(hostile)}">` +
    `<rect x="1" y2="2"/><text x="3">${escapeText(hostile)}</text></svg><figcaption>a · b</figcaption></figure>`;
  const tree = pictureTree(html);
  assert.equal(tree.tag, 'figure');
  const svg = tree.children[0] as PictureNode;
  assert.deepEqual(svg.attrs, [
    ['role', 'img'],
    ['aria-label', hostile],
  ]);
  assert.deepEqual(svg.children, [
    {
      tag: 'rect',
      attrs: [
        ['x', '1'],
        ['y2', '2'],
      ],
      children: [],
    },
    { tag: 'text', attrs: [['x', '3']], children: [hostile] },
  ]);
  assert.deepEqual((tree.children[1] as PictureNode).children, ['a · b']);
  assert.ok(isPictureNode(tree));
  assert.throws(() => pictureTree('<g><rect/>'), /not one element|unbalanced/);
  assert.throws(() => pictureTree('<g></text>'), /unbalanced/);
});
