// Chart.js charts of an analysis, in theme colours. Only the pieces used are registered (smaller bundle).
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type { AnalysisView, ReasonView } from '../src/shared/views';
import { formatDuration, formatNumber } from '../src/presentation/format';
import { chartTheme } from './theme';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);

const charts: Chart[] = [];

export function destroyCharts(): void {
  while (charts.length) charts.pop()!.destroy();
}

function applyDefaults(): ReturnType<typeof chartTheme> {
  const t = chartTheme();
  Chart.defaults.color = t.foreground;
  Chart.defaults.borderColor = t.grid;
  Chart.defaults.font.family = t.font;
  Chart.defaults.animation = false;
  return t;
}

function make(canvas: HTMLCanvasElement, config: ChartConfiguration): Chart {
  const c = new Chart(canvas, config);
  charts.push(c);
  return c;
}

const BAR_HEIGHT_PX = 22;

/** Height for a horizontal bar chart of n bars (set through CSSOM, which the CSP allows). */
export function sizeFor(container: HTMLElement, bars: number): void {
  container.style.height = `${Math.max(140, 60 + bars * BAR_HEIGHT_PX)}px`;
}

/** Exits by reason, stacked: on the critical path, off it, and not attributed. Clicking a bar reveals examples. */
export function exitsByReasonChart(
  canvas: HTMLCanvasElement,
  reasons: ReasonView[],
  onPick: (r: ReasonView) => void,
): void {
  const t = applyDefaults();
  const hasSplit = reasons.some((r) => r.critical !== null || r.offCritical !== null);
  const datasets = hasSplit
    ? [
        { label: 'critical path', data: reasons.map((r) => r.critical ?? 0), backgroundColor: t.critical },
        { label: 'off critical path', data: reasons.map((r) => r.offCritical ?? 0), backgroundColor: t.offCritical },
        {
          label: 'not attributed',
          data: reasons.map((r) => Math.max(0, r.count - (r.critical ?? 0) - (r.offCritical ?? 0))),
          backgroundColor: t.unattributed,
        },
      ]
    : [{ label: 'exits', data: reasons.map((r) => r.count), backgroundColor: t.offCritical }];
  make(canvas, {
    type: 'bar',
    data: { labels: reasons.map((r) => r.reason), datasets },
    options: {
      indexAxis: 'y',
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true, ticks: { autoSkip: false } } },
      plugins: {
        legend: { display: hasSplit, position: 'bottom' },
        tooltip: {
          callbacks: {
            afterBody: (items) => {
              const r = reasons[items[0]?.dataIndex ?? -1];
              if (!r) return '';
              const lines = [`${formatNumber(r.count)} exits, ${formatNumber(r.share * 100, 1)} % of all`];
              if (r.meanNs !== null) lines.push(`mean ${formatDuration(r.meanNs)}, p99 ${formatDuration(r.p99Ns)}`);
              if (r.exampleLines.length) lines.push('click to see example lines');
              return lines;
            },
          },
        },
      },
      onClick: (_e, elements) => {
        const r = reasons[elements[0]?.index ?? -1];
        if (r) onPick(r);
      },
    },
  });
}

export function timelineChart(canvas: HTMLCanvasElement, timeline: NonNullable<AnalysisView['timeline']>): void {
  const t = applyDefaults();
  // short traces read better in milliseconds
  const span = timeline.labels[timeline.labels.length - 1] ?? 0;
  const inMs = span < 2;
  make(canvas, {
    type: 'line',
    data: {
      labels: timeline.labels.map((s) => (inMs ? formatNumber(s * 1000, 2) : formatNumber(s, 2))),
      datasets: timeline.series.map((s, i) => ({
        label: s.label,
        data: s.values,
        borderColor: t.palette[i % t.palette.length],
        backgroundColor: t.palette[i % t.palette.length],
        pointRadius: 0,
        borderWidth: 1.5,
      })),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: {
          title: { display: true, text: inMs ? 'ms from start' : 'seconds from start' },
          ticks: { maxTicksLimit: 12 },
        },
        y: { beginAtZero: true, title: { display: true, text: 'exits per bucket' } },
      },
      plugins: { legend: { position: 'bottom' } },
    },
  });
}

export function simpleBarChart(
  canvas: HTMLCanvasElement,
  labels: string[],
  values: number[],
  label: string,
  options: { horizontal?: boolean; valueFormat?: (v: number) => string } = {},
): void {
  const t = applyDefaults();
  const fmt = options.valueFormat ?? ((v: number) => formatNumber(v));
  make(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: t.offCritical }] },
    options: {
      indexAxis: options.horizontal ? 'y' : 'x',
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        [options.horizontal ? 'x' : 'y']: {
          beginAtZero: true,
          ticks: { callback: (v: string | number) => fmt(Number(v)) },
        },
        [options.horizontal ? 'y' : 'x']: { ticks: { autoSkip: !options.horizontal } },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (item) => `${label}: ${fmt(Number(item.raw))}` } },
      },
    },
  });
}
