import type { RoleVerdict } from '../types';
import { ROLE_THRESHOLDS as T, verdict } from './definitions';

/**
 * S-suppressing heads (the "contrastive" half of the additive + contrastive IOI circuits small models learn,
 * Adhikari 2025): on IOI the head attends from END to S2 and its direct path carries the answer by writing −S, and
 * its OV circuit suppresses the token it reads (McDougall et al.'s OV test on effective embeddings). Where its QK
 * test passes too the head is also copy suppression; where it fails, the attention is chosen by something other than
 * the prediction (ioi-4l's L3H1 attends to the S2 slot even in ABC prompts) and copy suppression says "no".
 */
export function sSuppressionVerdicts(
  ov: number[][],
  direct: number[][],
  toS2: number[][],
  toIO: number[][],
  tokenSource: string,
  task: string,
): RoleVerdict[] {
  const fmt = (x: number) => x.toFixed(2);
  return direct.flatMap((row, l) =>
    row.map((e, h) => {
      const attendsS2 = toS2[l][h] >= T.attention && toS2[l][h] > toIO[l][h];
      const suppresses = ov[l][h] >= T.tokenShare;
      const yes = e <= -T.effect && attendsS2 && suppresses;
      return verdict('s_suppression', l, h, {
        score: -e,
        threshold: T.effect,
        verdict: yes ? 'yes' : 'no',
        reason:
          `direct effect ${fmt(e)}, attention END→S2 ${fmt(toS2[l][h])} (END→IO ${fmt(toIO[l][h])}), ` +
          `OV suppresses its own token for ${(ov[l][h] * 100).toFixed(0)} % of ${tokenSource}`,
        confirmation: { method: 'path patching on IOI: head → logits', effect: e, confirmed: yes },
        task,
      });
    }),
  );
}
