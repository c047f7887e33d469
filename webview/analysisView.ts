// Renders the Analysis panel from an AnalysisView (src/shared/views.ts, built by src/presentation/analysisView.ts).
import type { AnalysisView, FactTableView, RecommendationView, ReasonView } from '../src/shared/views';
import { formatDuration, formatNumber, formatPercent } from '../src/presentation/format';
import { exitsByReasonChart, simpleBarChart, sizeFor, timelineChart } from './charts';
import { el, section } from './dom';
import { figuresSection, transactionsSection } from './pictures';

export interface Actions {
  reveal(input: number, lines: number[]): void;
  copySetting(setting: string): void;
  exportAs(format: 'json' | 'csv'): void;
  /** The trace.dat editor: show an exit reason's events in its event list. */
  showEvents?(reason: string): void;
}

function button(
  label: string,
  onClick: () => void,
  opts: { secondary?: boolean; title?: string; testid?: string } = {},
): HTMLElement {
  const b = el('vscode-button', { secondary: opts.secondary, title: opts.title, 'data-testid': opts.testid }, label);
  b.addEventListener('click', onClick);
  return b;
}

function summary(view: AnalysisView): HTMLElement | null {
  if (view.summary.length === 0) return null;
  return el(
    'div',
    { class: 'figures' },
    ...view.summary.map((f) =>
      el(
        'div',
        { class: 'figure', title: f.hint },
        el('div', { class: 'figure-value' }, f.value),
        el('div', { class: 'figure-label' }, f.label),
      ),
    ),
  );
}

function recommendationCard(r: RecommendationView, actions: Actions): HTMLElement {
  const card = el('article', { class: 'card recommendation', 'data-testid': 'recommendation', 'data-id': r.id });
  card.append(el('h3', {}, r.title));
  if (r.setting) {
    const setting = el('div', { class: 'setting' }, el('code', { class: 'setting-text' }, r.setting));
    setting.append(
      button('Copy', () => actions.copySetting(r.setting!), {
        secondary: true,
        title: 'Copy the setting to the clipboard',
        testid: 'copy-setting',
      }),
    );
    card.append(setting);
  }
  if (r.prediction) card.append(el('p', { class: 'prediction' }, el('strong', {}, 'Predicted: '), r.prediction));
  if (r.evidence.length > 0) {
    const list = el('ul', { class: 'evidence' });
    for (const e of r.evidence) {
      if (e.lines.length > 0) {
        const link = el(
          'button',
          {
            class: 'link',
            type: 'button',
            title: `Show ${e.lines.length} example line${e.lines.length > 1 ? 's' : ''} in the editor`,
          },
          e.text,
        );
        link.addEventListener('click', () => actions.reveal(0, e.lines));
        list.append(el('li', {}, link));
      } else list.append(el('li', {}, e.text));
    }
    card.append(list);
  }
  if (r.rationale) card.append(el('p', { class: 'rationale' }, r.rationale));
  return card;
}

function reasonTable(reasons: ReasonView[], actions: Actions): HTMLElement {
  const hasSplit = reasons.some((r) => r.critical !== null);
  const hasTime = reasons.some((r) => r.meanNs !== null);
  const head = el(
    'tr',
    {},
    el('th', {}, 'Reason'),
    el('th', {}, 'Category'),
    el('th', { class: 'num' }, 'Count'),
    el('th', { class: 'num' }, 'Share'),
    hasSplit ? el('th', { class: 'num' }, 'Critical') : null,
    hasTime ? el('th', { class: 'num' }, 'Mean') : null,
    hasTime ? el('th', { class: 'num' }, 'p99') : null,
    el('th', { class: 'desc' }, 'What it is'),
  );
  const body = el('tbody');
  // A row's parts (what kvm_msr / kvm_apic / kvm_mmio say its exits did) follow it, indented.
  const rows = reasons.flatMap((r) => [
    r,
    ...(r.parts ?? []).map((p) => ({ ...p, reason: `└ ${p.reason}`, part: true })),
  ]);
  for (const r of rows as (ReasonView & { part?: boolean })[]) {
    let name: HTMLElement = el('span', {}, r.reason);
    const showEvents = actions.showEvents;
    if (showEvents) {
      name = el(
        'button',
        { class: 'link', type: 'button', title: 'Show its events', 'data-testid': 'reason-events' },
        r.reason,
      );
      name.addEventListener('click', () => showEvents(r.reason));
    } else if (r.exampleLines.length > 0) {
      name = el('button', { class: 'link', type: 'button', title: 'Show example lines in the editor' }, r.reason);
      name.addEventListener('click', () => actions.reveal(0, r.exampleLines));
    }
    body.append(
      el(
        'tr',
        { class: r.part ? 'reason-part' : undefined },
        // the description also sits under the name, shown instead of its own column when the panel is narrow
        el('td', { class: 'reason' }, name, el('div', { class: 'reason-desc' }, r.description)),
        el('td', {}, r.category),
        el('td', { class: 'num' }, formatNumber(r.count)),
        el('td', { class: 'num' }, formatPercent(r.share)),
        hasSplit ? el('td', { class: 'num' }, r.critical === null ? '–' : formatNumber(r.critical)) : null,
        hasTime ? el('td', { class: 'num' }, formatDuration(r.meanNs)) : null,
        hasTime ? el('td', { class: 'num' }, formatDuration(r.p99Ns)) : null,
        el('td', { class: 'desc' }, r.description),
      ),
    );
  }
  return el('div', { class: 'table-wrap' }, el('table', { class: 'data' }, el('thead', {}, head), body));
}

