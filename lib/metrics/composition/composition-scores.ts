import type { ModelConfig, WeightMap } from '../../models/types';
import { blockSquaredNorms, matMul, type DenseTensor } from '../../engine/weight-products';
import { psdCholesky } from '../../numerics/cholesky';
import { makeRng } from '../../sampling/random';

/**
 * Q-, K- and V-composition between heads (Elhage et al. 2021; TransformerLens `all_composition_scores`):
 * C(A, B) = ‖A B‖_F / (‖A‖_F ‖B‖_F) with A = W_OV of an earlier head and B = W_QK (Q), W_QKᵀ (K) or W_OV (V)
 * of a later head. Every matrix is a product of d_head-sized factors, A = U₁V₁ and B = U₂V₂. With Cholesky
 * factors L₁L₁ᵀ = U₁ᵀU₁ and L₂L₂ᵀ = V₂V₂ᵀ (d_head × d_head), ‖A B‖ = ‖(L₁ᵀV₁)(U₂L₂)‖: each head becomes one
 * [d_head, d_model] block per role, and every pair's score is the norm of one block of a single Gemm
 * (lib/engine/weight-products.ts `blockSquaredNorms`), run on the engine in bounded chunks.
 * composition-scores.reference.ts computes the same pair by pair in float64 (the tests' reference).
 */
export type CompositionKind = 'q' | 'k' | 'v';
export const COMPOSITION_KINDS: readonly CompositionKind[] = ['q', 'k', 'v'];

export interface CompositionScore {
  kind: CompositionKind;
  srcLayer: number;
  srcHead: number;
  dstLayer: number;
  dstHead: number;
  value: number;
}

/** Pair scores held at once: [src rows, dst rows] float32 ≤ 64 MiB. */
const PAIR_BUDGET = 2 ** 24;

/** A stack of n low-rank matrices U V (U [d, r], V [r, d]) as engine-ready blocks: P = L_Uᵀ V or Qᵀ = L_Vᵀ Uᵀ. */
interface Blocks {
  /** [n, r, d] float32. */
  data: Float32Array;
  /** ‖U V‖²_F per matrix, float64. */
  normSq: Float64Array;
}

/** Cholesky factors (transposed: Lᵀ) of n Gram matrices [n, r, r], as float32 [n, r, r]. */
function choleskyT(grams: DenseTensor, n: number, r: number): DenseTensor {
  const out = new Float32Array(n * r * r);
  for (let h = 0; h < n; h++) {
    const L = psdCholesky(grams.data, r, h * r * r);
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) out[h * r * r + j * r + i] = L[i * r + j];
  }
  return { data: out, dims: [n, r, r] };
}

function frobeniusDots(a: DenseTensor, b: DenseTensor, n: number, r: number): Float64Array {
  const out = new Float64Array(n);
  for (let h = 0; h < n; h++) for (let i = 0; i < r * r; i++) out[h] += a.data[h * r * r + i] * b.data[h * r * r + i];
  return out;
}

/**
 * Blocks for n matrices U V given U [n, d, r] and V [n, r, d]. `role` 'left' (A of ‖A B‖): P = L_Uᵀ V with
 * L_U L_Uᵀ = UᵀU; 'right' (B): Qᵀ = L_Vᵀ Uᵀ with L_V L_Vᵀ = V Vᵀ.
 */
async function blocks(U: DenseTensor, V: DenseTensor, role: 'left' | 'right'): Promise<Blocks> {
  const [n, , r] = U.dims;
  const gramU = await matMul(U, U, { transA: true });
  const gramV = await matMul(V, V, { transB: true });
  const normSq = frobeniusDots(gramU, gramV, n, r);
  const data = role === 'left' ? await matMul(choleskyT(gramU, n, r), V) : await matMul(choleskyT(gramV, n, r), U, { transB: true });
  return { data: data.data, normSq };
}

