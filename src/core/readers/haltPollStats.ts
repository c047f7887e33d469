// KVM's own halt-poll statistics, in the three forms users have them:
//  - QEMU `query-stats` QMP output (qapi/stats.json, QEMU ≥ 7.1): {"return": [StatsResult]}, StatsResult =
//    {provider, qom-path?, stats: [{name, value}]}, value an unsigned integer or, for histograms, a list of them;
//  - debugfs dumps, `grep . /sys/kernel/debug/kvm/*/halt_*`: "PATH:VALUE" lines, one stat per file (histogram
//    buckets space-separated, as scripts/kvm-halt-stats prints the binary stats);
//  - kvm_stat output: "NAME  TOTAL  [CURRENT]" rows.
// The stats are KVM's generic vCPU stats (virt/kvm/kvm_main.c, kvm_vcpu_stats_desc), read through the binary stats
// fd of Linux ≥ 5.14 (Documentation/virt/kvm/api.rst, KVM_GET_STATS_FD); the histograms are log2 histograms
// (KVM_STATS_TYPE_LOG_HIST, Linux ≥ 5.15): bucket 0 counts the value 0, bucket i ≥ 1 counts [2^(i-1), 2^i) ns, and
// the last bucket also everything above.
import type { Recommendation } from '../analysisTypes';
import { formatCount, formatDuration, formatPercent } from '../../presentation/format';

export type HaltStatsFormat = 'qmp-query-stats' | 'debugfs' | 'kvm_stat';

/** One object the stats were read for: a vCPU (QMP qom-path, debugfs directory) or the whole VM / host. */
export interface HaltStatsSource {
  label: string;
  scalars: Record<string, number>;
  histograms: Record<string, number[]>;
}

export interface HaltPollStats {
  format: HaltStatsFormat;
  sources: HaltStatsSource[];
  warnings: { line: number | null; message: string }[];
}

const STAT_NAME = /^(halt_[a-z_]+|blocking)$/;

/** True when the head of a file looks like one of the three forms and names halt-poll stats. */
export function looksLikeHaltPollStats(head: string): boolean {
  if (/"halt_(successful_poll|attempted_poll|poll_success_hist)"/.test(head) && /"stats"\s*:/.test(head)) return true;
  if (/^\S*\/halt_(successful_poll|attempted_poll|poll_success_ns|poll_success_hist|wait_ns):[\d ]+$/m.test(head))
    return true;
  return /^\s*halt_(successful_poll|attempted_poll)\s+\d+(\s+\d+)?\s*$/m.test(head);
}

function sourceFor(map: Map<string, HaltStatsSource>, label: string): HaltStatsSource {
  let s = map.get(label);
  if (!s) map.set(label, (s = { label, scalars: {}, histograms: {} }));
  return s;
}

/** The JSON values in a QMP transcript: the whole text, or one object per line (greeting, request, reply). */
function jsonValues(text: string): unknown[] {
  try {
    return [JSON.parse(text)];
  } catch {
    const out: unknown[] = [];
    for (const line of text.split('\n')) {
      const t = line.replace(/^\s*(<-|->)\s*/, '').trim();
      if (!t.startsWith('{') && !t.startsWith('[')) continue;
      try {
        out.push(JSON.parse(t));
      } catch {
        // not a whole JSON value on one line: skipped (a pretty-printed reply parses as the whole text above)
      }
    }
    return out;
  }
}

interface QmpStatsResult {
  provider?: string;
  'qom-path'?: string;
  stats?: { name?: unknown; value?: unknown }[];
}

function parseQmp(text: string): HaltPollStats {
  const out: HaltPollStats = { format: 'qmp-query-stats', sources: [], warnings: [] };
  const map = new Map<string, HaltStatsSource>();
  for (const value of jsonValues(text)) {
    const results = Array.isArray(value) ? value : (value as { return?: unknown })?.return;
    if (!Array.isArray(results)) continue;
    for (const [i, r] of (results as QmpStatsResult[]).entries()) {
      if (!r || !Array.isArray(r.stats)) continue;
      const source = sourceFor(map, r['qom-path'] ?? (results.length === 1 ? 'vm' : `result ${i}`));
      for (const s of r.stats) {
        if (typeof s.name !== 'string' || !STAT_NAME.test(s.name)) continue;
        if (typeof s.value === 'number') source.scalars[s.name] = s.value;
        else if (Array.isArray(s.value) && s.value.every((v) => typeof v === 'number'))
          source.histograms[s.name] = s.value as number[];
      }
    }
  }
  out.sources = [...map.values()].filter((s) => Object.keys(s.scalars).length + Object.keys(s.histograms).length > 0);
  if (out.sources.length === 0) out.warnings.push({ line: null, message: 'no halt_* stats in the query-stats reply' });
  return out;
}

