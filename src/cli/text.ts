// The human-readable report printed when --json is absent.
import type { Analysis } from '../core/analysisTypes';

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
  out.push('', a.recommendations.length ? 'Recommendations:' : 'Recommendations: none — nothing here would clearly help.');
  for (const [n, r] of a.recommendations.entries()) {
    out.push(`${n + 1}. ${r.title}${r.setting ? `  [${r.setting}]` : ''}`);
    for (const ev of r.evidence) out.push(`   - ${ev}`);
    if (r.prediction) out.push(`   => ${r.prediction.metric}: ${fmt(r.prediction.before, 1)} -> ${fmt(r.prediction.after, 1)} (predicted)`);
  }
  return `${out.join('\n')}\n`;
}
