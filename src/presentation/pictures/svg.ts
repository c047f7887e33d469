// Shared pieces of the SVG pictures: escaping, the figure frame (role="img", aria-label, a text alternative), a log
// time axis, and the one stylesheet that maps picture colours to VS Code's theme variables (with fallbacks for the
// HTML report in light, dark and high-contrast / forced-colours modes). Pure strings: no DOM, no scripts.
import { formatDuration } from '../format';

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Coordinates with at most one decimal: short output, stable tests. */
export function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** A picture: the SVG, then its caption and the table of the numbers behind it (the text alternative). */
export function figure(
  testid: string,
  label: string,
  width: number,
  height: number,
  body: string,
  table: string,
): string {
  return (
    `<figure class="ktl-picture" data-testid="${esc(testid)}">` +
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${num(width)} ${num(height)}" width="${num(width)}" height="${num(height)}" ` +
    `role="img" aria-label="${esc(label)}">${body}</svg>` +
    `<figcaption>${esc(label)}</figcaption>${table}</figure>`
  );
}

/** A small table: the numbers a picture shows, readable without it (screen readers, copy-paste, no SVG). */
export function dataTable(caption: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  const table = `<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`;
  return `<details class="ktl-alt"><summary>${esc(caption)}</summary>${table}</details>`;
}

/** The class that colours series k (runs, vCPUs): six colours, then again (dash patterns tell them apart too). */
export function seriesClass(k: number): string {
  return `ktl-s${k % 6}`;
}

/** A log scale over [lo, hi] ns onto [x0, x1] px. */
export function logScale(lo: number, hi: number, x0: number, x1: number): (ns: number) => number {
  const a = Math.log10(Math.max(lo, 1));
  const b = Math.max(Math.log10(Math.max(hi, 1)), a + 1e-9);
  return (ns) => x0 + ((Math.log10(Math.max(ns, 1)) - a) / (b - a)) * (x1 - x0);
}

/** Decade ticks (1 µs, 10 µs, …) inside [lo, hi], with 2× and 5× ticks when fewer than three decades fit. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const steps = Math.log10(hi / Math.max(lo, 1)) < 2 ? [1, 2, 5] : [1];
  for (let d = Math.floor(Math.log10(Math.max(lo, 1))); d <= Math.ceil(Math.log10(Math.max(hi, 1))); d++) {
    for (const m of steps) {
      const v = m * 10 ** d;
      if (v >= lo && v <= hi) ticks.push(v);
    }
  }
  return ticks;
}

/** A horizontal time axis at `y`: tick lines up to `top` and duration labels. */
export function timeAxis(ticks: readonly number[], x: (ns: number) => number, y: number, top: number): string {
  return ticks
    .map((t) => {
      const px = num(x(t));
      return (
        `<line class="ktl-grid" x1="${px}" x2="${px}" y1="${num(top)}" y2="${num(y)}"/>` +
        `<text class="ktl-tick" x="${px}" y="${num(y + 14)}" text-anchor="middle">${esc(formatDuration(t))}</text>`
      );
    })
    .join('');
}

/**
 * The pictures' stylesheet: colours are CSS variables taken from VS Code's theme (--vscode-*) inside the panel, with
 * fallbacks for the HTML report that follow the reader's light/dark preference and forced colours (high contrast).
 * Meaning never rests on colour alone: critical exits are filled triangles, off-critical hollow circles.
 */
