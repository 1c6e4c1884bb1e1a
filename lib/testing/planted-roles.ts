import type { WeightMap } from '../models/types';
import { plantedAttentionOnlyConfig, weightWriter } from './planted-weights';
import type { Tokenizer } from '../tokenizers/types';
import { IOI_NAMES } from '../circuits/tasks/ioi';
import { buildPlantedIoiModel, PLANTED_CIRCUIT, PLANTED_IOI_LAYOUT, type PlantedCircuitModel } from './planted-circuits';

/**
 * Hand-built models for the circuit roles the planted IOI circuit does not exercise, each with a known answer:
 * a backup name mover, classic vs positional ("pointer arithmetic") induction, and function-vector / translation
 * heads (lib/testing/planted-function-vectors.ts). Attention-only, no normalization, learned positions.
 */

/**
 * The planted IOI circuit plus a BACKUP NAME MOVER at L3H1 (Wang et al. 2022's backup heads, by construction): the
 * name movers' attention (names minus the S-inhibited one) and their OV, but its query also reads how much of any
 * name OUT already holds, which raises BOS: with the name movers working (OUT = 1.5 × IO at layer 3) it attends to
 * BOS and writes nothing; with them zero-ablated (OUT = −½ IO) it attends to IO and copies it, taking over.
 */
export const PLANTED_BACKUP_NAME_MOVER = { layer: 3, head: 1 } as const;

export function buildPlantedBackupModel(): PlantedCircuitModel {
  const { model, tokenizer } = buildPlantedIoiModel();
  const { NAME, ISNAME, CONST, BOSD, SINH, OUT, D_MODEL: D, D_HEAD: dh } = PLANTED_IOI_LAYOUT;
  const N = IOI_NAMES.length;
  const { matchScore, bosScore } = PLANTED_CIRCUIT;
  const s = Math.sqrt(dh);
  const h = PLANTED_BACKUP_NAME_MOVER.head;
  const inP = (row: number, col: number) => (h * D + row) * dh + col;
  const outP = (row: number, col: number) => (h * dh + row) * D + col;
  const w = (name: string) => model.weights.get(`blocks.3.attn.${name}`)!.data;
  const [W_Q, W_K, W_V, W_O] = ['W_Q', 'W_K', 'W_V', 'W_O'].map(w);
  const FLAG = N;
  const FULL = dh - 1; // "OUT already holds a name" against BOS
  W_Q[inP(CONST, FLAG)] = s;
  W_K[inP(ISNAME, FLAG)] = matchScore;
  W_K[inP(BOSD, FLAG)] = bosScore;
  W_K[inP(BOSD, FULL)] = 1;
  for (let n = 0; n < N; n++) {
    W_Q[inP(SINH + n, n)] = -2 * matchScore * s;
    W_Q[inP(OUT + n, FULL)] = 20 * s;
    W_K[inP(NAME + n, n)] = 1;
    W_V[inP(NAME + n, N + 1 + n)] = 1;
    W_O[outP(N + 1 + n, OUT + n)] = 1;
  }
  model.cfg.model_name = 'planted-ioi-backup';
  return { model, tokenizer };
}

/**
 * Classic and positional induction side by side (open problem 6.23), on lib/circuits/tasks/induction.ts' prompts
 * (BOS, 10 random tokens, their first 8 again: the source is always 9 positions back).
 *   L0H0  previous-token head: attends to i − 1, writes the token into PREV.
 *   L1H0  classic induction (K-composition): its query is the current token, its key PREV — it attends to the token
 *         after the earlier copy because L0H0 told that position what came before it.
 *   L1H1  positional induction: its query is the position t, its key the position t − 9 — it finds the source by
 *         position arithmetic alone, whatever the tokens. Both copy the attended token into OUT.
 * Tokens are ids only (the tokenizer encodes no text: every text task is reported untestable).
 */
export const PLANTED_INDUCTION_KINDS = {
  previousToken: { layer: 0, head: 0 },
  classic: { layer: 1, head: 0 },
  positional: { layer: 1, head: 1 },
} as const;

