import type { ModelConfig, Tensor, WeightMap } from '../types';
import type { TensorSource } from '../safetensors-reader';
import { assertNoUnembedBias } from './gpt2';
import { actFnFromHf, baseConfig, canonical, HfStateDict, transpose, weightWriter, type HfConfig, type HfFamily } from './common';

/**
 * GPT-NeoX / Pythia (`GPTNeoXForCausalLM`). Keys `gpt_neox.embed_in`, `layers.{l}.input_layernorm`,
 * `attention.query_key_value` (one nn.Linear whose output rows are interleaved per head: for head h, rows
 * h·3·d_head + [0, d_head) are q, the next d_head k, then v), `attention.dense`, `post_attention_layernorm`,
 * `mlp.dense_h_to_4h`, `mlp.dense_4h_to_h`, `final_layer_norm`, and an untied `embed_out`.
 * Rotary on the first rotary_pct·d_head dimensions with rotate_half pairing (TransformerLens' own convention);
 * `use_parallel_residual` (Pythia: true) makes attention and MLP read the same resid_pre.
 */
export const gptNeoxFamily: HfFamily = {
  modelTypes: ['gpt_neox'],
  architectures: ['GPTNeoXForCausalLM', 'GPTNeoXModel'],

  configFromHf(config: HfConfig, name: string): ModelConfig {
    config.refuse('rope_scaling', (v) => v !== undefined && v !== null, 'scaled rotary embeddings are not implemented');
    const D = config.int('hidden_size');
    const H = config.int('num_attention_heads');
    if (D % H !== 0) throw new Error(`${config.file}: hidden_size ${D} is not a multiple of num_attention_heads ${H}`);
    const dh = D / H;
    const pct = config.num(['rotary_pct', 'partial_rotary_factor'], 0.25);
    const rotaryDim = Math.floor(dh * pct);
    if (!(rotaryDim > 0 && rotaryDim % 2 === 0))
      throw new Error(
        `${config.file}: rotary_pct ${pct} of head size ${dh} gives ${rotaryDim} rotary dimensions; need a positive even number`,
      );
    return {
      ...baseConfig(name, 'neox'),
      n_layers: config.int('num_hidden_layers'),
      d_model: D,
      n_heads: H,
      d_head: dh,
      n_key_value_heads: H,
      d_mlp: config.int('intermediate_size', 4 * D),
      d_vocab: config.int('vocab_size'),
      n_ctx: config.int('max_position_embeddings'),
      positional_embedding_type: 'rotary',
      rotary_dim: rotaryDim,
      rotary_base: config.num(['rotary_emb_base', 'rope_theta'], 10000),
      act_fn: actFnFromHf(config.str('hidden_act', 'gelu'), config, 'hidden_act'),
      parallel_attn_mlp: config.bool('use_parallel_residual', true),
      eps: config.num('layer_norm_eps', 1e-5),
      bos_token_id: config.tokenId('bos_token_id', 0),
      eos_token_id: config.tokenId('eos_token_id', 0),
    };
  },

  weightsFromHf(cfg: ModelConfig, tensors: TensorSource, source: string): WeightMap {
    const sd = HfStateDict.probe(tensors, source, ['gpt_neox.', ''], 'embed_in.weight');
    const { d_model: D, n_heads: H, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    const weights: WeightMap = new Map();
    const put = weightWriter(weights);
    const W_E = sd.take('embed_in.weight', [V, D]);
    put('embed.W_E', [V, D], W_E);
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `layers.${l}`;
      const b = `blocks.${l}`;
      put(`${b}.ln1.w`, [D], sd.take(`${h}.input_layernorm.weight`, [D]));
      put(`${b}.ln1.b`, [D], sd.take(`${h}.input_layernorm.bias`, [D]));
      const qkv = sd.take(`${h}.attention.query_key_value.weight`, [3 * D, D]);
      const qkvBias = sd.takeOptional(`${h}.attention.query_key_value.bias`, [3 * D]);
      ['Q', 'K', 'V'].forEach((which, part) => {
        const W = new Float32Array(H * D * dh);
        const bias = new Float32Array(H * dh);
        for (let head = 0; head < H; head++) {
          for (let c = 0; c < dh; c++) {
            const row = head * 3 * dh + part * dh + c;
            for (let i = 0; i < D; i++) W[(head * D + i) * dh + c] = qkv[row * D + i];
            if (qkvBias) bias[head * dh + c] = qkvBias[row];
          }
        }
        put(`${b}.attn.W_${which}`, [H, D, dh], W);
        put(`${b}.attn.b_${which}`, [H, dh], qkvBias ? bias : null);
      });
      put(`${b}.attn.W_O`, [H, dh, D], transpose(sd.take(`${h}.attention.dense.weight`, [D, D]), D, D));
      put(`${b}.attn.b_O`, [D], sd.takeOptional(`${h}.attention.dense.bias`, [D]));
      put(`${b}.ln2.w`, [D], sd.take(`${h}.post_attention_layernorm.weight`, [D]));
      put(`${b}.ln2.b`, [D], sd.take(`${h}.post_attention_layernorm.bias`, [D]));
      put(`${b}.mlp.W_in`, [D, M], transpose(sd.take(`${h}.mlp.dense_h_to_4h.weight`, [M, D]), M, D));
      put(`${b}.mlp.b_in`, [M], sd.takeOptional(`${h}.mlp.dense_h_to_4h.bias`, [M]));
      put(`${b}.mlp.W_out`, [M, D], transpose(sd.take(`${h}.mlp.dense_4h_to_h.weight`, [D, M]), D, M));
      put(`${b}.mlp.b_out`, [D], sd.takeOptional(`${h}.mlp.dense_4h_to_h.bias`, [D]));
    }
    put('ln_final.w', [D], sd.take('final_layer_norm.weight', [D]));
    put('ln_final.b', [D], sd.take('final_layer_norm.bias', [D]));
    const unembed = sd.takeOptional('embed_out.weight', [V, D], true) ?? W_E; // tie_word_embeddings
    put('unembed.W_U', [D, V], transpose(unembed, V, D));
    return weights;
  },

  toHf(cfg: ModelConfig, weights: WeightMap) {
    const { d_model: D, n_heads: H, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    if (
      cfg.n_key_value_heads !== H ||
      H * dh !== D ||
      cfg.normalization_type !== 'LN' ||
      cfg.positional_embedding_type !== 'rotary' ||
      cfg.gated_mlp
    ) {
      throw new Error(`GPT-NeoX export: ${cfg.model_name} is not GPT-NeoX shaped`);
    }
    assertNoUnembedBias(weights, 'GPT-NeoX');
    const state = new Map<string, Tensor>();
    const set = (name: string, shape: number[], data: Float32Array) => state.set(`gpt_neox.${name}`, { shape, data });
    const w = (name: string, zeros?: number) => (zeros === undefined ? canonical(weights, name) : canonical(weights, name, zeros));
    set('embed_in.weight', [V, D], w('embed.W_E'));
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `layers.${l}`;
      const b = `blocks.${l}`;
      set(`${h}.input_layernorm.weight`, [D], w(`${b}.ln1.w`));
      set(`${h}.input_layernorm.bias`, [D], w(`${b}.ln1.b`, D));
      const qkv = new Float32Array(3 * D * D);
      const qkvBias = new Float32Array(3 * D);
      ['Q', 'K', 'V'].forEach((which, part) => {
        const W = w(`${b}.attn.W_${which}`);
        const bias = w(`${b}.attn.b_${which}`, H * dh);
        for (let head = 0; head < H; head++) {
          for (let c = 0; c < dh; c++) {
            const row = head * 3 * dh + part * dh + c;
            for (let i = 0; i < D; i++) qkv[row * D + i] = W[(head * D + i) * dh + c];
            qkvBias[row] = bias[head * dh + c];
          }
        }
      });
      set(`${h}.attention.query_key_value.weight`, [3 * D, D], qkv);
      set(`${h}.attention.query_key_value.bias`, [3 * D], qkvBias);
      set(`${h}.attention.dense.weight`, [D, D], transpose(w(`${b}.attn.W_O`), D, D));
      set(`${h}.attention.dense.bias`, [D], w(`${b}.attn.b_O`, D));
      set(`${h}.post_attention_layernorm.weight`, [D], w(`${b}.ln2.w`));
      set(`${h}.post_attention_layernorm.bias`, [D], w(`${b}.ln2.b`, D));
      set(`${h}.mlp.dense_h_to_4h.weight`, [M, D], transpose(w(`${b}.mlp.W_in`), D, M));
      set(`${h}.mlp.dense_h_to_4h.bias`, [M], w(`${b}.mlp.b_in`, M));
      set(`${h}.mlp.dense_4h_to_h.weight`, [D, M], transpose(w(`${b}.mlp.W_out`), M, D));
      set(`${h}.mlp.dense_4h_to_h.bias`, [D], w(`${b}.mlp.b_out`, D));
    }
    set('final_layer_norm.weight', [D], w('ln_final.w'));
    set('final_layer_norm.bias', [D], w('ln_final.b', D));
    state.set('embed_out.weight', { shape: [V, D], data: transpose(w('unembed.W_U'), D, V) });
    const config = {
      architectures: ['GPTNeoXForCausalLM'],
      model_type: 'gpt_neox',
      vocab_size: V,
      max_position_embeddings: cfg.n_ctx,
      hidden_size: D,
      num_hidden_layers: cfg.n_layers,
      num_attention_heads: H,
      intermediate_size: M,
      hidden_act: cfg.act_fn,
      rotary_pct: cfg.rotary_dim / dh,
      rotary_emb_base: cfg.rotary_base,
      layer_norm_eps: cfg.eps,
      use_parallel_residual: cfg.parallel_attn_mlp,
      tie_word_embeddings: false,
      bos_token_id: cfg.bos_token_id,
      eos_token_id: cfg.eos_token_id,
    };
    return { config, state };
  },
};
