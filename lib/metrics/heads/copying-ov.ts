import type { ModelConfig, WeightMap } from '../../models/types';
import { eigenvalueSums } from '../../numerics/eigenvalues';
import { matmul, type Matrix } from '../../numerics/matrix';
import type { HeadMetric } from './types';
import { headWeight, perHead } from './head-weights';

/**
 * The copying score of a square matrix: Re(Σλ) / Σ|λ| over its eigenvalues λ (Elhage et al. 2021):
 * 1 when every eigenvalue is positive real (the circuit maps each direction onto itself, "copying"),
 * −1 when all are negative. A matrix with no non-zero eigenvalue (e.g. a head that writes into a
 * subspace it does not read) scores 0.
 */
export function copyingScore(m: Matrix): number {
  if (m.rows !== m.cols) throw new Error(`copyingScore: matrix is ${m.rows}×${m.cols}, not square`);
  const { sumRe, sumAbs } = eigenvalueSums(m.data, m.rows);
  let scale = 0;
  for (const v of m.data) scale = Math.max(scale, Math.abs(v));
  // Eigenvalues at rounding level of a (near-)nilpotent matrix carry no sign information.
  if (sumAbs <= 1e-12 * Math.max(scale, Number.MIN_VALUE) * m.rows) return 0;
  return sumRe / sumAbs;
}

/** W_O W_V of one head (d_head × d_head): the same non-zero spectrum as W_OV = W_V W_O. */
export function ovSmall(cfg: ModelConfig, weights: WeightMap, layer: number, head: number): Matrix {
  return matmul(headWeight(cfg, weights, layer, head, 'W_O'), headWeight(cfg, weights, layer, head, 'W_V'));
}

export const copyingOvMetric: HeadMetric = {
  id: 'copying_ov',
  title: 'Copying (W_OV)',
  summary: "Whether the head's OV circuit maps residual directions onto themselves: Re(Σλ)/Σ|λ| over W_OV's eigenvalues.",
  definition:
    'Eigenvalues λ of W_OV = W_V W_O (d_model × d_model), computed in float64 through the d_head × d_head matrix W_O W_V, which ' +
    'has the same non-zero eigenvalues (Hessenberg reduction + Francis QR). Score Re(Σλ) / Σ|λ| ∈ [−1, 1]; 0 when every ' +
    "eigenvalue is zero (a head writing into a subspace it does not read). Grouped-query attention: the query head's W_O with " +
    "its key/value head's W_V. Raw weights as the run stores them (see the run's weight processing).",
  citation: {
    text: 'Elhage et al. 2021, "A Mathematical Framework for Transformer Circuits", section "Detecting copying behavior" (OV eigenvalues)',
    url: 'https://transformer-circuits.pub/2021/framework/index.html',
  },
  range: [-1, 1],
  version: 1,
  needs: 'weights',
  compute: async (ctx) => perHead(ctx.cfg, (l, h) => copyingScore(ovSmall(ctx.cfg, ctx.weights, l, h))),
};
