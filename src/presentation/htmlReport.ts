// Self-contained, static HTML reports (`analyze --html OUT.html`, `compare --html OUT.html`): no script, no external
// resource, every trace-derived string escaped. Charts are inline SVG.
import type { Analysis, ReasonStats } from '../core/index';
import type { Comparison } from '../core/index';
import type { FactTableView } from '../shared/views';
import { buildCompareView } from './compareView';
import { accessTables, countTable, hostEventTables, runsTable } from './factTables';
import {
  formatBits,
  formatCount,
  formatDuration,
  formatEstimate,
  formatMetric,
  formatNumber,
  formatPercent,
  formatRate,
  formatTransactionRate,
} from './format';
import { analysisPictures, comparePictures, PICTURE_CSS } from './pictures/index';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function reasonBars(rows: ReasonStats[]): string {
  const shown = rows.slice(0, 15);
  const max = Math.max(1, ...shown.map((r) => r.count));
  const rowH = 22;
  const labelW = 220;
  const barW = 460;
  const bars = shown
    .map((r, i) => {
      const y = i * rowH;
      const crit = r.critical ?? 0;
      const off = r.offCritical ?? 0;
      const rest = r.count - crit - off;
      const w = (n: number) => (n / max) * barW;
      let x = labelW;
      const seg = (n: number, cls: string) => {
        if (n <= 0) return '';
        const box = `x="${x.toFixed(1)}" y="${y + 3}" width="${w(n).toFixed(1)}" height="${rowH - 6}"`;
        const s = `<rect class="${cls}" ${box}/>`;
        x += w(n);
        return s;
      };
      return (
        `<text x="${labelW - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${escapeHtml(r.reason)}</text>` +
        seg(crit, 'crit') +
        seg(off, 'off') +
        seg(rest, 'rest') +
        `<text x="${(x + 4).toFixed(1)}" y="${y + rowH / 2 + 4}">${formatCount(r.count)}</text>`
      );
    })
    .join('');
  const size = `width="${labelW + barW + 90}" height="${shown.length * rowH}"`;
  return `<svg role="img" aria-label="Exits by reason" ${size}>${bars}</svg>`;
}

function predictionHtml(p: NonNullable<Analysis['recommendations'][number]['prediction']>): string {
  const f = (n: number) => formatMetric(p.metric, n);
  const after = formatEstimate(p.after, p.low, p.high, f);
  const change = `${escapeHtml(f(p.before))} → <b>${escapeHtml(after)}</b>`;
  return `<p class="pred">${escapeHtml(p.metric)}: ${change} (predicted)</p>`;
}

/** Fact tables (src/presentation/factTables.ts) as sections: title, what it means, the table, what it leaves out. */
function factTablesHtml(tables: readonly (FactTableView | null)[]): string[] {
  const cells = (tag: string, row: readonly string[]) => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  return tables
    .filter((t): t is FactTableView => t !== null)
    .map((t) =>
      [
        `<section class="facts" id="${escapeHtml(t.id)}"><h2>${escapeHtml(t.title)}</h2>`,
        t.hint ? `<p class="why">${escapeHtml(t.hint)}</p>` : '',
        `<table><tr>${cells('th', t.head)}</tr>`,
        ...t.rows.map((r) => `<tr>${cells('td', r)}</tr>`),
        '</table>',
        t.note ? `<p class="note">${escapeHtml(t.note)}</p>` : '',
        '</section>',
      ].join(''),
    );
}