/** One layer's per-head W_Q, W_K, W_V [n_heads, d_model, d_head] (kv heads repeated for GQA) and W_O [n_heads, d_head, d_model]. */
function layerWeights(cfg: ModelConfig, weights: WeightMap, layer: number) {
  const { n_heads: H, n_key_value_heads: KV, d_model: d, d_head: r } = cfg;
  const get = (name: string) => {
    const t = weights.get(`blocks.${layer}.attn.${name}`);
    if (!t) throw new Error(`${cfg.model_name}: weight blocks.${layer}.attn.${name} is missing`);
    return t.data;
  };
  const perQueryHead = (data: Float32Array, heads: number): DenseTensor => {
    if (heads === H) return { data, dims: [H, d, r] };
    const out = new Float32Array(H * d * r);
    for (let h = 0; h < H; h++) out.set(data.subarray(Math.floor((h * KV) / H) * d * r, (Math.floor((h * KV) / H) + 1) * d * r), h * d * r);
    return { data: out, dims: [H, d, r] };
  };
  return {
    Q: perQueryHead(get('W_Q'), H),
    K: perQueryHead(get('W_K'), KV),
    V: perQueryHead(get('W_V'), KV),
    O: { data: get('W_O'), dims: [H, r, d] } as DenseTensor,
  };
}

/** Every pair (earlier head → later head, srcLayer < dstLayer) for every kind, ordered kind, src, dst. */
export async function allCompositionScores(cfg: ModelConfig, weights: WeightMap): Promise<CompositionScore[]> {
  const { n_layers: L, n_heads: H, d_model: d, d_head: r } = cfg;
  // Sources: every head's OV as P blocks, layer-major in one array (src heads of layers < l are a prefix).
  const src = { data: new Float32Array(L * H * r * d), normSq: new Float64Array(L * H) };
  const dst: Record<CompositionKind, Blocks>[] = [];
  for (let l = 0; l < L; l++) {
    const w = layerWeights(cfg, weights, l);
    const ov = await blocks(w.V, w.O, 'left');
    src.data.set(ov.data, l * H * r * d);
    src.normSq.set(ov.normSq, l * H);
    if (l === 0) {
      dst.push(null as unknown as Record<CompositionKind, Blocks>); // layer 0 reads from no earlier head
      continue;
    }
    dst.push({
      // W_QK = W_Q W_Kᵀ, its transpose W_K W_Qᵀ, and W_OV = W_V W_O, each as U V.
      q: await blocks(w.Q, transposeLast(w.K), 'right'),
      k: await blocks(w.K, transposeLast(w.Q), 'right'),
      v: await blocks(w.V, w.O, 'right'),
    });
  }

  const LH = L * H;
  const values = new Float64Array(COMPOSITION_KINDS.length * LH * LH); // [kind, src head, dst head]
  const headRows = H * r;
  const srcChunkHeads = Math.max(1, Math.floor(PAIR_BUDGET / headRows / r));
  for (let l2 = 1; l2 < L; l2++) {
    for (const kind of COMPOSITION_KINDS) {
      const b = dst[l2][kind];
      const y: DenseTensor = { data: b.data, dims: [headRows, d] };
      for (let s0 = 0; s0 < l2 * H; s0 += srcChunkHeads) {
        const s1 = Math.min(l2 * H, s0 + srcChunkHeads);
        const x: DenseTensor = { data: src.data.subarray(s0 * r * d, s1 * r * d), dims: [(s1 - s0) * r, d] };
        const sums = await blockSquaredNorms(x, r, y, r);
        for (let s = s0; s < s1; s++) {
          for (let h2 = 0; h2 < H; h2++) {
            const na = src.normSq[s];
            const nb = b.normSq[h2];
            const sq = sums.data[(s - s0) * H + h2];
            const value = na <= 0 || nb <= 0 ? 0 : Math.sqrt(Math.max(0, sq) / (na * nb));
            values[(COMPOSITION_KINDS.indexOf(kind) * LH + s) * LH + l2 * H + h2] = value;
          }
        }
      }
    }
  }
  const out: CompositionScore[] = [];
  for (const [k, kind] of COMPOSITION_KINDS.entries()) {
    for (let l1 = 0; l1 < L; l1++) {
      for (let h1 = 0; h1 < H; h1++) {
        for (let l2 = l1 + 1; l2 < L; l2++) {
          for (let h2 = 0; h2 < H; h2++) {
            const value = values[(k * LH + l1 * H + h1) * LH + l2 * H + h2];
            out.push({ kind, srcLayer: l1, srcHead: h1, dstLayer: l2, dstHead: h2, value });
          }
        }
      }
    }
  }
  return out;
}

