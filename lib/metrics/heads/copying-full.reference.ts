import type { ModelConfig, WeightMap } from '../../models/types';
import { matmul, matrix, type Matrix } from '../../numerics/matrix';
import { copyingScore } from './copying-ov';
import { headWeight, perHead } from './head-weights';

/**
 * The plain-JavaScript reference of copying-full.ts (float64 loops over the vocabulary: minutes on GPT-2 small),
 * kept only for its tests.
 */

/** W_U W_E [d_model, d_model] in float64 (the vocabulary contracted once per model). */
export function unembedEmbed(cfg: ModelConfig, weights: WeightMap): Matrix {
  const WE = weights.get('embed.W_E');
  const WU = weights.get('unembed.W_U');
  if (!WE || !WU) throw new Error(`${cfg.model_name}: the full OV circuit needs embed.W_E and unembed.W_U`);
  const d = cfg.d_model;
  const vocab = Math.min(cfg.d_vocab, WE.shape[0]);
  const uCols = WU.shape[1];
  const out = new Float64Array(d * d);
  // (W_U W_E)[i, j] = Σ_t W_U[i, t] · W_E[t, j]
  for (let i = 0; i < d; i++) {
    for (let t = 0; t < vocab; t++) {
      const u = WU.data[i * uCols + t];
      if (u === 0) continue;
      const row = t * d;
      for (let j = 0; j < d; j++) out[i * d + j] += u * WE.data[row + j];
    }
  }
  return matrix(d, d, out);
}

/** W_O W_U W_E W_V (d_head × d_head): the same non-zero spectrum as the full circuit W_E W_V W_O W_U. */
export function fullOvSmall(cfg: ModelConfig, weights: WeightMap, layer: number, head: number, ue: Matrix): Matrix {
  return matmul(matmul(headWeight(cfg, weights, layer, head, 'W_O'), ue), headWeight(cfg, weights, layer, head, 'W_V'));
}

/** copying_full's scores, computed here. */
export function referenceCopyingFull(cfg: ModelConfig, weights: WeightMap): number[][] {
  const ue = unembedEmbed(cfg, weights);
  return perHead(cfg, (l, h) => copyingScore(fullOvSmall(cfg, weights, l, h, ue)));
}
