// Which exits a count-table row stands for. perf kvm stat rows are exits (or accesses) by reason as printed; kvm_stat
// and perf stat rows count events, of which only some are exits: tracepoint kvm_exit and its drill-down children, the
// debugfs `exits` statistic and its parts (halt_exits, irq_exits …), s390's exit_* statistics.
import type { ExitCategory, ExitsSummary } from '../analysisTypes';
import type { ExitCountRow } from '../records';

/** debugfs statistics that count one kind of exit (x86 `exits` parts, s390 exit_*), and that kind's category. */
const DEBUGFS_EXIT_KINDS: Record<string, ExitCategory> = {
  halt_exits: 'halt',
  irq_exits: 'external-interrupt',
  io_exits: 'io',
  mmio_exits: 'mmio',
  irq_window: 'other',
  irq_window_exits: 'other',
  nmi_window: 'other',
  nmi_window_exits: 'other',
  exit_wait_state: 'halt',
  exit_external_interrupt: 'external-interrupt',
  exit_external_request: 'external-interrupt',
  exit_io_request: 'io',
  exit_instruction: 'other',
  exit_program_interruption: 'other',
  exit_instr_and_program_int: 'other',
  exit_operation_exception: 'other',
  exit_validity: 'other',
  exit_stop_request: 'other',
  exit_null: 'other',
  exit_pei: 'other',
  exit_userspace: 'other',
};

/** The debugfs statistics that are parts of x86's `exits` (signal_exits and request_irq are returns to user space). */
export const DEBUGFS_EXITS_PARTS = new Set([
  'halt_exits',
  'irq_exits',
  'io_exits',
  'mmio_exits',
  'irq_window',
  'irq_window_exits',
  'nmi_window',
  'nmi_window_exits',
]);

/** Tables that count VM exits by reason (the others count accesses: mmio, ioport, msr). */
const EVENT_COUNT_TABLES = new Set(['kvm_stat', 'perf-stat']);

/** The exits a kvm_stat screen counts in total but does not break down by reason. */
export const OTHER_EXITS = 'other (not broken down)';

export interface CountedExit {
  reason: string;
  /** Set where the row's name alone does not say it (debugfs statistics); else the exit table decides. */
  category: ExitCategory | null;
}

/** The exit a count row stands for, or null when it counts something else or is already split into its parts. */
export function exitOfCountRow(r: ExitCountRow): CountedExit | null {
  const reason = r.reason.trim();
  if (!EVENT_COUNT_TABLES.has(r.table)) return { reason, category: null };
  if (r.brokenDown) return null;
  // what the listed parts leave of the total (kvm_stat screens list only the kinds seen, debugfs only some kinds)
  if (reason === 'exits(other)' || reason === 'kvm_exit(other)') return { reason: OTHER_EXITS, category: 'other' };
  const child = /^kvm_exit\((.+)\)$/.exec(reason);
  if (child) return { reason: child[1], category: null };
  if (reason === 'kvm_exit' || reason === 'kvm:kvm_exit' || reason === 'exits') {
    return { reason: '(all exits)', category: null };
  }
  const kind = DEBUGFS_EXIT_KINDS[reason];
  // an s390 exit_* child (instruction_diag_44 under exit_instruction) is a kind of its parent
  if (kind === undefined && r.parent !== undefined && DEBUGFS_EXIT_KINDS[r.parent] !== undefined) {
    return { reason, category: DEBUGFS_EXIT_KINDS[r.parent] };
  }
  return kind === undefined ? null : { reason, category: kind };
}

interface TableFigures {
  samplePct: number | null;
  timePct: number | null;
  minNs: number | null;
  totalNs: number | null;
}

/**
 * What a count table says beyond counts (Samples%, Time%, Min Time, total time) and whether it covers one vCPU only,
 * kept for the exits summary. Percentages of several tables or live screens are no longer the table's: then null.
 */
export class CountTableFigures {
  private readonly byReason = new Map<string, TableFigures>();
  private readonly vcpus = new Set<number | null>();

  note(reason: string, r: ExitCountRow): void {
    this.vcpus.add(r.vcpu);
    const seen = this.byReason.get(reason);
    if (!seen) {
      this.byReason.set(reason, { samplePct: r.samplePct, timePct: r.timePct, minNs: r.minNs, totalNs: r.totalNs });
      return;
    }
    seen.samplePct = null;
    seen.timePct = null;
    seen.minNs = seen.minNs === null || r.minNs === null ? null : Math.min(seen.minNs, r.minNs);
    seen.totalNs = seen.totalNs === null || r.totalNs === null ? null : seen.totalNs + r.totalNs;
  }

  attach(exits: ExitsSummary | null): void {
    if (!exits || exits.source !== 'counts') return;
    for (const stats of exits.byReason) {
      const figures = this.byReason.get(stats.reason);
      if (figures) Object.assign(stats, figures);
    }
    const [only] = this.vcpus;
    if (this.vcpus.size === 1 && only !== null && only !== undefined) exits.vcpuOnly = only;
  }
}
