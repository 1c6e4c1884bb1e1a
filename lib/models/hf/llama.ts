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
 * Llama-family checkpoints (`LlamaForCausalLM`, `MistralForCausalLM`): RMSNorm, rotary on every head
 * dimension, SwiGLU MLP `down(silu(gate x) · up x)`, grouped-query attention. Keys `model.embed_tokens`,
 * `layers.{l}.input_layernorm`, `self_attn.{q,k,v,o}_proj`, `post_attention_layernorm`,
 * `mlp.{gate,up,down}_proj`, `model.norm`, `lm_head` (absent when tied).
 * Hugging Face's converter already permuted Meta's interleaved rotary pairs into rotate_half order, which
 * is TransformerLens' (canonical) convention, so q/k need no permutation here (unlike llama2.c files).
 * Mistral's sliding window becomes `local` attention on every layer.
 */
export const llamaFamily: HfFamily = {
  modelTypes: ['llama', 'mistral'],
  architectures: ['LlamaForCausalLM', 'MistralForCausalLM', 'LlamaModel', 'MistralModel'],

  configFromHf(config: HfConfig, name: string): ModelConfig {
    config.refuse(
      'rope_scaling',
      (v) => v !== undefined && v !== null && (v as { rope_type?: string; type?: string }).rope_type !== 'default',
      'scaled rotary embeddings (Llama 3.1 and later, linear / dynamic NTK) are not implemented',
    );
    const D = config.int('hidden_size');
    const H = config.int('num_attention_heads');
    const L = config.int('num_hidden_layers');
    const dh = config.int('head_dim', D / H);
    const kv = config.int('num_key_value_heads', H);
    if (H % kv !== 0) throw new Error(`${config.file}: num_attention_heads ${H} is not a multiple of num_key_value_heads ${kv}`);
    const nCtx = config.int('max_position_embeddings');
    const window =
      config.raw.model_type === 'mistral' && Number.isInteger(config.raw.sliding_window) ? (config.raw.sliding_window as number) : null;
    return {
      ...baseConfig(name, 'llama'),
      n_layers: L,
      d_model: D,
      n_heads: H,
      d_head: dh,
      n_key_value_heads: kv,
      d_mlp: config.int('intermediate_size'),
      d_vocab: config.int('vocab_size'),
      n_ctx: nCtx,
      normalization_type: 'RMS',
      positional_embedding_type: 'rotary',
      rotary_dim: dh,
      rotary_base: config.num('rope_theta', 10000),
      act_fn: actFnFromHf(config.str('hidden_act', 'silu'), config, 'hidden_act'),
      gated_mlp: true,
      eps: config.num('rms_norm_eps', 1e-6),
      ...(window !== null && window < nCtx ? { attn_types: Array(L).fill('local'), window_size: window } : {}),
      bos_token_id: config.tokenId('bos_token_id', 1),
      eos_token_id: config.tokenId('eos_token_id', 2),
    };
  },

  weightsFromHf(cfg: ModelConfig, tensors: TensorSource, source: string): WeightMap {
    const sd = HfStateDict.probe(tensors, source, ['model.', ''], 'embed_tokens.weight');
    const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    const weights: WeightMap = new Map();
    const put = weightWriter(weights);
    const W_E = sd.take('embed_tokens.weight', [V, D]);
    put('embed.W_E', [V, D], W_E);
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `layers.${l}`;
      const b = `blocks.${l}`;
      put(`${b}.ln1.w`, [D], sd.take(`${h}.input_layernorm.weight`, [D]));
      for (const [which, n] of [
        ['q', H],
        ['k', KV],
        ['v', KV],
      ] as const) {
        const proj = sd.take(`${h}.self_attn.${which}_proj.weight`, [n * dh, D]);
        put(`${b}.attn.W_${which.toUpperCase()}`, [n, D, dh], headsFromColumns(transpose(proj, n * dh, D), D, n, dh));
        put(`${b}.attn.b_${which.toUpperCase()}`, [n, dh], sd.takeOptional(`${h}.self_attn.${which}_proj.bias`, [n * dh]));
      }
      put(`${b}.attn.W_O`, [H, dh, D], transpose(sd.take(`${h}.self_attn.o_proj.weight`, [D, H * dh]), D, H * dh));
      put(`${b}.attn.b_O`, [D], sd.takeOptional(`${h}.self_attn.o_proj.bias`, [D]));
      put(`${b}.ln2.w`, [D], sd.take(`${h}.post_attention_layernorm.weight`, [D]));
      // TransformerLens' GatedMLP: post = act(x W_gate) · (x W_in).
      put(`${b}.mlp.W_gate`, [D, M], transpose(sd.take(`${h}.mlp.gate_proj.weight`, [M, D]), M, D));
      put(`${b}.mlp.W_in`, [D, M], transpose(sd.take(`${h}.mlp.up_proj.weight`, [M, D]), M, D));
      put(`${b}.mlp.W_out`, [M, D], transpose(sd.take(`${h}.mlp.down_proj.weight`, [D, M]), D, M));
      if (sd.has(`${h}.mlp.gate_proj.bias`) || sd.has(`${h}.mlp.up_proj.bias`)) {
        throw new Error(`${source}: MLP biases (mlp_bias: true) are not supported for Llama-family models`);
      }
      put(`${b}.mlp.b_out`, [D], sd.takeOptional(`${h}.mlp.down_proj.bias`, [D]));
    }
    put('ln_final.w', [D], sd.take('norm.weight', [D]));
    const lmHead = sd.takeOptional('lm_head.weight', [V, D], true) ?? W_E;
    put('unembed.W_U', [D, V], transpose(lmHead, V, D));
    return weights;
  },

  toHf(cfg: ModelConfig, weights: WeightMap) {
    const { d_model: D, n_heads: H, n_key_value_heads: KV, d_head: dh, d_mlp: M, d_vocab: V } = cfg;
    if (
      cfg.normalization_type !== 'RMS' ||
      cfg.positional_embedding_type !== 'rotary' ||
      cfg.rotary_dim !== dh ||
      !cfg.gated_mlp ||
      cfg.parallel_attn_mlp
    ) {
      throw new Error(`Llama export: ${cfg.model_name} is not Llama shaped`);
    }
    for (const name of weights.keys()) {
      if (/\.mlp\.b_in$/.test(name) && weights.get(name)!.data.some((v) => v !== 0)) throw new Error('Llama export: b_in must be zero');
    }
    assertNoUnembedBias(weights, 'Llama');
    const state = new Map<string, Tensor>();
    const set = (name: string, shape: number[], data: Float32Array) => state.set(`model.${name}`, { shape, data });
    const w = (name: string) => canonical(weights, name);
    set('embed_tokens.weight', [V, D], w('embed.W_E'));
    let biases = false;
    for (let l = 0; l < cfg.n_layers; l++) {
      const h = `layers.${l}`;
      const b = `blocks.${l}`;
      set(`${h}.input_layernorm.weight`, [D], w(`${b}.ln1.w`));
      for (const [which, n] of [
        ['q', H],
        ['k', KV],
        ['v', KV],
      ] as const) {
        set(
          `${h}.self_attn.${which}_proj.weight`,
          [n * dh, D],
          transpose(headsToColumns(w(`${b}.attn.W_${which.toUpperCase()}`), n, D, dh), D, n * dh),
        );
        const bias = weights.get(`${b}.attn.b_${which.toUpperCase()}`);
        if (bias) {
          biases = true;
          set(`${h}.self_attn.${which}_proj.bias`, [n * dh], bias.data);
        }
      }
      set(`${h}.self_attn.o_proj.weight`, [D, H * dh], transpose(w(`${b}.attn.W_O`), H * dh, D));
      const bO = weights.get(`${b}.attn.b_O`);
      if (bO) set(`${h}.self_attn.o_proj.bias`, [D], bO.data);
      set(`${h}.post_attention_layernorm.weight`, [D], w(`${b}.ln2.w`));
      set(`${h}.mlp.gate_proj.weight`, [M, D], transpose(w(`${b}.mlp.W_gate`), D, M));
      set(`${h}.mlp.up_proj.weight`, [M, D], transpose(w(`${b}.mlp.W_in`), D, M));
      set(`${h}.mlp.down_proj.weight`, [D, M], transpose(w(`${b}.mlp.W_out`), M, D));
      const bOut = weights.get(`${b}.mlp.b_out`);
      if (bOut) set(`${h}.mlp.down_proj.bias`, [D], bOut.data);
    }
    set('norm.weight', [D], w('ln_final.w'));
    state.set('lm_head.weight', { shape: [V, D], data: transpose(w('unembed.W_U'), D, V) });
    const config = {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: V,
      max_position_embeddings: cfg.n_ctx,
      hidden_size: D,
      intermediate_size: M,
      num_hidden_layers: cfg.n_layers,
      num_attention_heads: H,
      num_key_value_heads: KV,
      head_dim: dh,
      hidden_act: cfg.act_fn,
      rms_norm_eps: cfg.eps,
      rope_theta: cfg.rotary_base,
      rope_scaling: null,
      attention_bias: biases,
      tie_word_embeddings: false,
      bos_token_id: cfg.bos_token_id,
      eos_token_id: cfg.eos_token_id,
    };
    return { config, state };
  },
};
