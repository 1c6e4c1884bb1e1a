/**
 * The plain-JavaScript reference of workers/neurons/weight-effects.ts, kept only for its tests (float32 loops and a
 * full sort per neuron: hours on a GPT-2-sized model; the engine version runs MatMul/TopK graphs).
 * What a neuron reads and writes, from the weights alone (open problem 6.32):
 *  - logit effect: W_out[n] · diag(ln_final.w) · W_U, the direct effect of the neuron's output on each
 *    token's logit with the final norm's scale folded in (its normalisation by the residual's size is not);
 *  - input tokens: W_E · diag(ln2.w) · W_in[:, n], how much each token's embedding excites the neuron
 *    directly through the block's norm (for gated MLPs also through W_gate, which feeds the activation fn).
 */
import type { CanonicalModel, Tensor } from '@/lib/models/types';
import type { NeuronWeightEffects, TokenScore } from './weight-effects';

function weight(model: CanonicalModel, name: string): Tensor | undefined {
  return model.weights.get(name);
}

function required(model: CanonicalModel, name: string): Tensor {
  const t = weight(model, name);
  if (!t) throw new Error(`${model.cfg.model_name} has no weight ${name}`);
  return t;
}

/** out[v, n] = Σ_j A[v, j] · scale[j] · B[j, n] for A [V, D], B [D, N]. */
function scaledMatmul(A: Float32Array, V: number, D: number, scale: Float32Array | null, B: Float32Array, N: number): Float32Array {
  const out = new Float32Array(V * N);
  for (let v = 0; v < V; v++) {
    const o = v * N;
    for (let j = 0; j < D; j++) {
      const a = A[v * D + j] * (scale ? scale[j] : 1);
      if (a === 0) continue;
      const b = j * N;
      for (let n = 0; n < N; n++) out[o + n] += a * B[b + n];
    }
  }
  return out;
}

function topOfColumn(M: Float32Array, rows: number, cols: number, col: number, count: number, dir: 1 | -1): TokenScore[] {
  const idx = Array.from({ length: rows }, (_, v) => v);
  idx.sort((a, b) => dir * (M[b * cols + col] - M[a * cols + col]) || a - b);
  return idx.slice(0, count).map((v) => ({ token: v, score: M[v * cols + col] }));
}

/** Weight effects of every neuron of a layer, top/bottom `count` tokens each. */
export function referenceLayerWeightEffects(model: CanonicalModel, layer: number, count = 20): NeuronWeightEffects[] {
  const { d_model: D, d_mlp: N, d_vocab: V } = model.cfg;
  const WOut = required(model, `blocks.${layer}.mlp.W_out`).data; // [N, D]
  const WU = required(model, 'unembed.W_U').data; // [D, V]
  const lnf = weight(model, 'ln_final.w')?.data ?? null;
  const WE = required(model, 'embed.W_E').data; // [V, D]
  const ln2 = weight(model, `blocks.${layer}.ln2.w`)?.data ?? null;
  const WIn = required(model, `blocks.${layer}.mlp.W_in`).data; // [D, N]
  const WGate = weight(model, `blocks.${layer}.mlp.W_gate`)?.data;

  const logits = scaledMatmul(WOut, N, D, lnf, WU, V); // [N, V]
  const inputs = scaledMatmul(WE, V, D, ln2, WIn, N); // [V, N]
  const gates = WGate ? scaledMatmul(WE, V, D, ln2, WGate, N) : null;
  return Array.from({ length: N }, (_, n) => {
    const row = logits.subarray(n * V, (n + 1) * V);
    const order = Array.from({ length: V }, (_, v) => v).sort((a, b) => row[b] - row[a] || a - b);
    const effects: NeuronWeightEffects = {
      logitTop: order.slice(0, count).map((v) => ({ token: v, score: row[v] })),
      // Ties: the lower token id first in both lists (as onnxruntime's TopK orders them).
      logitBottom: topOfColumn(row, V, 1, 0, count, -1),
      inputTop: topOfColumn(inputs, V, N, n, count, 1),
    };
    if (gates) effects.gateTop = topOfColumn(gates, V, N, n, count, 1);
    return effects;
  });
}
