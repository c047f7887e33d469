// Posted interrupts (Matlack, KVM Forum 2015; Haskins, LKML, 2009): with APICv/AVIC interrupts and IPIs reach a
// running vCPU without an exit; they do not help a halted vCPU, where halt polling does.
import { category, type ModelFacts } from '../model/facts';
import { formatCount, formatPercent } from '../../presentation/format';
import { perPacketText } from './exitsPerPacket';
import { lackOfEvidence, recommend, workloadOf, type EvidenceMinimum, type RuleOutcome } from './rule';
import { MATLACK_2015 } from './sources';

export const ID = 'posted-interrupts';
/** Interrupt and IPI exits as a share of all exits at which posting them is worth it. */
export const MIN_INTERRUPT_SHARE = 0.3;
export const MIN_EVIDENCE: EvidenceMinimum = {
  events: 100,
  eventsName: 'interrupt and IPI exits',
  tracedNs: 100_000_000,
};

export function postedInterrupts(f: ModelFacts): RuleOutcome {
  const exits = f.exits;
  if (!exits || exits.total === 0 || workloadOf(f) !== 'throughput') return null;
  // In a guest trace only the IPIs that found their target running would be posted; a halted target still wakes.
  const guest = exits.source === 'guest-inferred';
  const interrupts = guest
    ? f.handoff.deliveryToRunning.n
    : category(f, 'external-interrupt').count + category(f, 'ipi').count;
  const share = interrupts / exits.total;
  if (share < MIN_INTERRUPT_SHARE) return null;
  const lacking = lackOfEvidence(ID, MIN_EVIDENCE, interrupts, f);
  if (lacking) return lacking;
  return recommend({
    id: ID,
    title: 'Deliver interrupts without exits: posted interrupts',
    setting: 'kvm_intel.enable_apicv=1',
    evidence: [
      guest
        ? `${formatCount(interrupts)} IPIs reached a running vCPU (${formatPercent(share)} of all exits` +
          `${perPacketText(f, interrupts)}): each is an exit on the target without posted interrupts.`
        : `${formatCount(interrupts)} interrupt and IPI exits, ${formatPercent(share)} of all exits` +
          `${perPacketText(f, interrupts)}.`,
    ],
    prediction: null,
    rationale:
      'With APICv posted interrupts (AMD: AVIC) interrupts and IPIs reach a running vCPU without an exit; they do ' +
      `not help a halted vCPU (${MATLACK_2015}), where halt polling does.`,
  });
}