export function renderHtmlReport(a: Analysis, title = 'KVM Trace Lens report'): string {
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push('<h2>Inputs</h2><ul>');
  for (const i of a.inputs) {
    parts.push(
      `<li><code>${escapeHtml(i.path)}</code>: ${escapeHtml(i.format ?? 'unrecognised')}, ` +
        `${formatCount(i.records)} records`,
    );
    if (i.warnings.length) {
      parts.push('<ul class="warn">');
      for (const w of i.warnings.slice(0, 20))
        parts.push(`<li>${w.line !== null ? `line ${w.line}: ` : ''}${escapeHtml(w.message)}</li>`);
      if (i.warnings.length > 20) parts.push(`<li>${i.warnings.length - 20} more warnings</li>`);
      parts.push('</ul>');
    }
    parts.push('</li>');
  }
  parts.push('</ul>');
  const b = a.benchmark;
  const t = a.transactions;
  const e = a.exits;
  parts.push('<div class="figures">');
  const figure = (label: string, value: string) =>
    parts.push(`<div><span>${escapeHtml(label)}</span><b>${escapeHtml(value)}</b></div>`);
  if (b)
    figure(
      `${b.tool} ${b.test}`,
      b.transactionsPerSec !== null ? formatTransactionRate(b.transactionsPerSec) : formatBits(b.bitsPerSec),
    );
  if (e)
    figure(
      `exits (${e.source})`,
      `${formatCount(e.total)}${e.perSecond !== null ? ` · ${formatRate(e.perSecond)}` : ''}`,
    );
  if (t) {
    figure('round trips', `${formatCount(t.count)} · ${formatRate(t.perSecond)}`);
    figure(
      'exits / transaction',
      `${formatNumber(t.exitsPerTransaction)} (${formatNumber(t.criticalExitsPerTransaction)} critical)`,
    );
    if (t.wakeupLatencyNs)
      figure(
        'wake-up latency',
        `p50 ${formatDuration(t.wakeupLatencyNs.p50)} · p99 ${formatDuration(t.wakeupLatencyNs.p99)}`,
      );
  }
  parts.push('</div>');
  parts.push(...factTablesHtml([runsTable(a)]));
  const pictures = analysisPictures(a);
  parts.push(...transactionsHtml(pictures.transactions));
  parts.push('<h2>Recommendations</h2>');
  if (a.recommendations.length === 0) parts.push('<p>None — nothing here would clearly help.</p>');
  for (const r of a.recommendations) {
    parts.push(`<section class="rec"><h3>${escapeHtml(r.title)}</h3>`);
    if (r.setting) parts.push(`<p>Setting: <code>${escapeHtml(r.setting)}</code></p>`);
    if (r.prediction) parts.push(predictionHtml(r.prediction));
    parts.push(`<ul>${r.evidence.map((ev) => `<li>${escapeHtml(ev)}</li>`).join('')}</ul>`);
    if (r.rationale) parts.push(`<p class="why">${escapeHtml(r.rationale)}</p>`);
    parts.push('</section>');
  }
  for (const n of a.notRecommended ?? [])
    parts.push(`<p class="not">Not recommended: <b>${escapeHtml(n.id)}</b> — ${escapeHtml(n.reason)}</p>`);
  for (const n of a.modelNotes ?? []) parts.push(`<p class="note">${escapeHtml(n)}</p>`);
  if (e && e.byReason.length) {
    parts.push(
      '<h2>Exits by reason</h2><p class="legend"><span class="crit">■</span> critical path ' +
        '<span class="off">■</span> off it <span class="rest">■</span> not attributed</p>',
    );
    parts.push(reasonBars(e.byReason));
    parts.push(
      `<table><tr>${['reason', 'category', 'count', 'share', 'critical', 'mean', 'p50', 'p99', 'max']
        .map((h) => `<th>${h}</th>`)
        .join('')}</tr>`,
    );
    for (const r of e.byReason) {
      parts.push(
        `<tr><td>${escapeHtml(r.reason)}</td><td>${escapeHtml(r.category)}</td><td>${formatCount(r.count)}</td>` +
          `<td>${formatPercent(r.share)}</td><td>${formatCount(r.critical)}</td><td>${formatDuration(r.meanNs)}</td>` +
          `<td>${formatDuration(r.p50Ns)}</td><td>${formatDuration(r.p99Ns)}</td>` +
          `<td>${formatDuration(r.maxNs)}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  parts.push(...factTablesHtml([countTable(e), ...accessTables(a), ...hostEventTables(a)]));
  if (t?.breakdownNs?.length) {
    parts.push(
      "<h2>Where a transaction's time goes</h2><table><tr><th>component</th><th>mean per transaction</th>" +
        '<th>each</th><th>per transaction</th></tr>',
    );
    for (const c of t.breakdownNs) {
      const each = c.eachNs === undefined ? '' : formatDuration(c.eachNs);
      const times = c.perTransaction === undefined ? '' : `× ${formatNumber(c.perTransaction)}`;
      parts.push(
        `<tr><td>${escapeHtml(c.component)}</td><td>${formatDuration(c.meanNs)}</td><td>${each}</td>` +
          `<td>${times}</td></tr>`,
      );
    }
    parts.push('</table>');
  }
  if (pictures.figures.length) parts.push('<h2>Distributions</h2>', ...pictures.figures);
  return page(title, parts);
}

/** The median transaction drawn, the p99 and the others folded under it (a static picker: no script). */
function transactionsHtml(drawn: ReturnType<typeof analysisPictures>['transactions']): string[] {
  if (drawn.length === 0) return [];
  const [first, ...rest] = drawn;
  return [
    '<h2>A transaction, drawn</h2>',
    `<p class="why">The ${escapeHtml(first.which)} transaction: ▲ on the critical path, ○ off it, □ not attributed; ` +
      'hover a mark to name its exit.</p>',
    first.html,
    ...rest.map(
      (t) =>
        `<details class="ktl-more"><summary>The ${escapeHtml(t.which)} transaction ` +
        `(${escapeHtml(formatDuration(t.durationNs))})</summary>${t.html}</details>`,
    ),
  ];
}

/** The comparison of runs: the same view the Compare panel and the CLI text show. */
export function renderCompareHtml(c: Comparison, title = 'KVM Trace Lens: compared runs'): string {
  const view = buildCompareView(c);
  const parts: string[] = [`<h1>${escapeHtml(title)}</h1>`, '<h2>Runs</h2><ul>'];
  for (const r of view.runs) parts.push(`<li><b>${escapeHtml(r.label)}</b> — ${escapeHtml(r.detail)}</li>`);
  parts.push('</ul>');
  if (view.predictions.length > 0) parts.push('<h2>Measured change against the prediction</h2><ul>');
  for (const p of view.predictions) {
    const from = `${escapeHtml(p.fromRun)} → ${escapeHtml(p.toRun)}`;
    parts.push(`<li><b>${escapeHtml(p.recommendation)}</b> (${from}): ${escapeHtml(p.verdict)}</li>`);
  }
  if (view.predictions.length > 0) parts.push('</ul>');
  const head = ['', ...view.runs.map((r, i) => (i === 0 ? `${r.label} (baseline)` : r.label))];
  for (const s of view.sections) {
    parts.push(`<h2>${escapeHtml(s.title)}</h2>`);
    if (s.hint) parts.push(`<p class="why">${escapeHtml(s.hint)}</p>`);
    parts.push(`<table class="compare"><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`);
    for (const r of s.rows) {
      const cells = r.cells.map((x) => {
        const change = x.change === null ? '' : `<br><span class="${x.tone}">${escapeHtml(x.change)}</span>`;
        const why =
          x.interval === null ? '' : `<br><small>${escapeHtml(x.interval)}${verdictSuffix(x.verdict)}</small>`;
        return `<td>${escapeHtml(x.value)}${change}${why}</td>`;
      });
      parts.push(`<tr><td>${escapeHtml(r.label)}</td>${cells.join('')}</tr>`);
    }
    parts.push('</table>');
  }
  const pictures = comparePictures(c);
  if (pictures.length) parts.push('<h2>The runs overlaid</h2>', ...pictures);
  if (view.series) parts.push(`<p>${escapeHtml(view.series)}</p>`);
  parts.push(`<p class="note">Method: ${escapeHtml(view.method)}</p>`);
  return page(title, parts);
}

function verdictSuffix(verdict: string | null): string {
  return verdict && verdict !== 'no interval' ? `, ${verdict}` : '';
}

const PAGE_CSS = [
  'body{font:14px/1.45 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222;background:#fff}',
  'code{background:#f2f2f2;padding:0 .3em}',
  'table{border-collapse:collapse;margin:1em 0}',
  'td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:right}',
  'td:first-child,th:first-child{text-align:left}',
  '.figures{display:flex;flex-wrap:wrap;gap:1em}',
  '.figures div{border:1px solid #ddd;padding:.5em 1em;border-radius:4px}',
  '.figures span{display:block;color:#666;font-size:12px}',
  '.rec{border-left:4px solid #2a7ae2;padding:.2em 1em;margin:1em 0;background:#f7faff}',
  '.pred b{color:#0a7d28}',
  '.why,.note,.not{color:#555}',
  '.better{color:#0a7d28}',
  '.worse{color:#c92a2a}',
  '.warn{color:#8a5a00}',
  'svg text{font-size:12px;fill:#222}',
  'rect.crit,.crit{fill:#d9480f;color:#d9480f}',
  'rect.off,.off{fill:#74a9cf;color:#74a9cf}',
  'rect.rest,.rest{fill:#bbb;color:#bbb}',
  '@media (prefers-color-scheme: dark){' +
    'body{background:#1e1e1e;color:#ddd}' +
    'code{background:#333}' +
    'svg text{fill:#ddd}' +
    '.rec{background:#1f2a36}' +
    '.figures span,.why,.note,.not{color:#aaa}' +
    '}',
].join('\n');

/** No script, no outside resource: the page can only style itself. */
const CSP = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`;

function page(title: string, parts: readonly string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">${CSP}
<title>${escapeHtml(title)}</title><style>${PAGE_CSS}${PICTURE_CSS}</style></head><body>
${parts.join('\n')}
</body></html>
`;
}
