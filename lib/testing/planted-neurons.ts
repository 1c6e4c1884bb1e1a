import type { CanonicalModel, ModelConfig, WeightMap } from '../models/types';
import { PLANTED, plantedTokenizer } from './planted-models';

/**
 * A one-layer model whose MLP neurons are known by construction, for the neuron explorer's tests.
 * The residual stream is the token's one-hot (d_model = d_vocab = 97: BOS, EOS and printable ASCII of the
 * planted tokenizer); attention writes nothing (W_O = 0) and positions are zero, so each neuron's
 * pre-activation is exactly the W_in entry of the current character. ReLU.
 *   neuron 0  fires 4 on 'x'                 writes the '!' direction: logit effect top token '!'
 *   neuron 1  fires 3 on 'q' and on 'z'      (polysemantic: one dataset with q, another with z)
 *   neuron 2  fires 2 on 'x'
 *   neurons 3..7 never fire
 */
export const PLANTED_NEURON = { dVocab: 97, dMlp: 8 } as const;

export function charId(ch: string): number {
  return PLANTED.firstCharId + ch.codePointAt(0)! - 32;
}

export function buildPlantedNeuronModel(): { model: CanonicalModel; tokenizer: ReturnType<typeof plantedTokenizer> } {
  const V = PLANTED_NEURON.dVocab;
  const D = V;
  const M = PLANTED_NEURON.dMlp;
  const cfg: ModelConfig = {
    model_name: 'planted-neurons',
    n_layers: 1,
    d_model: D,
    n_heads: 1,
    d_head: 4,
    n_key_value_heads: 1,
    d_mlp: M,
    d_vocab: V,
    n_ctx: 64,
    attn_only: false,
    normalization_type: null,
    positional_embedding_type: 'standard',
    rotary_dim: 4,
    rotary_base: 10000,
    act_fn: 'relu',
    gated_mlp: false,
    parallel_attn_mlp: false,
    eps: 1e-5,
    bos_token_id: PLANTED.bosId,
    eos_token_id: PLANTED.eosId,
    original_architecture: 'planted',
  };
  const weights: WeightMap = new Map();
  const zeros = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const WE = zeros([V, D]);
  for (let v = 0; v < V; v++) WE.data[v * D + v] = 1;
  weights.set('embed.W_E', WE);
  weights.set('pos_embed.W_pos', zeros([cfg.n_ctx, D]));
  weights.set('blocks.0.attn.W_Q', zeros([1, D, 4]));
  weights.set('blocks.0.attn.W_K', zeros([1, D, 4]));
  weights.set('blocks.0.attn.W_V', zeros([1, D, 4]));
  weights.set('blocks.0.attn.W_O', zeros([1, 4, D]));
  const WIn = zeros([D, M]);
  WIn.data[charId('x') * M + 0] = 4;
  WIn.data[charId('q') * M + 1] = 3;
  WIn.data[charId('z') * M + 1] = 3;
  WIn.data[charId('x') * M + 2] = 2;
  weights.set('blocks.0.mlp.W_in', WIn);
  const WOut = zeros([M, D]);
  WOut.data[0 * D + charId('!')] = 1;
  weights.set('blocks.0.mlp.W_out', WOut);
  const WU = zeros([D, V]);
  for (let v = 0; v < V; v++) WU.data[v * V + v] = 1;
  weights.set('unembed.W_U', WU);
  return { model: { cfg, weights, source: { path: 'planted:neurons', format: 'planted' } }, tokenizer: plantedTokenizer() };
}
