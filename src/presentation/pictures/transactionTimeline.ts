// One transaction drawn (the picture of Matlack, KVM Forum 2015, from the user's own trace): a lane per CPU (guest) or
// vCPU (host) with running / halted / in-exit spans, the IPIs and hand-offs as arrows, each exit marked critical
// (filled triangle) or off-critical (hollow circle) with its reason as a tooltip, and where the critical path's time
// went below.
import type { SketchExit, TransactionSketch } from '../../core/model/transactionSketch';
import { formatCount, formatDuration, formatPercent } from '../format';
import { dataTable, esc, figure, num, timeAxis } from './svg';

const WIDTH = 760;
const LABEL_W = 84;
const RIGHT = 16;
const TOP = 8;
const LANE_H = 40;
const BAR_H = 14;

export interface TimelineOptions {
  /** Which transaction this is, e.g. "median", "p99" (shown in the title). */
  which?: string;
}

/** Round step (1, 2, 5 × 10^k ns) giving at most `max` ticks over `span`. */
export function linearTicks(span: number, max = 8): number[] {
  if (!(span > 0)) return [0];
  const magnitude = 10 ** Math.floor(Math.log10(span / max));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((st) => span / st <= max) ?? 10 * magnitude;
  const ticks: number[] = [];
  for (let i = 0; i * step <= span * (1 + 1e-9); i++) ticks.push(i * step);
  return ticks;
}

function criticalClass(c: boolean | null): string {
  return c === true ? 'mark-critical' : c === false ? 'mark-off-critical' : 'mark-unknown';
}

function criticalWord(c: boolean | null): string {
  return c === true ? 'critical' : c === false ? 'off-critical' : 'not attributed';
}

function exitTitle(e: SketchExit, lane: string): string {
  const parts = [`${e.reason} on ${lane}`, criticalWord(e.critical), `at ${formatDuration(e.atNs)}`];
  if (e.durationNs !== null) parts.push(`lasting ${formatDuration(e.durationNs)}`);
  if (e.line !== null) parts.push(`line ${e.line}`);
  return parts.join(' · ');
}

/** The mark's shape carries its meaning without colour: ▲ critical, ○ off-critical, □ not attributed. */
function mark(e: SketchExit, x: number, y: number): string {
  const cls = criticalClass(e.critical);
  if (e.critical === true) {
    const d = `M${num(x)} ${num(y - 5)}L${num(x + 5)} ${num(y + 4)}L${num(x - 5)} ${num(y + 4)}Z`;
    return `<path class="${cls}" d="${d}"/>`;
  }
  if (e.critical === false) return `<circle class="${cls}" cx="${num(x)}" cy="${num(y)}" r="4"/>`;
  return `<rect class="${cls}" x="${num(x - 3.5)}" y="${num(y - 3.5)}" width="7" height="7"/>`;
}

