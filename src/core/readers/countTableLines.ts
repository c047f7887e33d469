// Line handling shared by the count-table readers (perf kvm stat, kvm_stat): terminal escapes and mail quoting
// stripped, numbers and time units read, empty row and totals records made.
import type { ExitCountRow, ExitCountTotals } from '../records';

// eslint-disable-next-line no-control-regex -- terminal escape sequences start with ESC
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]/g;
export const MAIL_QUOTE = /^(?:\s*>)+ ?/;

/** The line without terminal escapes (live screens start with a clear-screen sequence) and mail quoting. */
export function cleanLine(text: string): string {
  let t = text.includes('\x1b') ? text.replace(ANSI_ESCAPE, '') : text;
  if (t.endsWith('\r')) t = t.slice(0, -1);
  if (MAIL_QUOTE.test(t)) t = t.replace(MAIL_QUOTE, '');
  return t;
}

/** A quoted-printable soft line break (RFC 2045, raw mail pasted undecoded): a lone "=" ends a line that goes on. */
export function endsInSoftBreak(text: string): boolean {
  return /[^=]=$/.test(text);
}

/** Lines with quoted-printable soft breaks joined (the continuation is not mail-quoted), for detection. */
export function joinSoftBreaks(lines: readonly string[]): string[] {
  const out: string[] = [];
  let held: string | null = null;
  for (const raw of lines) {
    const line: string = held === null ? cleanLine(raw) : held + raw;
    held = endsInSoftBreak(line) ? line.slice(0, -1) : null;
    if (held === null) out.push(line);
  }
  if (held !== null) out.push(`${held}=`);
  return out;
}

export function parseNumber(text: string): number | null {
  const v = Number(text.replace(/,/g, ''));
  return Number.isFinite(v) ? v : null;
}

const NS_PER_UNIT: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9 };

/** "3431.60" + "us" → 3431600 (ns). Printed values have at most a few decimals, so whole ns are exact enough. */
export function toNs(value: string, unit: string): number | null {
  const v = parseNumber(value);
  const factor = NS_PER_UNIT[unit.toLowerCase()];
  if (v === null || factor === undefined) return null;
  return factor === 1 ? v : Math.round(v * factor);
}

export function emptyRow(
  line: number,
  table: string,
  vcpu: number | null,
  reason: string,
  count: number,
): ExitCountRow {
  return {
    type: 'exit-count',
    line,
    table,
    vcpu,
    reason,
    count,
    samplePct: null,
    timePct: null,
    minNs: null,
    maxNs: null,
    meanNs: null,
    totalNs: null,
    perSecond: null,
  };
}

export function totals(
  line: number,
  table: string,
  vcpu: number | null,
  samples: number | null,
  timeNs: number | null,
  durationSec: number | null,
): ExitCountTotals {
  return { type: 'exit-count-totals', line, table, vcpu, samples, timeNs, durationSec };
}
