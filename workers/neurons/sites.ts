import type { ModelConfig } from '@/lib/models/types';

/**
 * Which MLP activations are "neurons": hook_post for every MLP; SoLU models also expose pre (before the
 * SoLU) and mid (after SoLU, before its LayerNorm), open problem 6.38. Short names are used in URLs (?site=).
 */
export type NeuronSite = 'post' | 'pre' | 'mid';

export function neuronSites(cfg: ModelConfig): NeuronSite[] {
  if (cfg.attn_only || cfg.d_mlp === 0) return [];
  return cfg.act_fn === 'solu_ln' ? ['post', 'pre', 'mid'] : ['post'];
}

export function siteHook(layer: number, site: NeuronSite): string {
  return `blocks.${layer}.mlp.hook_${site}`;
}
