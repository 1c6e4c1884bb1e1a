import type { ModelConfig, WeightMap } from '../../models/types';
import { matmul, matrix, type Matrix } from '../../numerics/matrix';
import type { HeadMetric } from './types';
import { copyingScore } from './copying-ov';
import { headWeight, perHead } from './head-weights';

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

export const copyingFullMetric: HeadMetric = {
  id: 'copying_full',
  title: 'Copying (full OV circuit)',
  summary: "Whether attending to a token makes the head raise that same token's logit: Re(Σλ)/Σ|λ| over the eigenvalues of W_E W_OV W_U.",
  definition:
    'Eigenvalues λ of the full OV circuit W_E W_V W_O W_U (d_vocab × d_vocab), computed in float64 through the d_head × d_head ' +
    'matrix W_O (W_U W_E) W_V, which has the same non-zero eigenvalues. Score Re(Σλ) / Σ|λ| ∈ [−1, 1] (0 when all eigenvalues ' +
    'are zero). Norms are not folded in (raw weights, as the run records). Positive: a copying head (induction and name-mover ' +
    'heads are); negative: copy suppression.',
  citation: {
    text: 'Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits", section "Detecting copying behavior" (full OV circuit eigenvalues)',
    url: 'https://transformer-circuits.pub/2021/framework/index.html',
  },
  range: [-1, 1],
  version: 1,
  needs: 'weights',
  compute: async (ctx) => {
    const ue = unembedEmbed(ctx.cfg, ctx.weights);
    return perHead(ctx.cfg, (l, h) => copyingScore(fullOvSmall(ctx.cfg, ctx.weights, l, h, ue)));
  },
};
