/**
 * What a neuron reads and writes, from the weights alone (open problem 6.32):
 *  - logit effect: W_out[n] · diag(ln_final.w) · W_U, the direct effect of the neuron's output on each
 *    token's logit with the final norm's scale folded in (its normalisation by the residual's size is not);
 *  - input tokens: W_E · diag(ln2.w) · W_in[:, n], how much each token's embedding excites the neuron
 *    directly through the block's norm (for gated MLPs also through W_gate, which feeds the activation fn).
 * Computed on the engine (lib/engine/weight-products.ts): per chunk of neurons one Gemm against the whole
 * vocabulary and TopK, so memory holds [chunk, d_vocab] scores, never [d_mlp, d_vocab]. Ties: lower token id first.
 * weight-effects.reference.ts is the plain-JavaScript version the tests compare with.
 */
import type { CanonicalModel } from '@/lib/models/types';
import { rowTopK, type RowTopK } from '@/lib/engine/weight-products';
import { weightFeeds } from '@/lib/engine/weight-feeds';

export interface TokenScore {
  token: number;
  score: number;
}

export interface NeuronWeightEffects {
  logitTop: TokenScore[];
  logitBottom: TokenScore[];
  inputTop: TokenScore[];
  /** Gated MLPs: tokens that most excite the gate (W_E · diag(ln2.w) · W_gate[:, n]). */
  gateTop?: TokenScore[];
}

/** Scores held at once per product: [chunk, d_vocab] float32 ≤ 64 MiB. */
const SCORE_BUDGET = 2 ** 24;

function required(model: CanonicalModel, name: string) {
  const t = model.weights.get(name);
  if (!t) throw new Error(`${model.cfg.model_name} has no weight ${name}`);
  return t;
}

/** Rows [n0, n1) of the transposed [D, N] matrix, as [n1 − n0, D]. */
function transposedRows(m: Float32Array, D: number, N: number, n0: number, n1: number): Float32Array {
  const out = new Float32Array((n1 - n0) * D);
  for (let j = 0; j < D; j++) for (let n = n0; n < n1; n++) out[(n - n0) * D + j] = m[j * N + n];
  return out;
}

function scores(values: Float32Array, indices: BigInt64Array, row: number, k: number): TokenScore[] {
  return Array.from({ length: k }, (_, i) => ({ token: Number(indices[row * k + i]), score: values[row * k + i] }));
}

/** Weight effects of every neuron of a layer, top/bottom `count` tokens each. `chunk` overrides the neurons per product. */
export async function layerWeightEffects(model: CanonicalModel, layer: number, count = 20, chunk?: number): Promise<NeuronWeightEffects[]> {
  const { d_model: D, d_mlp: N, d_vocab: V } = model.cfg;
  const k = Math.min(count, V);
  const step = chunk ?? Math.max(1, Math.floor(SCORE_BUDGET / V));
  const ones = new Float32Array(D).fill(1);
  const WOut = required(model, `blocks.${layer}.mlp.W_out`).data; // [N, D]
  const WIn = required(model, `blocks.${layer}.mlp.W_in`).data; // [D, N]
  const WGate = model.weights.get(`blocks.${layer}.mlp.W_gate`)?.data;
  const lnf = model.weights.get('ln_final.w')?.data ?? ones;
  const ln2 = model.weights.get(`blocks.${layer}.ln2.w`)?.data ?? ones;
  const { 'unembed.W_U': WU, 'embed.W_E': WE } = weightFeeds(model, ['unembed.W_U', 'embed.W_E']);

  const out: NeuronWeightEffects[] = [];
  for (let n0 = 0; n0 < N; n0 += step) {
    const n1 = Math.min(N, n0 + step);
    const rows = n1 - n0;
    const logits = await rowTopK({ data: WOut.slice(n0 * D, n1 * D), dims: [rows, D] }, lnf, WU, k, { transB: false, bottom: true });
    const inputs = await rowTopK({ data: transposedRows(WIn, D, N, n0, n1), dims: [rows, D] }, ln2, WE, k, { transB: true, bottom: false });
    let gates: RowTopK | null = null;
    if (WGate) {
      gates = await rowTopK({ data: transposedRows(WGate, D, N, n0, n1), dims: [rows, D] }, ln2, WE, k, { transB: true, bottom: false });
    }
    for (let r = 0; r < rows; r++) {
      const effects: NeuronWeightEffects = {
        logitTop: scores(logits.topValues, logits.topIndices, r, k),
        logitBottom: scores(logits.bottomValues!, logits.bottomIndices!, r, k),
        inputTop: scores(inputs.topValues, inputs.topIndices, r, k),
      };
      if (gates) effects.gateTop = scores(gates.topValues, gates.topIndices, r, k);
      out.push(effects);
    }
  }
  return out;
}
