// Exits per second per vCPU (or per category) over time: one line per series, from counts per time bucket.
import { formatCount, formatDuration, formatRate } from '../format';
import { dataTable, esc, figure, num, seriesClass } from './svg';

export interface ExitRateInput {
  bucketNs: number;
  startNs: number;
  /** One series per vCPU (label "vCPU 0") or per category; counts per bucket. */
  series: readonly { label: string; counts: readonly number[] }[];
}

const WIDTH = 640;
const HEIGHT = 200;
const X0 = 56;
const X1 = WIDTH - 110;
const Y_TOP = 12;
const Y_AXIS = HEIGHT - 28;

export function renderExitRate(input: ExitRateInput): string {
  const perSecond = (c: number) => (c * 1e9) / input.bucketNs;
  const buckets = Math.max(0, ...input.series.map((s) => s.counts.length));
  const maxRate = Math.max(1, ...input.series.flatMap((s) => s.counts.map(perSecond)));
  const x = (i: number) => X0 + (buckets > 1 ? (i / (buckets - 1)) * (X1 - X0) : 0);
  const y = (rate: number) => Y_AXIS - ((Y_AXIS - Y_TOP) * rate) / maxRate;
  const parts = [
    `<line class="ktl-axis" x1="${X0}" x2="${X1}" y1="${Y_AXIS}" y2="${Y_AXIS}"/>`,
    `<line class="ktl-axis" x1="${X0}" x2="${X0}" y1="${Y_TOP}" y2="${Y_AXIS}"/>`,
    `<text class="ktl-tick" x="${X0 - 4}" y="${Y_TOP + 4}" text-anchor="end">${esc(formatRate(maxRate))}</text>`,
    `<text class="ktl-tick" x="${X0}" y="${Y_AXIS + 14}">0</text>`,
    `<text class="ktl-tick" x="${X1}" y="${Y_AXIS + 14}" text-anchor="end">` +
      `${esc(formatDuration(buckets * input.bucketNs))}</text>`,
  ];
  input.series.forEach((s, k) => {
    // Colours by class (a panel's CSP allows no style attributes): ktl-s0 … ktl-s5 in PICTURE_CSS.
    const colour = seriesClass(k);
    const points = s.counts.map((c, i) => `${num(x(i))},${num(y(perSecond(c)))}`).join(' ');
    // A dash pattern per series as well as a colour: lines stay apart in greyscale and forced colours.
    const dash = k === 0 ? '' : ` stroke-dasharray="${[6, 3, 2, 4][k % 4]} 3"`;
    parts.push(
      `<polyline class="ktl-line ${colour}" data-series="${esc(s.label)}"${dash} points="${points}">` +
        `<title>${esc(s.label)}</title></polyline>`,
    );
    parts.push(`<text class="${colour}" x="${X1 + 8}" y="${num(Y_TOP + 10 + k * 14)}">${esc(s.label)}</text>`);
  });
  const rows = input.series.map((s) => {
    const total = s.counts.reduce((n, c) => n + c, 0);
    return [
      s.label,
      formatCount(total),
      formatRate(buckets ? perSecond(total / buckets) : null),
      formatRate(perSecond(Math.max(0, ...s.counts))),
    ];
  });
  const span = `${formatDuration(buckets * input.bucketNs)} in ${formatDuration(input.bucketNs)} steps`;
  const label = `Exits per second over ${span}: ${rows.map((r) => `${r[0]} mean ${r[2]}, peak ${r[3]}`).join('; ')}`;
  return figure(
    'exit-rate',
    label,
    WIDTH,
    HEIGHT,
    parts.join(''),
    dataTable('Exits per second', ['series', 'exits', 'mean', 'peak'], rows),
  );
}
