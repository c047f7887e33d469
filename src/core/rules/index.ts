// Every rule, best first, each a pure function of the model's facts; and the model notes.
import type { Recommendation } from '../analysisTypes';
import type { ModelFacts } from '../model/facts';
import { batching } from './batching';
import { eoiMitigation } from './eoiMitigation';
import { haltPolling } from './haltPolling';
import { idlePoll } from './idlePoll';
import { nohz } from './nohz';
import { modelNotes } from './notes';
import { postedInterrupts } from './postedInterrupts';
import type { Rule } from './rule';

export type { RuleOutcome, Rule, EvidenceMinimum } from './rule';

/** In the order recommendations are listed (best first). */
export const RULES: readonly Rule[] = [haltPolling, nohz, idlePoll, eoiMitigation, batching, postedInterrupts];

export interface Advice {
  recommendations: Recommendation[];
  notRecommended: { id: string; reason: string }[];
  modelNotes: string[];
}

export function advise(f: ModelFacts): Advice {
  const out: Advice = { recommendations: [], notRecommended: [], modelNotes: modelNotes(f) };
  for (const rule of RULES) {
    const o = rule(f);
    if (o?.kind === 'recommend') out.recommendations.push(o.recommendation);
    else if (o?.kind === 'notRecommended') out.notRecommended.push({ id: o.id, reason: o.reason });
  }
  return out;
}