/** [n, a, b] → [n, b, a] on the host (d_model × d_head per head: small next to the products). */
function transposeLast(t: DenseTensor): DenseTensor {
  const [n, a, b] = t.dims;
  const out = new Float32Array(t.data.length);
  for (let h = 0; h < n; h++)
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[h * a * b + j * a + i] = t.data[h * a * b + i * b + j];
  return { data: out, dims: [n, b, a] };
}

export interface CompositionBaseline {
  mean: number;
  std: number;
  draws: number;
  seed: number;
}

export const BASELINE_DRAWS = 200;

/** The baseline's random factors, in the order the seeded generator draws them (mulberry32 + Box–Muller). */
export function* randomFactorDraws(
  dModel: number,
  dHead: number,
  seed: number,
  draws: number,
): Generator<{ U1: Float64Array; V1: Float64Array; U2: Float64Array; V2: Float64Array }> {
  const rng = makeRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const random = () => Float64Array.from({ length: dModel * dHead }, gaussian);
  for (let i = 0; i < draws; i++) yield { U1: random(), V1: random(), U2: random(), V2: random() };
}

/** Draws per engine call. */
const BASELINE_BATCH = 50;

/**
 * The score of random matrices of the same shapes: A = U₁V₁, B = U₂V₂ with i.i.d. standard normal
 * factors [d_model, d_head] and [d_head, d_model] (the score is scale-free). Q, K and V composition
 * have the same shapes, so one baseline serves all three. Seeded (mulberry32 + Box–Muller).
 */
export async function randomCompositionBaseline(
  dModel: number,
  dHead: number,
  seed: number,
  draws = BASELINE_DRAWS,
): Promise<CompositionBaseline> {
  if (!Number.isInteger(draws) || draws < 2) throw new Error(`composition baseline: draws must be an integer ≥ 2; got ${draws}`);
  const size = dModel * dHead;
  const values: number[] = [];
  const pending: ReturnType<typeof randomFactorDraws> extends Generator<infer T> ? T[] : never = [];
  const flush = async () => {
    const n = pending.length;
    const stack = (key: 'U1' | 'V1' | 'U2' | 'V2', dims: number[]): DenseTensor => {
      const data = new Float32Array(n * size);
      pending.forEach((p, i) => data.set(p[key], i * size));
      return { data, dims: [n, ...dims] };
    };
    const a = await blocks(stack('U1', [dModel, dHead]), stack('V1', [dHead, dModel]), 'left');
    const b = await blocks(stack('U2', [dModel, dHead]), stack('V2', [dHead, dModel]), 'right');
    const prod = await matMul({ data: a.data, dims: [n, dHead, dModel] }, { data: b.data, dims: [n, dHead, dModel] }, { transB: true });
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let j = 0; j < dHead * dHead; j++) sq += prod.data[i * dHead * dHead + j] ** 2;
      values.push(a.normSq[i] <= 0 || b.normSq[i] <= 0 ? 0 : Math.sqrt(sq / (a.normSq[i] * b.normSq[i])));
    }
    pending.length = 0;
  };
  for (const draw of randomFactorDraws(dModel, dHead, seed, draws)) {
    pending.push(draw);
    if (pending.length === BASELINE_BATCH) await flush();
  }
  if (pending.length > 0) await flush();
  const mean = values.reduce((s, v) => s + v, 0) / draws;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws - 1));
  return { mean, std, draws, seed };
}
