// Which pictures an analysis (or a comparison) gets, and from which of its fields: the one choice shared by the
// Analysis / Compare panels and the HTML reports.
import type { Analysis, Comparison, TransactionSketch } from '../../core/index';
import { renderGroupedBars, renderOverlaidHistograms } from './compareRuns';
import { renderExitDurations } from './exitDurations';
import { renderExitRate } from './exitRate';
import { pollWindowFromSetting, renderHistogram } from './histogram';
import { renderTransactionTimeline } from './transactionTimeline';

export interface DrawnTransaction {
  /** "median", "p99", "fastest", … */
  which: string;
  durationNs: number;
  /** The figure (data-testid="transaction-timeline"). */
  html: string;
}

export interface AnalysisPictures {
  /** The median first (drawn by default), then the p99 and the others by duration. */
  transactions: DrawnTransaction[];
  /** Distributions and rates: wake-up and halt histograms, exit durations, exits per second per vCPU. */
  figures: string[];
}

/** The poll window a recommendation sets (guest_halt_poll_ns= / halt_poll_ns=), drawn on the histograms. */
export function recommendedPollWindowNs(a: Analysis): number | null {
  for (const r of a.recommendations) {
    const ns = pollWindowFromSetting(r.setting);
    if (ns !== null) return ns;
  }
  return null;
}

function drawnTransactions(a: Analysis): DrawnTransaction[] {
  const s = a.transactionSketches;
  if (!s) return [];
  const picks: [string, TransactionSketch | null][] = [
    ['median', s.median],
    ['p99', s.p99],
  ];
  const others = [...s.others].sort((x, y) => x.durationNs - y.durationNs);
  others.forEach((t, i) => {
    const which = i === 0 && t.durationNs < (s.median?.durationNs ?? 0) ? 'fastest' : `transaction ${t.index + 1}`;
    picks.push([which, t]);
  });
  const seen = new Set<number>();
  const out: DrawnTransaction[] = [];
  for (const [which, t] of picks) {
    if (!t || seen.has(t.index)) continue;
    seen.add(t.index);
    out.push({ which, durationNs: t.durationNs, html: renderTransactionTimeline(t, { which }) });
  }
  return out;
}

export function analysisPictures(a: Analysis): AnalysisPictures {
  const figures: string[] = [];
  const pollWindowNs = recommendedPollWindowNs(a);
  const wake = a.transactions?.wakeupHistogram;
  if (wake?.length) {
    const title = 'Wake-up latency (signal sent → the woken task or vCPU runs)';
    figures.push(renderHistogram({ testid: 'wakeup-histogram', title, bins: wake, pollWindowNs }));
  }
  const halts = a.exits?.haltHistogram;
  if (halts?.length) {
    const title = 'Halt durations (halt → the CPU runs again)';
    figures.push(renderHistogram({ testid: 'halt-histogram', title, bins: halts, pollWindowNs }));
  }
  // Durations measured per exit (a count table's mean is not a p50); a p99 shows from 100 durations on.
  const timed = (a.exits?.byReason ?? []).filter((r) => r.p50Ns !== null);
  if (timed.length) {
    const rows = timed.slice(0, 15).map((r) => ({ reason: r.reason, count: r.count, p50Ns: r.p50Ns, p99Ns: r.p99Ns }));
    figures.push(renderExitDurations(rows));
  }
  const byVcpu = a.exits?.timelineByVcpu;
  if (byVcpu && Object.keys(byVcpu.counts).length) {
    const unit = a.exits?.source === 'host' ? 'vCPU' : 'CPU';
    const series = Object.entries(byVcpu.counts).map(([k, counts]) => ({ label: `${unit} ${k}`, counts }));
    figures.push(renderExitRate({ bucketNs: byVcpu.bucketNs, startNs: byVcpu.startNs, series }));
  }
  return { transactions: drawnTransactions(a), figures };
}

/** Compare: the runs' distributions overlaid, and exits per transaction per reason side by side. */
export function comparePictures(c: Comparison): string[] {
  const out: string[] = [];
  const labels = c.runs.map((r) => r.label);
  const overlay = (testid: string, title: string, key: 'wakeupHistogram' | 'haltHistogram') => {
    const runs = c.runs.map((r) => ({ label: r.label, bins: r[key] ?? [] }));
    if (runs.filter((r) => r.bins.length).length >= 1) out.push(renderOverlaidHistograms({ testid, title, runs }));
  };
  overlay('compare-wakeup-histogram', 'Wake-up latency', 'wakeupHistogram');
  overlay('compare-halt-histogram', 'Halt durations', 'haltHistogram');
  if (c.reasonsPer === 'transaction') {
    const rows = c.rows
      .filter((r) => r.group === 'reasons')
      .slice(0, 12)
      .map((r) => ({ label: r.label, values: r.values }));
    if (rows.length) {
      const title = 'Exits per transaction by reason';
      out.push(renderGroupedBars({ testid: 'compare-exits-per-transaction', title, runs: labels, rows }));
    }
  }
  return out;
}
