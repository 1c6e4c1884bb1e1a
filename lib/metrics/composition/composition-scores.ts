import type { ModelConfig, WeightMap } from '../../models/types';
import { matmul, matrix, transpose, frobeniusDot, type Matrix } from '../../numerics/matrix';
import { makeRng } from '../../sampling/random';
import { headWeight } from '../heads/head-weights';

/**
 * Q-, K- and V-composition between heads (Elhage et al. 2021; TransformerLens `all_composition_scores`):
 * C(A, B) = ‖A B‖_F / (‖A‖_F ‖B‖_F) with A = W_OV of an earlier head and B = W_QK (Q), W_QKᵀ (K) or W_OV (V)
 * of a later head. Every matrix is a product of d_head-sized factors, A = U₁V₁ and B = U₂V₂, so
 * ‖A B‖² = tr(Mᵀ (U₁ᵀU₁) M (V₂V₂ᵀ)) with M = V₁U₂ — d_head × d_head work in float64, never d_model².
 */
export type CompositionKind = 'q' | 'k' | 'v';
export const COMPOSITION_KINDS: readonly CompositionKind[] = ['q', 'k', 'v'];

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

function factored(U: Matrix, V: Matrix): Factored {
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

export interface CompositionScore {
  kind: CompositionKind;
  srcLayer: number;
  srcHead: number;
  dstLayer: number;
  dstHead: number;
  value: number;
}

/** Every pair (earlier head → later head, srcLayer < dstLayer) for every kind. */
export function allCompositionScores(cfg: ModelConfig, weights: WeightMap): CompositionScore[] {
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

export interface CompositionBaseline {
  mean: number;
  std: number;
  draws: number;
  seed: number;
}

export const BASELINE_DRAWS = 200;

/**
 * The score of random matrices of the same shapes: A = U₁V₁, B = U₂V₂ with i.i.d. standard normal
 * factors [d_model, d_head] and [d_head, d_model] (the score is scale-free). Q, K and V composition
 * have the same shapes, so one baseline serves all three. Seeded (mulberry32 + Box–Muller).
 */
export function randomCompositionBaseline(dModel: number, dHead: number, seed: number, draws = BASELINE_DRAWS): CompositionBaseline {
  if (!Number.isInteger(draws) || draws < 2) throw new Error(`composition baseline: draws must be an integer ≥ 2; got ${draws}`);
  const rng = makeRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const random = (rows: number, cols: number) => matrix(rows, cols, Array.from({ length: rows * cols }, gaussian));
  const values: number[] = [];
  for (let i = 0; i < draws; i++) {
    const a = factored(random(dModel, dHead), random(dHead, dModel));
    const b = factored(random(dModel, dHead), random(dHead, dModel));
    values.push(factoredCompositionScore(a, b));
  }
  const mean = values.reduce((s, v) => s + v, 0) / draws;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws - 1));
  return { mean, std, draws, seed };
}
