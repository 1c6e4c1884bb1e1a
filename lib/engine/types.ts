import type { Tensor } from '../models/types';
import type { RunOptions } from './interventions';

/**
 * Hook names follow TransformerLens exactly:
 *  hook_embed, hook_pos_embed, blocks.{l}.hook_resid_pre, blocks.{l}.attn.hook_q|hook_k|hook_v [batch, pos, head, d_head]
 *  (hook_k / hook_v have n_key_value_heads heads), blocks.{l}.attn.hook_attn_scores and hook_pattern [batch, head, q, k],
 *  blocks.{l}.attn.hook_z [batch, pos, head, d_head], blocks.{l}.hook_attn_out, blocks.{l}.hook_resid_mid,
 *  blocks.{l}.mlp.hook_pre|hook_post [batch, pos, d_mlp], blocks.{l}.hook_mlp_out, blocks.{l}.hook_resid_post,
 *  ln_final.hook_normalized, and `logits` [batch, pos, d_vocab].
 */
export type HookName = string;

/** Activations by hook name. Every tensor is float32, row-major. */
export type ActivationCache = Map<HookName, Tensor>;

/** Anything that can run a model forward and return the requested hooks: the ONNX engine or the plain-TS reference. */
export interface ForwardRunner {
  /**
   * tokens: a batch of equal-length sequences (ids, BOS already prepended if wanted).
   * options.interventions: ablations / activation patching (lib/engine/interventions.ts has the usage).
   */
  run(tokens: number[][], hooks: HookName[], options?: RunOptions): Promise<ActivationCache>;
  /** Gives a run's outputs back for reuse by later runs (OnnxRunner); only when nothing references them any more. */
  recycle?(cache: ActivationCache): void;
}