function parseLines(text: string, format: 'debugfs' | 'kvm_stat'): HaltPollStats {
  const out: HaltPollStats = { format, sources: [], warnings: [] };
  const map = new Map<string, HaltStatsSource>();
  let unread = 0;
  let firstUnread: number | null = null;
  const singleBucketHistograms = new Set<string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const m =
      format === 'debugfs' ? /^(\S*?)\/?([a-z_]+):([\d ]+)$/.exec(line) : /^([a-z_]+)\s+(\d+)(?:\s+\d+)?$/.exec(line);
    if (!m) {
      unread++;
      firstUnread ??= i + 1;
      continue;
    }
    const [label, name, value] = format === 'debugfs' ? [m[1] || 'all', m[2], m[3]] : ['all', m[1], m[2]];
    if (!STAT_NAME.test(name)) continue;
    const numbers = value.trim().split(/\s+/).map(Number);
    const source = sourceFor(map, label);
    if (name.endsWith('_hist') && numbers.length === 1) {
      // debugfs prints one u64 at the stat's offset: of a histogram, bucket 0 alone.
      singleBucketHistograms.add(name);
    } else if (name.endsWith('_hist')) source.histograms[name] = numbers;
    else source.scalars[name] = numbers[0];
  }
  if (unread > 0)
    out.warnings.push({
      line: firstUnread,
      message: `${unread} lines are not ${format} stat lines (first at line ${firstUnread})`,
    });
  if (singleBucketHistograms.size > 0) {
    out.warnings.push({
      line: null,
      message:
        `${[...singleBucketHistograms].join(', ')}: one number each, as debugfs shows ` +
        'histograms (bucket 0 only); left out — QEMU query-stats or the binary stats fd give every bucket',
    });
  }
  out.sources = [...map.values()];
  return out;
}

/** Reads any of the three forms; the format is decided by content. */
export function parseHaltPollStats(text: string): HaltPollStats {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[') || /^\s*(<-|->)\s*\{/m.test(text)) return parseQmp(text);
  if (/^\S*\/[a-z_]+:[\d ]+$/m.test(text)) return parseLines(text, 'debugfs');
  return parseLines(text, 'kvm_stat');
}

/** debugfs dumps may hold the host-wide sum, per-VM sums and per-vCPU files: only the most specific level is added. */
function leafSources(stats: HaltPollStats): HaltStatsSource[] {
  if (stats.format !== 'debugfs') return stats.sources;
  const depth = (s: HaltStatsSource) => s.label.split('/').length;
  const deepest = Math.max(...stats.sources.map(depth));
  return stats.sources.filter((s) => depth(s) === deepest);
}

export interface HaltPollTotals {
  sources: number;
  scalars: Record<string, number>;
  histograms: Record<string, number[]>;
}

export function totalHaltPollStats(stats: HaltPollStats): HaltPollTotals {
  const totals: HaltPollTotals = { sources: 0, scalars: {}, histograms: {} };
  for (const s of leafSources(stats)) {
    totals.sources++;
    for (const [k, v] of Object.entries(s.scalars)) totals.scalars[k] = (totals.scalars[k] ?? 0) + v;
    for (const [k, h] of Object.entries(s.histograms)) {
      const sum = totals.histograms[k] ?? [];
      h.forEach((v, i) => (sum[i] = (sum[i] ?? 0) + v));
      totals.histograms[k] = sum;
    }
  }
  return totals;
}

/** The range of values log2 bucket i holds: [0, 0] for bucket 0, else [2^(i-1), 2^i). */
export function log2BucketRange(i: number): { low: number; high: number } {
  return i === 0 ? { low: 0, high: 0 } : { low: 2 ** (i - 1), high: 2 ** i };
}

/** The bucket holding the q-quantile of a log2 histogram, or null when it is empty. */
export function log2QuantileBucket(hist: readonly number[], q: number): number | null {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [i, n] of hist.entries()) {
    seen += n;
    if (seen >= q * total) return i;
  }
  return hist.length - 1;
}

/** Fewer successful polls than this and a percentile of their durations is not worth a setting. */
export const MIN_SUCCESSFUL_POLLS = 100;
/** The share of successful polls the window should still catch (the use the histograms were proposed for). */
export const POLL_QUANTILE = 0.8;

export interface HaltPollAdvice {
  recommendation: Recommendation | null;
  notRecommended: { id: string; reason: string } | null;
}

