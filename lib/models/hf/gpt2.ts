import type { ModelConfig, Tensor, WeightMap } from '../types';
import type { TensorSource } from '../safetensors-reader';
import {
  actFnFromHf,
  baseConfig,
  canonical,
  columns,
  concatColumns,
  headsFromColumns,
  headsToColumns,
  HfStateDict,
  transpose,
  weightWriter,
  type HfConfig,
  type HfFamily,
} from './common';

/**
 * GPT-2 (`GPT2LMHeadModel`: gpt2, gpt2-medium/large/xl, distilgpt2, and this project's gelu-2l).
 * Keys `transformer.wte`, `wpe`, `h.{l}.ln_1`, `attn.c_attn` (Q, K, V side by side), `attn.c_proj`, `ln_2`,
 * `mlp.c_fc`, `mlp.c_proj`, `ln_f`, with or without the `transformer.` prefix; `lm_head.weight` is absent when
 * tied to `wte`. GPT-2's Conv1D stores weights [in, out], already TransformerLens' orientation.
 */
export const gpt2Family: HfFamily = {
  modelTypes: ['gpt2'],
  architectures: ['GPT2LMHeadModel', 'GPT2Model'],

  configFromHf(config: HfConfig, name: string): ModelConfig {
    config.refuse('scale_attn_by_inverse_layer_idx', (v) => v === true, 'attention scaled by 1/layer is not implemented');
    const D = config.int('n_embd');
    const H = config.int('n_head');
    if (D % H !== 0) throw new Error(`${config.file}: n_embd ${D} is not a multiple of n_head ${H}`);
    return {
      ...baseConfig(name, 'gpt2'),
      n_layers: config.int('n_layer'),
      d_model: D,
      n_heads: H,
      d_head: D / H,
      n_key_value_heads: H,
      d_mlp: config.int('n_inner', 4 * D),
      d_vocab: config.int('vocab_size'),
      n_ctx: config.int(['n_positions', 'n_ctx']),
      act_fn: actFnFromHf(config.str('activation_function', 'gelu_new'), config, 'activation_function'),
      eps: config.num('layer_norm_epsilon', 1e-5),
      use_attn_scale: config.bool('scale_attn_weights', true),
      bos_token_id: config.tokenId('bos_token_id', 50256),
      eos_token_id: config.tokenId('eos_token_id', 50256),
    };
  },

  weightsFromHf(cfg: ModelConfig, tensors: TensorSource, source: string): WeightMap {
    const sd = HfStateDict.probe(tensors, source, ['transformer.', ''], 'wte.weight');
    const { d_model: D, n_heads: H, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    const weights: WeightMap = new Map();
    const put = weightWriter(weights);
    const W_E = sd.take('wte.weight', [V, D]);
    put('embed.W_E', [V, D], W_E);
    put('pos_embed.W_pos', [cfg.n_ctx, D], sd.take('wpe.weight', [cfg.n_ctx, D]));
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `h.${l}`;
      const b = `blocks.${l}`;
      put(`${b}.ln1.w`, [D], sd.take(`${h}.ln_1.weight`, [D]));
      put(`${b}.ln1.b`, [D], sd.take(`${h}.ln_1.bias`, [D]));
      const qkv = sd.take(`${h}.attn.c_attn.weight`, [D, 3 * D]);
      const qkvBias = sd.take(`${h}.attn.c_attn.bias`, [3 * D]);
      ['Q', 'K', 'V'].forEach((which, i) => {
        put(`${b}.attn.W_${which}`, [H, D, dh], headsFromColumns(columns(qkv, D, 3 * D, i * D, D), D, H, dh));
        put(`${b}.attn.b_${which}`, [H, dh], qkvBias.slice(i * D, (i + 1) * D));
      });
      put(`${b}.attn.W_O`, [H, dh, D], sd.take(`${h}.attn.c_proj.weight`, [D, D]));
      put(`${b}.attn.b_O`, [D], sd.take(`${h}.attn.c_proj.bias`, [D]));
      put(`${b}.ln2.w`, [D], sd.take(`${h}.ln_2.weight`, [D]));
      put(`${b}.ln2.b`, [D], sd.take(`${h}.ln_2.bias`, [D]));
      put(`${b}.mlp.W_in`, [D, M], sd.take(`${h}.mlp.c_fc.weight`, [D, M]));
      put(`${b}.mlp.b_in`, [M], sd.take(`${h}.mlp.c_fc.bias`, [M]));
      put(`${b}.mlp.W_out`, [M, D], sd.take(`${h}.mlp.c_proj.weight`, [M, D]));
      put(`${b}.mlp.b_out`, [D], sd.take(`${h}.mlp.c_proj.bias`, [D]));
    }
    put('ln_final.w', [D], sd.take('ln_f.weight', [D]));
    put('ln_final.b', [D], sd.take('ln_f.bias', [D]));
    const lmHead = sd.takeOptional('lm_head.weight', [V, D], true) ?? W_E; // tied embeddings
    put('unembed.W_U', [D, V], transpose(lmHead, V, D));
    return weights;
  },

  toHf(cfg: ModelConfig, weights: WeightMap) {
    const { d_model: D, n_heads: H, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    if (
      cfg.n_key_value_heads !== H ||
      H * dh !== D ||
      cfg.normalization_type !== 'LN' ||
      cfg.positional_embedding_type !== 'standard' ||
      cfg.gated_mlp ||
      cfg.parallel_attn_mlp
    ) {
      throw new Error(`GPT-2 export: ${cfg.model_name} is not GPT-2 shaped`);
    }
    assertNoUnembedBias(weights, 'GPT-2');
    const state = new Map<string, Tensor>();
    const set = (name: string, shape: number[], data: Float32Array) => state.set(`transformer.${name}`, { shape, data });
    const w = (name: string, zeros?: number) => (zeros === undefined ? canonical(weights, name) : canonical(weights, name, zeros));
    set('wte.weight', [V, D], w('embed.W_E'));
    set('wpe.weight', [cfg.n_ctx, D], w('pos_embed.W_pos'));
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `h.${l}`;
      const b = `blocks.${l}`;
      set(`${h}.ln_1.weight`, [D], w(`${b}.ln1.w`));
      set(`${h}.ln_1.bias`, [D], w(`${b}.ln1.b`, D));
      const parts = ['Q', 'K', 'V'].map((x) => ({ data: headsToColumns(w(`${b}.attn.W_${x}`), H, D, dh), cols: D }));
      set(`${h}.attn.c_attn.weight`, [D, 3 * D], concatColumns(parts, D));
      const bias = new Float32Array(3 * D);
      ['Q', 'K', 'V'].forEach((x, i) => bias.set(w(`${b}.attn.b_${x}`, D), i * D));
      set(`${h}.attn.c_attn.bias`, [3 * D], bias);
      set(`${h}.attn.c_proj.weight`, [D, D], w(`${b}.attn.W_O`));
      set(`${h}.attn.c_proj.bias`, [D], w(`${b}.attn.b_O`, D));
      set(`${h}.ln_2.weight`, [D], w(`${b}.ln2.w`));
      set(`${h}.ln_2.bias`, [D], w(`${b}.ln2.b`, D));
      set(`${h}.mlp.c_fc.weight`, [D, M], w(`${b}.mlp.W_in`));
      set(`${h}.mlp.c_fc.bias`, [M], w(`${b}.mlp.b_in`, M));
      set(`${h}.mlp.c_proj.weight`, [M, D], w(`${b}.mlp.W_out`));
      set(`${h}.mlp.c_proj.bias`, [D], w(`${b}.mlp.b_out`, D));
    }
    set('ln_f.weight', [D], w('ln_final.w'));
    set('ln_f.bias', [D], w('ln_final.b', D));
    state.set('lm_head.weight', { shape: [V, D], data: transpose(w('unembed.W_U'), D, V) });
    const config = {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      vocab_size: V,
      n_positions: cfg.n_ctx,
      n_embd: D,
      n_layer: cfg.n_layers,
      n_head: H,
      n_inner: M,
      activation_function: cfg.act_fn,
      layer_norm_epsilon: cfg.eps,
      scale_attn_weights: cfg.use_attn_scale !== false,
      tie_word_embeddings: false,
      bos_token_id: cfg.bos_token_id,
      eos_token_id: cfg.eos_token_id,
    };
    return { config, state };
  },
};

/** HF causal LMs of these families have no unembedding bias: refuse to drop a nonzero one silently. */
export function assertNoUnembedBias(weights: WeightMap, family: string): void {
  const b = weights.get('unembed.b_U');
  if (b && b.data.some((x) => x !== 0))
    throw new Error(`${family} export: the model has an unembedding bias, which ${family} cannot store`);
}
