// The one place numbers and units become text, for the CLI, the HTML report, the panels, hovers and rule evidence.
// A leaf module: it imports nothing, so core rules may use it for their evidence strings too.

/** What every view prints for a value the input does not give. */
export const UNKNOWN = '–';
/** Keeps a number and its unit on one line in every view. */
const NBSP = '\u00a0';

const isNumber = (n: number | null | undefined): n is number => n !== null && n !== undefined && Number.isFinite(n);

/** 12345.6 → "12,346"; small numbers keep a decimal or two unless `digits` is given. */
export function formatNumber(n: number | null | undefined, digits?: number): string {
  if (!isNumber(n)) return UNKNOWN;
  const d = digits ?? (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2);
  return numberFormat(d).format(n);
}

/** One formatter per number of digits: n.toLocaleString(locale, options) builds a new one on every call. */
const numberFormats = new Map<number, Intl.NumberFormat>();
function numberFormat(digits: number): Intl.NumberFormat {
  let f = numberFormats.get(digits);
  if (!f) {
    f = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    numberFormats.set(digits, f);
  }
  return f;
}

/** Whole counts: 87685 → "87,685". */
export function formatCount(n: number | null | undefined): string {
  return formatNumber(n, 0);
}

/** Nanoseconds as a readable duration: 850 ns, 12.3 µs, 4.5 ms, 2.1 s. */
export function formatDuration(ns: number | null | undefined): string {
  if (!isNumber(ns)) return UNKNOWN;
  const a = Math.abs(ns);
  if (a < 1e3) return `${formatNumber(ns, 0)}${NBSP}ns`;
  if (a < 1e6) return `${formatNumber(ns / 1e3, a < 1e4 ? 2 : 1)}${NBSP}µs`;
  if (a < 1e9) return `${formatNumber(ns / 1e6, a < 1e7 ? 2 : 1)}${NBSP}ms`;
  return `${formatNumber(ns / 1e9, 2)}${NBSP}s`;
}

/** Bits per second scaled to a unit: 7,993,333,333 → "7.99 Gbit/s". */
export function formatBits(bps: number | null | undefined): string {
  if (!isNumber(bps)) return UNKNOWN;
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = bps;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${formatNumber(v, 2)}${NBSP}${units[i]}`;
}

/** A share 0..1 as a percentage; `signed` puts a + on increases (for changes). */
export function formatPercent(share: number | null | undefined, signed = false): string {
  if (!isNumber(share)) return UNKNOWN;
  const pct = share * 100;
  const text = `${formatNumber(pct, Math.abs(pct) < 10 ? 1 : 0)}${NBSP}%`;
  return signed && pct > 0 ? `+${text}` : text;
}

/** A percentage a tool printed (perf kvm stat's Samples%, 0..100), with the two decimals it printed: "90.21 %". */
export function formatPrintedPercent(pct: number | null | undefined): string {
  if (!isNumber(pct)) return UNKNOWN;
  return `${formatNumber(pct, 2)}${NBSP}%`;
}

/** Events per second; no rate is printed for a window the caller judged too short (pass null). */
export function formatRate(perSecond: number | null | undefined, unit = '/s'): string {
  if (!isNumber(perSecond)) return UNKNOWN;
  return `${formatNumber(perSecond)}${unit}`;
}

/**
 * Significant digits a value deserves given its uncertainty: enough to tell low from high, no more.
 * E.g. 90,156.1 with range 80,000–99,000 → "90,000"; with range 90,100–90,200 → "90,160".
 */
export function roundToRange(value: number, low: number, high: number): number {
  const width = Math.abs(high - low);
  if (!(width > 0) || !Number.isFinite(width)) return value;
  const step = 10 ** Math.floor(Math.log10(width / 2));
  return Math.round(value / step) * step;
}

/** A point estimate with its range, each printed with the digits the range supports: "90,000 (80,000–99,000)". */
export function formatEstimate(
  value: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
  format: (n: number) => string = (n) => formatNumber(n),
): string {
  if (!isNumber(value)) return UNKNOWN;
  if (!isNumber(low) || !isNumber(high)) return format(value);
  const r = (n: number) => format(roundToRange(n, low, high));
  return `${r(value)} (${r(low)}–${r(high)})`;
}

/** A prediction metric's value in its unit: transactions/s as a number, throughput in bit/s, latency as a duration. */
export function formatMetric(metric: string, value: number | null | undefined): string {
  if (metric === 'bitsPerSec') return formatBits(value);
  if (metric === 'latencyNs') return formatDuration(value);
  return formatNumber(value);
}

/** A range of relative changes: "−3.1 % to +8.2 %". */
export function formatPercentRange(low: number | null | undefined, high: number | null | undefined): string {
  if (!isNumber(low) || !isNumber(high)) return UNKNOWN;
  return `${formatPercent(low, true)} to ${formatPercent(high, true)}`;
}

/** A benchmark's request/response rate: "16,746 trans/s". */
export function formatTransactionRate(perSecond: number | null | undefined): string {
  return formatRate(perSecond, `${NBSP}trans/s`);
}

/** A ratio that may be far below 1 (exits per transaction): two significant digits there, "0.0028", not "0". */
export function formatRatio(n: number | null | undefined): string {
  if (!isNumber(n)) return UNKNOWN;
  if (n === 0 || Math.abs(n) >= 1) return formatNumber(n);
  return formatNumber(n, Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(Math.abs(n))))));
}
