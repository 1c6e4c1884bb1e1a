import type { PlantedHead } from './planted-truth';
/**
 * Canonical model description and weights, in TransformerLens' layout and names,
 * so that every number headwiki shows can be compared with a TransformerLens notebook.
 */

/** A dense float32 tensor, row-major. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/**
 * A weight kept in IEEE float16 (its bits), for a float16 graph (lib/engine/float16-weights.ts): half the memory of
 * its float32 Tensor. Only the ONNX engine's float16 graphs read these.
 */
export interface Float16Tensor {
  shape: number[];
  data: Uint16Array;
}

/** HookedTransformerConfig, the subset headwiki needs (TransformerLens field names). */
export interface ModelConfig {
  /** TransformerLens-style official name, e.g. `stories260K`, `gpt2-small`. */
  model_name: string;
  n_layers: number;
  d_model: number;
  n_heads: number;
  d_head: number;
  /** Grouped-query attention: number of key/value heads (= n_heads when not grouped). */
  n_key_value_heads: number;
  /** 0 when attn_only. */
  d_mlp: number;
  d_vocab: number;
  n_ctx: number;
  attn_only: boolean;
  /**
   * 'LNPre' / 'RMSPre': the norm's weight (and bias) were folded into the weights that read its output
   * (TransformerLens' fold_ln, lib/models/process-weights.ts), so the norm only centres and scales.
   */
  normalization_type: 'LN' | 'LNPre' | 'RMS' | 'RMSPre' | null;
  positional_embedding_type: 'standard' | 'rotary';
  /** Rotary: how many dimensions of each head are rotated (d_head for Llama). */
  rotary_dim: number;
  rotary_base: number;
  /** Activation function of the MLP. */
  act_fn: 'silu' | 'gelu' | 'gelu_new' | 'relu' | 'solu_ln' | null;
  /** Llama-style SwiGLU: post = act(x W_gate) * (x W_in). */
  gated_mlp: boolean;
  /** GPT-NeoX / Pythia: attention and MLP read the same resid_pre. */
  parallel_attn_mlp: boolean;
  eps: number;
  /** Scale attention scores by 1/sqrt(d_head) (TransformerLens `use_attn_scale`); absent means true, GPT-Neo has false. */
  use_attn_scale?: boolean;
  /**
   * Per-layer attention kind (TransformerLens `attn_types`, GPT-Neo, Mistral's sliding window): a `local` layer's
   * query at position i sees keys i - window_size + 1 .. i only. Absent or null: every layer is global.
   */
  attn_types?: Array<'global' | 'local'> | null;
  window_size?: number | null;
  /** Special token ids. */
  bos_token_id: number;
  eos_token_id: number;
  /** Architecture family as loaded, for display: `llama`, `gpt2`, `neox`, ... */
  original_architecture: string;
}

/**
 * Canonical weights, keyed by TransformerLens state-dict names:
 *  embed.W_E [d_vocab, d_model], pos_embed.W_pos [n_ctx, d_model] (standard positions only),
 *  blocks.{l}.ln1.w/.b [d_model], blocks.{l}.ln2.w/.b,
 *  blocks.{l}.attn.W_Q [n_heads, d_model, d_head], blocks.{l}.attn.b_Q [n_heads, d_head],
 *  blocks.{l}.attn.W_K / W_V [n_key_value_heads, d_model, d_head] (+ b_K / b_V),
 *  blocks.{l}.attn.W_O [n_heads, d_head, d_model], blocks.{l}.attn.b_O [d_model],
 *  blocks.{l}.mlp.W_in [d_model, d_mlp], W_gate [d_model, d_mlp] (gated only), b_in [d_mlp],
 *  blocks.{l}.mlp.W_out [d_mlp, d_model], b_out [d_model],
 *  ln_final.w/.b [d_model], unembed.W_U [d_model, d_vocab], unembed.b_U [d_vocab].
 * Absent biases mean zero. Rotary uses the GPT-NeoX / TransformerLens "rotate_half" pairing
 * (dimension i with i + rotary_dim/2); loaders of interleaved checkpoints (llama2.c, Meta)
 * permute W_Q/W_K columns so that attention scores are unchanged.
 */
export type WeightMap = Map<string, Tensor>;

/** Whether the model's norms subtract the mean (LayerNorm, folded or not) rather than only rescale (RMSNorm). */
export function normCentres(cfg: Pick<ModelConfig, 'normalization_type'>): boolean {
  return cfg.normalization_type === 'LN' || cfg.normalization_type === 'LNPre';
}

export interface CanonicalModel {
  cfg: ModelConfig;
  weights: WeightMap;
  /** Where it came from (path or hub id), license, for display and for runs. */
  source: {
    path: string;
    format: string;
    license?: string;
    /**
     * The checkpoint's storage dtype (F32, F16, BF16) when it was read from safetensors. The weights here are always
     * float32 (converted tensor by tensor on load): the CPU provider computes in float32 (lib/engine/precision.ts).
     */
    dtype?: string;
  };
  /**
   * Weights kept 16-bit (keepWeightsFloat16, lib/engine/float16-weights.ts): each name here is absent from `weights`.
   * Only the matrices (`W_*`) move; norms and biases stay float32. Set only where the run computes in float16.
   */
  float16Weights?: Map<string, Float16Tensor>;
  /** Parameters of the checkpoint as published (a shared classifier once), kept when weight processing changes the
   * tensors (an unembedding centred apart from the embedding would otherwise count twice). */
  checkpointParams?: number;
  /** Heads a hand-built model has by construction (lib/testing/planted-models.ts); stored in the Model row's config
   * JSON as `plantedTruth` so the model page can compare them with what was detected (lib/models/planted-truth.ts). */
  plantedTruth?: PlantedHead[];
}
