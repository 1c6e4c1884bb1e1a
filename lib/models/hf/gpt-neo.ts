import type { ModelConfig, Tensor, WeightMap } from '../types';
import type { TensorSource } from '../safetensors-reader';
import { assertNoUnembedBias } from './gpt2';
import {
  actFnFromHf,
  baseConfig,
  canonical,
  headsFromColumns,
  headsToColumns,
  HfStateDict,
  transpose,
  weightWriter,
  type HfConfig,
  type HfFamily,
} from './common';

/**
 * GPT-Neo (`GPTNeoForCausalLM`: gpt-neo-125M/1.3B/2.7B, TinyStories-*M). Like GPT-2 but with nn.Linear
 * ([out, in]) projections `attn.attention.{q,k,v}_proj` (no biases) and `out_proj`, MLP `c_fc`/`c_proj` as
 * Linear too, attention scores NOT scaled by 1/√d_head (TransformerLens `use_attn_scale: false`), and
 * alternating global / local layers (`attention_layers`, local ones see the last `window_size` positions).
 */
export const gptNeoFamily: HfFamily = {
  modelTypes: ['gpt_neo'],
  architectures: ['GPTNeoForCausalLM', 'GPTNeoModel'],

  configFromHf(config: HfConfig, name: string): ModelConfig {
    const D = config.int('hidden_size');
    const H = config.int('num_heads');
    const L = config.int('num_layers');
    if (D % H !== 0) throw new Error(`${config.file}: hidden_size ${D} is not a multiple of num_heads ${H}`);
    return {
      ...baseConfig(name, 'gpt_neo'),
      n_layers: L,
      d_model: D,
      n_heads: H,
      d_head: D / H,
      n_key_value_heads: H,
      d_mlp: config.int('intermediate_size', 4 * D),
      d_vocab: config.int('vocab_size'),
      n_ctx: config.int('max_position_embeddings'),
      act_fn: actFnFromHf(config.str('activation_function', 'gelu_new'), config, 'activation_function'),
      eps: config.num('layer_norm_epsilon', 1e-5),
      use_attn_scale: false,
      attn_types: attentionLayers(config, L),
      window_size: config.int('window_size', 256),
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
      const a = `${h}.attn.attention`;
      const b = `blocks.${l}`;
      put(`${b}.ln1.w`, [D], sd.take(`${h}.ln_1.weight`, [D]));
      put(`${b}.ln1.b`, [D], sd.take(`${h}.ln_1.bias`, [D]));
      for (const [which, key] of [
        ['Q', 'q_proj'],
        ['K', 'k_proj'],
        ['V', 'v_proj'],
      ]) {
        put(`${b}.attn.W_${which}`, [H, D, dh], headsFromColumns(transpose(sd.take(`${a}.${key}.weight`, [D, D]), D, D), D, H, dh));
      }
      put(`${b}.attn.W_O`, [H, dh, D], transpose(sd.take(`${a}.out_proj.weight`, [D, D]), D, D));
      put(`${b}.attn.b_O`, [D], sd.take(`${a}.out_proj.bias`, [D]));
      put(`${b}.ln2.w`, [D], sd.take(`${h}.ln_2.weight`, [D]));
      put(`${b}.ln2.b`, [D], sd.take(`${h}.ln_2.bias`, [D]));
      put(`${b}.mlp.W_in`, [D, M], transpose(sd.take(`${h}.mlp.c_fc.weight`, [M, D]), M, D));
      put(`${b}.mlp.b_in`, [M], sd.take(`${h}.mlp.c_fc.bias`, [M]));
      put(`${b}.mlp.W_out`, [M, D], transpose(sd.take(`${h}.mlp.c_proj.weight`, [D, M]), D, M));
      put(`${b}.mlp.b_out`, [D], sd.take(`${h}.mlp.c_proj.bias`, [D]));
    }
    put('ln_final.w', [D], sd.take('ln_f.weight', [D]));
    put('ln_final.b', [D], sd.take('ln_f.bias', [D]));
    const lmHead = sd.takeOptional('lm_head.weight', [V, D], true) ?? W_E;
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
      cfg.gated_mlp
    ) {
      throw new Error(`GPT-Neo export: ${cfg.model_name} is not GPT-Neo shaped`);
    }
    for (let l = 0; l < cfg.n_layers; l++) {
      for (const x of ['Q', 'K', 'V']) {
        if (weights.get(`blocks.${l}.attn.b_${x}`)?.data.some((v) => v !== 0))
          throw new Error(`GPT-Neo export: b_${x} must be zero (GPT-Neo has no q/k/v biases)`);
      }
    }
    assertNoUnembedBias(weights, 'GPT-Neo');
    const state = new Map<string, Tensor>();
    const set = (name: string, shape: number[], data: Float32Array) => state.set(`transformer.${name}`, { shape, data });
    const w = (name: string, zeros?: number) => (zeros === undefined ? canonical(weights, name) : canonical(weights, name, zeros));
    set('wte.weight', [V, D], w('embed.W_E'));
    set('wpe.weight', [cfg.n_ctx, D], w('pos_embed.W_pos'));
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `h.${l}`;
      const a = `${h}.attn.attention`;
      const b = `blocks.${l}`;
      set(`${h}.ln_1.weight`, [D], w(`${b}.ln1.w`));
      set(`${h}.ln_1.bias`, [D], w(`${b}.ln1.b`, D));
      for (const [which, key] of [
        ['Q', 'q_proj'],
        ['K', 'k_proj'],
        ['V', 'v_proj'],
      ]) {
        set(`${a}.${key}.weight`, [D, D], transpose(headsToColumns(w(`${b}.attn.W_${which}`), H, D, dh), D, D));
      }
      set(`${a}.out_proj.weight`, [D, D], transpose(w(`${b}.attn.W_O`), D, D));
      set(`${a}.out_proj.bias`, [D], w(`${b}.attn.b_O`, D));
      set(`${h}.ln_2.weight`, [D], w(`${b}.ln2.w`));
      set(`${h}.ln_2.bias`, [D], w(`${b}.ln2.b`, D));
      set(`${h}.mlp.c_fc.weight`, [M, D], transpose(w(`${b}.mlp.W_in`), D, M));
      set(`${h}.mlp.c_fc.bias`, [M], w(`${b}.mlp.b_in`, M));
      set(`${h}.mlp.c_proj.weight`, [D, M], transpose(w(`${b}.mlp.W_out`), M, D));
      set(`${h}.mlp.c_proj.bias`, [D], w(`${b}.mlp.b_out`, D));
    }
    set('ln_f.weight', [D], w('ln_final.w'));
    set('ln_f.bias', [D], w('ln_final.b', D));
    state.set('lm_head.weight', { shape: [V, D], data: transpose(w('unembed.W_U'), D, V) });
    const layers = cfg.attn_types ?? Array(cfg.n_layers).fill('global');
    const config = {
      architectures: ['GPTNeoForCausalLM'],
      model_type: 'gpt_neo',
      vocab_size: V,
      max_position_embeddings: cfg.n_ctx,
      hidden_size: D,
      num_layers: cfg.n_layers,
      num_heads: H,
      intermediate_size: M,
      activation_function: cfg.act_fn,
      layer_norm_epsilon: cfg.eps,
      attention_types: layers.map((kind) => [[kind], 1]),
      attention_layers: layers,
      window_size: cfg.window_size ?? 256,
      bos_token_id: cfg.bos_token_id,
      eos_token_id: cfg.eos_token_id,
    };
    return { config, state };
  },
};

/** `attention_layers` (the expanded list), else `attention_types` ([[["global", "local"], 6]] = 6 × that pattern). */
function attentionLayers(config: HfConfig, nLayers: number): Array<'global' | 'local'> {
  let layers: unknown[] | undefined = Array.isArray(config.raw.attention_layers) ? config.raw.attention_layers : undefined;
  if (!layers && Array.isArray(config.raw.attention_types)) {
    layers = [];
    for (const entry of config.raw.attention_types as unknown[]) {
      const [kinds, repeat] = Array.isArray(entry) ? entry : [];
      if (!Array.isArray(kinds) || !Number.isInteger(repeat))
        throw new Error(`${config.file}: attention_types entry ${JSON.stringify(entry)} is not [[kinds...], repeat]`);
      for (let r = 0; r < (repeat as number); r++) layers.push(...kinds);
    }
  }
  layers ??= Array(nLayers).fill('global');
  if (layers.length !== nLayers || !layers.every((k) => k === 'global' || k === 'local')) {
    throw new Error(`${config.file}: attention layers ${JSON.stringify(layers)} must be ${nLayers} entries of "global" / "local"`);
  }
  return layers as Array<'global' | 'local'>;
}
