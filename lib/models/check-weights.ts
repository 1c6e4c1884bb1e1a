import type { ModelConfig, WeightMap } from './types';

/**
 * Checks that canonical weights match their config: every required tensor present, every present one
 * (biases included) of the right shape. Loaders of already-canonical files (TransformerLens state dicts)
 * call it so that a missing or misshapen tensor fails at load time, naming the file and the tensor.
 */
export function checkCanonicalWeights(cfg: ModelConfig, weights: WeightMap, source: string): void {
  const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
  const problems: string[] = [];
  const expect = (name: string, shape: number[], required: boolean) => {
    const t = weights.get(name);
    if (!t) {
      if (required) problems.push(`missing tensor ${name} (expected shape [${shape.join(', ')}])`);
      return;
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      problems.push(`tensor ${name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  };
  const folded = cfg.normalization_type === 'LNPre' || cfg.normalization_type === 'RMSPre';
  const norm = (prefix: string, size: number) => {
    if (cfg.normalization_type === null) return;
    expect(`${prefix}.w`, [size], !folded);
    expect(`${prefix}.b`, [size], false);
  };
  expect('embed.W_E', [V, D], true);
  if (cfg.positional_embedding_type === 'standard') expect('pos_embed.W_pos', [cfg.n_ctx, D], true);
  for (let l = 0; l < cfg.n_layers; l++) {
    const b = `blocks.${l}`;
    norm(`${b}.ln1`, D);
    expect(`${b}.attn.W_Q`, [H, D, dh], true);
    expect(`${b}.attn.W_K`, [KV, D, dh], true);
    expect(`${b}.attn.W_V`, [KV, D, dh], true);
    expect(`${b}.attn.W_O`, [H, dh, D], true);
    expect(`${b}.attn.b_Q`, [H, dh], false);
    expect(`${b}.attn.b_K`, [KV, dh], false);
    expect(`${b}.attn.b_V`, [KV, dh], false);
    expect(`${b}.attn.b_O`, [D], false);
    if (cfg.attn_only) continue;
    norm(`${b}.ln2`, D);
    expect(`${b}.mlp.W_in`, [D, M], true);
    if (cfg.gated_mlp) expect(`${b}.mlp.W_gate`, [D, M], true);
    expect(`${b}.mlp.b_in`, [M], false);
    expect(`${b}.mlp.W_out`, [M, D], true);
    expect(`${b}.mlp.b_out`, [D], false);
  }
  norm('ln_final', D);
  expect('unembed.W_U', [D, V], true);
  expect('unembed.b_U', [V], false);
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).join('; ');
    throw new Error(`${source}: ${shown}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`);
  }
}
