// Count-table readers: `perf kvm stat report|live`, `perf stat -e 'kvm:*'` and the kvm_stat tool.
//
// Where the layouts come from (Linux tree):
// - tools/perf/builtin-kvm.c print_result(): "%*s %10s %9s %9s %11s %11s %16s" header (event ops name,
//   Samples, Samples%, Time%, Min Time, Max Time, Avg time),
//   rows "%10llu %8.2f%% %8.2f%% %9.2fus %9.2fus %9.2fus ( +-%7.2f%% )",
//   then "Total Samples:%llu, Total events handled time:%.2fus." Perf 3.7 had no Min/Max columns. Ops names:
//   "VM-EXIT", "MMIO Access", "IO Port Access", "MSR Access" (tools/perf/arch/x86/util/kvm-stat.c).
//   Live mode prints "HH:MM:SS.uuuuuu" before every screen and resets its counters after each screen.
// - the hists layout (perf >= 6.4, TUI/stdio hists): columns named "Event name", "Samples", "Sample%", "Time (ns)",
//   "Time%", "Max Time (ns)", "Min Time (ns)", "Mean Time (ns)" in any subset/order; no totals line.
// - tools/kvm/kvm_stat/kvm_stat: curses screen "kvm statistics - pid N (name)" / "- summary", then
//   " %-40s %10s%7s %8s" (Event|Guest Name, Total, %Total, CurAvg/s), rows " %-40s %10d%7.1f %8s" (child events
//   indented by two spaces, their %Total relative to the parent), " %-40s %10d        %8s" Total row.
//   -1/--once: "%-42s%10d%10d" (name, total, events in the 1 s batch). -l: a banner of names ("name name ... "),
//   then per interval "YYYY-MM-DD HH:MM:SS" + " %9d" per name (before 2020: no timestamp); -l/-L with -c: CSV
//   "timestamp,name,..." then "YYYY-MM-DD HH:MM:SS,n,...". -L writes the -l format to a file.
//
// What the records mean (so a consumer can combine them): every count this reader emits is ADDITIVE within one input
// for one (table, vcpu): a consumer sums `count` per (table, vcpu, reason). Therefore
// - perf kvm stat live screens (each covers one display interval) are emitted screen by screen;
// - kvm_stat -l / CSV lines (deltas per interval) are emitted line by line (zero deltas are skipped), each followed by
//   an ExitCountTotals whose durationSec is the time since the previous line when timestamps allow;
// - the kvm_stat curses screen is cumulative, so only the LAST screen of the input is emitted (at end());
// - kvm_stat -1 rows carry the running total as count and the 1-second batch delta as perSecond.
// A per-vCPU table (vcpu N) and the all-vCPU table (vcpu null) describe the same exits: don't add across vcpu values.
// Each perf kvm stat table starts a run (a RunStart record): before/after tables, boots and per-vCPU tables are never
// added together (model/runs.ts); the screens of one live session are the exception, one run whose counts add up.
// kvm_stat drill-down children carry `parent`, their parent `brokenDown`: never add a parent to its parts.
// `perf stat` rows are emitted for tracepoint events (sys:name) only; hardware counters are skipped.
import type { InputFormat, LineReader, RecordSink, TextFormatReader } from '../records';
import { KvmStatLineReader, looksLikeKvmStat } from './kvmStat';
import { PerfKvmStatLineReader, looksLikePerfKvmStat } from './perfKvmStat';

export { TRIMMED_ROWS_REASON } from './perfKvmStat';

export const countTableReader: TextFormatReader = {
  formats: ['perf-kvm-stat', 'kvm-stat'],
  detect(head: readonly string[]): InputFormat | null {
    if (looksLikePerfKvmStat(head)) return 'perf-kvm-stat';
    if (looksLikeKvmStat(head)) return 'kvm-stat';
    return null;
  },
  create(format: InputFormat, sink: RecordSink): LineReader {
    return format === 'kvm-stat' ? new KvmStatLineReader(sink) : new PerfKvmStatLineReader(sink);
  },
};
