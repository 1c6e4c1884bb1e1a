import type { CanonicalModel } from '@/lib/models/types';
import type { ModelInfo } from '@/lib/db/models';

const descriptions: Record<string, string> = {
  llama: 'Llama-architecture model (RMSNorm, rotary positions, SwiGLU MLP)',
  gpt2: 'GPT-2-architecture model (LayerNorm, learned positions, GELU MLP)',
};

/** What the database and the pages say about a loaded model. */
export function modelInfo(model: CanonicalModel): ModelInfo {
  const { cfg } = model;
  const nParams = model.checkpointParams ?? countCheckpointParams(model);
  const grouped = cfg.n_key_value_heads < cfg.n_heads ? `, ${cfg.n_key_value_heads} key/value heads (grouped-query attention)` : '';
  return {
    slug: cfg.model_name,
    displayName: cfg.model_name,
    architecture: cfg.original_architecture,
    nLayers: cfg.n_layers,
    nHeads: cfg.n_heads,
    nKvHeads: cfg.n_key_value_heads,
    dModel: cfg.d_model,
    dHead: cfg.d_head,
    dMlp: cfg.d_mlp,
    dVocab: cfg.d_vocab,
    nCtx: cfg.n_ctx,
    nParams,
    source: model.source.path,
    license: model.source.license ?? 'unknown',
    description: `${descriptions[cfg.original_architecture] ?? cfg.original_architecture}: ${cfg.n_layers} layers, ${cfg.n_heads} heads of ${cfg.d_head}${grouped}.`,
    // Planted truth rides in the config JSON (no column of its own): only hand-built test models have it.
    config: model.plantedTruth ? { ...cfg, plantedTruth: model.plantedTruth } : cfg,
  };
}

/** The checkpoint's own parameter count (llama2.c's 260,032 for stories260K): a classifier shared with the embedding
 * is one set of parameters, stored twice in canonical form. Call it on the model as loaded, before weight processing. */
export function countCheckpointParams(model: CanonicalModel): number {
  let n = 0;
  for (const t of model.weights.values()) n += t.data.length;
  if (unembedIsTiedToEmbed(model)) n -= model.cfg.d_vocab * model.cfg.d_model;
  return n;
}

/** Whether W_U is exactly W_Eᵀ (llama2.c shared classifier, GPT-2's tied embeddings). */
function unembedIsTiedToEmbed(model: CanonicalModel): boolean {
  const WE = model.weights.get('embed.W_E');
  const WU = model.weights.get('unembed.W_U');
  if (!WE || !WU) return false;
  const [V, D] = WE.shape;
  if (WU.shape[0] !== D || WU.shape[1] !== V) return false;
  for (let v = 0; v < V; v++) for (let d = 0; d < D; d++) if (WE.data[v * D + d] !== WU.data[d * V + v]) return false;
  return true;
}