/** A fact table (runs, count-table figures, MSRs, ports, host events): figures right-aligned, the first column not. */
function factTableSection(t: FactTableView): HTMLElement {
  const row = (tag: 'th' | 'td', cells: string[]) =>
    el('tr', {}, ...cells.map((c, i) => el(tag, i === 0 ? {} : { class: 'num' }, c)));
  const body = el('tbody', {}, ...t.rows.map((r) => row('td', r)));
  const table = el('table', { class: 'data' }, el('thead', {}, row('th', t.head)), body);
  const wrap = el('div', { class: 'table-wrap', 'data-testid': `facts-${t.id}` }, table);
  return section(t.title, t.hint, wrap, t.note ? el('p', { class: 'note' }, t.note) : null);
}

function chartBox(
  testid: string | null,
  label: string,
  bars?: number,
): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = el('canvas', { 'data-testid': testid ?? undefined, role: 'img', 'aria-label': label });
  const box = el('div', { class: 'chart' }, canvas);
  if (bars !== undefined) sizeFor(box, bars);
  return { box, canvas };
}

function inputsList(view: AnalysisView): HTMLElement {
  const list = el('ul', { class: 'inputs' });
  for (const i of view.inputs) {
    // the title already names a single input: show where it is instead
    const li = el(
      'li',
      { title: i.path },
      view.inputs.length > 1
        ? el('span', { class: 'input-name' }, i.name)
        : el('span', { class: 'input-path' }, i.path),
      ' ',
      el('vscode-badge', { variant: 'counter' }, i.format ?? 'unrecognised'),
      ` ${formatNumber(i.records)} records`,
    );
    if (i.warningCount > 0)
      li.append(
        el(
          'span',
          { class: 'warn-count' },
          ` · ${formatNumber(i.warningCount)} warning${i.warningCount > 1 ? 's' : ''}`,
        ),
      );
    list.append(li);
  }
  return list;
}

function warnings(view: AnalysisView, actions: Actions): HTMLElement | null {
  const withWarnings = view.inputs.filter((i) => i.warnings.length > 0);
  if (withWarnings.length === 0) return null;
  const details = el('details', { class: 'warnings' }, el('summary', {}, 'Reader warnings'));
  for (const i of withWarnings) {
    const list = el('ul');
    for (const w of i.warnings) {
      const text = `${w.line !== null ? `line ${w.line}: ` : ''}${w.message}`;
      if (w.line !== null) {
        const b = el('button', { class: 'link', type: 'button' }, text);
        b.addEventListener('click', () => actions.reveal(i.index, [w.line!]));
        list.append(el('li', {}, b));
      } else list.append(el('li', {}, text));
    }
    details.append(el('h4', {}, i.name), list);
  }
  return details;
}

/** Says that the figures cover only part of the input: still reading (with a progress bar), or cancelled. */
function partialBanner(view: AnalysisView): HTMLElement | null {
  const p = view.partial;
  if (!p) return null;
  const percent = `${Math.floor(p.percent)}\u00a0%`;
  if (p.state === 'reading') {
    return el(
      'div',
      { class: 'banner partial reading', role: 'status', 'data-testid': 'partial-banner', 'data-state': 'reading' },
      el('strong', {}, `Reading… ${percent}`),
      ' — figures so far; they update until the whole input is read.',
      el('progress', { max: 100, value: Math.floor(p.percent), 'aria-label': 'Share of the input read' }),
    );
  }
  return el(
    'div',
    { class: 'banner partial cancelled', role: 'status', 'data-testid': 'partial-banner', 'data-state': 'cancelled' },
    el('strong', {}, 'Partial result'),
    ` — reading was cancelled at ${percent}; the figures cover only the part that was read. Run the analysis ` +
      `again for the whole input.`,
  );
}

