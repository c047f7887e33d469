// Renders the Compare panel: runs side by side with changes against the first run (the baseline). Every figure comes
// formatted in the view (src/presentation/compareView.ts), the same words the CLI and the HTML report print.
import type { CompareSectionView, CompareView } from '../src/shared/views';
import { el, section } from './dom';
import { figuresSection } from './pictures';

function table(view: CompareView, s: CompareSectionView): HTMLElement {
  const head = el(
    'tr',
    {},
    el('th', {}, ''),
    ...view.runs.map((r, i) =>
      el('th', { class: 'num', title: r.detail }, i === 0 ? `${r.label} (baseline)` : r.label),
    ),
  );
  const body = el('tbody');
  for (const row of s.rows) {
    const cells = row.cells.map((c) =>
      el(
        'td',
        { class: 'num', title: c.interval ? `95 % interval: ${c.interval}${c.verdict ? ` (${c.verdict})` : ''}` : '' },
        c.value,
        c.change !== null ? el('span', { class: `change ${c.tone}` }, ` ${c.change}`) : null,
        c.verdict && c.verdict !== 'no interval' ? el('span', { class: 'muted' }, ` ${c.verdict}`) : null,
      ),
    );
    body.append(el('tr', {}, el('th', { scope: 'row' }, row.label), ...cells));
  }
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data compare' }, el('thead', {}, head), body));
}

export function renderCompare(root: HTMLElement, view: CompareView): void {
  const runs = view.runs.map((r) => el('li', {}, el('span', { class: 'input-name' }, r.label), ` — ${r.detail}`));
  root.append(
    el(
      'header',
      { class: 'header' },
      el(
        'div',
        { class: 'title' },
        el('h1', {}, `Comparing ${view.runs.length} runs`),
        el('ul', { class: 'inputs' }, ...runs),
      ),
    ),
  );
  if (view.predictions.length > 0) {
    const list = el('ul', { class: 'predictions' });
    for (const p of view.predictions) {
      const from = el('span', { class: 'muted' }, ` (${p.fromRun} → ${p.toRun}): `);
      list.append(el('li', {}, el('strong', {}, p.recommendation), from, p.verdict));
    }
    const hint = 'What the baseline’s recommendations predicted, and what the later run measured.';
    root.append(section('Measured change vs. prediction', hint, list));
  }
  for (const s of view.sections) root.append(section(s.title, s.hint, table(view, s)));
  if (view.sections.length === 0) {
    root.append(el('p', { class: 'empty' }, 'None of these runs has exits or benchmark figures to compare.'));
  }
  const note = 'Each run’s share of values on a log time axis, and exits per transaction side by side.';
  const pictures = figuresSection('The runs overlaid', note, view.pictures ?? []);
  if (pictures) root.append(pictures);
  if (view.series) root.append(el('p', {}, view.series));
  root.append(el('p', { class: 'muted' }, `Method: ${view.method}`));
}
