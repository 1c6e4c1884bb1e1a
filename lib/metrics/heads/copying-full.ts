import * as ort from 'onnxruntime-node';
import type { ModelConfig, WeightMap } from '../../models/types';
import { chunkedContraction, matMul, type DenseTensor } from '../../engine/weight-products';
import { matrix } from '../../numerics/matrix';
import type { HeadMetric } from './types';
import { copyingScore } from './copying-ov';

/** Vocabulary entries per engine call of W_U W_E (float32 [d_model, chunk] partial products, summed in float64). */
const VOCAB_CHUNK = 4096;

function weight(cfg: ModelConfig, weights: WeightMap, name: string) {
  const t = weights.get(name);
  if (!t) throw new Error(`${cfg.model_name}: the full OV circuit needs ${name}`);
  return t;
}

/**
 * Every head's W_O (W_U W_E) W_V (d_head × d_head, the same non-zero spectrum as the full circuit W_E W_V W_O W_U),
 * on the engine: W_U W_E contracted over the vocabulary in chunks, then two batched MatMuls per layer.
 * copying-full.reference.ts computes the same in float64 JavaScript (the tests' reference).
 */
export async function fullOvSmallMatrices(cfg: ModelConfig, weights: WeightMap): Promise<Float32Array[]> {
  const WE = weight(cfg, weights, 'embed.W_E');
  const WU = weight(cfg, weights, 'unembed.W_U');
  const { d_model: d, d_head: r, n_heads: H, n_key_value_heads: KV } = cfg;
  const vocab = Math.min(cfg.d_vocab, WE.shape[0], WU.shape[1]);
  const ue64 = await chunkedContraction(
    new ort.Tensor('float32', WU.data, WU.shape),
    new ort.Tensor('float32', WE.data, WE.shape),
    VOCAB_CHUNK,
    vocab,
  );
  const ue: DenseTensor = { data: Float32Array.from(ue64), dims: [d, d] };
  const out: Float32Array[] = [];
  for (let l = 0; l < cfg.n_layers; l++) {
    const WO: DenseTensor = { data: weight(cfg, weights, `blocks.${l}.attn.W_O`).data, dims: [H, r, d] };
    const WVkv = weight(cfg, weights, `blocks.${l}.attn.W_V`).data;
    const WV = new Float32Array(H * d * r);
    for (let h = 0; h < H; h++) {
      const kv = Math.floor((h * KV) / H);
      WV.set(WVkv.subarray(kv * d * r, (kv + 1) * d * r), h * d * r);
    }
    const small = await matMul(await matMul(WO, ue), { data: WV, dims: [H, d, r] });
    for (let h = 0; h < H; h++) out.push(small.data.slice(h * r * r, (h + 1) * r * r));
  }
  return out;
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
    const { n_heads: H, d_head: r } = ctx.cfg;
    const small = await fullOvSmallMatrices(ctx.cfg, ctx.weights);
    return Array.from({ length: ctx.cfg.n_layers }, (_, l) =>
      Array.from({ length: H }, (_, h) => copyingScore(matrix(r, r, small[l * H + h]))),
    );
  },
};
