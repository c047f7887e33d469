// Renders the Compare panel: runs side by side with changes against the first run (the baseline).
import type { CompareRow, CompareView } from '../src/extension/protocol';
import { formatNumber, formatPercent } from '../src/extension/viewModel';
import { el, section } from './dom';

function changeClass(row: CompareRow, change: number | null): string {
  if (change === null || Math.abs(change) < 0.005 || row.better === 'neutral') return 'change';
  const improved = row.better === 'higher' ? change > 0 : change < 0;
  return `change ${improved ? 'better' : 'worse'}`;
}

function table(view: CompareView, rows: CompareRow[]): HTMLElement {
  const head = el('tr', {}, el('th', {}, ''), ...view.runs.map((r, i) => el('th', { class: 'num', title: r.detail }, i === 0 ? `${r.label} (baseline)` : r.label)));
  const body = el('tbody');
  for (const row of rows) {
    body.append(
      el(
        'tr',
        {},
        el('th', { scope: 'row' }, row.label),
        ...row.cells.map((c) =>
          el(
            'td',
            { class: 'num' },
            formatNumber(c.value),
            c.change !== null ? el('span', { class: changeClass(row, c.change) }, ` ${formatPercent(c.change, true)}`) : null,
          ),
        ),
      ),
    );
  }
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data compare' }, el('thead', {}, head), body));
}

export function renderCompare(root: HTMLElement, view: CompareView): void {
  root.append(
    el(
      'header',
      { class: 'header' },
      el('div', { class: 'title' }, el('h1', {}, `Comparing ${view.runs.length} runs`), el('ul', { class: 'inputs' }, ...view.runs.map((r) => el('li', {}, el('span', { class: 'input-name' }, r.label), ` — ${r.detail}`)))),
    ),
  );
  if (view.predictions.length > 0) {
    const list = el('ul', { class: 'predictions' });
    for (const p of view.predictions) {
      list.append(el('li', {}, el('strong', {}, p.recommendation), el('span', { class: 'muted' }, ` (${p.fromRun} → ${p.toRun}): `), p.verdict));
    }
    root.append(section('Measured change vs. prediction', 'What the baseline’s recommendations predicted, and what the later run measured.', list));
  }
  if (view.benchmark.length > 0) root.append(section('Benchmark', 'Relative to the baseline; green is better.', table(view, view.benchmark)));
  if (view.totals.length > 0) root.append(section('Exits and transactions', null, table(view, view.totals)));
  if (view.reasons.length > 0) root.append(section('Exits by reason', 'Lower is better.', table(view, view.reasons)));
  if (view.benchmark.length + view.totals.length + view.reasons.length === 0) {
    root.append(el('p', { class: 'empty' }, 'None of these runs has exits or benchmark figures to compare.'));
  }
}
