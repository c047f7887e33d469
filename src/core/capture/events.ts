// The events the model reads, per side, and what each one is for (used by `record` and by the capture recipes).

export type CaptureSide = 'guest' | 'host';

export interface WantedEvent {
  /** "system:name" as set_event and `trace-cmd record -e` take it. */
  id: string;
  /** What the analysis loses without it, in a few words. */
  purpose: string;
}

/** Guest side: every one of these is (or reveals) a VM exit on the host, seen from inside (Matlack, KVM Forum 2015). */
export const GUEST_EVENTS: readonly WantedEvent[] = [
  { id: 'msr:write_msr', purpose: 'IPI (x2APIC ICR 0x830) and timer (TSC deadline 0x6e0) MSR writes' },
  { id: 'power:cpu_idle', purpose: 'idle entry/exit: halts and guest polling' },
  { id: 'power:guest_halt_poll_ns', purpose: 'the guest halt-poll window (cpuidle-haltpoll)' },
  { id: 'ipi:ipi_send_cpu', purpose: 'IPIs sent to one CPU' },
  { id: 'ipi:ipi_send_cpumask', purpose: 'IPIs sent to several CPUs' },
  { id: 'irq_vectors:call_function_single_entry', purpose: 'IPI delivery (function call)' },
  { id: 'irq_vectors:reschedule_entry', purpose: 'IPI delivery (reschedule)' },
  { id: 'irq_vectors:local_timer_entry', purpose: 'timer interrupts' },
  { id: 'sched:sched_switch', purpose: 'context switches: who runs when' },
  { id: 'sched:sched_wakeup', purpose: 'wake-ups: the request/response hand-offs' },
];

/** Host side: exits with their reasons and durations, wake-ups of halted vCPUs and halt polling. */
export const HOST_EVENTS: readonly WantedEvent[] = [
  { id: 'kvm:kvm_exit', purpose: 'VM exits and their reasons' },
  { id: 'kvm:kvm_entry', purpose: 'VM entries: how long each exit took' },
  { id: 'kvm:kvm_msr', purpose: 'which MSR an MSR exit wrote (timer, ICR)' },
  { id: 'kvm:kvm_apic', purpose: 'APIC register accesses' },
  { id: 'kvm:kvm_apic_ipi', purpose: 'IPIs between vCPUs' },
  { id: 'kvm:kvm_apic_accept_irq', purpose: 'interrupts delivered to a vCPU' },
  { id: 'kvm:kvm_vcpu_wakeup', purpose: 'wake-ups of halted vCPUs, polled or waited' },
  { id: 'kvm:kvm_halt_poll_ns', purpose: 'the host halt-poll window growing and shrinking' },
  { id: 'kvm:kvm_pio', purpose: 'port I/O exits (device kicks)' },
  { id: 'kvm:kvm_mmio', purpose: 'MMIO exits (device kicks, APIC without x2APIC)' },
  { id: 'kvm:kvm_userspace_exit', purpose: 'exits handled by the VMM (QEMU)' },
  { id: 'kvm:kvm_eoi', purpose: 'EOI exits' },
  { id: 'kvm:kvm_apicv_inhibit_changed', purpose: 'APICv/AVIC being inhibited' },
  { id: 'sched:sched_switch', purpose: 'vCPU threads scheduled in and out' },
  { id: 'sched:sched_wakeup', purpose: 'vCPU threads woken' },
];

export function eventsFor(side: CaptureSide): readonly WantedEvent[] {
  return side === 'guest' ? GUEST_EVENTS : HOST_EVENTS;
}

/** The name part of "system:name". */
export function eventName(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}
