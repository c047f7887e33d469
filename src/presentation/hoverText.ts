// What a hover on a trace line says, from pure inputs (unit-tested without vscode).
import { refinedExitReason, type Analysis, type ReasonStats } from '../core/index';
import type { LineExplanation } from '../core/index';
import type { LineFact } from '../core/index';
import { formatDuration, formatNumber, formatPercent } from './format';

// "comm-pid [cpu] 123.456: event:" (trace-cmd / ftrace), "comm pid [cpu] 123.456: sys:event:" (perf script), or
// " 123.456: event:" (ts-only reports). Bounded quantifiers only: a hover runs on whatever line is under the mouse.
const EVENT_RE =
  /^[^[]{0,80}(?:\[\d{1,4}\][^:]{0,64}?)?\s\d{1,12}\.\d{1,12}:\s+(?:[A-Za-z_]\w{0,63}:)?([A-Za-z_]\w{0,63}):/;

/** The event name of a trace text line, or null. */
export function eventNameOf(line: string): string | null {
  const m = EVENT_RE.exec(line.length > 4096 ? line.slice(0, 4096) : line);
  return m ? m[1] : null;
}

/** The key lines are grouped by for "N like it": the explanation's key, or the event name. */
export function lineKey(explanation: LineExplanation | null, line: string): string | null {
  return explanation?.key ?? eventNameOf(line);
}

/** The exit row a line's key names, or the part of a row ("MSR_WRITE 0x830": row MSR_WRITE, part 0x830). */
export function findReason(analysis: Analysis | null, key: string | null): ReasonStats | null {
  if (!analysis?.exits || !key) return null;
  const k = key.toLowerCase();
  const rows = analysis.exits.byReason;
  const row = rows.find((r) => r.reason.toLowerCase() === k);
  if (row) return row;
  for (const r of rows) {
    const part = r.parts?.find((p) => refinedExitReason(r.reason, p.detail).toLowerCase() === k);
    if (part) return { ...part, reason: refinedExitReason(r.reason, part.detail) };
  }
  return null;
}

export interface HoverFacts {
  explanation: LineExplanation | null;
  /** The event name when there is no explanation. */
  event: string | null;
  fact: LineFact | null;
  /** Lines with the same key in this file (from the worker's count), or null while unknown. */
  likeCount: number | null;
  reason: ReasonStats | null;
  /** "analysing…" / an error, while the file's analysis is not there. */
  status: string | null;
}

/** Hover text as Markdown. Trace-derived text is escaped: a trace line must not inject links or HTML. */
export function buildHoverMarkdown(h: HoverFacts): string | null {
  const parts: string[] = [];
  const e = h.explanation;
  if (e) {
    parts.push(`**${escapeMarkdown(e.title)}**${e.isExit && !/\bVM exit\b/i.test(e.title) ? ' — VM exit' : ''}`);
    if (e.description) parts.push(escapeMarkdown(e.description));
  } else if (h.event) {
    parts.push(`**${escapeMarkdown(h.event)}** event`);
  } else {
    return null;
  }
  const facts: string[] = [];
  const f = h.fact;
  if (f) {
    if (f.critical === true)
      facts.push(`on the critical path${f.transaction !== null ? ` of transaction ${f.transaction + 1}` : ''}`);
    else if (f.critical === false) facts.push('off the critical path');
    if (f.durationNs !== null) facts.push(`took ${formatDuration(f.durationNs)}`);
  }
  if (h.likeCount !== null) facts.push(`${formatNumber(h.likeCount)} like it in this file`);
  const r = h.reason;
  if (r) {
    let text = `${formatNumber(r.count)} exits of reason \`${r.reason.replace(/`/g, "'")}\` (${formatPercent(r.share)} of all)`;
    if (r.critical !== null && r.count > 0) text += `, ${formatPercent(r.critical / r.count)} on the critical path`;
    if (r.meanNs !== null) text += `, mean ${formatDuration(r.meanNs)}`;
    facts.push(text);
  }
  // Host rows: what the line after each exit said it did (kvm_msr, kvm_apic, kvm_mmio), as parts of the row.
  const rowParts = r?.parts ?? [];
  if (rowParts.length > 0) {
    const names = rowParts.map((x) => `\`${x.detail.replace(/`/g, "'")}\` ${formatNumber(x.count)}`).join(', ');
    facts.push(`of which, by what the exit did (the line after it): ${names}`);
  }
  if (facts.length > 0) parts.push(facts.map((x) => `- ${x}`).join('\n'));
  if (h.status) parts.push(`_${escapeMarkdown(h.status)}_`);
  return parts.join('\n\n');
}

export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}
