// Exports of an analysis: its JSON as `analyze --json` prints it, and exits by reason as CSV (papaparse quotes).
import Papa from 'papaparse';
import type { Analysis } from '../core/index';

export const CSV_COLUMNS = [
  'reason',
  'category',
  'count',
  'share',
  'critical',
  'offCritical',
  'meanNs',
  'p50Ns',
  'p99Ns',
  'maxNs',
  'description',
] as const;

export function analysisToJson(a: Analysis): string {
  return `${JSON.stringify(a, null, 2)}\n`;
}

/** One row per exit reason; empty cells for unknown (null) figures. */
export function exitsToCsv(a: Analysis): string {
  const rows = (a.exits?.byReason ?? []).map((r) =>
    CSV_COLUMNS.map((c) => {
      const v = r[c];
      return v === null || v === undefined ? '' : v;
    }),
  );
  // escapeFormulae: a reason name such as "=cmd" must not become a spreadsheet formula.
  const csv = Papa.unparse({ fields: [...CSV_COLUMNS], data: rows }, { newline: '\n', escapeFormulae: true });
  // papaparse ends a header-only table with a newline of its own; end every export with exactly one
  return `${csv.replace(/\n+$/, '')}\n`;
}