/** Host halt_poll_ns from the success histogram, with the CPU the failed polls cost. */
export function adviseHaltPollNs(stats: HaltPollStats, label: string): HaltPollAdvice {
  const t = totalHaltPollStats(stats);
  const successful = t.scalars.halt_successful_poll ?? null;
  const attempted = t.scalars.halt_attempted_poll ?? null;
  const hist = t.histograms.halt_poll_success_hist;
  const id = 'halt-polling';
  if (!hist) {
    const rate =
      successful !== null && attempted
        ? ` ${formatCount(successful)} of ${formatCount(attempted)} attempted polls succeeded, but it`
        : '';
    const reason =
      `${label}:${rate} has no halt_poll_success_hist (Linux ≥ 5.15 binary stats, through QEMU query-stats or ` +
      'KVM_GET_STATS_FD): no poll window can be derived from it.';
    return { recommendation: null, notRecommended: { id, reason } };
  }
  const polls = hist.reduce((a, b) => a + b, 0);
  if (polls < MIN_SUCCESSFUL_POLLS) {
    const tried = attempted !== null ? ` of ${formatCount(attempted)} attempted` : '';
    const reason =
      `${label}: only ${formatCount(polls)} successful polls${tried} in halt_poll_success_hist ` +
      `(at least ${MIN_SUCCESSFUL_POLLS} needed for a percentile).`;
    return { recommendation: null, notRecommended: { id, reason } };
  }
  const bucket = log2QuantileBucket(hist, POLL_QUANTILE)!;
  const { low, high } = log2BucketRange(bucket);
  const window = Math.max(high, 1);
  const evidence = [
    `${formatCount(polls)} successful polls over ${t.sources} ${t.sources === 1 ? 'source' : 'sources'} (${label}); ` +
      `${Math.round(POLL_QUANTILE * 100)} % of them ended within ${formatDuration(low)}–${formatDuration(high)} ` +
      `(log2 bucket ${bucket}: the histogram resolves no finer).`,
  ];
  if (successful !== null && attempted !== null && attempted > 0) {
    const share = formatPercent(successful / attempted);
    evidence.push(`Poll success: ${formatCount(successful)} of ${formatCount(attempted)} attempted polls (${share}).`);
  }
  const failNs = t.scalars.halt_poll_fail_ns;
  const failed = successful !== null && attempted !== null ? attempted - successful : null;
  if (failNs !== undefined && failed !== null && failed > 0) {
    evidence.push(
      `Cost: ${formatCount(failed)} failed polls spun ${formatDuration(failNs)} of CPU in all ` +
        `(mean ${formatDuration(failNs / failed)} each); with halt_poll_ns=${window} each failed poll spins at most ` +
        `${formatDuration(window)}, ≤ ${formatDuration(failed * window)} for as many.`,
    );
  }
  return {
    recommendation: {
      id,
      title: "Size the host halt-poll window from KVM's own poll histogram (kvm.halt_poll_ns)",
      setting: `halt_poll_ns=${window}`,
      evidence,
      prediction: null,
      rationale:
        'The window that catches most successful polls, no longer: polls that succeed later are rare and every ' +
        'failed poll spins the whole window. Successful polls cannot exceed the window in force when they were ' +
        'counted, so a histogram piled up in its top buckets means a longer window may catch more.',
    },
    notRecommended: null,
  };
}

/** Linux release "5.15.0-91-generic" → [5, 15]; null when unreadable. */
function kernelSeries(release: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(release.trim());
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** Kernels before this count successes differently (see crossKernelWarning). */
const RECONCILED_STATS: [number, number] = [5, 17];

/**
 * A warning when halt-poll stats from different kernels are compared. Sean Christopherson's "KVM: Reconcile
 * discrepancies in halt-polling stats" (posted Oct 2021, merged for Linux 5.17) made every stat agree on what a
 * successful poll is: before it, halt_poll_success_ns/fail_ns counted a poll successful whenever the wait was
 * avoided, while halt_successful_poll and the histograms counted it only when the poll loop saw the wake event.
 */
export function crossKernelWarning(releases: readonly (string | null)[]): string | null {
  const known = releases.filter((r): r is string => r !== null);
  if (new Set(known).size < 2) return null;
  const [major, minor] = RECONCILED_STATS;
  const series = known.map(kernelSeries).filter((s) => s !== null);
  const before = series.some((s) => s[0] < major || (s[0] === major && s[1] < minor));
  const after = series.some((s) => s[0] > major || (s[0] === major && s[1] >= minor));
  const list = [...new Set(known)].join(', ');
  if (before && after) {
    return (
      `Halt-poll stats from kernels ${list} are compared: before Linux 5.17 (a change from late 2021) the time ` +
      'stats counted a poll successful whenever the wait was avoided, the counters and histograms only when the ' +
      'poll loop saw the wake-up, so their successes are not comparable.'
    );
  }
  return (
    `Halt-poll stats from different kernels (${list}) are compared: what counts as a successful poll has changed ` +
    'between kernels (last in 2021); compare runs of one kernel where you can.'
  );
}
