import fs from 'node:fs/promises';
import path from 'node:path';
import { checkCanonicalWeights } from './check-weights';
import { assertWeightsFit } from '../engine/memory-estimate';
import { openSafetensorsFolder } from './safetensors-files';
import type { CanonicalModel, ModelConfig, Tensor, WeightMap } from './types';

/**
 * A TransformerLens state dict saved as safetensors: a folder with `config.json` (HookedTransformerConfig
 * field names) and `model.safetensors` (keys `embed.W_E`, `blocks.0.attn.W_Q` [n_heads, d_model, d_head], ...).
 * Weights are already canonical; the config is mapped onto headwiki's ModelConfig with TransformerLens' defaults.
 */
export async function loadTransformerLensSafetensors(dir: string, opts: { name?: string; license?: string } = {}): Promise<CanonicalModel> {
  const configPath = path.join(dir, 'config.json');
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await fs.readFile(configPath, 'utf8'));
  } catch (e) {
    throw new Error(`${configPath}: cannot read a HookedTransformerConfig (${(e as Error).message})`, { cause: e });
  }
  const cfg = configFromTransformerLens(raw, configPath, opts.name ?? path.basename(path.resolve(dir)));
  const state = await openSafetensorsFolder(dir);
  let dtype: string | undefined;
  let tensors: Map<string, Tensor>;
  try {
    dtype = state.dominantDtype();
    assertWeightsFit(`${cfg.model_name} (${dir})`, state.float32Bytes());
    tensors = state.toMap(); // already canonical: read tensor by tensor, each kept as it is
  } finally {
    state.close();
  }
  const weights = withNormWeights(cfg, tensors, raw.normalization_type);
  checkCanonicalWeights(cfg, weights, dir);
  return {
    cfg,
    weights,
    source: {
      path: dir,
      format: 'transformer_lens-safetensors',
      ...(dtype ? { dtype } : {}),
      ...(opts.license ? { license: opts.license } : {}),
    },
  };
}

export function configFromTransformerLens(raw: Record<string, unknown>, file: string, fallbackName: string): ModelConfig {
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new Error(`${file}: ${key} must be a positive integer, got ${JSON.stringify(raw[key])}`);
    return v as number;
  };
  const attnOnly = raw.attn_only === true;
  const nHeads = int('n_heads');
  const dModel = int('d_model');
  const dHead = int('d_head', dModel / nHeads);
  const positional = (raw.positional_embedding_type ?? 'standard') as string;
  if (positional !== 'standard' && positional !== 'rotary') {
    throw new Error(`${file}: positional_embedding_type ${JSON.stringify(positional)} is not supported ('standard' or 'rotary')`);
  }
  const normalization = raw.normalization_type ?? null;
  const normMap: Record<string, ModelConfig['normalization_type']> = { LN: 'LN', LNPre: 'LN', RMS: 'RMS', RMSPre: 'RMS' };
  if (normalization !== null && !(String(normalization) in normMap)) {
    throw new Error(`${file}: normalization_type ${JSON.stringify(normalization)} is not supported (LN, LNPre, RMS, RMSPre or null)`);
  }
  const dVocabOut = raw.d_vocab_out ?? raw.d_vocab;
  if (dVocabOut !== raw.d_vocab) throw new Error(`${file}: d_vocab_out ${dVocabOut} differs from d_vocab ${raw.d_vocab}; not supported`);
  if (raw.final_rms === true && normalization !== 'RMS' && normalization !== 'RMSPre') {
    throw new Error(`${file}: final_rms with normalization_type ${JSON.stringify(normalization)} is not supported`);
  }
  const nLayers = int('n_layers');
  const actFn = attnOnly ? null : tlActFn(raw.act_fn, file);
  const attnTypes = tlAttnTypes(raw.attn_types, nLayers, file);
  return {
    model_name: typeof raw.model_name === 'string' ? raw.model_name : fallbackName,
    n_layers: nLayers,
    d_model: dModel,
    n_heads: nHeads,
    d_head: dHead,
    n_key_value_heads: int('n_key_value_heads', nHeads),
    d_mlp: attnOnly ? 0 : int('d_mlp', 4 * dModel),
    d_vocab: int('d_vocab'),
    n_ctx: int('n_ctx'),
    attn_only: attnOnly,
    normalization_type: normalization === null ? null : normMap[String(normalization)],
    positional_embedding_type: positional,
    rotary_dim: positional === 'rotary' ? int('rotary_dim') : 0,
    rotary_base: typeof raw.rotary_base === 'number' ? raw.rotary_base : 10000,
    act_fn: actFn,
    gated_mlp: raw.gated_mlp === true,
    parallel_attn_mlp: raw.parallel_attn_mlp === true,
    eps: typeof raw.eps === 'number' ? raw.eps : 1e-5,
    use_attn_scale: raw.use_attn_scale !== false,
    ...(attnTypes ? { attn_types: attnTypes, window_size: int('window_size') } : {}),
    bos_token_id: Number.isInteger(raw.bos_token_id) ? (raw.bos_token_id as number) : 1,
    eos_token_id: Number.isInteger(raw.eos_token_id) ? (raw.eos_token_id as number) : 2,
    original_architecture: typeof raw.original_architecture === 'string' ? raw.original_architecture : 'transformer_lens',
  };
}

/** HookedTransformerConfig act_fn names; the tanh approximations are all gelu_new. */
function tlActFn(value: unknown, file: string): ModelConfig['act_fn'] {
  const map: Record<string, ModelConfig['act_fn']> = {
    relu: 'relu',
    gelu: 'gelu',
    gelu_new: 'gelu_new',
    gelu_fast: 'gelu_new',
    gelu_pytorch_tanh: 'gelu_new',
    silu: 'silu',
    solu_ln: 'solu_ln',
  };
  if (typeof value !== 'string' || !(value in map)) {
    throw new Error(
      `${file}: act_fn ${JSON.stringify(value ?? null)} is not supported (${Object.keys(map).join(', ')}); attention-only models set attn_only: true`,
    );
  }
  return map[value];
}

/** attn_types: null, or one of "global" / "local" per layer (GPT-Neo converted by TransformerLens). */
function tlAttnTypes(value: unknown, nLayers: number, file: string): Array<'global' | 'local'> | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length !== nLayers || !value.every((k) => k === 'global' || k === 'local')) {
    throw new Error(`${file}: attn_types ${JSON.stringify(value)} must be null or ${nLayers} entries of "global" / "local"`);
  }
  return value as Array<'global' | 'local'>;
}

/** LNPre / RMSPre (weights folded away) become LN / RMS with unit weights, which compute the same thing. */
function withNormWeights(cfg: ModelConfig, tensors: Map<string, Tensor>, rawNormalization: unknown): WeightMap {
  if (rawNormalization !== 'LNPre' && rawNormalization !== 'RMSPre') return tensors;
  const ones = () => ({ shape: [cfg.d_model], data: new Float32Array(cfg.d_model).fill(1) });
  const prefixes = [
    'ln_final',
    ...Array.from({ length: cfg.n_layers }, (_, l) => [`blocks.${l}.ln1`, ...(cfg.attn_only ? [] : [`blocks.${l}.ln2`])]).flat(),
  ];
  for (const p of prefixes) if (!tensors.has(`${p}.w`)) tensors.set(`${p}.w`, ones());
  return tensors;
}
