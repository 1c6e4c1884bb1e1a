/** Model shapes the benchmarks build with random weights (lib/engine/random-model.ts): real models' sizes, no download. */
import type { ModelConfig } from '@/lib/models/types';

export const GPT2_SMALL: Partial<ModelConfig> = {
  model_name: 'gpt2-small-shaped',
  n_layers: 12,
  d_model: 768,
  n_heads: 12,
  d_head: 64,
  n_key_value_heads: 12,
  d_mlp: 3072,
  d_vocab: 50257,
  n_ctx: 1024,
  normalization_type: 'LN',
  positional_embedding_type: 'standard',
  act_fn: 'gelu_new',
  gated_mlp: false,
  parallel_attn_mlp: false,
};
export const PYTHIA_70M: Partial<ModelConfig> = {
  model_name: 'pythia-70m-shaped',
  n_layers: 6,
  d_model: 512,
  n_heads: 8,
  d_head: 64,
  n_key_value_heads: 8,
  d_mlp: 2048,
  d_vocab: 50304,
  n_ctx: 2048,
  normalization_type: 'LN',
  positional_embedding_type: 'rotary',
  rotary_dim: 16,
  rotary_base: 10000,
  act_fn: 'gelu',
  gated_mlp: false,
  parallel_attn_mlp: true,
};
