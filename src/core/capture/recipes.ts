// Capture recipes: which events a trace lacks for the model, and the exact command that records them.
import { type CaptureSide, type WantedEvent, eventName, eventsFor } from './events';

/** A group of events the model needs together; the trace has the group when it has any one of `anyOf`. */
interface Need {
  anyOf: string[];
  /** What is missing without it, as the report says it. */
  missing: string;
}

const GUEST_NEEDS: Need[] = [
  { anyOf: ['cpu_idle'], missing: 'no cpu_idle: idle periods, halts and guest polling are invisible' },
  { anyOf: ['sched_switch'], missing: 'no sched_switch: who runs on each vCPU is unknown' },
  {
    anyOf: ['sched_wakeup', 'sched_waking'],
    missing: 'no sched_wakeup: the request/response hand-offs cannot be followed',
  },
  {
    anyOf: ['write_msr'],
    missing: 'no write_msr: IPI (ICR) and timer MSR writes — exits on the host — are not counted',
  },
  {
    anyOf: ['ipi_send_cpu', 'ipi_send_cpumask', 'call_function_single_entry', 'reschedule_entry'],
    missing: 'no IPI events: which IPIs woke an idle vCPU is unknown',
  },
];

const HOST_NEEDS: Need[] = [
  { anyOf: ['kvm_exit'], missing: 'no kvm_exit: VM exits and their reasons are not seen' },
  { anyOf: ['kvm_entry'], missing: 'no kvm_entry: how long each exit took is unknown' },
  {
    anyOf: ['kvm_vcpu_wakeup'],
    missing: 'no kvm_vcpu_wakeup: wake-ups of halted vCPUs (polled or waited) are not seen',
  },
  { anyOf: ['kvm_msr'], missing: 'no kvm_msr: MSR exits cannot be told apart (timer writes from IPIs)' },
  { anyOf: ['sched_switch'], missing: 'no sched_switch: when vCPU threads are scheduled out is unknown' },
];

export interface CaptureRecipe {
  side: CaptureSide;
  /** One phrase per missing group, e.g. "no cpu_idle: idle periods … are invisible". */
  missing: string[];
  /** `kvm-trace-lens record …` that records everything the model reads on this side. */
  recordCommand: string;
  /** The trace-cmd equivalent. */
  traceCmdCommand: string;
}

/** The side a trace was taken on: any kvm_* event means the host. */
export function sideOfTrace(eventNames: ReadonlySet<string>): CaptureSide {
  for (const name of eventNames) if (name.startsWith('kvm_')) return 'host';
  return 'guest';
}

export function traceCmdRecordCommand(events: readonly WantedEvent[], bufferKb = 20000): string {
  return `trace-cmd record -b ${bufferKb} ${events.map((e) => `-e ${e.id}`).join(' ')} -- BENCHMARK`;
}

/** What the trace lacks and how to record it; null when it has everything the model reads. */
export function captureRecipe(
  eventNames: ReadonlySet<string>,
  side: CaptureSide = sideOfTrace(eventNames),
): CaptureRecipe | null {
  const needs = side === 'guest' ? GUEST_NEEDS : HOST_NEEDS;
  const missing = needs.filter((n) => !n.anyOf.some((name) => eventNames.has(name))).map((n) => n.missing);
  if (missing.length === 0) return null;
  return {
    side,
    missing,
    recordCommand: `sudo kvm-trace-lens record --${side} --seconds 10 --out run-${side} -- BENCHMARK`,
    traceCmdCommand: traceCmdRecordCommand(eventsFor(side)),
  };
}

/** The recipe as one note for the analysis (modelNotes). */
export function recipeNote(recipe: CaptureRecipe): string {
  const where = recipe.side === 'guest' ? 'inside the guest' : 'on the host';
  return (
    `The ${recipe.side}-side trace lacks events the model needs — ${recipe.missing.join('; ')}. ` +
    `Record them ${where} with: ${recipe.recordCommand} (or: ${recipe.traceCmdCommand}).`
  );
}

/** Every "system:name" of the side's set whose name the trace does not have. */
export function missingEventIds(eventNames: ReadonlySet<string>, side: CaptureSide): string[] {
  return eventsFor(side)
    .map((e) => e.id)
    .filter((id) => !eventNames.has(eventName(id)));
}

/** Adds the recipe to the analysis's model notes when a trace was read and lacks events (no trace: unchanged). */
export function addCaptureRecipe<T extends { modelNotes?: string[] }>(analysis: T, eventNames: ReadonlySet<string>): T {
  const recipe = eventNames.size > 0 ? captureRecipe(eventNames) : null;
  if (recipe) analysis.modelNotes = [...(analysis.modelNotes ?? []), recipeNote(recipe)];
  return analysis;
}
