import type { ModelConfig } from '@/lib/models/types';

/**
 * Which MLP activations are "neurons" (TransformerLens hook names `blocks.{L}.mlp.hook_{site}`):
 *  - every MLP: `post`, the activation that W_out reads;
 *  - non-gated MLPs (GELU, ReLU, SoLU) also: `pre`, the neuron's input before the activation function;
 *  - SoLU models also: `mid`, after SoLU and before its LayerNorm (open problem 6.38 compares pre, mid and post).
 * Gated MLPs (SwiGLU) get `post` only: their hook_pre is the gate alone, half of what the neuron computes.
 * Short names are used in URLs (?site=). Shared by the scan (workers) and the live probe (API).
 */
export type NeuronSite = 'post' | 'pre' | 'mid';

export const NEURON_SITES: readonly NeuronSite[] = ['post', 'pre', 'mid'];

export function neuronSites(cfg: Pick<ModelConfig, 'attn_only' | 'd_mlp' | 'act_fn' | 'gated_mlp'>): NeuronSite[] {
  if (cfg.attn_only || cfg.d_mlp === 0) return [];
  if (cfg.gated_mlp) return ['post'];
  return cfg.act_fn === 'solu_ln' ? ['post', 'pre', 'mid'] : ['post', 'pre'];
}

export function siteHook(layer: number, site: NeuronSite): string {
  return `blocks.${layer}.mlp.hook_${site}`;
}
