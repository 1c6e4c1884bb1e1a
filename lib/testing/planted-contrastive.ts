import type { WeightMap } from '../models/types';
import { plantedAttentionOnlyConfig, weightWriter } from './planted-weights';
import { IOI_NAMES } from '../circuits/tasks/ioi';
import { PLANTED_CIRCUIT, plantedCircuitTokenizer, type PlantedCircuitModel } from './planted-circuits';

/**
 * A hand-built model with the "additive + contrastive" IOI circuit that small models trained on IOI learn
 * (Adhikari 2025) instead of GPT-2's name-mover chain: the known answer for the S-suppression role, and for
 * "no false name movers, no false copy suppression". Two layers × two heads, attention-only, learned positions,
 * the planted IOI model's word-level tokenizer.
 *
 *   L0H0  additive head: from every position attends to every name in context equally (else BOS) and copies it
 *         into OUT — at END: IO ⅓, S ⅔ (S1 and S2). It tells no name from the other: not a name mover.
 *   L1H0  contrastive, S-suppressing head: attends to the LAST name before it (S2 in every IOI template; a recency
 *         score on positions, so it attends to that slot whatever the name — as ioi-4l's L3H1 does) and writes −1 ×
 *         that name into OUT. Its OV suppresses the token it reads; its query reads a constant, never the
 *         prediction, so McDougall's QK test fails: S-suppression yes, copy suppression no.
 *   L0H1, L1H1  zero weights.
 * END's OUT: IO ⅓, S ⅔ − 1 = −⅓; logit difference ⅔ · UNEMBED; with ABC names 0.
 */
export const PLANTED_CONTRASTIVE_HEADS = { additive: { layer: 0, head: 0 }, sSuppression: { layer: 1, head: 0 } } as const;

export function buildPlantedContrastiveModel(): PlantedCircuitModel {
  const tokenizer = plantedCircuitTokenizer();
  const { nCtx, unembed, matchScore, bosScore } = PLANTED_CIRCUIT;
  const N = IOI_NAMES.length;
  const [NAME, ISNAME, CONST, BOSD, POS] = [0, N, N + 1, N + 2, N + 3];
  const OUT = POS + nCtx;
  const D = OUT + N;
  const dh = N + 1 + nCtx;
  const dVocab = tokenizer.vocabSize;
  const cfg = plantedAttentionOnlyConfig('planted-contrastive-ioi', 2, 2, D, dh, dVocab, nCtx, 1);
  const weights: WeightMap = new Map();
  const put = weightWriter(weights);
  const nameOf = (id: number) => IOI_NAMES.indexOf(tokenizer.piece(id).trim());
  const W_E = put('embed.W_E', [dVocab, D]);
  for (let t = 0; t < dVocab; t++) {
    const n = nameOf(t);
    if (n >= 0) W_E[t * D + NAME + n] = W_E[t * D + ISNAME] = 1;
  }
  W_E[BOSD] = 1; // token 0 is BOS
  const W_pos = put('pos_embed.W_pos', [nCtx, D]);
  for (let p = 0; p < nCtx; p++) W_pos[p * D + POS + p] = W_pos[p * D + CONST] = 1;
  const s = Math.sqrt(dh); // the forward divides scores by √d_head: fold it into W_Q
  const FLAG = N;
  const HPOS = N + 1;
  const inP = (h: number, row: number, col: number) => (h * D + row) * dh + col;
  const outP = (h: number, row: number, col: number) => (h * dh + row) * D + col;
  for (let l = 0; l < 2; l++) {
    const W_Q = put(`blocks.${l}.attn.W_Q`, [2, D, dh]);
    const W_K = put(`blocks.${l}.attn.W_K`, [2, D, dh]);
    const W_V = put(`blocks.${l}.attn.W_V`, [2, D, dh]);
    const W_O = put(`blocks.${l}.attn.W_O`, [2, dh, D]);
    // Head 0 of each layer: names 30, BOS 15; layer 1 adds +1 per position (recency: the last name wins by ≥ 2).
    W_Q[inP(0, CONST, FLAG)] = s;
    W_K[inP(0, ISNAME, FLAG)] = matchScore;
    W_K[inP(0, BOSD, FLAG)] = bosScore;
    if (l === 1) {
      for (let p = 0; p < nCtx; p++) {
        W_Q[inP(0, CONST, HPOS + p)] = s;
        W_K[inP(0, POS + p, HPOS + p)] = p;
      }
    }
    for (let n = 0; n < N; n++) {
      W_V[inP(0, NAME + n, n)] = 1;
      W_O[outP(0, n, OUT + n)] = l === 0 ? 1 : -1;
    }
  }
  const W_U = put('unembed.W_U', [D, dVocab]);
  for (let t = 0; t < dVocab; t++) {
    const n = nameOf(t);
    if (n >= 0) W_U[(OUT + n) * dVocab + t] = unembed;
  }
  return {
    model: { cfg, weights, source: { path: 'lib/testing/planted-contrastive.ts', format: 'planted', license: 'MIT' } },
    tokenizer,
  };
}
