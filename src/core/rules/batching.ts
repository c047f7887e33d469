// Batching device notifications (Russell, lguest, 2007; Haskins, LKML, 2009): throughput workloads amortise exits
// over many packets; request/response must not batch — it helped a UDP blast and hurt ping-pong.
import { category, type ModelFacts } from '../model/facts';
import { formatCount, formatPercent } from '../../presentation/format';
import { perPacketText } from './exitsPerPacket';
import { lackOfEvidence, notRecommended, recommend, workloadOf, type EvidenceMinimum, type RuleOutcome } from './rule';
import { HASKINS_2009, RUSSELL_2007 } from './sources';

export const ID = 'batching';
/** I/O and MMIO exits (device kicks) as a share of all exits at which batching is worth it. */
export const MIN_KICK_SHARE = 0.2;
export const MIN_EVIDENCE: EvidenceMinimum = { events: 100, eventsName: 'I/O and MMIO exits', tracedNs: 100_000_000 };

export function batching(f: ModelFacts): RuleOutcome {
  const workload = workloadOf(f);
  if (workload === 'request-response') {
    return notRecommended(
      ID,
      'Request/response workload: batching trades latency for throughput and hurts ping-pong ' +
        `(${RUSSELL_2007}: batched async hypercalls helped a UDP blast but hurt a ping-pong benchmark "horribly").`,
    );
  }
  const exits = f.exits;
  if (!exits || exits.total === 0) return null;
  const kicks = category(f, 'io').count + category(f, 'mmio').count;
  if (kicks / exits.total < MIN_KICK_SHARE) return null;
  const lacking = lackOfEvidence(ID, MIN_EVIDENCE, kicks, f);
  if (lacking) return lacking;
  return recommend({
    id: ID,
    title: 'Batch device notifications (fewer kicks per packet)',
    setting: 'vhost=on, event_idx=on',
    evidence: [
      `${formatCount(kicks)} I/O and MMIO exits (device kicks), ${formatPercent(kicks / exits.total)} of all exits` +
        `${perPacketText(f, kicks)}.`,
      workload === 'throughput'
        ? `Throughput workload: batching amortises one exit over many packets (${RUSSELL_2007}; ${HASKINS_2009}).`
        : 'No benchmark output was given: batching helps a throughput workload, but hurts request/response latency ' +
          `(${RUSSELL_2007}) — add the netperf/iperf output to decide.`,
    ],
    prediction: null,
    rationale:
      'Use vhost-net (-netdev tap,vhost=on) with virtio event_idx and multiqueue so the guest kicks once per batch; ' +
      'inside the guest, interrupt coalescing (ethtool -C) where the device supports it. Batching adds latency: do ' +
      'not do this for request/response.',
  });
}
