// The one place an exit reason's name is built: the model counts exits under these names (exits.byReason[].reason)
// and hovers group lines by the same key ("N like it in this file"), so the two can never disagree.
import { hex } from './exitTable';

/** A guest write to an MSR that exits (x2APIC ICR, TSC deadline …): "msr_write 0x830". */
export function guestMsrWriteReason(msr: number): string {
  return `msr_write ${hex(msr)}`;
}

/** A host kvm_msr event (each from an MSR exit): "MSR_WRITE 0x6e0" / "MSR_READ 0x10". */
export function hostMsrAccessReason(write: boolean, msr: number): string {
  return `${write ? 'MSR_WRITE' : 'MSR_READ'} ${hex(msr)}`;
}

/**
 * What a host exit did, as a later event says: the MSR it wrote ("0x830"), the APIC register ("APIC_EOI"), or the
 * kind ("MMIO", "stage-2 fault"). A part of the exit's row (`parts[].detail`); the row keeps the printed reason.
 */
export function exitPartDetail(what: string | number): string {
  return typeof what === 'number' ? hex(what) : what;
}

/** A part's full name, "MSR_WRITE 0x830" / "msr APIC_EOI": a host kvm_msr line's hover key finds its part by it. */
export function refinedExitReason(exitReason: string, detail: string): string {
  return `${exitReason} ${detail}`;
}

/** A guest cpu_idle entry into a halting state. */
export const GUEST_HALT_REASON = 'hlt';
/** A halt of a CPU that traced no cpu_idle events, inferred from an IPI handler run by its idle task. */
export const INFERRED_HALT_REASON = 'hlt (inferred)';
