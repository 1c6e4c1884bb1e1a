import type { ModelConfig, Tensor, WeightMap } from '../models/types';

/**
 * What every hand-built circuit model shares: an attention-only configuration without normalization, with learned
 * positions (TransformerLens' processing does nothing to it), and a writer of zero-filled weights.
 */
export function plantedAttentionOnlyConfig(
  name: string,
  nLayers: number,
  nHeads: number,
  dModel: number,
  dHead: number,
  dVocab: number,
  nCtx: number,
  eosTokenId = 0,
): ModelConfig {
  return {
    model_name: name,
    n_layers: nLayers,
    d_model: dModel,
    n_heads: nHeads,
    d_head: dHead,
    n_key_value_heads: nHeads,
    d_mlp: 0,
    d_vocab: dVocab,
    n_ctx: nCtx,
    attn_only: true,
    normalization_type: null,
    positional_embedding_type: 'standard',
    rotary_dim: 0,
    rotary_base: 10000,
    act_fn: null,
    gated_mlp: false,
    parallel_attn_mlp: false,
    eps: 1e-5,
    bos_token_id: 0,
    eos_token_id: eosTokenId,
    original_architecture: 'planted',
  };
}

/** `put(name, shape)`: a zero tensor of that shape, stored in `weights` under `name`; returns its data to fill. */
export function weightWriter(weights: WeightMap): (name: string, shape: number[]) => Float32Array {
  return (name, shape) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    weights.set(name, { shape, data } satisfies Tensor);
    return data;
  };
}
