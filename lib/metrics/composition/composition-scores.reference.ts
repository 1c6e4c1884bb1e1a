import type { ModelConfig, WeightMap } from '../../models/types';
import { matmul, matrix, transpose, frobeniusDot, type Matrix } from '../../numerics/matrix';
import { headWeight } from '../heads/head-weights';
import { COMPOSITION_KINDS, randomFactorDraws, type CompositionBaseline, type CompositionScore } from './composition-scores';

/**
 * The plain-JavaScript reference of composition-scores.ts, kept only for its tests (float64 loops per head pair:
 * tens of hours on GPT-2 XL; the engine version runs one Gemm per block of head pairs).
 * Q-, K- and V-composition between heads (Elhage et al. 2021; TransformerLens `all_composition_scores`):
 * C(A, B) = ‖A B‖_F / (‖A‖_F ‖B‖_F) with A = W_OV of an earlier head and B = W_QK (Q), W_QKᵀ (K) or W_OV (V)
 * of a later head. Every matrix is a product of d_head-sized factors, A = U₁V₁ and B = U₂V₂, so
 * ‖A B‖² = tr(Mᵀ (U₁ᵀU₁) M (V₂V₂ᵀ)) with M = V₁U₂ — d_head × d_head work in float64, never d_model².
 */

/** A low-rank matrix U V (U [d_model, r], V [r, d_model]) with its Gram factors. */
interface Factored {
  U: Matrix;
  V: Matrix;
  /** Uᵀ U [r, r]. */
  gramU: Matrix;
  /** V Vᵀ [r, r]. */
  gramV: Matrix;
  normSq: number;
}

export function factored(U: Matrix, V: Matrix): Factored {
  const gramU = matmul(transpose(U), U);
  const gramV = matmul(V, transpose(V));
  // ‖U V‖² = tr(Vᵀ Uᵀ U V) = tr(gramU · gramV) = Σ gramU ⊙ gramVᵀ (gramV is symmetric).
  return { U, V, gramU, gramV, normSq: frobeniusDot(gramU, gramV) };
}

/** C(A, B) for factored A and B; 0 when either is the zero matrix. */
export function factoredCompositionScore(a: Factored, b: Factored): number {
  if (a.normSq <= 0 || b.normSq <= 0) return 0;
  const M = matmul(a.V, b.U);
  // ‖A B‖² = tr(Mᵀ gramU_A M gramV_B) = Σ (gramU_A M) ⊙ (M gramV_B).
  const left = matmul(a.gramU, M);
  const right = matmul(M, b.gramV);
  const normSq = Math.max(0, frobeniusDot(left, right));
  return Math.sqrt(normSq / (a.normSq * b.normSq));
}

export interface HeadFactors {
  ov: Factored;
  qk: Factored;
  qkT: Factored;
}

export function headFactors(cfg: ModelConfig, weights: WeightMap, layer: number, head: number): HeadFactors {
  const WQ = headWeight(cfg, weights, layer, head, 'W_Q');
  const WK = headWeight(cfg, weights, layer, head, 'W_K');
  const WV = headWeight(cfg, weights, layer, head, 'W_V');
  const WO = headWeight(cfg, weights, layer, head, 'W_O');
  return { ov: factored(WV, WO), qk: factored(WQ, transpose(WK)), qkT: factored(WK, transpose(WQ)) };
}

/** Every pair (earlier head → later head, srcLayer < dstLayer) for every kind. */
export function referenceAllCompositionScores(cfg: ModelConfig, weights: WeightMap): CompositionScore[] {
  const factors = Array.from({ length: cfg.n_layers }, (_, l) =>
    Array.from({ length: cfg.n_heads }, (_, h) => headFactors(cfg, weights, l, h)),
  );
  const out: CompositionScore[] = [];
  for (const kind of COMPOSITION_KINDS) {
    for (let l1 = 0; l1 < cfg.n_layers; l1++) {
      for (let h1 = 0; h1 < cfg.n_heads; h1++) {
        for (let l2 = l1 + 1; l2 < cfg.n_layers; l2++) {
          for (let h2 = 0; h2 < cfg.n_heads; h2++) {
            const dst = factors[l2][h2];
            const b = kind === 'q' ? dst.qk : kind === 'k' ? dst.qkT : dst.ov;
            out.push({
              kind,
              srcLayer: l1,
              srcHead: h1,
              dstLayer: l2,
              dstHead: h2,
              value: factoredCompositionScore(factors[l1][h1].ov, b),
            });
          }
        }
      }
    }
  }
  return out;
}

/** randomCompositionBaseline's definition, pair by pair in float64. */
export function referenceRandomCompositionBaseline(dModel: number, dHead: number, seed: number, draws: number): CompositionBaseline {
  const values: number[] = [];
  for (const d of randomFactorDraws(dModel, dHead, seed, draws)) {
    const a = factored(matrix(dModel, dHead, d.U1), matrix(dHead, dModel, d.V1));
    const b = factored(matrix(dModel, dHead, d.U2), matrix(dHead, dModel, d.V2));
    values.push(factoredCompositionScore(a, b));
  }
  const mean = values.reduce((s, v) => s + v, 0) / draws;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws - 1));
  return { mean, std, draws, seed };
}
