import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from '../models/types';
import { makeRng, type Rng } from '../sampling/random';

/**
 * Small seeded random-weight models of any supported architecture, for tests that compare two
 * forward implementations (ONNX engine vs reference) or need a model of a given shape quickly.
 * Weights are uniform with standard deviation 1/sqrt(fan_in), so activations stay O(1) through the layers;
 * norm weights are near 1; every optional bias is present unless `biases: false`.
 */

/** A small Llama-ish default, overridable field by field. */
export const TINY_CONFIG: ModelConfig = {
  model_name: 'tiny-random',
  n_layers: 2,
  d_model: 16,
  n_heads: 4,
  d_head: 4,
  n_key_value_heads: 4,
  d_mlp: 24,
  d_vocab: 40,
  n_ctx: 32,
  attn_only: false,
  normalization_type: 'LN',
  positional_embedding_type: 'standard',
  rotary_dim: 4,
  rotary_base: 10000,
  act_fn: 'gelu_new',
  gated_mlp: false,
  parallel_attn_mlp: false,
  eps: 1e-5,
  bos_token_id: 1,
  eos_token_id: 2,
  original_architecture: 'random',
};

export function randomModel(overrides: Partial<ModelConfig>, opts: { seed?: number; biases?: boolean } = {}): CanonicalModel {
  const cfg: ModelConfig = { ...TINY_CONFIG, ...overrides };
  const rng = makeRng(opts.seed ?? 1);
  const biases = opts.biases ?? true;
  const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
  const weights: WeightMap = new Map();
  const put = (name: string, shape: number[], fill: (rng: Rng) => number) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = fill(rng);
    weights.set(name, { shape, data } satisfies Tensor);
  };
  // Uniform on [-a, a] has standard deviation a/√3.
  const uniform = (std: number) => (r: Rng) => (2 * r.next() - 1) * std * Math.sqrt(3);
  const matrix = (name: string, shape: number[], fanIn: number) => put(name, shape, uniform(1 / Math.sqrt(fanIn)));
  const bias = (name: string, shape: number[]) => biases && put(name, shape, uniform(0.1));
  const norm = (prefix: string, size: number) => {
    if (cfg.normalization_type !== 'LN' && cfg.normalization_type !== 'RMS') return; // null, or weights folded (LNPre/RMSPre)
    put(`${prefix}.w`, [size], (r) => 1 + uniform(0.2)(r));
    if (cfg.normalization_type === 'LN') bias(`${prefix}.b`, [size]);
  };

  matrix('embed.W_E', [V, D], 1);
  if (cfg.positional_embedding_type === 'standard') matrix('pos_embed.W_pos', [cfg.n_ctx, D], 4);
  for (let l = 0; l < cfg.n_layers; l++) {
    const b = `blocks.${l}`;
    norm(`${b}.ln1`, D);
    matrix(`${b}.attn.W_Q`, [H, D, dh], D);
    matrix(`${b}.attn.W_K`, [KV, D, dh], D);
    matrix(`${b}.attn.W_V`, [KV, D, dh], D);
    matrix(`${b}.attn.W_O`, [H, dh, D], H * dh);
    bias(`${b}.attn.b_Q`, [H, dh]);
    bias(`${b}.attn.b_K`, [KV, dh]);
    bias(`${b}.attn.b_V`, [KV, dh]);
    bias(`${b}.attn.b_O`, [D]);
    if (cfg.attn_only) continue;
    norm(`${b}.ln2`, D);
    matrix(`${b}.mlp.W_in`, [D, M], D);
    if (cfg.gated_mlp) matrix(`${b}.mlp.W_gate`, [D, M], D);
    bias(`${b}.mlp.b_in`, [M]);
    matrix(`${b}.mlp.W_out`, [M, D], M);
    bias(`${b}.mlp.b_out`, [D]);
    if (cfg.act_fn === 'solu_ln') {
      put(`${b}.mlp.ln.w`, [M], (r) => 1 + uniform(0.2)(r));
      bias(`${b}.mlp.ln.b`, [M]);
    }
  }
  norm('ln_final', D);
  matrix('unembed.W_U', [D, V], D);
  bias('unembed.b_U', [V]);
  return { cfg, weights, source: { path: `random:${cfg.model_name}`, format: 'random' } };
}