/** Builds the panel; charts are created after the nodes are in the document (Chart.js measures them). */
export function renderAnalysis(root: HTMLElement, view: AnalysisView, actions: Actions): () => void {
  const chartJobs: (() => void)[] = [];
  const header = el(
    'header',
    { class: 'header' },
    el(
      'div',
      { class: 'title' },
      el(
        'h1',
        {},
        view.title,
        view.partial
          ? el('span', { class: 'partial-tag' }, view.partial.state === 'reading' ? ' (reading…)' : ' (partial)')
          : null,
      ),
      inputsList(view),
    ),
    el(
      'div',
      { class: 'toolbar' },
      button('Export JSON', () => actions.exportAs('json'), { secondary: true, title: 'Save the analysis as JSON' }),
      button('Export CSV', () => actions.exportAs('csv'), { secondary: true, title: 'Save exits by reason as CSV' }),
    ),
  );
  root.append(header);
  const partial = partialBanner(view);
  if (partial) root.append(partial);
  for (const e of view.errors) root.append(el('div', { class: 'banner error', role: 'alert' }, e));
  if (view.notice) root.append(el('div', { class: 'banner info', role: 'status' }, view.notice));
  const figures = summary(view);
  if (figures) root.append(figures);
  const facts = view.tables ?? [];
  const early = new Set(['runs']);
  const afterRecommendations = new Set(['not-recommended', 'model-notes']);
  for (const t of facts.filter((x) => early.has(x.id))) root.append(factTableSection(t));

  root.append(
    section(
      'Recommendations',
      view.recommendations.length ? 'Best first. Each names the evidence from this run and the exact setting.' : null,
      view.recommendations.length
        ? el('div', { class: 'cards' }, ...view.recommendations.map((r) => recommendationCard(r, actions)))
        : el(
            'p',
            { class: 'empty' },
            view.partial?.state === 'reading'
              ? 'None yet: recommendations come when more of the input is read.'
              : view.errors.length || view.notice
                ? 'No recommendations: there was nothing to analyse.'
                : 'Nothing in this run points at a setting that would help.',
          ),
    ),
  );
  for (const t of facts.filter((x) => afterRecommendations.has(x.id))) root.append(factTableSection(t));

  const drawn = view.pictures ? transactionsSection(view.pictures, (line) => actions.reveal(0, [line])) : null;
  if (drawn) root.append(drawn);

  if (view.reasons.length > 0) {
    const { box, canvas } = chartBox('chart-exits-by-reason', 'VM exits by reason', view.reasons.length);
    const jump = (r: ReasonView) =>
      actions.showEvents ? actions.showEvents(r.reason) : r.exampleLines.length && actions.reveal(0, r.exampleLines);
    chartJobs.push(() => exitsByReasonChart(canvas, view.reasons, jump));
    root.append(
      section(
        'VM exits by reason',
        `${view.exitsSource === 'guest-inferred' ? 'Inferred from guest events. ' : ''}Click a bar or a reason ` +
          `to see example lines.`,
        box,
        reasonTable(view.reasons, actions),
      ),
    );
  } else {
    // the marker stays so tests and users find the chart area even when there is nothing to draw
    root.append(
      section(
        'VM exits by reason',
        null,
        el('canvas', { 'data-testid': 'chart-exits-by-reason', class: 'hidden' }),
        el('p', { class: 'empty' }, 'No VM exits were found in this input.'),
      ),
    );
  }

  const grid = el('div', { class: 'chart-grid' });
  if (view.timeline && view.timeline.labels.length > 1) {
    const { box, canvas } = chartBox(null, 'Exits over time');
    const tl = view.timeline;
    chartJobs.push(() => timelineChart(canvas, tl));
    grid.append(section('Exits over time', null, box));
  }
  if (view.vcpus.length > 0) {
    const { box, canvas } = chartBox(null, 'Exits per vCPU');
    chartJobs.push(() =>
      simpleBarChart(
        canvas,
        view.vcpus.map((v) => `vCPU ${v.vcpu}`),
        view.vcpus.map((v) => v.count),
        'exits',
      ),
    );
    grid.append(section('Exits per vCPU', null, box));
  }
  // The wake-up histogram is an SVG picture (log axis, poll window) when the view has pictures.
  if (view.wakeupHistogram.length > 0 && !view.pictures) {
    const { box, canvas } = chartBox(null, 'Wake-up latency histogram');
    chartJobs.push(() =>
      simpleBarChart(
        canvas,
        view.wakeupHistogram.map((h) => `≤ ${formatDuration(h.upperNs)}`),
        view.wakeupHistogram.map((h) => h.count),
        'wake-ups',
      ),
    );
    grid.append(section('Wake-up latency', 'From the wake-up IPI to the halted vCPU running again.', box));
  }
  if (view.breakdown.length > 0) {
    const { box, canvas } = chartBox(null, 'Time per transaction', view.breakdown.length);
    chartJobs.push(() =>
      simpleBarChart(
        canvas,
        view.breakdown.map((b) => b.component),
        view.breakdown.map((b) => b.meanNs),
        'mean',
        { horizontal: true, valueFormat: formatDuration },
      ),
    );
    grid.append(section('Where a transaction’s time goes', 'Mean per transaction.', box));
  }
  if (grid.childElementCount > 0) root.append(grid);
  for (const t of facts.filter((x) => !early.has(x.id) && !afterRecommendations.has(x.id))) {
    root.append(factTableSection(t));
  }
  const note = 'Log time axes; the dashed line is the recommended poll window, with the share of values it covers.';
  const distributions = view.pictures ? figuresSection('Distributions', note, view.pictures.figures) : null;
  if (distributions) root.append(distributions);
  const w = warnings(view, actions);
  if (w) root.append(w);
  return () => chartJobs.forEach((job) => job());
}
