// A duration histogram on a log time axis (wake-up latency, halt durations) with the recommended poll window drawn
// and the share of the values it covers: what a halt-polling window of that length would catch.
import { formatCount, formatDuration, formatPercent } from '../format';
import { dataTable, esc, figure, logScale, logTicks, num, timeAxis } from './svg';

export interface HistogramInput {
  /** data-testid of the root, e.g. "wakeup-histogram" (a marker the outside contract fixes) or "halt-histogram". */
  testid: string;
  /** What is counted, e.g. "Wake-up latency (IPI sent → woken task runs)". */
  title: string;
  /** Contiguous bins as LogHistogram.bins() gives them: each bin's upper edge in ns and its count. */
  bins: readonly { upperNs: number; count: number }[];
  /** The poll window to draw (ns), e.g. from the halt-polling recommendation's setting; null: none. */
  pollWindowNs: number | null;
}

const WIDTH = 640;
const HEIGHT = 220;
const X0 = 48;
const X1 = WIDTH - 16;
const Y_TOP = 24;
const Y_AXIS = HEIGHT - 28;

/** "guest_halt_poll_ns=200000" / "halt_poll_ns=200000" → 200000; null when the setting names no window. */
export function pollWindowFromSetting(setting: string | null | undefined): number | null {
  const m = setting ? /halt_poll_ns=(\d+)/.exec(setting) : null;
  return m ? Number(m[1]) : null;
}

/** The lower edge of each bin: the previous bin's upper edge (the first is as wide, in log terms, as the second). */
export function binEdges(bins: HistogramInput['bins']): { lowerNs: number; upperNs: number; count: number }[] {
  return bins.map((b, i) => {
    const prev = bins[i - 1]?.upperNs;
    const ratio = bins.length > 1 ? bins[1].upperNs / bins[0].upperNs : 2;
    return { lowerNs: prev ?? b.upperNs / ratio, upperNs: b.upperNs, count: b.count };
  });
}

/** Share of the values at or below `windowNs` (bins wholly inside the window; bins are 2–10 % wide). */
export function shareCovered(bins: HistogramInput['bins'], windowNs: number): number {
  const total = bins.reduce((n, b) => n + b.count, 0);
  return total ? bins.filter((b) => b.upperNs <= windowNs).reduce((n, b) => n + b.count, 0) / total : 0;
}

export function renderHistogram(h: HistogramInput): string {
  const edges = binEdges(h.bins);
  const total = edges.reduce((n, b) => n + b.count, 0);
  if (edges.length === 0 || total === 0) {
    return figure(
      h.testid,
      `${h.title}: no values in this trace`,
      WIDTH,
      40,
      `<text x="8" y="24">no values</text>`,
      '',
    );
  }
  const lo = Math.min(edges[0].lowerNs, h.pollWindowNs ?? Infinity);
  const hi = Math.max(edges[edges.length - 1].upperNs, h.pollWindowNs ?? 0);
  const x = logScale(lo, hi, X0, X1);
  const maxCount = Math.max(...edges.map((b) => b.count));
  const yOf = (count: number) => ((Y_AXIS - Y_TOP) * count) / maxCount;
  const parts: string[] = [timeAxis(logTicks(lo, hi), x, Y_AXIS, Y_TOP)];
  parts.push(`<line class="ktl-axis" x1="${X0}" x2="${X1}" y1="${Y_AXIS}" y2="${Y_AXIS}"/>`);
  parts.push(
    `<text class="ktl-tick" x="${X0 - 4}" y="${Y_TOP + 4}" text-anchor="end">${esc(formatCount(maxCount))}</text>`,
  );
  let label =
    `${h.title}: ${formatCount(total)} values from ${formatDuration(edges[0].lowerNs)} to ` +
    `${formatDuration(edges[edges.length - 1].upperNs)}`;
  if (h.pollWindowNs !== null) {
    const share = shareCovered(h.bins, h.pollWindowNs);
    const wx = num(x(h.pollWindowNs));
    parts.push(
      `<rect class="ktl-covered" x="${X0}" y="${Y_TOP}" width="${num(x(h.pollWindowNs) - X0)}" ` +
        `height="${Y_AXIS - Y_TOP}"/>`,
    );
    const covered = Math.round(share * total);
    const text =
      `poll window ${formatDuration(h.pollWindowNs)} covers ${formatPercent(share)} ` +
      `(${formatCount(covered)} of ${formatCount(total)})`;
    parts.push(
      `<line class="ktl-window" data-window-ns="${h.pollWindowNs}" x1="${wx}" x2="${wx}" y1="${Y_TOP - 6}" ` +
        `y2="${Y_AXIS}"/>`,
    );
    parts.push(
      `<text x="${wx}" y="${Y_TOP - 10}" ` +
        `text-anchor="${x(h.pollWindowNs) > WIDTH * 0.7 ? 'end' : 'start'}">${esc(text)}</text>`,
    );
    label += `; the ${text} of them`;
  }
  for (const b of edges) {
    const left = x(b.lowerNs);
    const height = yOf(b.count);
    const text = `${formatDuration(b.lowerNs)} – ${formatDuration(b.upperNs)}: ${formatCount(b.count)}`;
    parts.push(
      `<rect class="ktl-bar" data-count="${b.count}" x="${num(left)}" y="${num(Y_AXIS - height)}" ` +
        `width="${num(Math.max(x(b.upperNs) - left - 0.5, 0.5))}" ` +
        `height="${num(height)}"><title>${esc(text)}</title></rect>`,
    );
  }
  const rows = edges
    .filter((b) => b.count > 0)
    .map((b) => [
      formatDuration(b.lowerNs),
      formatDuration(b.upperNs),
      formatCount(b.count),
      formatPercent(b.count / total),
    ]);
  return figure(
    h.testid,
    label,
    WIDTH,
    HEIGHT,
    parts.join(''),
    dataTable(`${h.title}: the numbers`, ['from', 'to', 'count', 'share'], rows),
  );
}
