// EOI exits (Haskins, LKML, Dec 2009): every interrupt's end-of-interrupt write exits without APIC virtualization.
import { category, type ModelFacts } from '../model/facts';
import { formatCount, formatPercent } from '../../presentation/format';
import { perPacketText } from './exitsPerPacket';
import { lackOfEvidence, recommend, type EvidenceMinimum, type RuleOutcome } from './rule';
import { HASKINS_2009 } from './sources';

export const ID = 'eoi-mitigation';
/** EOI exits as a share of all exits at which they are worth removing. */
export const MIN_EOI_SHARE = 0.1;
export const MIN_EVIDENCE: EvidenceMinimum = { events: 100, eventsName: 'EOI exits', tracedNs: 100_000_000 };

export function eoiMitigation(f: ModelFacts): RuleOutcome {
  const exits = f.exits;
  if (!exits || exits.total === 0) return null;
  const eoi = category(f, 'eoi').count + exits.mmioEoiAccesses;
  if (eoi / exits.total < MIN_EOI_SHARE) return null;
  const lacking = lackOfEvidence(ID, MIN_EVIDENCE, eoi, f);
  if (lacking) return lacking;
  return recommend({
    id: ID,
    title: 'Stop EOI exits: APIC virtualization or paravirtual EOI',
    setting: 'kvm_intel.enable_apicv=1',
    evidence: [
      `${formatCount(eoi)} EOI exits, ${formatPercent(eoi / exits.total)} of all exits${perPacketText(f, eoi)}.`,
      `${HASKINS_2009}: EOI mitigation gave "about 55%-60% reduction in EOIs for inbound netperf runs".`,
    ],
    prediction: null,
    rationale:
      'With APICv (Intel) / AVIC (AMD: kvm_amd.avic=1) the guest writes EOI without an exit; without it, Linux ' +
      'guests use PV EOI (kvm-pv-eoi) for edge-triggered interrupts.',
  });
}
