// The human-readable report printed when --json is absent.
import type { Analysis } from '../core/analysisTypes';
import type { Comparison } from '../core/compare';

const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const us = (ns: number | null | undefined): string => (ns === null || ns === undefined ? '-' : `${(ns / 1000).toFixed(1)}µs`);

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

export function formatAnalysisText(a: Analysis): string {
  const out: string[] = [];
  for (const i of a.inputs) {
    out.push(`${i.path}: ${i.format ?? 'unrecognised'}, ${fmt(i.records)} records${i.warnings.length ? `, ${i.warnings.length} warnings` : ''}`);
  }
  if (a.benchmark) {
    const b = a.benchmark;
    const rate = b.transactionsPerSec !== null ? `${fmt(b.transactionsPerSec, 1)} trans/s` : b.bitsPerSec !== null ? `${fmt(b.bitsPerSec / 1e6, 1)} Mbit/s` : '';
    out.push('', `Benchmark: ${b.tool} ${b.test} ${rate}${b.durationSec !== null ? ` over ${fmt(b.durationSec, 1)} s` : ''}`);
  }
  if (a.exits) {
    const e = a.exits;
    out.push('', `VM exits (${e.source}): ${fmt(e.total)}${e.perSecond !== null ? `, ${fmt(e.perSecond)}/s` : ''}`);
    const rows = [['reason', 'category', 'count', 'share', 'critical', 'mean', 'p50', 'p99', 'max']];
    for (const r of e.byReason) {
      rows.push([r.reason, r.category, fmt(r.count), `${(r.share * 100).toFixed(1)}%`, r.critical === null ? '-' : fmt(r.critical), us(r.meanNs), us(r.p50Ns), us(r.p99Ns), us(r.maxNs)]);
    }
    out.push(table(rows));
  }
  if (a.transactions) {
    const t = a.transactions;
    out.push(
      '',
      `Transactions: ${fmt(t.count)} (${fmt(t.perSecond)}/s), ${fmt(t.exitsPerTransaction, 2)} exits each ` +
        `(${fmt(t.criticalExitsPerTransaction, 2)} on the critical path, ${fmt(t.offCriticalExitsPerTransaction, 2)} off it)` +
        (t.wakeupLatencyNs ? `; wake-up latency p50 ${us(t.wakeupLatencyNs.p50)}, p99 ${us(t.wakeupLatencyNs.p99)}` : ''),
    );
  }
  for (const note of a.modelNotes ?? []) out.push('', `Note: ${note}`);
  out.push('', a.recommendations.length ? 'Recommendations:' : 'Recommendations: none — nothing here would clearly help.');
  for (const [n, r] of a.recommendations.entries()) {
    out.push(`${n + 1}. ${r.title}${r.setting ? `  [${r.setting}]` : ''}`);
    for (const ev of r.evidence) out.push(`   - ${ev}`);
    if (r.prediction) out.push(`   => ${r.prediction.metric}: ${fmt(r.prediction.before, 1)} -> ${fmt(r.prediction.after, 1)} (predicted)`);
  }
  for (const n of a.notRecommended ?? []) out.push(`Not recommended: ${n.id} — ${n.reason}`);
  return `${out.join('\n')}\n`;
}

export function formatComparisonText(c: Comparison): string {
  const out: string[] = [];
  const head = ['', ...c.runs.map((r) => r.label)];
  const row = (name: string, values: (string | null)[]) => [name, ...values.map((v) => v ?? '-')];
  out.push(
    table([
      head,
      row('benchmark', c.runs.map((r) => (r.tool ? `${r.tool} ${r.test}` : null))),
      row('transactions/s', c.runs.map((r) => (r.transactionsPerSec !== null ? fmt(r.transactionsPerSec, 1) : null))),
      row('Mbit/s', c.runs.map((r) => (r.bitsPerSec !== null ? fmt(r.bitsPerSec / 1e6, 1) : null))),
      row('relative to first', c.runs.map((_, i) => (c.benchmark ? `${(c.benchmark.relativeToFirst[i] * 100).toFixed(1)}%` : null))),
      row('exits', c.runs.map((r) => (r.exitsTotal !== null ? fmt(r.exitsTotal) : null))),
      row('exits/s', c.runs.map((r) => (r.exitsPerSecond !== null ? fmt(r.exitsPerSecond) : null))),
      row('exits/transaction', c.runs.map((r) => (r.exitsPerTransaction !== null ? fmt(r.exitsPerTransaction, 2) : null))),
      row('  on critical path', c.runs.map((r) => (r.criticalExitsPerTransaction !== null ? fmt(r.criticalExitsPerTransaction, 2) : null))),
      row('wake-up p50', c.runs.map((r) => (r.wakeupLatencyP50Ns !== null ? us(r.wakeupLatencyP50Ns) : null))),
    ]),
  );
  if (c.reasons.length > 0) {
    out.push('', 'Exits per transaction (per second where there are no transactions):');
    out.push(
      table([
        ['reason', ...c.runs.map((r) => r.label), 'change'],
        ...c.reasons.map((r) => [
          r.reason,
          ...r.counts.map((_, i) => (r.perTransaction[i] !== null ? fmt(r.perTransaction[i], 2) : r.perSecond[i] !== null ? `${fmt(r.perSecond[i])}/s` : '-')),
          r.change !== null ? `${r.change >= 0 ? '+' : ''}${fmt(r.change, 2)}` : '-',
        ]),
      ]),
    );
  }
  if (c.benchmark && c.runs.length > 2) {
    const b = c.benchmark;
    out.push('', `Series (${b.metric}): avg ${fmt(b.avg, 1)}, min ${fmt(b.min, 1)}, max ${fmt(b.max, 1)}, median ${fmt(b.median, 1)}, stddev ${fmt(b.stddev, 1)}, jitter ${fmt(b.jitter, 1)}`);
  }
  for (const p of c.predictions) {
    out.push(
      '',
      `${p.fromRun} predicted ${p.recommendation}${p.setting ? ` (${p.setting})` : ''} would take ${p.metric} from ${fmt(p.before, 1)} to ${fmt(p.predicted, 1)}; ` +
        `${p.measuredRun} measured ${p.measured !== null ? fmt(p.measured, 1) : 'nothing comparable'}${p.error !== null ? ` (${p.error >= 0 ? '+' : ''}${(p.error * 100).toFixed(0)}% against the prediction)` : ''}.`,
    );
  }
  return `${out.join('\n')}\n`;
}
