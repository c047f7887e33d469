// STUB (being written by the model engineer): what one trace line is, for hovers.
import type { ExitCategory } from './analysisTypes';

export interface LineExplanation {
  /** Event name, e.g. "write_msr", "kvm_exit", "cpu_idle". */
  event: string;
  /** One-line title, e.g. "0x830 x2APIC ICR write: IPI send". */
  title: string;
  /** Exit category when this line is (or implies) a VM exit. */
  category: ExitCategory | null;
  /** True when the line is a VM exit (host kvm_exit) or implies one in a guest trace (ICR/timer write, HLT). */
  isExit: boolean;
  /** A sentence or two on what it costs and why it matters. */
  description: string;
  /** Grouping key matching an exits.byReason[].reason (or event name) for "N like it in this file". */
  key: string;
  /** Character range [start, end) of the most interesting token in the line (reason, MSR number ...). */
  tokenStart: number;
  tokenEnd: number;
}

export function explainTraceLine(_text: string): LineExplanation | null {
  return null;
}
