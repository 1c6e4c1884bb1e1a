/**
 * The wiki's own verdict on a published claim about a head: `agrees` when this run measured the head in the
 * claimed role, `disagrees` when it measured it and found it is not, `untestable` when this run could not tell
 * (the task is unusable on the model, the role or label was not measured, or no run of the model exists).
 */
import type { HeadLabelValue } from '@/lib/db/head-labels';
import type { HeadRoleRecord } from '@/lib/db/circuits';
import type { LiteratureClaim } from './heads';

export type LiteratureVerdict = 'agrees' | 'disagrees' | 'untestable';

export interface JudgedClaim extends LiteratureClaim {
  verdict: LiteratureVerdict;
  /** In words: what the run measured. */
  because: string;
}

/**
 * `roles` / `labels`: everything the run stored (all heads), or null when the model has no published run.
 * Labels are stored only when claimed (metric above its threshold): a label the run computes but did not
 * claim for the head is a measured "no".
 */
export function judgeClaim(claim: LiteratureClaim, roles: HeadRoleRecord[] | null, labels: HeadLabelValue[] | null): JudgedClaim {
  if (roles === null || labels === null) return { ...claim, verdict: 'untestable', because: 'this model has no published run here' };
  if (claim.check.kind === 'role') {
    const role = claim.check.role;
    const r = roles.find((x) => x.layer === claim.layer && x.head === claim.head && x.role === role);
    if (!r) return { ...claim, verdict: 'untestable', because: `this run did not measure the ${role.replace(/_/g, ' ')} role` };
    if (r.verdict === 'untestable') return { ...claim, verdict: 'untestable', because: r.reason };
    const score = r.score === null ? '' : ` (score ${r.score.toFixed(2)}${r.threshold === null ? '' : `, threshold ${r.threshold}`})`;
    return { ...claim, verdict: r.verdict === 'yes' ? 'agrees' : 'disagrees', because: `${r.reason}${score}` };
  }
  const label = claim.check.label;
  const measured = labels.some((l) => l.label === label);
  const mine = labels.find((l) => l.layer === claim.layer && l.head === claim.head && l.label === label);
  if (!mine) {
    return measured
      ? { ...claim, verdict: 'disagrees', because: `its ${label.replace(/_/g, '-')} score is below the label's threshold` }
      : { ...claim, verdict: 'untestable', because: `this run claimed no ${label.replace(/_/g, '-')} label on any head` };
  }
  if (mine.status === 'untestable') return { ...claim, verdict: 'untestable', because: mine.detail };
  return {
    ...claim,
    verdict: mine.status === 'confirmed' ? 'agrees' : 'disagrees',
    because: `${label.replace(/_/g, '-')} label ${mine.status === 'confirmed' ? 'confirmed' : 'claimed but not confirmed'} by ablation (score ${mine.score.toFixed(2)})`,
  };
}
