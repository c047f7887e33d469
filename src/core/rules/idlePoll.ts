// idle=poll (Matlack, KVM Forum 2015: "idle=poll and nohz off" reach the bare-metal line): the extreme form of halt
// polling, advised only beside halt polling and nohz, with its cost and without a prediction.
import type { ModelFacts } from '../model/facts';
import { haltPolling } from './haltPolling';
import { nohz } from './nohz';
import { recommend, type RuleOutcome } from './rule';
import { MATLACK_2015 } from './sources';

export const ID = 'idle-poll';

export function idlePoll(f: ModelFacts): RuleOutcome {
  if (haltPolling(f)?.kind !== 'recommend' || nohz(f)?.kind !== 'recommend') return null;
  return recommend({
    id: ID,
    title: 'Never halt: idle=poll in the guest (dedicated CPUs only)',
    setting: 'idle=poll',
    evidence: [
      'Removes the halts, the IPIs to halted vCPUs and the idle timer writes together ' +
        `(${MATLACK_2015}: with idle=poll and nohz off the guest reaches the bare-metal line).`,
      'Cost: every vCPU spins at 100% even when idle; only for pinned, dedicated host CPUs.',
    ],
    prediction: null,
    rationale: 'The extreme form of halt polling; prefer guest_halt_poll_ns unless the CPUs are dedicated anyway.',
  });
}
