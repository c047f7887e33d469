// Exit duration per reason: p50 (dot) and p99 (bar end) on a log time axis, one row per reason.
import { formatCount, formatDuration } from '../format';
import { dataTable, esc, figure, logScale, logTicks, num, timeAxis } from './svg';

export interface ExitDurationRow {
  reason: string;
  count: number;
  p50Ns: number | null;
  p99Ns: number | null;
}

const WIDTH = 640;
const LABEL_W = 170;
const ROW_H = 20;

export function renderExitDurations(rows: readonly ExitDurationRow[]): string {
  // A p99 needs 100 durations (the analysis leaves it null below): the p50 is drawn alone then.
  const timed = rows.filter((r) => r.p50Ns !== null);
  const height = 36 + Math.max(timed.length, 1) * ROW_H;
  const table = dataTable(
    'Exit durations per reason',
    ['reason', 'exits', 'p50', 'p99'],
    rows.map((r) => [r.reason, formatCount(r.count), formatDuration(r.p50Ns), formatDuration(r.p99Ns)]),
  );
  if (timed.length === 0)
    return figure(
      'exit-durations',
      'Exit durations: not measured in this trace (no exit → entry pairs)',
      WIDTH,
      40,
      '<text x="8" y="24">no durations</text>',
      table,
    );
  const lo = Math.min(...timed.map((r) => r.p50Ns!));
  const hi = Math.max(...timed.map((r) => r.p99Ns ?? r.p50Ns!));
  const x = logScale(lo / 1.5, hi * 1.5, LABEL_W, WIDTH - 16);
  const axisY = 8 + timed.length * ROW_H;
  const parts = [timeAxis(logTicks(lo / 1.5, hi * 1.5), x, axisY, 4)];
  timed.forEach((r, i) => {
    const y = 8 + i * ROW_H + ROW_H / 2;
    const text =
      `${r.reason}: p50 ${formatDuration(r.p50Ns)}, p99 ${formatDuration(r.p99Ns)} ` +
      `(${formatCount(r.count)} exits)`;
    const short = r.reason.length > 26 ? `${r.reason.slice(0, 25)}…` : r.reason;
    parts.push(
      `<g class="ktl-reason" data-reason="${esc(r.reason)}"><title>${esc(text)}</title>` +
        `<text x="${LABEL_W - 8}" y="${num(y + 4)}" text-anchor="end">${esc(short)}</text>` +
        (r.p99Ns === null ? '' : p99Bar(x(r.p50Ns!), x(r.p99Ns), y)) +
        `<circle class="ktl-p50" cx="${num(x(r.p50Ns!))}" cy="${num(y)}" r="4"/></g>`,
    );
  });
  const each = timed.map((r) => `${r.reason} ${formatDuration(r.p50Ns)} / ${formatDuration(r.p99Ns)}`).join('; ');
  const label = `Exit duration per reason, p50 (dot) and p99 (bar end, from 100 durations), log time axis: ${each}`;
  return figure('exit-durations', label, WIDTH, height, parts.join(''), table);
}

function p99Bar(x50: number, x99: number, y: number): string {
  return (
    `<line class="ktl-p99" x1="${num(x50)}" x2="${num(x99)}" y1="${num(y)}" y2="${num(y)}"/>` +
    `<line class="ktl-p99" x1="${num(x99)}" x2="${num(x99)}" y1="${num(y - 5)}" y2="${num(y + 5)}"/>`
  );
}
