// Model notes: caveats of this run and the assumptions that change a number's meaning, checked where the trace can.
import type { ModelFacts } from '../model/facts';
import { quantile } from '../stats/distribution';
import { formatCount, formatDuration, formatNumber } from '../../presentation/format';
import { baselineInconsistent, INCONSISTENT_RATE_RATIO } from './rule';

/** Below this, an ICR write (ipi_send_cpu → the write returns) is too fast to have exited. */
export const FASTEST_EXIT_NS = 400;
/** Below this, a wake-up from "halt" is too fast to have gone through a halt exit and the host scheduler. */
export const FASTEST_HALT_WAKE_NS = 1000;
/** Samples an assumption check needs. */
export const MIN_CHECK_SAMPLES = 100;

export function modelNotes(f: ModelFacts): string[] {
  const notes: string[] = [];
  const u = f.exits?.unreadable;
  if (u && u.count > 0) {
    const at = u.firstLine !== null ? ` (first at line ${u.firstLine})` : '';
    notes.push(
      `${formatCount(u.count)} kvm_exit events had no reason this tool could read${at}; they are counted as ` +
        '"(unreadable kvm_exit)".',
    );
  }
  if (f.exits?.source === 'guest-inferred') notes.push(...guestNotes(f));
  if (baselineInconsistent(f)) {
    const b = f.benchmark!;
    notes.push(
      `The trace shows ${formatNumber(f.transactions!.perSecond)} round trips/s but ${b.tool} measured ` +
        `${formatNumber(b.transactionsPerSec, 2)} transactions/s (more than ${INCONSISTENT_RATE_RATIO}× apart): ` +
        'the trace may cover another part of the run, have lost events, or the round trips were not all ' +
        'recognised. No prediction is made from this baseline.',
    );
  }
  return notes;
}

function guestNotes(f: ModelFacts): string[] {
  const notes: string[] = [];
  const silent = f.trace.cpusWithoutIdleEvents;
  if (silent.length > 0) {
    const many = silent.length > 1;
    notes.push(
      `CPU ${silent.join(', ')} recorded no cpu_idle events: ${many ? 'their' : 'its'} halts are inferred from the ` +
        `IPIs that woke ${many ? 'them' : 'it'} in the idle task ("hlt (inferred)", without durations), and ` +
        'idle-entry timer writes there are not seen.',
    );
  }
  notes.push(
    'Exits are inferred from guest events: this assumes the host virtualizes neither IPIs (Intel IPIv, AMD AVIC) nor ' +
      'HLT (HLT passthrough, KVM_X86_DISABLE_EXITS_HLT); with either, those writes or halts would not exit.',
  );
  const send = f.handoff.ipiSend;
  if (f.trace.timestampResolutionNs === 1 && send.n >= MIN_CHECK_SAMPLES) {
    const p50 = quantile(send, 0.5)!;
    notes.push(
      p50 < FASTEST_EXIT_NS
        ? `Check: an ICR write returns in p50 ${formatDuration(p50)} (n = ${formatCount(send.n)}) — too fast for an ` +
            'exit: IPIs are probably virtualized (IPIv/AVIC), and the ICR-write exits counted here may not happen.'
        : `Check: an ICR write takes p50 ${formatDuration(p50)} from ipi_send_cpu (n = ${formatCount(send.n)}) — an ` +
            "exit's cost, consistent with IPIs that are not virtualized.",
    );
  }
  const wake = f.wake.latencyFromHalt;
  if (wake.n >= MIN_CHECK_SAMPLES) {
    const p50 = quantile(wake, 0.5)!;
    if (p50 < FASTEST_HALT_WAKE_NS) {
      notes.push(
        `Check: a wake-up from idle takes p50 ${formatDuration(p50)} — too fast for a halt exit: HLT may be passed ` +
          'through to the guest, and the halts counted here may not exit.',
      );
    }
  }
  return notes;
}