export function renderTransactionTimeline(s: TransactionSketch, options: TimelineOptions = {}): string {
  const x1 = WIDTH - RIGHT;
  const span = Math.max(s.durationNs, 1);
  const x = (ns: number) => LABEL_W + (Math.min(Math.max(ns, 0), span) / span) * (x1 - LABEL_W);
  const laneTop = (i: number) => TOP + i * LANE_H;
  const barY = (i: number) => laneTop(i) + 16;
  const axisY = TOP + s.lanes.length * LANE_H + 4;
  const parts: string[] = [];

  parts.push(timeAxis(linearTicks(span), x, axisY, TOP));
  s.lanes.forEach((lane, i) => {
    parts.push(`<text x="4" y="${num(barY(i) + BAR_H - 3)}">${esc(lane.label)}</text>`);
    for (const sp of lane.spans) {
      // Running is a thin bar, halted a faint full-height one, an exit a full-height solid one.
      const thin = sp.kind === 'running';
      const y = thin ? barY(i) + BAR_H / 2 - 2 : barY(i);
      const title = `${lane.label} ${sp.kind} ${formatDuration(sp.startNs)} – ${formatDuration(sp.endNs)}`;
      parts.push(
        `<rect class="span-${sp.kind}" x="${num(x(sp.startNs))}" y="${num(y)}" ` +
          `width="${num(Math.max(x(sp.endNs) - x(sp.startNs), 0.5))}" ` +
          `height="${thin ? 4 : BAR_H}"><title>${esc(title)}</title></rect>`,
      );
    }
  });
  for (const a of s.arrows) {
    const fx = x(a.fromNs);
    const fy = barY(a.fromLane) + BAR_H / 2;
    const tx = x(a.toNs);
    const ty = barY(a.toLane) + (a.toLane > a.fromLane ? 0 : BAR_H);
    const angle = Math.atan2(ty - fy, tx - fx);
    const head = [0.45, -0.45].map((d) => `${num(tx - 7 * Math.cos(angle + d))} ${num(ty - 7 * Math.sin(angle + d))}`);
    const label =
      `${a.kind === 'ipi' ? 'IPI' : 'hand-off'} ${s.lanes[a.fromLane].label} → ` +
      `${s.lanes[a.toLane].label}, ${formatDuration(a.toNs - a.fromNs)}${a.toHalted ? ' (target halted)' : ''}`;
    parts.push(
      `<g class="ktl-flow" data-kind="${a.kind}"><title>${esc(label)}</title><line class="ktl-arrow" ` +
        `x1="${num(fx)}" y1="${num(fy)}" x2="${num(tx)}" y2="${num(ty)}"/>` +
        `<path class="ktl-arrowhead" d="M${num(tx)} ${num(ty)}L${head[0]}L${head[1]}Z"/></g>`,
    );
  }
  for (const e of s.exits) {
    const lane = s.lanes[e.lane];
    const attrs =
      `data-critical="${e.critical}" ` +
      `data-reason="${esc(e.reason)}"${e.line !== null ? ` data-line="${e.line}"` : ''}`;
    parts.push(
      `<g class="ktl-exit" ` +
        `${attrs}><title>${esc(exitTitle(e, lane.label))}</title>${mark(e, x(e.atNs), laneTop(e.lane) + 8)}</g>`,
    );
  }

  const breakdownY = axisY + 26;
  parts.push(breakdownBar(s, LABEL_W, x1, breakdownY));
  const height = breakdownY + 44;

  const critical = s.exits.filter((e) => e.critical === true).length;
  const off = s.exits.filter((e) => e.critical === false).length;
  const label =
    `Transaction ${s.index + 1}${options.which ? ` (${options.which})` : ''}, ${formatDuration(s.durationNs)}: ` +
    `${formatCount(s.exits.length)} exits (${formatCount(critical)} critical, ${formatCount(off)} off-critical) ` +
    `on ${s.lanes.length} ${s.side === 'guest' ? 'CPUs' : 'vCPUs'}, ${formatCount(s.arrows.length)} IPIs or hand-offs`;
  return figure('transaction-timeline', label, WIDTH, height, parts.join(''), timelineTables(s));
}

const BREAKDOWN_CLASS: Record<string, string> = {
  running: 'span-running',
  'in exits': 'span-in-exit',
  'wake-up from halt': 'mark-critical',
  'signal delivery': 'span-polling',
};

function breakdownBar(s: TransactionSketch, x0: number, x1: number, y: number): string {
  const total = s.breakdown.reduce((n, p) => n + p.ns, 0) || 1;
  let at = x0;
  const out: string[] = [`<text x="4" y="${num(y + 11)}">critical path</text>`];
  const legend: string[] = [];
  for (const p of s.breakdown) {
    const w = ((x1 - x0) * p.ns) / total;
    const text = `${p.label} ${formatDuration(p.ns)} (${formatPercent(p.ns / total)})`;
    if (w > 0)
      out.push(
        `<rect class="${BREAKDOWN_CLASS[p.label]} ktl-part" data-part="${esc(p.label)}" x="${num(at)}" ` +
          `y="${num(y)}" width="${num(w)}" height="14"><title>${esc(text)}</title></rect>`,
      );
    at += w;
    if (p.ns > 0) legend.push(text);
  }
  out.push(`<text class="ktl-note" x="${num(x0)}" y="${num(y + 30)}">${esc(legend.join('   ·   '))}</text>`);
  return out.join('');
}

function timelineTables(s: TransactionSketch): string {
  const exits = [...s.exits]
    .sort((a, b) => a.atNs - b.atNs)
    .map((e) => [
      formatDuration(e.atNs),
      s.lanes[e.lane].label,
      e.reason,
      criticalWord(e.critical),
      e.durationNs === null ? '–' : formatDuration(e.durationNs),
      e.line === null ? '–' : String(e.line),
    ]);
  const total = s.breakdown.reduce((n, p) => n + p.ns, 0) || 1;
  const parts = s.breakdown.map((p) => [p.label, formatDuration(p.ns), formatPercent(p.ns / total)]);
  return (
    dataTable('Exits of this transaction', ['at', 'lane', 'reason', 'critical path', 'duration', 'line'], exits) +
    dataTable('Where the critical path’s time went', ['part', 'time', 'share'], parts)
  );
}