export const PICTURE_CSS = `
.ktl-picture { margin: 1em 0; color: var(--ktl-fg); font-family: var(--ktl-font);
  --ktl-fg: var(--vscode-foreground, #1f2328); --ktl-muted: var(--vscode-descriptionForeground, #59636e);
  --ktl-grid: var(--vscode-charts-lines, rgba(128,128,128,0.35)); --ktl-critical: var(--vscode-charts-red, #cf222e);
  --ktl-off: var(--vscode-charts-blue, #0969da); --ktl-unknown: var(--vscode-charts-purple, #8250df);
  --ktl-running: var(--vscode-charts-green, #1a7f37); --ktl-halted: var(--vscode-disabledForeground, #8c959f);
  --ktl-exit: var(--vscode-charts-orange, #bc4c00); --ktl-poll: var(--vscode-charts-yellow, #9a6700);
  --ktl-bar: var(--vscode-charts-blue, #0969da); --ktl-font: var(--vscode-font-family, system-ui, sans-serif); }
@media (prefers-color-scheme: dark) { .ktl-picture {
  --ktl-fg: var(--vscode-foreground, #e6edf3); --ktl-muted: var(--vscode-descriptionForeground, #9198a1);
  --ktl-critical: var(--vscode-charts-red, #ff7b72); --ktl-off: var(--vscode-charts-blue, #58a6ff);
  --ktl-unknown: var(--vscode-charts-purple, #d2a8ff); --ktl-running: var(--vscode-charts-green, #3fb950);
  --ktl-halted: var(--vscode-disabledForeground, #6e7681); --ktl-exit: var(--vscode-charts-orange, #f0883e);
  --ktl-poll: var(--vscode-charts-yellow, #d29922); --ktl-bar: var(--vscode-charts-blue, #58a6ff); } }
@media (forced-colors: active) { .ktl-picture { --ktl-fg: CanvasText; --ktl-muted: CanvasText; --ktl-grid: GrayText;
  --ktl-critical: Highlight; --ktl-off: CanvasText; --ktl-unknown: GrayText; --ktl-running: CanvasText;
  --ktl-halted: GrayText; --ktl-exit: LinkText; --ktl-poll: LinkText; --ktl-bar: CanvasText; } }
body.vscode-high-contrast .ktl-picture, body.vscode-high-contrast-light .ktl-picture {
  --ktl-grid: var(--vscode-contrastBorder, GrayText); }
.ktl-picture svg { max-width: 100%; height: auto; overflow: visible; }
.ktl-picture text { fill: var(--ktl-fg); font-size: 11px; font-family: var(--ktl-font); }
.ktl-picture .ktl-tick, .ktl-picture .ktl-note { fill: var(--ktl-muted); font-size: 10px; }
.ktl-picture .ktl-grid { stroke: var(--ktl-grid); stroke-width: 1; }
.ktl-picture .ktl-axis { stroke: var(--ktl-muted); stroke-width: 1; }
.ktl-picture .span-running { fill: var(--ktl-running); }
.ktl-picture .span-halted { fill: var(--ktl-halted); opacity: 0.45; }
.ktl-picture .span-polling { fill: var(--ktl-poll); opacity: 0.6; }
.ktl-picture .span-in-exit { fill: var(--ktl-exit); }
.ktl-picture .mark-critical { fill: var(--ktl-critical); stroke: var(--ktl-critical); }
.ktl-picture .mark-off-critical { fill: none; stroke: var(--ktl-off); stroke-width: 1.5; }
.ktl-picture .mark-unknown { fill: none; stroke: var(--ktl-unknown); stroke-width: 1.5; }
.ktl-picture .ktl-arrow { stroke: var(--ktl-fg); stroke-width: 1.3; fill: none; }
.ktl-picture .ktl-arrowhead { fill: var(--ktl-fg); }
.ktl-picture .ktl-bar { fill: var(--ktl-bar); }
.ktl-picture .ktl-window { stroke: var(--ktl-critical); stroke-width: 2; stroke-dasharray: 5 3; }
.ktl-picture .ktl-covered { fill: var(--ktl-critical); opacity: 0.08; }
.ktl-picture .ktl-p50 { fill: var(--ktl-bar); } .ktl-picture .ktl-p99 { stroke: var(--ktl-bar); stroke-width: 2; }
.ktl-picture .ktl-line { fill: none; stroke-width: 1.5; }
.ktl-picture .ktl-s0 { stroke: var(--ktl-off); } .ktl-picture .ktl-s1 { stroke: var(--ktl-critical); }
.ktl-picture .ktl-s2 { stroke: var(--ktl-running); } .ktl-picture .ktl-s3 { stroke: var(--ktl-exit); }
.ktl-picture .ktl-s4 { stroke: var(--ktl-unknown); } .ktl-picture .ktl-s5 { stroke: var(--ktl-poll); }
.ktl-picture text.ktl-s0, .ktl-picture rect.ktl-s0 { fill: var(--ktl-off); stroke: none; }
.ktl-picture text.ktl-s1, .ktl-picture rect.ktl-s1 { fill: var(--ktl-critical); stroke: none; }
.ktl-picture text.ktl-s2, .ktl-picture rect.ktl-s2 { fill: var(--ktl-running); stroke: none; }
.ktl-picture text.ktl-s3, .ktl-picture rect.ktl-s3 { fill: var(--ktl-exit); stroke: none; }
.ktl-picture text.ktl-s4, .ktl-picture rect.ktl-s4 { fill: var(--ktl-unknown); stroke: none; }
.ktl-picture text.ktl-s5, .ktl-picture rect.ktl-s5 { fill: var(--ktl-poll); stroke: none; }
.ktl-picture .ktl-exit[data-line] { cursor: pointer; }
.ktl-picture .ktl-exit[data-line]:focus-visible { outline: 2px solid var(--vscode-focusBorder, Highlight); }
.ktl-picker { margin: 0.5em 0; padding: 2px 4px; color: var(--vscode-dropdown-foreground, inherit);
  background: var(--vscode-dropdown-background, transparent);
  border: 1px solid var(--vscode-dropdown-border, GrayText); }
.ktl-picture figcaption { font-size: 12px; color: var(--ktl-muted); }
.ktl-picture .ktl-alt table { border-collapse: collapse; font-size: 12px; }
.ktl-picture .ktl-alt td, .ktl-picture .ktl-alt th { padding: 1px 8px; text-align: left;
  border-bottom: 1px solid var(--ktl-grid); }
`;
