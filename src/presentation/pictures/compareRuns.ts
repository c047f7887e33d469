// Runs side by side: one distribution of each run overlaid on a log time axis (shares, so runs of different length
// compare), and exits per transaction per reason as grouped bars.
import { formatCount, formatDuration, formatNumber, formatPercent } from '../format';
import { dataTable, esc, figure, logScale, logTicks, num, seriesClass, timeAxis } from './svg';

type Bins = readonly { upperNs: number; count: number }[];

export interface OverlaidHistogramsInput {
  testid: string;
  title: string;
  runs: readonly { label: string; bins: Bins }[];
}

const WIDTH = 640;
const HEIGHT = 220;
const X0 = 48;
const X1 = WIDTH - 130;
const Y_TOP = 16;
const Y_AXIS = HEIGHT - 28;
/** Common bins for every run: four per decade (each run's own bins are 2–10 % wide and differ between runs). */
const PER_DECADE = 4;

const commonBin = (ns: number) => Math.ceil(Math.log10(Math.max(ns, 1)) * PER_DECADE - 1e-9);
const binUpper = (k: number) => 10 ** (k / PER_DECADE);

/** Each run's values regrouped into common log bins: bin index → count. */
export function regroup(bins: Bins): Map<number, number> {
  const out = new Map<number, number>();
  for (const b of bins) if (b.count > 0) out.set(commonBin(b.upperNs), (out.get(commonBin(b.upperNs)) ?? 0) + b.count);
  return out;
}

export function renderOverlaidHistograms(h: OverlaidHistogramsInput): string {
  const runs = h.runs.map((r) => {
    const grouped = regroup(r.bins);
    return { label: r.label, grouped, total: [...grouped.values()].reduce((n, c) => n + c, 0) };
  });
  const keys = runs.flatMap((r) => [...r.grouped.keys()]);
  if (keys.length === 0) {
    return figure(
      h.testid,
      `${h.title}: no values in these runs`,
      WIDTH,
      40,
      '<text x="8" y="24">no values</text>',
      '',
    );
  }
  const first = Math.min(...keys);
  const last = Math.max(...keys);
  const lo = binUpper(first - 1);
  const hi = binUpper(last);
  const x = logScale(lo, hi, X0, X1);
  const share = (r: (typeof runs)[number], k: number) => (r.total ? (r.grouped.get(k) ?? 0) / r.total : 0);
  const maxShare = Math.max(...runs.flatMap((r) => [...r.grouped.keys()].map((k) => share(r, k))));
  const y = (s: number) => Y_AXIS - ((Y_AXIS - Y_TOP) * s) / maxShare;
  const parts = [timeAxis(logTicks(lo, hi), x, Y_AXIS, Y_TOP)];
  parts.push(`<line class="ktl-axis" x1="${X0}" x2="${X1}" y1="${Y_AXIS}" y2="${Y_AXIS}"/>`);
  parts.push(
    `<text class="ktl-tick" x="${X0 - 4}" y="${Y_TOP + 4}" text-anchor="end">${formatPercent(maxShare)}</text>`,
  );
  runs.forEach((r, i) => {
    // A step line per run: flat over each common bin at that bin's share of the run's values.
    const points: string[] = [`${num(x(lo))},${num(Y_AXIS)}`];
    for (let k = first; k <= last; k++) {
      const yk = num(y(share(r, k)));
      points.push(`${num(x(binUpper(k - 1)))},${yk}`, `${num(x(binUpper(k)))},${yk}`);
    }
    points.push(`${num(x(hi))},${num(Y_AXIS)}`);
    const dash = i === 0 ? '' : ` stroke-dasharray="${[6, 3, 2, 4][i % 4]} 3"`;
    const cls = seriesClass(i);
    const title = `${r.label}: ${formatCount(r.total)} values`;
    parts.push(
      `<polyline class="ktl-line ${cls}" data-run="${esc(r.label)}" data-total="${r.total}"${dash} ` +
        `points="${points.join(' ')}"><title>${esc(title)}</title></polyline>`,
    );
    parts.push(`<text class="${cls}" x="${X1 + 8}" y="${num(Y_TOP + 10 + i * 14)}">${esc(r.label)}</text>`);
  });
  const rows: string[][] = [];
  for (let k = first; k <= last; k++) {
    if (runs.every((r) => !r.grouped.get(k))) continue;
    const cells = runs.map((r) => `${formatCount(r.grouped.get(k) ?? 0)} (${formatPercent(share(r, k))})`);
    rows.push([formatDuration(binUpper(k - 1)), formatDuration(binUpper(k)), ...cells]);
  }
  const label =
    `${h.title}, share of each run's values on a log time axis: ` +
    runs.map((r) => `${r.label} ${formatCount(r.total)} values`).join('; ');
  const head = ['from', 'to', ...runs.map((r) => r.label)];
  return figure(h.testid, label, WIDTH, HEIGHT, parts.join(''), dataTable(`${h.title}: the numbers`, head, rows));
}

export interface GroupedBarsInput {
  testid: string;
  title: string;
  runs: readonly string[];
  /** One group per row (e.g. exit reason), one value per run (null: not measured in that run). */
  rows: readonly { label: string; values: readonly (number | null)[] }[];
}

const LABEL_W = 170;
const BAR_H = 7;

export function renderGroupedBars(g: GroupedBarsInput): string {
  const groupH = g.runs.length * BAR_H + 8;
  const height = 24 + g.rows.length * groupH + g.runs.length * 14;
  const max = Math.max(1e-9, ...g.rows.flatMap((r) => r.values.map((v) => v ?? 0)));
  const w = (v: number) => ((WIDTH - LABEL_W - 60) * v) / max;
  const parts: string[] = [];
  g.rows.forEach((r, i) => {
    const top = 4 + i * groupH;
    const short = r.label.length > 26 ? `${r.label.slice(0, 25)}…` : r.label;
    parts.push(`<text x="${LABEL_W - 8}" y="${num(top + groupH / 2 + 2)}" text-anchor="end">${esc(short)}</text>`);
    r.values.forEach((v, k) => {
      if (v === null) return;
      const text = `${r.label}, ${g.runs[k]}: ${formatNumber(v)}`;
      parts.push(
        `<rect class="ktl-gbar ${seriesClass(k)}" data-run="${esc(g.runs[k])}" data-value="${v}" x="${LABEL_W}" ` +
          `y="${num(top + k * BAR_H)}" width="${num(Math.max(w(v), 0.5))}" height="${BAR_H - 1}">` +
          `<title>${esc(text)}</title></rect>`,
      );
    });
  });
  const legendY = 8 + g.rows.length * groupH;
  g.runs.forEach((run, k) => {
    const yk = legendY + k * 14;
    parts.push(`<rect class="${seriesClass(k)}" x="${LABEL_W}" y="${num(yk)}" width="10" height="10"/>`);
    parts.push(`<text x="${LABEL_W + 16}" y="${num(yk + 9)}">${esc(run)}</text>`);
  });
  const rows = g.rows.map((r) => [r.label, ...r.values.map((v) => (v === null ? '–' : formatNumber(v)))]);
  const label = `${g.title}: ${g.rows.length} rows for ${g.runs.length} runs`;
  const table = dataTable(`${g.title}: the numbers`, ['', ...g.runs], rows);
  return figure(g.testid, label, WIDTH, height, parts.join(''), table);
}
