// Saved analyses (`kvm-trace-lens analyze --json` output, or the panel's Export JSON) open and compare like runs.
import { ANALYSIS_SCHEMA, type Analysis } from '../core/index';

/** Bigger JSON files are not analyses (they would be traces converted to JSON); don't parse them in the host. */
export const MAX_ANALYSIS_JSON_BYTES = 50 * 1024 * 1024;

/** The analysis in this text when it is one (schema and the top-level fields checked), else null. */
export function parseAnalysisJson(text: string): Analysis | null {
  if (text.length > MAX_ANALYSIS_JSON_BYTES || !text.trimStart().startsWith('{')) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const a = v as Record<string, unknown>;
  if (a.schema !== ANALYSIS_SCHEMA || !Array.isArray(a.inputs) || !Array.isArray(a.recommendations)) return null;
  if (
    a.exits !== null &&
    (typeof a.exits !== 'object' || !Array.isArray((a.exits as Record<string, unknown>).byReason))
  )
    return null;
  return v as Analysis;
}