export function buildPlantedInductionKindsModel(): PlantedCircuitModel {
  const V = 40;
  const nCtx = 24;
  const offset = 9; // clean.length − 1 − SOURCE in the induction task (half = 10)
  const [TOK, POS] = [0, V];
  const PREV = POS + nCtx;
  const OUT = PREV + V;
  const BOSD = OUT + V;
  const D = BOSD + 1;
  const dh = Math.max(V, nCtx) + 1;
  const FLAG = dh - 1;
  const cfg = plantedAttentionOnlyConfig('planted-induction-kinds', 2, 2, D, dh, V, nCtx);
  const weights: WeightMap = new Map();
  const put = weightWriter(weights);
  const W_E = put('embed.W_E', [V, D]);
  for (let t = 1; t < V; t++) W_E[t * D + TOK + t] = 1;
  W_E[BOSD] = 1;
  const W_pos = put('pos_embed.W_pos', [nCtx, D]);
  for (let p = 0; p < nCtx; p++) W_pos[p * D + POS + p] = 1;
  const s = Math.sqrt(dh);
  const { matchScore, bosScore, unembed } = PLANTED_CIRCUIT;
  const layers = [0, 1].map((l) => ({
    W_Q: put(`blocks.${l}.attn.W_Q`, [2, D, dh]),
    W_K: put(`blocks.${l}.attn.W_K`, [2, D, dh]),
    W_V: put(`blocks.${l}.attn.W_V`, [2, D, dh]),
    W_O: put(`blocks.${l}.attn.W_O`, [2, dh, D]),
  }));
  const inP = (h: number, row: number, col: number) => (h * D + row) * dh + col;
  const outP = (h: number, row: number, col: number) => (h * dh + row) * D + col;
  // Every head: BOS as the fallback (a constant query column; BOS's key).
  for (const { W_Q, W_K } of layers)
    for (let h = 0; h < 2; h++) {
      for (let p = 0; p < nCtx; p++) W_Q[inP(h, POS + p, FLAG)] = s;
      W_K[inP(h, BOSD, FLAG)] = bosScore;
    }
  const [l0, l1] = layers;
  for (let p = 1; p < nCtx; p++) {
    l0.W_Q[inP(0, POS + p, p - 1)] = matchScore * s; // L0H0: query t → key t − 1
    l0.W_K[inP(0, POS + p - 1, p - 1)] = 1;
  }
  for (let p = offset; p < nCtx; p++) {
    l1.W_Q[inP(1, POS + p, p - offset)] = matchScore * s; // L1H1: query t → key t − 9
    l1.W_K[inP(1, POS + p - offset, p - offset)] = 1;
  }
  for (let t = 1; t < V; t++) {
    l0.W_V[inP(0, TOK + t, t)] = 1;
    l0.W_O[outP(0, t, PREV + t)] = 1;
    l1.W_Q[inP(0, TOK + t, t)] = matchScore * s; // L1H0: current token · key's PREV
    l1.W_K[inP(0, PREV + t, t)] = 1;
    for (const h of [0, 1]) {
      l1.W_V[inP(h, TOK + t, t)] = 1;
      l1.W_O[outP(h, t, OUT + t)] = 1;
    }
  }
  const W_U = put('unembed.W_U', [D, V]);
  for (let t = 1; t < V; t++) W_U[(OUT + t) * V + t] = unembed;
  const tokenizer: Tokenizer = {
    vocabSize: V,
    bosId: 0,
    eosId: 0,
    specialIds: new Set([0]),
    encode: () => {
      throw new Error('planted induction tokenizer: ids only, no text');
    },
    decode: (ids) => ids.map((i) => `t${i}`).join(' '),
    piece: (id) => `t${id}`,
  };
  return { model: { cfg, weights, source: { path: 'lib/testing/planted-roles.ts', format: 'planted', license: 'MIT' } }, tokenizer };
}
